# dissectors/core/core.mk - what every dissector uses: the bounds-checked
# cursor, the stream framer, the normalized event, the descriptor and the
# registry.
libots_dissectors_a_SOURCES += \
	dissectors/core/cursor.h \
	dissectors/core/event.h dissectors/core/event.c \
	dissectors/core/keyword.h dissectors/core/keyword.c \
	dissectors/core/dissector.h dissectors/core/protocols.h dissectors/core/registry.c \
	dissectors/core/framer.h dissectors/core/framer.c
EXTRA_DIST += tests/fuzz/fuzz_dissector.h
