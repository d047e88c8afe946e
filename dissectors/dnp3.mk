# dissectors/dnp3.mk
