# dissectors/s7comm.mk
