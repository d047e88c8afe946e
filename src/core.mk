# src/core.mk - capture, decode, EVE output, sensor pipeline, main.
libotsentry_a_SOURCES += \
	src/options.h src/options.c \
	src/addr.c \
	src/decode.h src/decode.c \
	src/frag.h src/frag.c \
	src/eve.c \
	src/capture.h src/capture.c \
	src/sensor.c \
	src/protolog.h src/protolog.c
