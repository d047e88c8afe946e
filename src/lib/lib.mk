# src/lib/lib.mk - small helpers every layer may use: addresses as text.
libotsentry_a_SOURCES += src/lib/addr.h src/lib/addr.c
