# dissectors/modbus.mk
