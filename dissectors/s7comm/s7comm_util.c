/*
 * s7comm_util.c - what the S7comm job and userdata parsers (s7comm.c,
 * s7comm_szl.c) share: name tables, detail helpers, block ids, a growing
 * buffer.  Both call in here; nothing here calls back.
 */
#include <stdlib.h>
#include <string.h>

#include "s7comm.h"

const struct ot_tok s7_return_code_names[] = {
	{ 0x00, "reserved" },
	{ 0x01, "hardware_fault" },
	{ 0x03, "access_denied" },
	{ 0x05, "invalid_address" },
	{ 0x06, "data_type_not_supported" },
	{ 0x07, "data_type_inconsistent" },
	{ 0x0a, "object_does_not_exist" },
	{ 0xff, "success" },
	{ 0, NULL }
};

static const struct ot_tok block_type_names[] = {
	{ '8', "OB" },
	{ 'A', "DB" },
	{ 'B', "SDB" },
	{ 'C', "FC" },
	{ 'D', "SFC" },
	{ 'E', "FB" },
	{ 'F', "SFB" },
	{ 0, NULL }
};

static const struct ot_tok filesystem_names[] = {
	{ 'P', "passive" },
	{ 'A', "active" },
	{ 'B', "active_and_passive" },
	{ 0, NULL }
};

const char *s7_block_type_name(int c)
{
	return ot_tok_name(block_type_names, c);
}

/* ---- JSON helpers: every one is a no-op without a detail object ---- */

void s7_json_int(json_t *o, const char *key, long long v)
{
	if (o)
		json_object_set_new(o, key, json_integer(v));
}

void s7_json_str(json_t *o, const char *key, const char *s)
{
	if (o && s)
		json_object_set_new(o, key, json_string(s));
}

void s7_json_text(json_t *o, const char *key, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	char buf[2 * 256 + 1];
	size_t i, k = 0;
	int printable = 1;

	if (!o || !p)
		return;
	while (n > 0 && (p[n - 1] == 0 || p[n - 1] == ' '))
		n--;
	if (n == 0)
		return;
	if (n > 256)
		n = 256;
	for (i = 0; i < n; i++)
		if (p[i] < 0x20 || p[i] > 0x7e)
			printable = 0;
	if (printable) {
		json_object_set_new(o, key, json_stringn((const char *)p, n));
		return;
	}
	for (i = 0; i < n; i++) {
		buf[k++] = hex[p[i] >> 4];
		buf[k++] = hex[p[i] & 15];
	}
	buf[k] = '\0';
	json_object_set_new(o, key, json_string(buf));
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

void s7_block_id(struct s7_msg *m, json_t *o, const uint8_t *p, size_t n)
{
	uint32_t num;
	const char *tn;

	if (n > 0 && p[0] == '_') {
		p++;
		n--;
	}
	if (n < 7 || s7_digit_run(p + 2, 5, &num) < 0)
		return;
	tn = s7_block_type_name(p[1]);
	if (o) {
		s7_json_str(o, "block_type", tn ? tn : "unknown");
		s7_json_int(o, "block_number", num);
		if (n >= 8)
			s7_json_str(o, "destination_filesystem",
				    ot_tok_str(filesystem_names, p[7]));
	}
	ot_range_add(m->ev, OT_SPACE_S7_BLOCK, p[1], 0, num, 1);
}
