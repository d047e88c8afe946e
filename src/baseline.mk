# src/baseline.mk
