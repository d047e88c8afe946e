/*
 * oui.c - IEEE MAC registry (MA-L, MA-M, MA-S, IAB) in one hash table.
 *
 * Format: the CSV files of the IEEE registration authority as Debian's
 * ieee-data package ships them: "Registry,Assignment,Organization Name,
 * Organization Address", fields quoted when they hold commas.  Records are
 * lines: a newline inside a quoted field (a few addresses hold one) ends the
 * record there, and what follows it is read as a line of its own.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "buf.h"
#include "hash.h"
#include "oui.h"
#include "seed.h"

#define OUI_NAME_MAX 120        /* organisation names are cut here */

/* An entry's key: the prefix length's rank (24, 28, 36 bits: 0, 1, 2) above
 * the prefix (at most 36 bits). */
#define KEY_RANK_SHIFT 36

struct oui_ent {
	uint64_t key;           /* rank << KEY_RANK_SHIFT | prefix */
	uint32_t name_off;      /* offset in the string pool */
};

/*
 * The entries in the order they were first added, one per key, and an
 * open-addressed index over them (linear probing, at most half full).
 * Adding a key already present keeps the first entry: the file loaded
 * first wins, then the line nearer the top.
 */
struct oui_db {
	struct oui_ent *ent;
	size_t n, cap;
	uint32_t *slot;         /* entry index + 1, 0 when free */
	size_t nslot;           /* a power of two, or 0 */
	uint64_t seed;
	struct ots_buf pool;    /* NUL-terminated names, at most 4 GiB */
	size_t skipped;
	size_t valid;           /* lines that gave an entry, known keys too */
};

static uint64_t make_key(unsigned bits, uint64_t prefix)
{
	uint64_t rank = bits == 24 ? 0 : bits == 28 ? 1 : 2;

	return rank << KEY_RANK_SHIFT | prefix;
}

static size_t slot_of(const struct oui_db *db, uint64_t key)
{
	return (size_t)ots_mix64(key ^ db->seed) & (db->nslot - 1);
}

/* Room for n entries in all; -1 when memory runs out. */
static int ent_reserve(struct oui_db *db, size_t n)
{
	struct oui_ent *ne;

	if (n <= db->cap)
		return 0;
	if (n > SIZE_MAX / sizeof(*ne) || !(ne = realloc(db->ent, n * sizeof(*ne))))
		return -1;
	db->ent = ne;
	db->cap = n;
	return 0;
}

/* An index of at least 2 * n slots, rebuilt from the entries; -1 when
 * memory runs out (the old index stays). */
static int slot_reserve(struct oui_db *db, size_t n)
{
	size_t ns = db->nslot ? db->nslot : 1024, i;
	uint32_t *s;

	if (n > (size_t)UINT32_MAX - 1 || n > SIZE_MAX / 4 / sizeof(*s))
		return -1;
	while (ns < 2 * n)
		ns *= 2;
	if (ns == db->nslot)
		return 0;
	if (!(s = calloc(ns, sizeof(*s))))
		return -1;
	free(db->slot);
	db->slot = s;
	db->nslot = ns;
	for (i = 0; i < db->n; i++) {
		size_t at = slot_of(db, db->ent[i].key);

		while (s[at])
			at = (at + 1) & (ns - 1);
		s[at] = (uint32_t)(i + 1);
	}
	return 0;
}

/*
 * Add (key, name at pool offset off) unless the key is there already.
 * 1 when added, 0 when the key was known (the caller takes the name back
 * out of the pool), -1 when memory runs out.
 */
static inline int ent_insert(struct oui_db *db, uint64_t key, uint32_t off)
{
	size_t at;

	if (2 * (db->n + 1) > db->nslot && slot_reserve(db, db->n + 1) < 0)
		return -1;
	for (at = slot_of(db, key); db->slot[at]; at = (at + 1) & (db->nslot - 1))
		if (db->ent[db->slot[at] - 1].key == key)
			return 0;
	if (db->n == db->cap && ent_reserve(db, db->cap ? db->cap * 2 : 32768) < 0)
		return -1;
	db->ent[db->n].key = key;
	db->ent[db->n].name_off = off;
	db->slot[at] = (uint32_t)++db->n;
	return 1;
}

/*
 * Next CSV field of line starting at *pos into out (cut to outlen-1 bytes).
 * Handles quoted fields with "" escapes.  Returns 0, or -1 at end of line.
 * The runs between the quotes and separators are found and copied whole.
 */
static int csv_field(const char *line, size_t *pos, char *out, size_t outlen)
{
	size_t i = *pos, o = 0, run;

	if (line[i] == '\0' || line[i] == '\n' || line[i] == '\r') {
		if (i > 0 && line[i - 1] == ',') {
			out[0] = '\0';
			return 0;
		}
		return -1;
	}
	if (line[i] == '"') {
		/* quoted: runs up to the next quote; "" is one quote */
		for (i++; line[i] != '\0';) {
			const char *q = strchr(line + i, '"');

			run = q ? (size_t)(q - (line + i)) : strlen(line + i);
			if (o + 1 < outlen) {
				size_t take = run < outlen - 1 - o ? run : outlen - 1 - o;

				memcpy(out + o, line + i, take);
				o += take;
			}
			i += run;
			if (!q)
				break;
			if (line[i + 1] == '"') {
				if (o + 1 < outlen)
					out[o++] = '"';
				i += 2;
				continue;
			}
			i++;            /* the closing quote */
			break;
		}
	}
	/* unquoted text (or what follows a closing quote) up to the separator */
	run = strcspn(line + i, ",\n\r");
	if (o + 1 < outlen) {
		size_t take = run < outlen - 1 - o ? run : outlen - 1 - o;

		memcpy(out + o, line + i, take);
		o += take;
	}
	i += run;
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	out[o] = '\0';
	if (line[i] == ',')
		i++;
	*pos = i;
	return 0;
}

static int hex_prefix(const char *s, uint64_t *v, uint8_t *bits)
{
	size_t n = 0;
	uint64_t x = 0;

	for (; s[n] != '\0'; n++) {
		char c = s[n];
		int d;

		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return -1;
		if (n >= 9)
			return -1;
		x = (x << 4) | (uint64_t)d;
	}
	if (n != 6 && n != 7 && n != 9)
		return -1;
	*v = x;
	*bits = (uint8_t)(n * 4);
	return 0;
}

static int ent_add(struct oui_db *db, uint64_t prefix, uint8_t bits, const char *name)
{
	size_t at = db->pool.len;
	int rc;

	if (ots_buf_append(&db->pool, name, strlen(name) + 1) < 0)
		return -1;
	rc = ent_insert(db, make_key(bits, prefix), (uint32_t)at);
	if (rc <= 0) {
		db->pool.len = at;      /* a known key, or no room: the name goes */
		db->pool.p[at] = 0;
	}
	if (rc < 0)
		return -1;
	db->valid++;
	return 0;
}

/* One line of a registry file (a C string): its entry added, or the line
 * counted as skipped.  The slow path: it takes any line.  -1 when memory
 * runs out. */
static int add_line(struct oui_db *db, const char *line, int lineno)
{
	char reg[32], asg[32], name[OUI_NAME_MAX + 1];
	size_t pos = 0, nl;
	uint64_t prefix;
	uint8_t bits;

	if (lineno == 1 && strncmp(line, "Registry,", 9) == 0)
		return 0;
	if (csv_field(line, &pos, reg, sizeof(reg)) < 0 ||
	    csv_field(line, &pos, asg, sizeof(asg)) < 0 ||
	    csv_field(line, &pos, name, sizeof(name)) < 0 ||
	    hex_prefix(asg, &prefix, &bits) < 0) {
		db->skipped++;
		return 0;
	}
	/* a few registered names end in a stray comma ("Siemens AG,") */
	for (nl = strlen(name); nl > 0 && (name[nl - 1] == ',' || name[nl - 1] == ' '); nl--)
		name[nl - 1] = '\0';
	if (name[0] == '\0') {
		db->skipped++;
		return 0;
	}
	return ent_add(db, prefix, bits, name);
}

/* Bytes that end an unquoted field: the separator, the line ends, the NUL. */
static const uint8_t ends_field[256] = { [0] = 1, ['\n'] = 1, ['\r'] = 1, [','] = 1 };
/* Bytes that stop the scan of a quoted field. */
static const uint8_t ends_quoted[256] = { [0] = 1, ['\n'] = 1, ['"'] = 1 };
/* HEX_DIGIT | a hex digit's value; 0 for other bytes. */
#define HEX_DIGIT 0x10
static const uint8_t hex_digit[256] = {
	['0'] = 0x10, ['1'] = 0x11, ['2'] = 0x12, ['3'] = 0x13, ['4'] = 0x14,
	['5'] = 0x15, ['6'] = 0x16, ['7'] = 0x17, ['8'] = 0x18, ['9'] = 0x19,
	['a'] = 0x1a, ['b'] = 0x1b, ['c'] = 0x1c, ['d'] = 0x1d, ['e'] = 0x1e, ['f'] = 0x1f,
	['A'] = 0x1a, ['B'] = 0x1b, ['C'] = 0x1c, ['D'] = 0x1d, ['E'] = 0x1e, ['F'] = 0x1f,
};

/* The scans below may read up to SCAN_PAD bytes past the NUL they stop at. */
#define SCAN_PAD 16

#if defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define ONES  UINT64_C(0x0101010101010101)
#define HIGHS UINT64_C(0x8080808080808080)

/*
 * The high bit of each byte of w below lt (at most 128) or equal to eq.
 * The lowest flagged byte is always a true one (a byte above one may be
 * flagged wrongly by a borrow, never one below), which is all a scan for the
 * first match needs.
 */
static inline uint64_t word_flags(uint64_t w, unsigned lt, unsigned eq)
{
	uint64_t x = w ^ (ONES * eq);

	return (((w - ONES * lt) & ~w) | ((x - ONES) & ~x)) & HIGHS;
}

/* First byte from c with stop[byte] set, eight at a time: lt and eq flag
 * every stop byte (and perhaps a few more, looked at one by one). */
static inline const char *scan_to(const char *c, const uint8_t *stop, unsigned lt, unsigned eq)
{
	for (;;) {
		uint64_t w, m;

		memcpy(&w, c, sizeof(w));
		m = word_flags(w, lt, eq);
		if (!m) {
			c += sizeof(w);
			continue;
		}
		c += __builtin_ctzll(m) / 8;
		if (stop[(uint8_t)*c])
			return c;
		c++;
	}
}
#else
static inline const char *scan_to(const char *c, const uint8_t *stop, unsigned lt, unsigned eq)
{
	(void)lt;
	(void)eq;
	while (!stop[(uint8_t)*c])
		c++;
	return c;
}
#endif

/* The end of an unquoted field from c: ',' '\r' '\n' or NUL (all below 14
 * but the comma). */
static const char *scan_field(const char *c)
{
	return scan_to(c, ends_field, 0x0e, ',');
}

/* The next '"', '\n' or NUL from c (the two last below 11). */
static const char *scan_quoted(const char *c)
{
	return scan_to(c, ends_quoted, 0x0b, '"');
}

/* Append [s, e) to the name being built at out (o bytes so far), cut at
 * OUI_NAME_MAX. */
static size_t name_put(char *out, size_t o, const char *s, const char *e)
{
	size_t run = (size_t)(e - s);

	if (run > OUI_NAME_MAX - o)
		run = OUI_NAME_MAX - o;
	memcpy(out + o, s, run);
	return o + run;
}

/*
 * The assignment at c when it is 6, 7 or 9 hex digits and a comma: its
 * digit count (the prefix in *prefix), else 0.  Reads up to 10 bytes.
 */
static unsigned fast_assignment(const uint8_t *c, uint64_t *prefix)
{
	unsigned d0 = hex_digit[c[0]], d1 = hex_digit[c[1]], d2 = hex_digit[c[2]],
		 d3 = hex_digit[c[3]], d4 = hex_digit[c[4]], d5 = hex_digit[c[5]], n;
	uint64_t x;

	if (!(d0 & d1 & d2 & d3 & d4 & d5 & HEX_DIGIT))
		return 0;
	x = (uint64_t)(d0 & 15) << 20 | (d1 & 15) << 16 | (d2 & 15) << 12 |
	    (d3 & 15) << 8 | (d4 & 15) << 4 | (d5 & 15);
	for (n = 6; n < 9 && (hex_digit[c[n]] & HEX_DIGIT); n++)
		x = x << 4 | (hex_digit[c[n]] & 15);
	if (c[n] != ',' || n == 8)
		return 0;
	*prefix = x;
	return n;
}

/*
 * The fast path for the usual record: an unquoted registry field, a bare
 * assignment of 6, 7 or 9 hex digits, and a name, quoted or not, that ends
 * at a separator or at the line's end.  The name is decoded straight into
 * the pool; the address is not looked at.
 *
 * Invariants it relies on (they make its answer the slow path's):
 *  - the bytes at p run on to a NUL (the buffer's sentinel), and every scan
 *    stops at a NUL, so no scan leaves the buffer;
 *  - it gives up (returns 0, the caller then takes the slow path) on a NUL,
 *    a quoted registry or assignment, anything after a closing quote, or a
 *    newline inside quotes; so the bytes it read hold no NUL and no newline
 *    before the one that ended the name (*endp);
 *  - the byte that ended the name lies before wend, the end of the window
 *    the line is cut from: then the line holds every byte read here, and
 *    its newline is that byte or comes after it.
 * Returns 1 when the record was taken (added, known or skipped) with *endp
 * set to the byte that ended the name, 0 to take the slow path, -1 when
 * memory runs out.
 */
static int fast_line(struct oui_db *db, const char *p, const char *wend, const char **endp)
{
	const char *c = p, *s;
	uint64_t prefix = 0;
	unsigned n;
	char *out;
	size_t o = 0, at;
	int rc;

	/* the registry: "MA-L", "MA-M", "MA-S" or "IAB" as a rule */
	if (c[0] == 'M' && c[1] == 'A' && c[2] == '-' && !ends_field[(uint8_t)c[3]] && c[4] == ',') {
		c += 5;
	} else if (c[0] == 'I' && c[1] == 'A' && c[2] == 'B' && c[3] == ',') {
		c += 4;
	} else {
		if (*c == '"')
			return 0;
		c = scan_field(c);
		if (*c != ',')
			return 0;
		c++;
	}
	if (!(n = fast_assignment((const uint8_t *)c, &prefix)))
		return 0;
	c += n + 1;
	/* room for the longest name and its NUL, and the pool's own NUL; at
	 * the pool's cap the slow path decides */
	if (db->pool.cap - db->pool.len < OUI_NAME_MAX + 2 &&
	    ots_buf_reserve(&db->pool, OUI_NAME_MAX + 1) < 0)
		return 0;
	at = db->pool.len;
	out = (char *)db->pool.p + at;
	if (*c == '"') {
		for (c++;;) {
			c = scan_quoted(s = c);
			if (*c != '"')
				return 0;
			o = name_put(out, o, s, c);
			if (c[1] != '"')
				break;
			if (o < OUI_NAME_MAX)
				out[o++] = '"';
			c += 2;
		}
		c++;            /* the closing quote */
		if (!ends_field[(uint8_t)*c])
			return 0;
	} else {
		c = scan_field(s = c);
		o = name_put(out, o, s, c);
	}
	if (*c == '\0' || c >= wend)
		return 0;
	while (o > 0 && (out[o - 1] == ' ' || out[o - 1] == '\t'))
		o--;
	/* a few registered names end in a stray comma ("Siemens AG,") */
	while (o > 0 && (out[o - 1] == ',' || out[o - 1] == ' '))
		o--;
	*endp = c;
	if (o == 0) {
		db->skipped++;
		return 1;
	}
	out[o] = '\0';
	rc = ent_insert(db, make_key(n * 4, prefix), (uint32_t)at);
	if (rc < 0)
		return -1;
	if (rc > 0) {
		db->pool.len = at + o + 1;
		db->pool.p[db->pool.len] = 0;
	}
	db->valid++;
	return 1;
}

#define READ_CHUNK 65536
#define LINE_MAX_LEN 1023       /* longer lines are taken in pieces this long */

/*
 * The entries of one file; 0, or -1 with err set.  The file is read in
 * chunks and its lines parsed where they lie: by fast_line() when it can,
 * else by add_line() (a NUL put after the line for it, the byte restored
 * after).  A line is what precedes the first newline (included) of the
 * next LINE_MAX_LEN bytes, or those bytes when they hold none.
 */
static int add_file(struct oui_db *db, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), eof = 0, lineno = 0, rc = 0;
	size_t before = db->valid, len = 0, pos = 0;
	struct stat st;
	char *buf;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open OUI registry %s: %s", path, strerror(errno));
		return -1;
	}
	if (!(buf = malloc(READ_CHUNK + 1 + SCAN_PAD))) {
		close(fd);
		snprintf(err, errlen, "out of memory loading %s", path);
		return -1;
	}
	/* Room for what a file of this size holds (the IEEE files: a line of
	 * about 90 bytes, a quarter of it the name), so that the table and the
	 * names are not copied as they grow; only a hint, they still grow. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		(void)ent_reserve(db, db->n + (size_t)st.st_size / 64);
		(void)slot_reserve(db, db->n + (size_t)st.st_size / 64);
		(void)ots_buf_reserve(&db->pool, (size_t)st.st_size / 3);
	}
	for (;;) {
		size_t ll, lim;
		const char *nl, *line, *end;
		char saved;

		if (!eof && len - pos < LINE_MAX_LEN) {
			memmove(buf, buf + pos, len - pos);
			len -= pos;
			pos = 0;
			/* a read error ends the file, as at its end */
			while (!eof && len < LINE_MAX_LEN) {
				ssize_t got = read(fd, buf + len, READ_CHUNK - len);

				if (got < 0 && errno == EINTR)
					continue;
				if (got <= 0)
					eof = 1;
				else
					len += (size_t)got;
			}
			/* the sentinel fast_line() stops at, and the padding its
			 * scans may read after it set (never read for its value) */
			memset(buf + len, 0, 1 + SCAN_PAD);
		}
		if (pos >= len)
			break;
		line = buf + pos;
		lim = len - pos < LINE_MAX_LEN ? len - pos : LINE_MAX_LEN;
		if (++lineno > 1 && (rc = fast_line(db, line, line + lim, &end)) != 0) {
			if (rc < 0)
				break;
			/* no newline before end, the byte that ended the name */
			nl = *end == '\n' ? end : memchr(end, '\n', (size_t)(line + lim - end));
			pos += nl ? (size_t)(nl - line) + 1 : lim;
			continue;
		}
		nl = memchr(line, '\n', lim);
		ll = nl ? (size_t)(nl - line) + 1 : lim;
		saved = buf[pos + ll];
		buf[pos + ll] = '\0';
		rc = add_line(db, line, lineno);
		buf[pos + ll] = saved;
		pos += ll;
		if (rc < 0)
			break;
	}
	free(buf);
	close(fd);
	if (rc < 0) {
		snprintf(err, errlen, "out of memory loading %s", path);
		return -1;
	}
	if (db->valid == before) {
		snprintf(err, errlen, "OUI registry %s holds no valid entry", path);
		return -1;
	}
	return 0;
}

int oui_add_file(struct oui_db *db, const char *path, char *err, size_t errlen)
{
	return add_file(db, path, err, errlen);
}

struct oui_db *oui_load(const char *path, int with_siblings, char *err, size_t errlen)
{
	static const char *const siblings[] = { "mam.csv", "oui36.csv", "iab.csv" };
	struct oui_db *db = calloc(1, sizeof(*db));
	const char *slash;
	size_t i;

	if (!db) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	db->seed = ots_random_seed();
	ots_buf_init(&db->pool, 65536, UINT32_MAX);
	if (add_file(db, path, err, errlen) < 0) {
		oui_free(db);
		return NULL;
	}
	slash = strrchr(path, '/');
	for (i = 0; with_siblings && i < sizeof(siblings) / sizeof(siblings[0]); i++) {
		char sib[4096], ignored[256];
		int dirlen = slash ? (int)(slash - path + 1) : 0;

		if (snprintf(sib, sizeof(sib), "%.*s%s", dirlen, path, siblings[i]) >= (int)sizeof(sib))
			continue;
		if (strcmp(sib, path) == 0)
			continue;
		/* optional: one missing or broken leaves the main registry usable */
		(void)add_file(db, sib, ignored, sizeof(ignored));
	}
	return db;
}

void oui_free(struct oui_db *db)
{
	if (!db)
		return;
	free(db->ent);
	free(db->slot);
	ots_buf_free(&db->pool);
	free(db);
}

const char *oui_lookup(const struct oui_db *db, const uint8_t mac[6])
{
	static const uint8_t order[] = { 36, 28, 24 };
	uint64_t m = 0;
	size_t i;

	if (!db || !mac || !db->nslot)
		return NULL;
	for (i = 0; i < 6; i++)
		m = (m << 8) | mac[i];
	for (i = 0; i < sizeof(order); i++) {
		uint64_t key = make_key(order[i], m >> (48 - order[i]));
		size_t at;

		for (at = slot_of(db, key); db->slot[at]; at = (at + 1) & (db->nslot - 1)) {
			const struct oui_ent *e = &db->ent[db->slot[at] - 1];

			if (e->key == key)
				return (const char *)db->pool.p + e->name_off;
		}
	}
	return NULL;
}

size_t oui_count(const struct oui_db *db)
{
	return db ? db->n : 0;
}

size_t oui_skipped(const struct oui_db *db)
{
	return db ? db->skipped : 0;
}
