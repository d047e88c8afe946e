/*
 * oui.c - IEEE MAC registry (MA-L, MA-M, MA-S, IAB) in one sorted table.
 *
 * Format: the CSV files of the IEEE registration authority as Debian's
 * ieee-data package ships them: "Registry,Assignment,Organization Name,
 * Organization Address", fields quoted when they hold commas.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "buf.h"
#include "oui.h"

#define OUI_NAME_MAX 120        /* organisation names are cut here */

struct oui_ent {
	uint64_t prefix;        /* the assignment's bits, right-aligned */
	uint32_t name_off;      /* offset in the string pool */
	uint8_t bits;           /* 24, 28 or 36 */
};

struct oui_db {
	struct oui_ent *ent;
	size_t n, cap;
	struct ots_buf pool;    /* NUL-terminated names, at most 4 GiB */
	size_t skipped;
	int sorted;
};

/* The sort key: the prefix length's rank (24, 28, 36 bits: 0, 1, 2) above
 * the prefix (at most 36 bits), 38 bits in all. */
#define KEY_BITS   39           /* rounded up to three digits */
#define DIGIT_BITS 13

static uint64_t ent_key(const struct oui_ent *e)
{
	uint64_t rank = e->bits == 24 ? 0 : e->bits == 28 ? 1 : 2;

	return rank << 36 | e->prefix;
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

static int pool_add(struct oui_db *db, const char *s, uint32_t *off)
{
	size_t at = db->pool.len;

	if (ots_buf_append(&db->pool, s, strlen(s) + 1) < 0)
		return -1;
	*off = (uint32_t)at;
	return 0;
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

static int ent_add(struct oui_db *db, uint64_t prefix, uint8_t bits, const char *name)
{
	struct oui_ent *e;

	if (db->n == db->cap && ent_reserve(db, db->cap ? db->cap * 2 : 32768) < 0)
		return -1;
	e = &db->ent[db->n];
	if (pool_add(db, name, &e->name_off) < 0)
		return -1;
	e->prefix = prefix;
	e->bits = bits;
	db->n++;
	db->sorted = 0;
	return 0;
}

/*
 * Sort by (bits, prefix), then keep the first entry of each (bits, prefix):
 * the one added first, whose name has the lowest pool offset.  A stable
 * radix sort (least significant digit first): entries are added in pool
 * order, and a sorted table holds one entry per key, so equal keys stay in
 * pool order.  -1 when memory runs out (the table stays as it was).
 */
static int db_sort(struct oui_db *db)
{
	struct oui_ent *tmp, *from, *to, *t;
	size_t i, o = 0, *count;
	int shift;

	if (db->sorted)
		return 0;
	tmp = malloc((db->n ? db->n : 1) * sizeof(*tmp));
	count = malloc(((size_t)1 << DIGIT_BITS) * sizeof(*count));
	if (!tmp || !count) {
		free(tmp);
		free(count);
		return -1;
	}
	from = db->ent;
	to = tmp;
	for (shift = 0; shift < KEY_BITS; shift += DIGIT_BITS) {
		size_t mask = ((size_t)1 << DIGIT_BITS) - 1, sum = 0;

		memset(count, 0, ((size_t)1 << DIGIT_BITS) * sizeof(*count));
		for (i = 0; i < db->n; i++)
			count[(ent_key(&from[i]) >> shift) & mask]++;
		for (i = 0; i <= mask; i++) {
			size_t c = count[i];

			count[i] = sum;
			sum += c;
		}
		for (i = 0; i < db->n; i++)
			to[count[(ent_key(&from[i]) >> shift) & mask]++] = from[i];
		t = from;
		from = to;
		to = t;
	}
	/* an odd number of passes leaves them in tmp */
	if (from != db->ent)
		memcpy(db->ent, from, db->n * sizeof(*db->ent));
	free(tmp);
	free(count);
	for (i = 0; i < db->n; i++) {
		if (o > 0 && db->ent[o - 1].bits == db->ent[i].bits &&
		    db->ent[o - 1].prefix == db->ent[i].prefix)
			continue;
		db->ent[o++] = db->ent[i];
	}
	db->n = o;
	db->sorted = 1;
	return 0;
}

/* One line of a registry file: its entry added, or the line counted as
 * skipped.  -1 when memory runs out. */
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

#define READ_CHUNK 65536
#define LINE_MAX_LEN 1023       /* longer lines are taken in pieces this long */

/*
 * The entries of one file, unsorted; 0, or -1 with err set.  The file is
 * read in chunks and its lines parsed where they lie (a NUL put after each
 * for the parse, the byte restored after).
 */
static int add_file(struct oui_db *db, const char *path, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), eof = 0, lineno = 0, rc = 0;
	size_t before = db->n, len = 0, pos = 0;
	struct stat st;
	char *buf;

	if (fd < 0) {
		snprintf(err, errlen, "cannot open OUI registry %s: %s", path, strerror(errno));
		return -1;
	}
	if (!(buf = malloc(READ_CHUNK + 1))) {
		close(fd);
		snprintf(err, errlen, "out of memory loading %s", path);
		return -1;
	}
	/* Room for what a file of this size holds (the IEEE files: a line of
	 * about 90 bytes, a quarter of it the name), so that the table and the
	 * names are not copied as they grow; only a hint, they still grow. */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		(void)ent_reserve(db, db->n + (size_t)st.st_size / 64);
		(void)ots_buf_reserve(&db->pool, (size_t)st.st_size / 3);
	}
	for (;;) {
		size_t ll, lim;
		const char *nl;
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
		}
		if (pos >= len)
			break;
		lim = len - pos < LINE_MAX_LEN ? len - pos : LINE_MAX_LEN;
		nl = memchr(buf + pos, '\n', lim);
		ll = nl ? (size_t)(nl - (buf + pos)) + 1 : lim;
		saved = buf[pos + ll];
		buf[pos + ll] = '\0';
		rc = add_line(db, buf + pos, ++lineno);
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
	if (db->n == before) {
		snprintf(err, errlen, "OUI registry %s holds no valid entry", path);
		return -1;
	}
	return 0;
}

int oui_add_file(struct oui_db *db, const char *path, char *err, size_t errlen)
{
	if (add_file(db, path, err, errlen) < 0)
		return -1;
	if (db_sort(db) < 0) {
		snprintf(err, errlen, "out of memory sorting %s", path);
		return -1;
	}
	return 0;
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
	ots_buf_init(&db->pool, 65536, UINT32_MAX);
	if (add_file(db, path, err, errlen) < 0) {
		oui_free(db);
		return NULL;
	}
	slash = strrchr(path, '/');
	for (i = 0; with_siblings && i < sizeof(siblings) / sizeof(siblings[0]); i++) {
		char sib[4096], ignored[256];
		int dirlen = slash ? (int)(slash - path + 1) : 0;
		FILE *probe;

		if (snprintf(sib, sizeof(sib), "%.*s%s", dirlen, path, siblings[i]) >= (int)sizeof(sib))
			continue;
		if (strcmp(sib, path) == 0 || !(probe = fopen(sib, "r")))
			continue;
		fclose(probe);
		/* optional: a broken sibling leaves the main registry usable */
		(void)add_file(db, sib, ignored, sizeof(ignored));
	}
	/* one sort for all the files */
	if (db_sort(db) < 0) {
		snprintf(err, errlen, "out of memory sorting the OUI registry");
		oui_free(db);
		return NULL;
	}
	return db;
}

void oui_free(struct oui_db *db)
{
	if (!db)
		return;
	free(db->ent);
	ots_buf_free(&db->pool);
	free(db);
}

static const struct oui_ent *find(const struct oui_db *db, uint8_t bits, uint64_t prefix)
{
	size_t lo = 0, hi = db->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const struct oui_ent *e = &db->ent[mid];

		if (e->bits == bits && e->prefix == prefix)
			return e;
		if (e->bits < bits || (e->bits == bits && e->prefix < prefix))
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *oui_lookup(const struct oui_db *db, const uint8_t mac[6])
{
	static const uint8_t order[] = { 36, 28, 24 };
	uint64_t m = 0;
	size_t i;

	if (!db || !mac)
		return NULL;
	for (i = 0; i < 6; i++)
		m = (m << 8) | mac[i];
	for (i = 0; i < sizeof(order); i++) {
		const struct oui_ent *e = find(db, order[i], m >> (48 - order[i]));

		if (e)
			return (const char *)db->pool.p + e->name_off;
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
