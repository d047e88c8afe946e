# src/core.mk - capture, decode, EVE output, sensor pipeline, main.
libotsentry_a_SOURCES += \
	src/options.h src/options.c \
	src/capture.h src/protolog.h
