# src/core.mk
