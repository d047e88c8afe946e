/*
 * enip_parse.c - EtherNet/IP encapsulation and CIP: bytes -> struct
 * enip_record -> the ot_event; per-flow state and the dissector descriptor.
 *
 * Specifications: see enip.h.
 *
 * TCP 44818: encapsulation messages (24-byte header, then `length` bytes of
 * command data) are cut by the shared framer; several per segment and split
 * across segments both work.  A header that breaks the framing rules drops
 * the rest of that delivery (TCP segments normally start on a message) and
 * raises "not_enip" once per direction; after ENIP_MAX_BAD_FEEDS bad
 * deliveries in a row the direction is abandoned.
 * UDP 44818: one encapsulation message per datagram (ListIdentity...).
 * UDP 2222: class 0/1 implicit I/O, a bare common packet format (sequenced
 * address + connected data): counted per connection id, reported as one
 * "io" summary per connection on its first packet, then every
 * ENIP_IO_REPORT_SECONDS of packet time and when the flow ends, never one
 * line per packet.
 *
 * Pairing: a SendRRData reply is paired with its request by sender context,
 * a SendUnitData reply by the connected data sequence count; the request's
 * services then give the reply (which has no path) its class, so Identity
 * object answers yield identity facts.  Forward Open / Large Forward Open
 * replies fill in the connection table (ids, serials, RPIs, trigger) kept
 * per flow; connected messages are tied to their connection by id; Forward
 * Close removes it.
 *
 * Ownership: the per-flow state owns its framers and tables;
 * enip_state_free(NULL) is a no-op.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "dissector.h"
#include "enip.h"
#include "event.h"
#include "framer.h"

#define ENIP_MAX_MSG         (ENIP_HEADER_LEN + 65535)
#define ENIP_MAX_BAD_FEEDS   16      /* consecutive bad deliveries: give up */
#define ENIP_MAX_PENDING_CAP 1024    /* ceiling on lim->max_pending */
#define ENIP_MAX_CONNS       64      /* Forward Open connections per flow */
#define ENIP_MAX_IO          64      /* I/O connection ids per UDP flow */
#define ENIP_IO_REPORT_SECONDS 60.0  /* an I/O summary at least this often */
#define ENIP_MAX_DEPTH       2       /* Unconnected Send / MSP nesting */
#define ENIP_MAX_SEGMENTS    32      /* path segments decoded per path */

/* ---- record helpers ---------------------------------------------------- */

static void rec_flag(struct enip_record *rec, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Note an anomaly on the record (first ENIP_MSG_ANOMALIES distinct ones). */
static void rec_flag(struct enip_record *rec, const char *reason, const char *fmt, ...)
{
	va_list ap;
	unsigned i;

	for (i = 0; i < rec->n_anom; i++)
		if (strcmp(rec->anom[i], reason) == 0)
			return;
	if (rec->n_anom >= ENIP_MSG_ANOMALIES)
		return;
	rec->anom[rec->n_anom] = reason;
	va_start(ap, fmt);
	vsnprintf(rec->anom_detail[rec->n_anom], OT_DETAIL_LEN, fmt, ap);
	va_end(ap);
	rec->n_anom++;
}

/* An empty path: no segments, every id absent.  The symbol is read only
 * with has_symbol set (and appended to from its NUL): its tail is left. */
void cip_path_init(struct cip_path *path)
{
	path->class_id = path->instance = path->attribute = -1;
	path->member = path->conn_point = -1;
	path->n_segments = 0;
	path->bad = 0;
	path->has_symbol = 0;
	path->symbol[0] = '\0';
}

/* An empty record: its flags and counts cleared (see struct enip_record:
 * the other members are read only as far as they say). */
static void enip_record_reset(struct enip_record *rec)
{
	memset(rec, 0, offsetof(struct enip_record, command));
	rec->ident.present = 0;
	rec->ident.fields = 0;
	rec->ident.state = -1;
	rec->conn.present = 0;
}

/* Append printable text to the symbol ('.'-joined). */
static void path_symbol_add(struct cip_path *path, const uint8_t *s, size_t n)
{
	size_t at = strlen(path->symbol), i;

	if (path->has_symbol && at + 1 < sizeof(path->symbol))
		path->symbol[at++] = '.';
	for (i = 0; i < n && at + 1 < sizeof(path->symbol); i++)
		path->symbol[at++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '.';
	path->symbol[at] = '\0';
	path->has_symbol = 1;
}

/* Logical segment value of format fmt (0: 8-bit, 1: 16-bit, 2: 32-bit),
 * padded EPATH (a pad byte before 16/32-bit values). */
static int64_t path_logical_value(struct cursor *c, unsigned fmt)
{
	switch (fmt) {
	case 0: return cur_u8(c);
	case 1: cur_skip(c, 1); return cur_le16(c);
	case 2: cur_skip(c, 1); return cur_le32(c);
	default: cur_fail(c); return -1;
	}
}

/* The usual shapes - of a request path (cip_parse_path) and of the common
 * packet format (enip_cpf_usual) - are decoded without the general loops,
 * to the same record; enip_set_fast_paths(0) turns that off (check_enip
 * compares the two). */
static int enip_fast = 1;

void enip_set_fast_paths(int on)
{
	enip_fast = on;
}

/* The usual request path: 8-bit class, 8-bit instance, optional 8-bit
 * attribute (20 cc 24 ii [30 aa]). */
int cip_parse_path(const uint8_t *p, size_t len, struct cip_path *path)
{
	struct cursor c;

	cip_path_init(path);
	cur_init(&c, p, len);
	if (enip_fast && (len == 4 || len == 6)) {
		const uint8_t *b = cur_bytes(&c, len);

		if (b && b[0] == 0x20 && b[2] == 0x24 && (len == 4 || b[4] == 0x30)) {
			path->class_id = b[1];
			path->instance = b[3];
			if (len == 6)
				path->attribute = b[5];
			path->n_segments = (uint8_t)(len / 2);
			return 0;
		}
		cur_init(&c, p, len);   /* any other shape: the loop */
	}
	while (cur_left(&c) > 0 && cur_ok(&c)) {
		uint8_t seg = cur_u8(&c);

		if (++path->n_segments > ENIP_MAX_SEGMENTS) {
			path->bad = 1;
			return -1;
		}
		switch (seg >> 5) {
		case 0: {       /* port segment */
			uint8_t port = seg & 0x0f, alen = 1;

			if (seg & 0x10)
				alen = cur_u8(&c);
			if (port == 0x0f)
				cur_skip(&c, 2);
			cur_skip(&c, alen);
			if ((seg & 0x10) && (alen & 1))
				cur_skip(&c, 1);
			break;
		}
		case 1: {       /* logical segment */
			unsigned type = (seg >> 2) & 7, fmt = seg & 3;
			int64_t v;

			if (type == 5) {        /* special: electronic key */
				uint8_t kfmt = cur_u8(&c);

				cur_skip(&c, kfmt == 4 ? 8 : 0);
				if (kfmt != 4)
					path->bad = 1;
				break;
			}
			v = path_logical_value(&c, fmt);
			switch (type) {
			case 0: path->class_id = v; break;
			case 1: path->instance = v; break;
			case 2: path->member = v; break;
			case 3: path->conn_point = v; break;
			case 4: path->attribute = v; break;
			default: break;         /* service id, extended logical */
			}
			break;
		}
		case 2:         /* network segment */
			if (seg == 0x50) {
				uint8_t words = cur_u8(&c);

				cur_skip(&c, (size_t)words * 2);
			} else {
				cur_skip(&c, 1);
			}
			break;
		case 3: {       /* symbolic segment */
			uint8_t n = seg & 0x1f;
			const uint8_t *s;

			if (n == 0) {   /* extended string: not decoded */
				path->bad = 1;
				return -1;
			}
			s = cur_bytes(&c, n);
			if (s)
				path_symbol_add(path, s, n);
			break;
		}
		case 4: {       /* data segment */
			if (seg == 0x80) {
				uint8_t words = cur_u8(&c);

				cur_skip(&c, (size_t)words * 2);
			} else if (seg == 0x91) {
				uint8_t n = cur_u8(&c);
				const uint8_t *s = cur_bytes(&c, n);

				if (s)
					path_symbol_add(path, s, n);
				if (n & 1)
					cur_skip(&c, 1);
			} else {
				path->bad = 1;
				return -1;
			}
			break;
		}
		default:        /* data type segments: not in request paths */
			path->bad = 1;
			return -1;
		}
	}
	if (!cur_ok(&c)) {
		path->bad = 1;
		return -1;
	}
	return 0;
}

/* A route path ("port/link,...") as text. */
static void route_text(const uint8_t *p, size_t len, char *out, size_t outlen)
{
	struct cursor c;
	size_t at = 0;

	out[0] = '\0';
	cur_init(&c, p, len);
	while (cur_left(&c) > 0 && cur_ok(&c) && at + 12 < outlen) {
		uint8_t seg = cur_u8(&c), alen = 1;
		unsigned port = seg & 0x0f;
		const uint8_t *a;
		int w;

		if ((seg >> 5) != 0) {
			cur_skip(&c, cur_left(&c));   /* not a port segment */
			break;
		}
		if (seg & 0x10)
			alen = cur_u8(&c);
		if (port == 0x0f)
			port = cur_le16(&c);
		a = cur_bytes(&c, alen);
		if (!a)
			break;
		if (alen == 1)
			w = snprintf(out + at, outlen - at, "%s%u/%u", at ? "," : "", port, a[0]);
		else
			w = snprintf(out + at, outlen - at, "%s%u/%.*s", at ? "," : "", port,
				     (int)(alen > 15 ? 15 : alen), (const char *)a);
		if (w < 0 || (size_t)w >= outlen - at)
			break;
		at += (size_t)w;
		if ((seg & 0x10) && (alen & 1))
			cur_skip(&c, 1);
	}
	/* keep only printable text */
	for (at = 0; out[at]; at++)
		if ((unsigned char)out[at] < 0x20 || (unsigned char)out[at] >= 0x7f)
			out[at] = '.';
}

/* ---- CIP --------------------------------------------------------------- */

/* A service as nothing decoded it yet: every member set but the path,
 * which cip_parse_at sets on every way out (the route's tail past its NUL
 * is never read). */
static void cip_service_init(struct cip_service *s)
{
	s->service = 0;
	s->response = 0;
	s->embedded = 0;
	s->in_msp = 0;
	s->path_from_request = 0;
	s->n_ext = 0;
	s->status = -1;
	s->ext_status[0] = s->ext_status[1] = 0;
	s->data_len = 0;
	s->route[0] = '\0';
	s->cat = OT_CAT_OTHER;
}

static struct cip_service *cip_add(struct enip_record *rec)
{
	struct cip_service *s;

	rec->cip_total++;
	if (rec->n_cip >= ENIP_MAX_CIP)
		return NULL;
	s = &rec->cip[rec->n_cip++];
	cip_service_init(s);
	return s;
}

/* The request service a response answers: the first unused hint entry with
 * the same service code.  The search starts at hint->next (no unused entry
 * lies below it), which moves past the entries taken in order, so the
 * services of a Multiple Service Packet answer are found without rescanning
 * the ones already answered. */
static struct enip_hint_svc *hint_take(struct enip_hint *hint, uint8_t service)
{
	unsigned i;

	if (!hint)
		return NULL;
	for (i = hint->next; i < hint->n; i++) {
		if (!hint->svc[i].used && hint->svc[i].service == service) {
			hint->svc[i].used = 1;
			if (i == hint->next)
				while (hint->next < hint->n && hint->svc[hint->next].used)
					hint->next++;
			return &hint->svc[i];
		}
	}
	return NULL;
}

static void ident_short_string(struct cursor *c, struct enip_identity *id)
{
	uint8_t n = cur_u8(c);
	const uint8_t *s = cur_bytes(c, n);
	size_t i, k = 0;

	if (!s)
		return;
	for (i = 0; i < n && k + 1 < sizeof(id->product_name); i++)
		id->product_name[k++] = (s[i] >= 0x20 && s[i] < 0x7f) ? (char)s[i] : '.';
	id->product_name[k] = '\0';
	id->fields |= ENIP_IDF_NAME;
}

/* Identity object instance attributes 1..7 (+8 state when present). */
static void ident_attributes_all(struct cursor *c, struct enip_identity *id)
{
	id->vendor = cur_le16(c);
	id->device_type = cur_le16(c);
	id->product_code = cur_le16(c);
	id->rev_major = cur_u8(c);
	id->rev_minor = cur_u8(c);
	id->status = cur_le16(c);
	id->serial = cur_le32(c);
	if (!cur_ok(c))
		return;
	id->fields |= ENIP_IDF_VENDOR | ENIP_IDF_DEVTYPE | ENIP_IDF_PRODUCT |
		      ENIP_IDF_REVISION | ENIP_IDF_STATUS | ENIP_IDF_SERIAL;
	ident_short_string(c, id);
	if (cur_ok(c) && cur_left(c) >= 1) {
		id->state = cur_u8(c);
		id->fields |= ENIP_IDF_STATE;
	}
	id->present = 1;
}

/* One Identity instance attribute value from c into id.  Returns 1 when
 * decoded, 0 for an attribute whose size is not known here (9 and up). */
static int ident_attribute(struct cursor *c, struct enip_identity *id, int64_t attribute)
{
	switch (attribute) {
	case 1: id->vendor = cur_le16(c); id->fields |= ENIP_IDF_VENDOR; break;
	case 2: id->device_type = cur_le16(c); id->fields |= ENIP_IDF_DEVTYPE; break;
	case 3: id->product_code = cur_le16(c); id->fields |= ENIP_IDF_PRODUCT; break;
	case 4:
		id->rev_major = cur_u8(c);
		id->rev_minor = cur_u8(c);
		id->fields |= ENIP_IDF_REVISION;
		break;
	case 5: id->status = cur_le16(c); id->fields |= ENIP_IDF_STATUS; break;
	case 6: id->serial = cur_le32(c); id->fields |= ENIP_IDF_SERIAL; break;
	case 7: ident_short_string(c, id); break;
	case 8: id->state = cur_u8(c); id->fields |= ENIP_IDF_STATE; break;
	default: return 0;
	}
	return 1;
}

/* An Identity object answer: Get_Attribute_All, Get_Attribute_Single or
 * Get_Attribute_List (count, then id, status and value per attribute). */
static void cip_identity_answer(struct enip_record *rec, uint8_t service,
				int64_t attribute, const uint8_t *p, size_t len)
{
	struct enip_identity *id = &rec->ident;
	struct cursor c;

	cur_init(&c, p, len);
	id->from_cip = 1;
	if (service == CIP_SVC_GET_ATTRIBUTE_ALL) {
		ident_attributes_all(&c, id);
		if (!cur_ok(&c))
			rec_flag(rec, "truncated_identity", "Get_Attribute_All answer of %zu bytes", len);
		return;
	}
	if (service == CIP_SVC_GET_ATTRIBUTE_LIST) {
		uint16_t n = cur_le16(&c), i;

		for (i = 0; i < n && cur_ok(&c); i++) {
			uint16_t a = cur_le16(&c), st = cur_le16(&c);

			if (!cur_ok(&c) || st != 0)
				continue;       /* an attribute in error carries no value */
			if (!ident_attribute(&c, id, a))
				break;          /* size unknown: the rest cannot be found */
		}
	} else if (!ident_attribute(&c, id, attribute)) {
		return;
	}
	if (!cur_ok(&c)) {
		id->fields = 0;
		rec_flag(rec, "truncated_identity", "identity answer of %zu bytes", len);
		return;
	}
	id->present = id->fields != 0;
}

static void cip_forward_open_request(struct enip_record *rec, struct cursor *c, int large)
{
	struct cip_connection_params *k = &rec->conn;
	uint8_t words;
	const uint8_t *path;

	memset(k, 0, sizeof(*k));
	k->large = (uint8_t)large;
	cur_skip(c, 2);                 /* priority/tick, timeout ticks */
	k->ot_id = cur_le32(c);
	k->to_id = cur_le32(c);
	k->serial = cur_le16(c);
	k->vendor = cur_le16(c);
	k->orig_serial = cur_le32(c);
	k->timeout_mult = cur_u8(c);
	cur_skip(c, 3);
	k->ot_rpi = cur_le32(c);
	k->ot_params = large ? cur_le32(c) : cur_le16(c);
	k->to_rpi = cur_le32(c);
	k->to_params = large ? cur_le32(c) : cur_le16(c);
	k->trigger = cur_u8(c);
	words = cur_u8(c);
	path = cur_bytes(c, (size_t)words * 2);
	if (!cur_ok(c)) {
		rec_flag(rec, "truncated_cip", "%s request ends early",
			 large ? "Large_Forward_Open" : "Forward_Open");
		cip_path_init(&k->conn_path);
		return;
	}
	if (cip_parse_path(path, (size_t)words * 2, &k->conn_path) < 0)
		rec_flag(rec, "bad_path", "Forward_Open connection path");
	k->present = 1;
}

static void cip_forward_close_request(struct enip_record *rec, struct cursor *c)
{
	struct cip_connection_params *k = &rec->conn;

	memset(k, 0, sizeof(*k));
	cip_path_init(&k->conn_path);
	cur_skip(c, 2);
	k->serial = cur_le16(c);
	k->vendor = cur_le16(c);
	k->orig_serial = cur_le32(c);
	if (!cur_ok(c)) {
		rec_flag(rec, "truncated_cip", "Forward_Close request ends early");
		return;
	}
	k->present = 1;
	cur_skip(c, cur_left(c));       /* connection path */
}

static void cip_forward_reply(struct enip_record *rec, struct cursor *c,
			      uint8_t service, int ok)
{
	struct cip_connection_params *k = &rec->conn;

	memset(k, 0, sizeof(*k));
	cip_path_init(&k->conn_path);
	k->large = service == CIP_SVC_LARGE_FORWARD_OPEN;
	if (service != CIP_SVC_FORWARD_CLOSE && ok) {
		k->ot_id = cur_le32(c);
		k->to_id = cur_le32(c);
	}
	k->serial = cur_le16(c);
	k->vendor = cur_le16(c);
	k->orig_serial = cur_le32(c);
	if (service != CIP_SVC_FORWARD_CLOSE && ok) {
		k->ot_api = cur_le32(c);
		k->to_api = cur_le32(c);
	}
	if (!cur_ok(c)) {
		rec_flag(rec, "truncated_cip", "connection manager reply ends early");
		return;
	}
	k->present = 1;
	cur_skip(c, cur_left(c));       /* application reply / remaining path */
}

static int cip_parse_at(const uint8_t *p, size_t len, struct enip_hint *hint,
			struct enip_record *rec, int depth, int embedded, int in_msp);

/* Multiple Service Packet body: count, offsets from the count, services. */
static void cip_msp(const uint8_t *p, size_t len, struct enip_hint *hint,
		    struct enip_record *rec, int depth, int embedded)
{
	struct cursor c;
	uint16_t n, i;

	cur_init(&c, p, len);
	n = cur_le16(&c);
	if (!cur_ok(&c) || (size_t)n * 2 > cur_left(&c)) {
		rec_flag(rec, "bad_msp", "service count %u in %zu bytes", n, len);
		return;
	}
	for (i = 0; i < n; i++) {
		struct cursor oc;
		uint16_t off, end;

		cur_init(&oc, p + 2 + (size_t)i * 2, 2);
		off = cur_le16(&oc);
		if (i + 1 < n) {
			cur_init(&oc, p + 2 + (size_t)(i + 1) * 2, 2);
			end = cur_le16(&oc);
		} else {
			end = (uint16_t)(len > 0xffff ? 0xffff : len);
		}
		if (off < 2 + (size_t)n * 2 || off > end || end > len) {
			rec_flag(rec, "bad_msp", "service %u offset %u..%u outside %zu bytes",
				 i, off, end, len);
			return;
		}
		cip_parse_at(p + off, (size_t)(end - off), hint, rec, depth + 1, embedded, 1);
	}
}

/* Unconnected Send request body: the embedded request and the route path. */
static void cip_unconnected_send(struct cursor *c, struct enip_hint *hint,
				 struct enip_record *rec, struct cip_service *s, int depth)
{
	uint16_t size;
	const uint8_t *msg, *route;
	uint8_t words;

	cur_skip(c, 2);                 /* priority/tick, timeout ticks */
	size = cur_le16(c);
	msg = cur_bytes(c, size);
	if (!msg) {
		rec_flag(rec, "truncated_cip", "Unconnected_Send embedded message of %u bytes", size);
		return;
	}
	if (size & 1)
		cur_skip(c, 1);
	words = cur_u8(c);
	cur_skip(c, 1);
	route = cur_bytes(c, (size_t)words * 2);
	if (route && s)
		route_text(route, (size_t)words * 2, s->route, sizeof(s->route));
	if (!cur_ok(c))
		rec_flag(rec, "truncated_cip", "Unconnected_Send route path ends early");
	cip_parse_at(msg, size, hint, rec, depth + 1, 1, 0);
}

/* One CIP request or response at depth (0: the encapsulated message).
 * The decoders of the rarer services get a copy of the cursor (rest), never
 * c's address: c then stays in registers for the common path. */
static int cip_parse_at(const uint8_t *p, size_t len, struct enip_hint *hint,
			struct enip_record *rec, int depth, int embedded, int in_msp)
{
	struct cursor c, rest;
	struct cip_service *s, tmp;
	uint8_t sc, words;
	int response;

	cur_init(&c, p, len);
	sc = cur_u8(&c);
	words = cur_u8(&c);
	if (!cur_ok(&c)) {
		rec_flag(rec, "truncated_cip", "CIP message of %zu bytes", len);
		return -1;
	}
	s = cip_add(rec);
	if (!s) {
		s = &tmp;       /* over the cap: decode, but keep nothing */
		cip_service_init(s);
	}
	s->service = sc & 0x7f;
	rec->svc_seen[s->service >> 3] |= (uint8_t)(1u << (s->service & 7));
	response = (sc & 0x80) != 0;
	s->response = (uint8_t)response;
	s->embedded = (uint8_t)embedded;
	s->in_msp = (uint8_t)in_msp;

	if (!response) {
		const uint8_t *path = cur_bytes(&c, (size_t)words * 2);

		if (!path) {
			cip_path_init(&s->path);
			rec_flag(rec, "truncated_cip", "request path of %u words in %zu bytes",
				 words, len);
			return -1;
		}
		/* cip_parse_path sets the whole path, whatever it finds */
		if (cip_parse_path(path, (size_t)words * 2, &s->path) < 0)
			rec_flag(rec, "bad_path", "service 0x%02x request path", s->service);
		s->data_len = (uint32_t)cur_left(&c);
		s->cat = cip_service_category(s->service, s->path.class_id, s->path.has_symbol);
		if (s->path.class_id == CIP_CLASS_CONNECTION_MANAGER) {
			switch (s->service) {
			case CIP_SVC_UNCONNECTED_SEND:
				if (depth < ENIP_MAX_DEPTH) {
					rest = c;
					cip_unconnected_send(&rest, hint, rec, s == &tmp ? NULL : s, depth);
				} else {
					rec_flag(rec, "nesting_too_deep", "Unconnected_Send at depth %d", depth);
				}
				return 0;
			case CIP_SVC_FORWARD_OPEN:
			case CIP_SVC_LARGE_FORWARD_OPEN:
				rest = c;
				cip_forward_open_request(rec, &rest,
							 s->service == CIP_SVC_LARGE_FORWARD_OPEN);
				return 0;
			case CIP_SVC_FORWARD_CLOSE:
				rest = c;
				cip_forward_close_request(rec, &rest);
				return 0;
			default:
				break;
			}
		}
		if (s->service == CIP_SVC_MULTIPLE_SERVICE) {
			if (depth < ENIP_MAX_DEPTH)
				cip_msp(cur_ptr(&c), cur_left(&c), hint, rec, depth, embedded);
			else
				rec_flag(rec, "nesting_too_deep", "Multiple_Service_Packet at depth %d", depth);
		}
		return 0;
	}

	/* response: reserved, general status, extended status words; the path
	 * is the request's when the hint has it */
	cip_path_init(&s->path);
	{
		uint8_t gs = cur_u8(&c), ext;
		struct enip_hint_svc *h;
		unsigned i;

		(void)words;    /* the reserved byte */
		s->status = gs;
		ext = cur_u8(&c);
		s->n_ext = ext;
		for (i = 0; i < ext; i++) {
			uint16_t v = cur_le16(&c);

			if (i < 2)
				s->ext_status[i] = v;
		}
		if (!cur_ok(&c)) {
			rec_flag(rec, "truncated_cip", "response status of service 0x%02x", s->service);
			return -1;
		}
		s->data_len = (uint32_t)cur_left(&c);
		h = hint_take(hint, s->service);
		if (h) {
			s->path.class_id = h->class_id;
			s->path.instance = h->instance;
			s->path.attribute = h->attribute;
			s->path_from_request = 1;
		}
		s->cat = cip_service_category(s->service, s->path.class_id, 0);
		if (gs != 0 && gs != 0x06 && gs != 0x1E) {
			if (s->path.class_id == CIP_CLASS_CONNECTION_MANAGER &&
			    (s->service == CIP_SVC_FORWARD_OPEN ||
			     s->service == CIP_SVC_LARGE_FORWARD_OPEN)) {
				rest = c;
				cip_forward_reply(rec, &rest, s->service, 0);
			}
			return 0;
		}
		if (s->service == CIP_SVC_MULTIPLE_SERVICE) {
			if (depth < ENIP_MAX_DEPTH)
				cip_msp(cur_ptr(&c), cur_left(&c), hint, rec, depth, embedded);
			return 0;
		}
		if (s->path.class_id == CIP_CLASS_CONNECTION_MANAGER &&
		    (s->service == CIP_SVC_FORWARD_OPEN || s->service == CIP_SVC_LARGE_FORWARD_OPEN ||
		     s->service == CIP_SVC_FORWARD_CLOSE)) {
			rest = c;
			cip_forward_reply(rec, &rest, s->service, 1);
			return 0;
		}
		if (s->path.class_id == CIP_CLASS_IDENTITY && gs == 0 &&
		    (s->service == CIP_SVC_GET_ATTRIBUTE_ALL ||
		     s->service == CIP_SVC_GET_ATTRIBUTE_SINGLE ||
		     s->service == CIP_SVC_GET_ATTRIBUTE_LIST) &&
		    (s->path.instance == 1 || s->path.instance == -1))
			cip_identity_answer(rec, s->service, s->path.attribute,
					    cur_ptr(&c), cur_left(&c));
	}
	return 0;
}

int cip_parse_message(const uint8_t *p, size_t len, struct enip_hint *hint,
		      struct enip_record *rec)
{
	return cip_parse_at(p, len, hint, rec, 0, 0, 0);
}

/* ---- encapsulation ----------------------------------------------------- */

static void enip_list_identity_item(struct enip_record *rec, struct cursor *c)
{
	struct enip_identity *id = &rec->ident;
	const uint8_t *a;

	id->encap_version = cur_le16(c);
	cur_skip(c, 2);                 /* sin_family (big-endian) */
	id->sock_port = cur_be16(c);
	a = cur_bytes(c, 4);
	if (a)
		memcpy(id->sock_addr, a, 4);
	cur_skip(c, 8);
	id->from_cip = 0;
	ident_attributes_all(c, id);
	if (!cur_ok(c))
		rec_flag(rec, "truncated_identity", "ListIdentity item ends early");
}

static void enip_list_services_item(struct enip_record *rec, struct cursor *c)
{
	const uint8_t *n;
	size_t i;

	rec->svc_version = cur_le16(c);
	rec->svc_flags = cur_le16(c);
	n = cur_bytes(c, 16);
	if (!n)
		return;
	for (i = 0; i < 16 && n[i]; i++)
		rec->svc_name[i] = (n[i] >= 0x20 && n[i] < 0x7f) ? (char)n[i] : '.';
	rec->svc_name[i] = '\0';
	rec->has_services = 1;
}

/* The usual common packet format, two items filling the data exactly: a
 * null address then unconnected data (SendRRData), or a connected address
 * then connected data that holds at least its sequence count (SendUnitData).
 * Returns 1 when it decoded the items as the loop of enip_cpf would (no
 * anomaly is possible then), 0 to leave the message to that loop. */
static int enip_cpf_usual(struct enip_record *rec, struct cursor c, struct enip_hint *hint)
{
	struct cursor h = cur_sub(&c, 6);      /* fixed-size windows: their */
	uint16_t n, atype, alen, dtype, dlen;   /* reads need no more checks */
	uint32_t conn = 0;
	int connected;

	n = cur_le16(&h);
	atype = cur_le16(&h);
	alen = cur_le16(&h);
	if (!cur_ok(&h) || n != 2)
		return 0;
	if (atype == ENIP_ITEM_NULL && alen == 0) {
		connected = 0;
		h = cur_sub(&c, 4);
	} else if (atype == ENIP_ITEM_CONNECTED_ADDR && alen == 4 &&
		   rec->command == ENIP_CMD_SEND_UNIT_DATA) {
		connected = 1;
		h = cur_sub(&c, 8);
		conn = cur_le32(&h);
	} else {
		return 0;
	}
	dtype = cur_le16(&h);
	dlen = cur_le16(&h);
	if (!cur_ok(&h) || dlen != cur_left(&c) ||
	    dtype != (connected ? ENIP_ITEM_CONNECTED_DATA : ENIP_ITEM_UNCONNECTED_DATA) ||
	    (connected && dlen < 2))
		return 0;
	rec->item_count = 2;
	rec->items[0].type = atype;
	rec->items[0].length = alen;
	rec->items[1].type = dtype;
	rec->items[1].length = dlen;
	rec->n_items = 2;
	if (connected) {
		rec->connected = 1;
		rec->conn_id = conn;
		rec->cip_seq = cur_le16(&c);
		rec->has_cip_seq = 1;
	}
	if (cur_left(&c) > 0)
		cip_parse_message(cur_ptr(&c), cur_left(&c), hint, rec);
	return 1;
}

/* The common packet format: item count, then items.  The cursor is taken
 * by value (nothing reads it after) so that it stays in registers. */
static void enip_cpf(struct enip_record *rec, struct cursor cv, struct enip_hint *hint)
{
	struct cursor *c = &cv;
	uint16_t i;

	if (enip_fast && enip_cpf_usual(rec, cv, hint))
		return;

	rec->item_count = cur_le16(c);
	if (!cur_ok(c)) {
		rec_flag(rec, "truncated_message", "%s without an item count",
			 rec->command_name ? rec->command_name : "command");
		return;
	}
	for (i = 0; i < rec->item_count; i++) {
		uint16_t type = cur_le16(c), ilen = cur_le16(c);
		struct cursor it;

		if (!cur_ok(c)) {
			rec_flag(rec, "truncated_message", "item %u of %u missing", i, rec->item_count);
			return;
		}
		if (ilen > cur_left(c)) {
			rec_flag(rec, "length_mismatch", "item 0x%04x length %u exceeds the %zu bytes left",
				 type, ilen, cur_left(c));
			ilen = (uint16_t)cur_left(c);
		}
		it = cur_sub(c, ilen);
		if (rec->n_items < ENIP_MAX_ITEMS) {
			rec->items[rec->n_items].type = type;
			rec->items[rec->n_items].length = ilen;
			rec->n_items++;
		}
		switch (type) {
		case ENIP_ITEM_CONNECTED_ADDR:
			rec->connected = 1;
			rec->conn_id = cur_le32(&it);
			break;
		case ENIP_ITEM_SEQUENCED_ADDR:
			rec->connected = 1;
			rec->has_sequenced = 1;
			rec->conn_id = cur_le32(&it);
			rec->encap_seq = cur_le32(&it);
			break;
		case ENIP_ITEM_UNCONNECTED_DATA:
			if (ilen > 0)
				cip_parse_message(cur_ptr(&it), cur_left(&it), hint, rec);
			cur_skip(&it, cur_left(&it));
			break;
		case ENIP_ITEM_CONNECTED_DATA:
			/* explicit (class 3) data follows a connected address;
			 * after a sequenced address it is implicit I/O data */
			if (rec->command == ENIP_CMD_SEND_UNIT_DATA && !rec->has_sequenced) {
				rec->cip_seq = cur_le16(&it);
				rec->has_cip_seq = cur_ok(&it);
				if (cur_left(&it) > 0)
					cip_parse_message(cur_ptr(&it), cur_left(&it), hint, rec);
			}
			cur_skip(&it, cur_left(&it));
			break;
		case ENIP_ITEM_IDENTITY:
			enip_list_identity_item(rec, &it);
			break;
		case ENIP_ITEM_SERVICES:
			enip_list_services_item(rec, &it);
			break;
		default:
			cur_skip(&it, cur_left(&it));
			break;
		}
		if (!cur_ok(&it))
			rec_flag(rec, "length_mismatch", "item 0x%04x of %u bytes too short", type, ilen);
	}
	if (cur_left(c) > 0)
		rec_flag(rec, "length_mismatch", "%zu bytes after the last item", cur_left(c));
}

int enip_parse_message(const uint8_t *msg, size_t len, int from_client,
		       struct enip_hint *hint, struct enip_record *rec)
{
	struct cursor c, d, h;
	const uint8_t *ctx8;

	enip_record_reset(rec);
	cur_init(&c, msg, len);
	h = cur_sub(&c, ENIP_HEADER_LEN);      /* a fixed-size window: its */
	rec->command = cur_le16(&h);            /* reads need no more checks */
	rec->length = cur_le16(&h);
	rec->session = cur_le32(&h);
	rec->status = cur_le32(&h);
	ctx8 = cur_bytes(&h, 8);
	rec->options = cur_le32(&h);
	if (!cur_ok(&h))
		return -1;
	memcpy(rec->context, ctx8, 8);
	rec->is_request = (uint8_t)(from_client != 0);

	if (rec->length > cur_left(&c)) {
		rec_flag(rec, "length_mismatch", "length %u exceeds the %zu bytes present",
			 rec->length, cur_left(&c));
		d = cur_sub(&c, cur_left(&c));
	} else {
		d = cur_sub(&c, rec->length);
		if (cur_left(&c) > 0)
			rec_flag(rec, "length_mismatch", "%zu bytes after the message", cur_left(&c));
	}
	rec->command_name = enip_command_name(rec->command);
	if (!rec->command_name)
		rec_flag(rec, "unknown_command", "command 0x%04x", rec->command);
	if (rec->status != 0 && from_client)
		rec_flag(rec, "invalid_status", "request with status 0x%08x", rec->status);
	if (rec->status != 0)
		return 0;       /* an error reply carries no command data */

	switch (rec->command) {
	case ENIP_CMD_SEND_RR_DATA:
	case ENIP_CMD_SEND_UNIT_DATA:
		rec->interface_handle = cur_le32(&d);
		rec->timeout = cur_le16(&d);
		if (!cur_ok(&d)) {
			rec_flag(rec, "truncated_message", "%u bytes of command data", rec->length);
			break;
		}
		rec->has_rr = 1;
		enip_cpf(rec, d, hint);
		break;
	case ENIP_CMD_REGISTER_SESSION:
		rec->protocol_version = cur_le16(&d);
		rec->option_flags = cur_le16(&d);
		if (!cur_ok(&d))
			rec_flag(rec, "truncated_message", "RegisterSession with %u bytes", rec->length);
		else
			rec->has_register = 1;
		break;
	case ENIP_CMD_LIST_IDENTITY:
	case ENIP_CMD_LIST_SERVICES:
	case ENIP_CMD_LIST_INTERFACES:
		if (rec->length > 0)
			enip_cpf(rec, d, hint);
		break;
	default:
		break;          /* NOP, UnRegisterSession...: no fields decoded */
	}
	/* a reply is told by its CIP response bit when it has one */
	if (rec->n_cip > 0)
		rec->is_request = !rec->cip[0].response;
	return 0;
}

/* ---- per-flow state ---------------------------------------------------- */

struct enip_pending {
	uint8_t by_seq;         /* 1: SendUnitData keyed by sequence count */
	uint8_t context[8];
	uint16_t seq;
	struct timeval ts;
	struct enip_hint hint;
};

struct enip_conn {
	uint8_t open;           /* reply seen */
	uint8_t from_request;   /* the request was seen: RPIs, sizes, path */
	uint16_t serial, vendor;
	uint32_t orig_serial;
	uint32_t ot_id, to_id;
	uint32_t ot_rpi, to_rpi;
	uint16_t ot_size, to_size;
	uint8_t trigger;
	char path[OT_CONN_PATH_LEN];
	uint64_t messages;
	uint64_t last_use;      /* state->clock at the last use, for eviction */
};

struct enip_io {
	struct enip_io_summary s;
	double last_report;
	uint8_t from_client;    /* which end sends this connection's packets */
};

struct enip_state {
	struct framer_sync dir[2];      /* [0] server -> client, [1] client -> server */
	struct enip_pending *pending;   /* oldest first */
	uint32_t n_pending, max_pending;
	uint32_t n_conns, n_io;
	uint64_t clock;
	/* counters */
	uint64_t messages, cip_services, pending_dropped, unpaired;
	uint64_t conns_evicted, io_packets, io_evicted, gap_lost_partial;
	uint64_t services_capped;
	uint64_t io_wrapped;            /* I/O datagrams with an encapsulation header */
	/* the tables last: what every message touches shares cache lines,
	 * and enip_state_new clears only what comes before them */
	struct enip_conn conns[ENIP_MAX_CONNS];
	struct enip_io io[ENIP_MAX_IO];
};

static const char *const enip_counter_names[] = {
	"messages", "cip_services", "bytes_ignored", "pending_dropped",
	"unpaired_responses", "connections_evicted", "io_packets",
	"io_connections_evicted", "gap_partial_messages", "services_over_cap",
	"io_with_encapsulation_header",
};

static void enip_counters(const void *state, uint64_t *out)
{
	const struct enip_state *st = state;

	if (!st)
		return;
	out[0] += st->messages;
	out[1] += st->cip_services;
	out[2] += st->dir[0].ignored + st->dir[1].ignored;
	out[3] += st->pending_dropped;
	out[4] += st->unpaired;
	out[5] += st->conns_evicted;
	out[6] += st->io_packets;
	out[7] += st->io_evicted;
	out[8] += st->gap_lost_partial;
	out[9] += st->services_capped;
	out[10] += st->io_wrapped;
}

/* The state is allocated whole (the memory budget measures it at startup)
 * but only its head is cleared: the pending list and the two tables are
 * read only up to their counts and each entry is set when it is added, so
 * a flow that never uses them costs no writes to their ~30 kB. */
static void *enip_state_new(const struct ot_limits *lim)
{
	struct enip_state *st = malloc(sizeof(*st));
	size_t max = lim && lim->max_pdu_buffer ? lim->max_pdu_buffer : 65536;

	if (!st)
		return NULL;
	memset(st, 0, offsetof(struct enip_state, conns));
	st->max_pending = lim && lim->max_pending ? lim->max_pending : 32;
	if (st->max_pending > ENIP_MAX_PENDING_CAP)
		st->max_pending = ENIP_MAX_PENDING_CAP;
	st->pending = malloc(st->max_pending * sizeof(*st->pending));
	if (!st->pending) {
		free(st);
		return NULL;
	}
	if (max > ENIP_MAX_MSG)
		max = ENIP_MAX_MSG;
	framer_sync_init(&st->dir[0], max, ENIP_MAX_BAD_FEEDS);
	framer_sync_init(&st->dir[1], max, ENIP_MAX_BAD_FEEDS);
	return st;
}

static void enip_state_free(void *state)
{
	struct enip_state *st = state;

	if (!st)
		return;
	framer_sync_free(&st->dir[0]);
	framer_sync_free(&st->dir[1]);
	free(st->pending);
	free(st);
}

static double tv_sec(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

static void pending_remove(struct enip_state *st, uint32_t i)
{
	if (i + 1 < st->n_pending)
		memmove(&st->pending[i], &st->pending[i + 1],
			(st->n_pending - i - 1) * sizeof(st->pending[0]));
	st->n_pending--;
}

/* A slot at the end of the pending list for a new request, the oldest
 * dropped when the list is full.  Only its first hint.n services are set
 * and read: the slot is not cleared. */
static struct enip_pending *pending_slot(struct dissect_ctx *ctx, struct enip_state *st)
{
	if (st->n_pending >= st->max_pending) {
		pending_remove(st, 0);
		st->pending_dropped++;
		if ((st->pending_dropped & 0xff) == 1)
			ot_anomaly(ctx, OT_PROTO_ENIP, "too_many_pending",
				   "%u outstanding requests, %llu dropped so far",
				   st->max_pending, (unsigned long long)st->pending_dropped);
	}
	return &st->pending[st->n_pending++];
}

/* The oldest outstanding request this reply answers: its index, or -1.
 * The caller decodes the reply with the entry's hint, then removes it. */
static long pending_find(const struct enip_state *st, const uint8_t *context,
			 uint16_t seq, int by_seq)
{
	uint32_t i;

	for (i = 0; i < st->n_pending; i++) {
		const struct enip_pending *p = &st->pending[i];

		if (p->by_seq != by_seq)
			continue;
		if (by_seq ? p->seq != seq : memcmp(p->context, context, 8) != 0)
			continue;
		return (long)i;
	}
	return -1;
}

static struct enip_conn *conn_by_serial(struct enip_state *st, uint16_t serial,
					uint16_t vendor, uint32_t orig_serial)
{
	uint32_t i;

	for (i = 0; i < st->n_conns; i++)
		if (st->conns[i].serial == serial && st->conns[i].vendor == vendor &&
		    st->conns[i].orig_serial == orig_serial)
			return &st->conns[i];
	return NULL;
}

static struct enip_conn *conn_by_id(struct enip_state *st, uint32_t id)
{
	uint32_t i;

	for (i = 0; i < st->n_conns; i++)
		if (st->conns[i].open && (st->conns[i].ot_id == id || st->conns[i].to_id == id))
			return &st->conns[i];
	return NULL;
}

/* A slot for a new connection: a free one, else the least recently used. */
static struct enip_conn *conn_new(struct enip_state *st)
{
	uint32_t i, lru = 0;

	if (st->n_conns < ENIP_MAX_CONNS)
		return &st->conns[st->n_conns++];
	for (i = 1; i < st->n_conns; i++)
		if (st->conns[i].last_use < st->conns[lru].last_use)
			lru = i;
	st->conns_evicted++;
	return &st->conns[lru];
}

static void conn_remove(struct enip_state *st, struct enip_conn *k)
{
	uint32_t i = (uint32_t)(k - st->conns);

	st->conns[i] = st->conns[--st->n_conns];
}

/* Connection size from network connection parameters (Vol 1, 3-5.4.1.1:
 * 9 bits in a Forward Open, 16 in a Large Forward Open). */
static uint16_t conn_size(uint32_t params, int large)
{
	return (uint16_t)(large ? params & 0xffff : params & 0x01ff);
}

/* The connection path as short text: "class 4/instance 100/point 150". */
static void conn_path_text(const struct cip_path *p, char *out, size_t len)
{
	size_t off = 0;
	int n;

	out[0] = '\0';
#define CONN_PATH_PART(cond, fmt, val) \
	if ((cond) && off < len) { \
		n = snprintf(out + off, len - off, "%s" fmt, off ? "/" : "", val); \
		if (n > 0) \
			off += (size_t)n; \
	}
	CONN_PATH_PART(p->class_id >= 0, "class %lld", (long long)p->class_id)
	CONN_PATH_PART(p->instance >= 0, "instance %lld", (long long)p->instance)
	CONN_PATH_PART(p->attribute >= 0, "attribute %lld", (long long)p->attribute)
	CONN_PATH_PART(p->conn_point >= 0, "point %lld", (long long)p->conn_point)
	CONN_PATH_PART(p->has_symbol, "%s", p->symbol)
#undef CONN_PATH_PART
	if (off >= len)
		out[len - 1] = '\0';
}

/* The event's connection facts from a tracked connection. */
static void conn_facts(const struct enip_conn *c, const struct cip_connection_params *k,
		       enum ot_conn_what what, struct ot_conn *out)
{
	memset(out, 0, sizeof(*out));
	out->what = (uint8_t)what;
	out->serial = k->serial;
	out->vendor = k->vendor;
	out->orig_serial = k->orig_serial;
	out->ot_id = k->ot_id;
	out->to_id = k->to_id;
	out->ot_api = k->ot_api;
	out->to_api = k->to_api;
	out->transport_class = 0xff;
	out->trigger = 0xff;
	if (c && c->from_request) {
		out->transport_class = c->trigger & 0x0f;
		out->trigger = (c->trigger >> 4) & 0x07;
		out->ot_rpi = c->ot_rpi;
		out->to_rpi = c->to_rpi;
		out->ot_size = c->ot_size;
		out->to_size = c->to_size;
		memcpy(out->path, c->path, sizeof(out->path));
	}
	if (c && !out->ot_id && !out->to_id) {     /* a close: the ids of the open */
		out->ot_id = c->ot_id;
		out->to_id = c->to_id;
	}
}

/* Forward Open/Close bookkeeping after a message was decoded; a reply's
 * connection facts into out (out->what stays 0 otherwise). */
static void enip_track_connections(struct enip_state *st, const struct enip_record *rec,
				   struct ot_conn *out)
{
	const struct cip_connection_params *k = &rec->conn;
	struct enip_conn *c;
	uint16_t i;

	out->what = OT_CONN_NONE;
	if (!k->present)
		return;
	for (i = 0; i < rec->n_cip; i++) {
		const struct cip_service *s = &rec->cip[i];

		if (s->path.class_id != CIP_CLASS_CONNECTION_MANAGER)
			continue;
		if (s->service == CIP_SVC_FORWARD_OPEN || s->service == CIP_SVC_LARGE_FORWARD_OPEN) {
			c = conn_by_serial(st, k->serial, k->vendor, k->orig_serial);
			if (!s->response) {
				if (!c) {
					c = conn_new(st);
					memset(c, 0, sizeof(*c));
				}
				c->open = 0;
				c->from_request = 1;
				c->serial = k->serial;
				c->vendor = k->vendor;
				c->orig_serial = k->orig_serial;
				c->ot_rpi = k->ot_rpi;
				c->to_rpi = k->to_rpi;
				c->ot_size = conn_size(k->ot_params, k->large);
				c->to_size = conn_size(k->to_params, k->large);
				c->trigger = k->trigger;
				c->to_id = k->to_id;
				conn_path_text(&k->conn_path, c->path, sizeof(c->path));
				c->last_use = ++st->clock;
			} else if (s->status == 0) {
				if (!c) {
					c = conn_new(st);
					memset(c, 0, sizeof(*c));
					c->serial = k->serial;
					c->vendor = k->vendor;
					c->orig_serial = k->orig_serial;
				}
				c->open = 1;
				c->ot_id = k->ot_id;
				c->to_id = k->to_id;
				c->last_use = ++st->clock;
				conn_facts(c, k, OT_CONN_OPENED, out);
			} else {
				conn_facts(c, k, OT_CONN_REFUSED, out);
				if (c)
					conn_remove(st, c);
			}
		} else if (s->service == CIP_SVC_FORWARD_CLOSE && s->response && s->status == 0) {
			c = conn_by_serial(st, k->serial, k->vendor, k->orig_serial);
			conn_facts(c, k, OT_CONN_CLOSED, out);
			if (c)
				conn_remove(st, c);
		}
		return;
	}
}

/* ---- the event --------------------------------------------------------- */

/* How much a service's category says about the message: the highest
 * ranked one is the event's (0: says nothing). */
static const uint8_t cat_ranks[OT_CAT_COUNT] = {
	[OT_CAT_PROGRAM] = 10, [OT_CAT_MODE] = 9, [OT_CAT_WRITE] = 8, [OT_CAT_FILE] = 7,
	[OT_CAT_CONTROL] = 6, [OT_CAT_SECURITY] = 5, [OT_CAT_READ] = 4, [OT_CAT_IDENTITY] = 3,
	[OT_CAT_DISCOVERY] = 2, [OT_CAT_SESSION] = 1,
};

static int cat_rank(enum ot_category c)
{
	return (unsigned)c < OT_CAT_COUNT ? cat_ranks[c] : 0;
}

static enum ot_category enip_command_category(unsigned cmd)
{
	switch (cmd) {
	case ENIP_CMD_LIST_IDENTITY:
	case ENIP_CMD_LIST_SERVICES:
	case ENIP_CMD_LIST_INTERFACES:
		return OT_CAT_DISCOVERY;
	case ENIP_CMD_REGISTER_SESSION:
	case ENIP_CMD_UNREGISTER_SESSION:
		return OT_CAT_SESSION;
	default:
		return OT_CAT_OTHER;
	}
}

static void enip_event_ident(struct ot_event *ev, const struct enip_identity *id)
{
	char b[64];
	int n;

	if (!id->present)
		return;
	if (id->fields & ENIP_IDF_VENDOR) {
		const char *v = cip_vendor_name(id->vendor);

		n = v ? snprintf(b, sizeof(b), "%s", v) : snprintf(b, sizeof(b), "vendor %u", id->vendor);
		if (n > 0)
			ot_ident_add(ev, OT_ID_VENDOR, (const uint8_t *)b, strlen(b));
	}
	if (id->fields & ENIP_IDF_NAME)
		ot_ident_add(ev, OT_ID_PRODUCT, (const uint8_t *)id->product_name,
			     strlen(id->product_name));
	if (id->fields & ENIP_IDF_PRODUCT) {
		n = snprintf(b, sizeof(b), "%u", id->product_code);
		if (n > 0)
			ot_ident_add(ev, OT_ID_PRODUCT_CODE, (const uint8_t *)b, (size_t)n);
	}
	if (id->fields & ENIP_IDF_REVISION) {
		n = snprintf(b, sizeof(b), "%u.%03u", id->rev_major, id->rev_minor);
		if (n > 0)
			ot_ident_add(ev, OT_ID_FIRMWARE, (const uint8_t *)b, (size_t)n);
	}
	if (id->fields & ENIP_IDF_SERIAL) {
		n = snprintf(b, sizeof(b), "0x%08x", id->serial);
		if (n > 0)
			ot_ident_add(ev, OT_ID_SERIAL, (const uint8_t *)b, (size_t)n);
	}
	if (id->fields & ENIP_IDF_DEVTYPE) {
		const char *t = cip_device_type_name(id->device_type);

		n = t ? snprintf(b, sizeof(b), "%s", t) : snprintf(b, sizeof(b), "device type %u",
								  id->device_type);
		if (n > 0)
			ot_ident_add(ev, OT_ID_MODULE, (const uint8_t *)b, strlen(b));
	}
	if (id->fields & (ENIP_IDF_STATUS | ENIP_IDF_STATE)) {
		n = snprintf(b, sizeof(b), "status 0x%04x%s%s", id->status,
			     (id->fields & ENIP_IDF_STATE) ? " state " : "",
			     (id->fields & ENIP_IDF_STATE) ? enip_state_name(id->state) : "");
		if (n > 0)
			ot_ident_add(ev, OT_ID_OTHER, (const uint8_t *)b, strlen(b));
	}
}

/* Fill the normalized event from the record.  The services' loop keeps what
 * it finds in locals (the event's members are written once, after it): the
 * range stores would otherwise make the compiler reload them per service.
 * A range per service as ot_range_add() adds them: past OT_MAX_RANGES the
 * event is marked truncated. */
static void enip_event_fill(struct ot_event *ev, const struct enip_record *rec)
{
	const struct cip_service *lead = NULL, *s, *end = rec->cip + rec->n_cip;
	const struct cip_service *failed = NULL;        /* first with an error status */
	enum ot_category cat = enip_command_category(rec->command);
	unsigned nr = ev->n_ranges;
	int best = 0;

	ev->dir = rec->is_request ? OT_DIR_REQUEST : OT_DIR_RESPONSE;
	ev->func = rec->command;
	ev->func_name = rec->command_name;
	if (!ev->func_name)
		ev->func_name = "unknown";
	ev->status = (int32_t)(rec->status > 0x7fffffff ? 0x7fffffff : rec->status);
	ev->status_name = enip_status_name(rec->status);
	ev->txn = rec->has_cip_seq ? rec->cip_seq : -1;

	for (s = rec->cip; s < end; s++) {
		int r = cat_rank(s->cat);
		int64_t cls = s->path.class_id, ins = s->path.instance, att = s->path.attribute;

		/* the leading service: the first that is not a wrapper */
		if (!lead && !(s->service == CIP_SVC_UNCONNECTED_SEND &&
			       cls == CIP_CLASS_CONNECTION_MANAGER && !s->response))
			lead = s;
		if (r > best) {         /* the first of the highest rank */
			best = r;
			cat = s->cat;
		}
		if (s->status > 0 && !failed)
			failed = s;
		if (nr < OT_MAX_RANGES) {
			struct ot_range *g = &ev->ranges[nr++];

			g->space = OT_SPACE_CIP;
			g->variation = s->service;
			g->block = (uint16_t)(cls < 0 ? 0 : cls > 0xffff ? 0xffff : cls);
			g->start = (uint32_t)(ins < 0 ? 0 : ins);
			g->count = (uint32_t)(att < 0 ? 0 : att);
		} else {
			ev->truncated = 1;
		}
	}
	ev->n_ranges = (uint8_t)nr;
	ev->cat = cat;
	/* the encapsulation status first, else the first failed service's */
	if (failed && rec->status == 0) {
		ev->status = failed->status;
		ev->status_name = cip_status_name(failed->status);
	}
	if (rec->n_cip > 0 && !lead)
		lead = &rec->cip[0];
	if (lead) {
		ev->subfunc = lead->service;
		ev->subfunc_name = cip_service_name(lead->service, lead->path.class_id);
		ev->group = lead->path.class_id < 0 ? -1 :
			    (int32_t)(lead->path.class_id > 0xffff ? 0xffff : lead->path.class_id);
	}
	enip_event_ident(ev, &rec->ident);
}

static void enip_emit_anomalies(struct dissect_ctx *ctx, const struct enip_record *rec)
{
	unsigned i;

	for (i = 0; i < rec->n_anom; i++)
		ot_anomaly(ctx, OT_PROTO_ENIP, rec->anom[i], "%s", rec->anom_detail[i]);
}

/* Keep the request's services for its reply: the first h->n entries are
 * set, the rest of h is left as it was (never read). */
static void hint_from_record(struct enip_hint *h, const struct enip_record *rec)
{
	uint16_t i;

	h->n = 0;
	h->next = 0;
	for (i = 0; i < rec->n_cip && h->n < ENIP_HINT_MAX; i++) {
		const struct cip_service *s = &rec->cip[i];
		struct enip_hint_svc *v = &h->svc[h->n];

		if (s->service == CIP_SVC_UNCONNECTED_SEND &&
		    s->path.class_id == CIP_CLASS_CONNECTION_MANAGER)
			continue;   /* answered by the embedded service's reply */
		v->service = s->service;
		v->used = 0;
		v->class_id = s->path.class_id;
		v->instance = s->path.instance;
		v->attribute = s->path.attribute;
		h->n++;
	}
}

/* Peek at the pairing key of a message without decoding it all: the
 * connected data sequence count of a SendUnitData. */
static int peek_unit_seq(const uint8_t *msg, size_t len, uint16_t *seq)
{
	struct cursor c;
	uint16_t n, i;

	cur_init(&c, msg, len);
	cur_skip(&c, ENIP_HEADER_LEN + 6);
	n = cur_le16(&c);
	for (i = 0; i < n && cur_ok(&c); i++) {
		uint16_t type = cur_le16(&c), ilen = cur_le16(&c);

		if (type == ENIP_ITEM_CONNECTED_DATA) {
			*seq = cur_le16(&c);
			return cur_ok(&c) && ilen >= 2;
		}
		cur_skip(&c, ilen);
	}
	return 0;
}

static void enip_handle_message(struct dissect_ctx *ctx, struct enip_state *st,
				const uint8_t *msg, size_t len)
{
	struct enip_record rec;
	struct enip_pending *save;
	struct timeval req_ts = { 0, 0 };
	struct ot_event ev;
	struct ot_conn conn;
	long req = -1;
	uint16_t seq = 0;
	struct cursor c;
	uint16_t cmd;
	int rc;

	cur_init(&c, msg, len);
	cmd = cur_le16(&c);
	if (!cur_ok(&c) || len < ENIP_HEADER_LEN)
		return;
	/* replies: find the request first, its services decode the reply */
	if (!ctx->from_client && (cmd == ENIP_CMD_SEND_RR_DATA || cmd == ENIP_CMD_SEND_UNIT_DATA)) {
		if (cmd == ENIP_CMD_SEND_UNIT_DATA) {
			if (peek_unit_seq(msg, len, &seq))
				req = pending_find(st, NULL, seq, 1);
		} else {
			req = pending_find(st, msg + 12, 0, 0);
		}
	}
	/* the request's entry is decoded in place, then removed */
	rc = enip_parse_message(msg, len, ctx->from_client,
				req >= 0 ? &st->pending[req].hint : NULL, &rec);
	if (req >= 0) {
		req_ts = st->pending[req].ts;
		pending_remove(st, (uint32_t)req);
	}
	if (rc < 0)
		return;
	st->messages++;
	st->cip_services += rec.cip_total;
	if (rec.cip_total > rec.n_cip)
		st->services_capped += rec.cip_total - rec.n_cip;
	if (!ctx->from_client && req < 0 && rec.n_cip > 0 && rec.cip[0].response) {
		st->unpaired++;
	}
	enip_track_connections(st, &rec, &conn);
	if (rec.connected && rec.command == ENIP_CMD_SEND_UNIT_DATA) {
		struct enip_conn *k = conn_by_id(st, rec.conn_id);

		if (k) {
			k->messages++;
			k->last_use = ++st->clock;
		}
	}

	ot_event_init(&ev, ctx, OT_PROTO_ENIP, OT_EV_MESSAGE);
	enip_event_fill(&ev, &rec);
	if (conn.what != OT_CONN_NONE)
		ev.conn = conn;
	if (req >= 0) {
		int64_t us = ((int64_t)ctx->ts.tv_sec - req_ts.tv_sec) * 1000000 +
			     ((int64_t)ctx->ts.tv_usec - req_ts.tv_usec);

		ev.rtt = us > 0 ? (double)us / 1e6 : 0.0;
	}
	ev.record = &rec;
	ot_emit(ctx, &ev);
	enip_emit_anomalies(ctx, &rec);

	if (ctx->from_client && rec.is_request && rec.n_cip > 0 &&
	    (rec.command == ENIP_CMD_SEND_RR_DATA || rec.command == ENIP_CMD_SEND_UNIT_DATA)) {
		int by_seq = rec.command == ENIP_CMD_SEND_UNIT_DATA;

		if (by_seq && !rec.has_cip_seq)
			return;
		save = pending_slot(ctx, st);
		save->by_seq = (uint8_t)by_seq;
		memcpy(save->context, rec.context, 8);
		save->seq = by_seq ? rec.cip_seq : 0;
		save->ts = ctx->ts;
		hint_from_record(&save->hint, &rec);
	}
}

/* ---- implicit I/O (UDP 2222) ------------------------------------------- */

static void enip_io_report(struct dissect_ctx *ctx, struct enip_io *io, int final)
{
	struct ot_event ev;
	struct enip_record rec;

	io->s.final = (uint8_t)final;
	enip_record_reset(&rec);
	rec.is_io = 1;
	rec.io = io->s;
	ot_event_init(&ev, ctx, OT_PROTO_ENIP, OT_EV_MESSAGE);
	ev.from_client = io->from_client;
	ev.dir = OT_DIR_NONE;
	ev.func = -1;
	ev.func_name = "io";
	ev.cat = OT_CAT_READ;
	ev.txn = io->s.last_seq;
	memset(&ev.conn, 0, sizeof(ev.conn));
	ev.conn.what = OT_CONN_TRAFFIC;
	ev.conn.transport_class = 0xff;
	ev.conn.trigger = 0xff;
	ev.conn.id = io->s.conn_id;
	ev.conn.size = io->s.last_len;
	ev.conn.packets = io->s.packets;
	ev.conn.seq_gaps = io->s.seq_gaps;
	ev.conn.first = io->s.first_ts;
	ev.conn.last = io->s.last_ts;
	ev.conn.final = (uint8_t)final;
	ev.conn.report_every = ENIP_IO_REPORT_SECONDS;
	ev.record = &rec;
	ot_emit(ctx, &ev);
	io->last_report = io->s.last_ts;
}

/* 1 when the datagram is a bare CPF starting with a sequenced address item
 * (or, as some originators send it, a connected address item whose data
 * starts with the 16-bit sequence count). */
static int enip_io_shape(const uint8_t *p, size_t len, uint32_t *conn, uint32_t *seq,
			 uint32_t *dlen)
{
	struct cursor c;
	uint16_t n, i, type, ilen;
	int have = 0, seq_in_data = 0;

	cur_init(&c, p, len);
	n = cur_le16(&c);
	if (!cur_ok(&c) || n == 0 || n > 4)
		return 0;
	*dlen = 0;
	for (i = 0; i < n; i++) {
		type = cur_le16(&c);
		ilen = cur_le16(&c);
		if (!cur_ok(&c) || ilen > cur_left(&c))
			return 0;
		if (i == 0) {
			if (type == ENIP_ITEM_SEQUENCED_ADDR && ilen == 8) {
				*conn = cur_le32(&c);
				*seq = cur_le32(&c);
			} else if (type == ENIP_ITEM_CONNECTED_ADDR && ilen == 4) {
				*conn = cur_le32(&c);
				*seq = 0;
				seq_in_data = 1;
			} else {
				return 0;
			}
			have = 1;
			continue;
		}
		if (type == ENIP_ITEM_CONNECTED_DATA) {
			*dlen = ilen;
			if (seq_in_data && ilen >= 2) {
				struct cursor d = cur_sub(&c, ilen);

				*seq = cur_le16(&d);
				continue;
			}
		}
		cur_skip(&c, ilen);
	}
	return have && cur_ok(&c);
}

static void enip_io_datagram(struct dissect_ctx *ctx, struct enip_state *st,
			     const uint8_t *p, size_t len)
{
	uint32_t conn = 0, seq = 0, dlen = 0, i, old = 0;
	struct enip_io *io = NULL;
	double now = tv_sec(&ctx->ts);

	if (!enip_io_shape(p, len, &conn, &seq, &dlen)) {
		st->dir[ctx->from_client ? 1 : 0].ignored += len;
		ot_anomaly(ctx, OT_PROTO_ENIP, "bad_io_packet",
			   "%zu-byte datagram is neither encapsulation nor I/O", len);
		return;
	}
	st->io_packets++;
	for (i = 0; i < st->n_io; i++) {
		if (st->io[i].s.conn_id == conn) {
			io = &st->io[i];
			break;
		}
		if (st->io[i].s.last_ts < st->io[old].s.last_ts)
			old = i;
	}
	if (!io) {
		if (st->n_io < ENIP_MAX_IO) {
			io = &st->io[st->n_io++];
		} else {
			io = &st->io[old];
			enip_io_report(ctx, io, 1);
			st->io_evicted++;
		}
		memset(io, 0, sizeof(*io));
		io->s.conn_id = conn;
		io->s.first_seq = seq;
		io->s.first_ts = now;
		io->last_report = now;
	} else if (seq != io->s.last_seq + 1 && seq != io->s.last_seq) {
		io->s.seq_gaps++;
	}
	io->from_client = (uint8_t)ctx->from_client;
	io->s.packets++;
	io->s.last_seq = seq;
	io->s.last_ts = now;
	io->s.last_len = dlen;
	/* a connection's first packet is reported (the I/O started), then at
	 * least every ENIP_IO_REPORT_SECONDS while packets flow */
	if (io->s.packets == 1 || now - io->last_report >= ENIP_IO_REPORT_SECONDS)
		enip_io_report(ctx, io, 0);
}

/* ---- framing ----------------------------------------------------------- */

/* A plausible encapsulation header: a command of the assigned range.
 * Returns the message length, 0 when more bytes are needed, -1 when not. */
static long enip_msg_len(const uint8_t *p, size_t avail)
{
	struct cursor c;
	uint16_t cmd, length;
	uint32_t options;

	if (avail < 2)
		return 0;
	cur_init(&c, p, avail);
	cmd = cur_le16(&c);
	if (cmd > 0xff && !enip_command_name(cmd))
		return -1;
	if (avail < ENIP_HEADER_LEN)
		return 0;
	length = cur_le16(&c);
	cur_skip(&c, 16);
	options = cur_le32(&c);
	if (options != 0 && !enip_command_name(cmd))
		return -1;
	return ENIP_HEADER_LEN + (long)length;
}

struct enip_feed {
	struct dissect_ctx *ctx;
	struct enip_state *st;
};

static void enip_framer_pdu(const uint8_t *pdu, size_t len, void *ud)
{
	struct enip_feed *f = ud;

	enip_handle_message(f->ctx, f->st, pdu, len);
}

static void enip_framer_break(enum framer_break why, size_t avail, void *ud)
{
	struct enip_feed *f = ud;

	if (why == FRAMER_BREAK_AFTER_PDU)
		ot_anomaly(f->ctx, OT_PROTO_ENIP, "length_mismatch",
			   "%zu bytes after a message do not start a message", avail);
	else
		ot_anomaly(f->ctx, OT_PROTO_ENIP, "not_enip",
			   "%s stream breaks the encapsulation framing",
			   f->ctx->from_client ? "client" : "server");
}

static const struct framer_sync_ops enip_framing = {
	.pdu_len = enip_msg_len,
	.on_pdu = enip_framer_pdu,
	.on_break = enip_framer_break,
};

static void enip_parse(struct dissect_ctx *ctx, void *state, const uint8_t *data, size_t len)
{
	struct enip_state *st = state;
	struct enip_feed f;
	struct framer_sync *d;

	if (!st || !data || len == 0)
		return;
	d = &st->dir[ctx->from_client ? 1 : 0];
	if (ctx->is_udp) {
		long r = enip_msg_len(data, len);
		uint32_t conn, seq, dlen;

		if (r == (long)len && len > ENIP_HEADER_LEN + 6 && data[0] == ENIP_CMD_SEND_UNIT_DATA &&
		    data[1] == 0 && enip_io_shape(data + ENIP_HEADER_LEN + 6,
						  len - ENIP_HEADER_LEN - 6, &conn, &seq, &dlen)) {
			/* I/O wrapped in an encapsulation header (the I/O
			 * format has none): counted as I/O all the same */
			st->io_wrapped++;
			if (st->io_wrapped == 1)
				ot_anomaly(ctx, OT_PROTO_ENIP, "io_with_encapsulation_header",
					   "implicit I/O datagram of %zu bytes carries a SendUnitData header",
					   len);
			enip_io_datagram(ctx, st, data + ENIP_HEADER_LEN + 6,
					 len - ENIP_HEADER_LEN - 6);
		} else if (r == (long)len) {
			enip_handle_message(ctx, st, data, len);
		} else {
			enip_io_datagram(ctx, st, data, len);
		}
		return;
	}
	f.ctx = ctx;
	f.st = st;
	framer_sync_feed(d, data, len, &enip_framing, &f);
}

static void enip_gap(struct dissect_ctx *ctx, void *state, size_t len)
{
	struct enip_state *st = state;

	(void)len;
	if (st && framer_sync_gap(&st->dir[ctx->from_client ? 1 : 0]))
		st->gap_lost_partial++;
}

static void enip_flow_end(struct dissect_ctx *ctx, void *state)
{
	struct enip_state *st = state;
	uint32_t i;

	if (!st)
		return;
	for (i = 0; i < 2; i++) {
		size_t partial = framer_sync_end(&st->dir[i]);

		if (partial) {
			uint8_t save = ctx->from_client;

			ctx->from_client = (uint8_t)i;
			ot_anomaly(ctx, OT_PROTO_ENIP, "truncated_message",
				   "flow ends inside a %zu-byte partial message", partial);
			ctx->from_client = save;
		}
	}
	for (i = 0; i < st->n_io; i++)
		enip_io_report(ctx, &st->io[i], 1);
	st->n_io = 0;
	st->n_pending = 0;
}

/* ---- probe ------------------------------------------------------------- */

/*
 * An encapsulation header with an assigned command, options 0 and a length
 * that fits (whole datagram on UDP), or - for UDP - the I/O shape.  Commands
 * that carry no data (ListIdentity request, NOP) must have length 0 on UDP.
 */
static enum probe_result enip_probe(const uint8_t *data, size_t len, int from_client)
{
	struct cursor c;
	uint16_t cmd, length;
	uint32_t status, options, conn, seq, dlen;

	(void)from_client;
	if (len >= 2) {
		cur_init(&c, data, len);
		cmd = cur_le16(&c);
		if (!enip_command_name(cmd) || cmd == ENIP_CMD_NOP) {
			/* implicit I/O: no encapsulation header */
			if (enip_io_shape(data, len, &conn, &seq, &dlen))
				return PROBE_MINE;
			return len < 6 ? PROBE_NEED_MORE : PROBE_NOT_MINE;
		}
	}
	if (len < ENIP_HEADER_LEN)
		return PROBE_NEED_MORE;
	cur_init(&c, data, len);
	cmd = cur_le16(&c);
	length = cur_le16(&c);
	cur_skip(&c, 4);
	status = cur_le32(&c);
	cur_skip(&c, 8);
	options = cur_le32(&c);
	if (options != 0 || status > 0xff)
		return PROBE_NOT_MINE;
	if (length > ENIP_MAX_DATA)
		return PROBE_NOT_MINE;
	if ((cmd == ENIP_CMD_SEND_RR_DATA || cmd == ENIP_CMD_SEND_UNIT_DATA) &&
	    status == 0 && length < 8)
		return PROBE_NOT_MINE;
	if (cmd == ENIP_CMD_REGISTER_SESSION && status == 0 && length != 4)
		return PROBE_NOT_MINE;
	return PROBE_MINE;
}

const struct dissector enip_dissector = {
	.name = "enip",
	.proto = OT_PROTO_ENIP,
	.transports = DISSECT_TCP | DISSECT_UDP,
	.ports = { ENIP_TCP_PORT, ENIP_IO_PORT, 0 },
	.probe_order = 50,
	.spaces = enip_spaces,
	.probe = enip_probe,
	.state_new = enip_state_new,
	.state_free = enip_state_free,
	.parse = enip_parse,
	.gap = enip_gap,
	.flow_end = enip_flow_end,
	.counter_names = enip_counter_names,
	.n_counters = sizeof(enip_counter_names) / sizeof(enip_counter_names[0]),
	.counters = enip_counters,
	.log = enip_log,
	.keywords = enip_keywords,
	.names = enip_names,
};
