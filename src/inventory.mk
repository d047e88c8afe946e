# src/inventory.mk
