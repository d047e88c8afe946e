/*
 * s7comm_util.c - what the S7comm parsers (s7comm_parse.c, s7comm_szl.c)
 * and the logger share: packet text, block ids, the value layout of data
 * items, a growing buffer.  Everything calls in here; nothing here calls
 * back.
 */
#include <stdlib.h>
#include <string.h>

#include "s7comm.h"

const char *s7_block_type_name(int c)
{
	return ot_tok_name(s7comm_block_type_names, c);
}

struct s7_text s7_text(const uint8_t *p, size_t n)
{
	struct s7_text t = { p, 0 };

	if (!p)
		return t;
	while (n > 0 && (p[n - 1] == 0 || p[n - 1] == ' '))
		n--;
	t.n = n > S7_TEXT_MAX ? S7_TEXT_MAX : n;
	return t;
}

int s7_buf_append(uint8_t **buf, size_t *len, size_t *cap, const uint8_t *p, size_t n)
{
	if (*len + n > *cap) {
		size_t want = *cap ? *cap : 512;
		uint8_t *nb;

		while (want < *len + n)
			want *= 2;
		nb = realloc(*buf, want);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = want;
	}
	if (n)
		memcpy(*buf + *len, p, n);
	*len += n;
	return 0;
}

int s7_digit_run(const uint8_t *p, size_t n, uint32_t *v)
{
	size_t i;

	*v = 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return -1;
		*v = *v * 10 + (uint32_t)(p[i] - '0');
	}
	return 0;
}

/* Type 2 chars ("0A"), number 5 digits, then the file system char. */
int s7_block_id_parse(struct ot_event *ev, const uint8_t *p, size_t n, struct s7_block_id *b)
{
	uint32_t num;

	if (n > 0 && p[0] == '_') {
		p++;
		n--;
	}
	if (n < 7 || s7_digit_run(p + 2, 5, &num) < 0)
		return -1;
	b->type = p[1];
	b->number = num;
	b->has_filesystem = n >= 8;
	b->filesystem = n >= 8 ? p[7] : 0;
	if (ev)
		ot_range_add(ev, OT_SPACE_S7_BLOCK, p[1], 0, num, 1);
	return 0;
}

enum ot_space s7_area_space(uint8_t area)
{
	switch (area) {
	case 0x81: return OT_SPACE_S7_INPUTS;
	case 0x82: return OT_SPACE_S7_OUTPUTS;
	case 0x83: return OT_SPACE_S7_FLAGS;
	case 0x84: return OT_SPACE_S7_DB;
	case 0x85: return OT_SPACE_S7_DI;
	case 0x1c: case 0x1e: return OT_SPACE_S7_COUNTER;
	case 0x1d: case 0x1f: return OT_SPACE_S7_TIMER;
	case 0x80: return OT_SPACE_S7_PERIPHERAL;
	default: return OT_SPACE_S7_OTHER;
	}
}

unsigned s7_elem_bits(uint8_t tsize)
{
	switch (tsize) {
	case 0x01: return 1;
	case 0x02: case 0x03: return 8;
	case 0x04: case 0x05: case 0x09: case 0x0c: case 0x1c: case 0x1d: return 16;
	case 0x06: case 0x07: case 0x08: case 0x0a: case 0x0b: case 0x20: return 32;
	case 0x0f: return 64;
	case 0x1f: return 48;
	case 0x1e: return 80;
	default: return 8;
	}
}

unsigned s7_value_bytes(const struct s7_item *x, uint8_t data_tsize)
{
	unsigned bits = x ? s7_elem_bits(x->tsize) : 8;
	unsigned bytes = bits >= 8 ? bits / 8 : 1;

	if (x && x->tsize == 0x01)
		bytes = 1;
	if (!x && data_tsize == 0x05)           /* unpaired INTEGER data */
		bytes = 2;
	if (bytes > 4 || (x && x->syntax != S7_SYNTAX_S7ANY))
		return 0;
	return bytes;
}

double s7_value(const struct s7_item *x, uint8_t data_tsize, uint32_t raw)
{
	if ((x && x->tsize == 0x05) || (!x && data_tsize == 0x05))
		return (int16_t)raw;
	if (x && x->tsize == 0x07)
		return (int32_t)raw;
	if (x && x->tsize == 0x08) {
		float f;

		memcpy(&f, &raw, sizeof(f));
		return f;
	}
	return raw;
}
