# src/flow.mk - flow table, TCP reassembly, nDPI labels, dissector hand-off.
libotsentry_a_SOURCES += \
	src/flow.h src/flow.c \
	src/stream.h src/stream.c \
	src/classify.h src/classify.c \
	src/applayer.h src/applayer.c
