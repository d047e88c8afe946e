# src/flow.mk
