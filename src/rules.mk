# src/rules.mk
