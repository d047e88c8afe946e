/*
 * fuzz_modbus.c - libFuzzer target for the Modbus/TCP dissector.
 *
 * The stream script of fuzz_dissector.h over the Modbus dissector.
 */
#include "fuzz_dissector.h"

extern const struct dissector modbus_dissector;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_dissector_run(&modbus_dissector, data, size);
}
