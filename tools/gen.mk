# tools/gen.mk
