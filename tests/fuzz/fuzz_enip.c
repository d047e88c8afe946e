/*
 * fuzz_enip.c - libFuzzer target for the EtherNet/IP + CIP dissector.
 *
 * The stream script of fuzz_dissector.h (bit 5 of the first byte: a UDP
 * flow, so encapsulation datagrams and implicit I/O run too); when the
 * first byte is a multiple of 3, the rest is also decoded as one
 * encapsulation message and as one CIP message without flow state, with a
 * request hint that makes Identity answers decode.
 */
#include "enip.h"
#include "fuzz_dissector.h"

extern const struct dissector enip_dissector;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 1 && data[0] % 3 == 0) {
		static struct enip_record rec;  /* large: not on the stack */
		struct enip_hint hint;

		memset(&hint, 0, sizeof(hint));
		hint.n = 2;
		hint.svc[0].service = CIP_SVC_GET_ATTRIBUTE_ALL;
		hint.svc[0].class_id = CIP_CLASS_IDENTITY;
		hint.svc[0].instance = 1;
		hint.svc[0].attribute = -1;
		hint.svc[1].service = CIP_SVC_GET_ATTRIBUTE_SINGLE;
		hint.svc[1].class_id = CIP_CLASS_IDENTITY;
		hint.svc[1].instance = 1;
		hint.svc[1].attribute = data[0] & 7;
		enip_parse_message(data + 1, size - 1, data[0] & 0x40, &hint, &rec);
		hint.svc[0].used = 0;
		hint.svc[1].used = 0;
		hint.next = 0;
		cip_parse_message(data + 1, size - 1, &hint, &rec);
	}
	return fuzz_dissector_run(&enip_dissector, data, size);
}
