/*
 * oui.c - IEEE MAC registry (MA-L, MA-M, MA-S, IAB) in one sorted table.
 *
 * Format: the CSV files of the IEEE registration authority as Debian's
 * ieee-data package ships them: "Registry,Assignment,Organization Name,
 * Organization Address", fields quoted when they hold commas.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

static int ent_cmp(const void *a, const void *b)
{
	const struct oui_ent *x = a, *y = b;

	if (x->bits != y->bits)
		return x->bits < y->bits ? -1 : 1;
	if (x->prefix != y->prefix)
		return x->prefix < y->prefix ? -1 : 1;
	return x->name_off < y->name_off ? -1 : x->name_off > y->name_off;
}

/*
 * Next CSV field of line starting at *pos into out (cut to outlen-1 bytes).
 * Handles quoted fields with "" escapes.  Returns 0, or -1 at end of line.
 */
static int csv_field(const char *line, size_t *pos, char *out, size_t outlen)
{
	size_t i = *pos, o = 0;
	int quoted = 0;

	if (line[i] == '\0' || line[i] == '\n' || line[i] == '\r') {
		if (i > 0 && line[i - 1] == ',') {
			out[0] = '\0';
			return 0;
		}
		return -1;
	}
	if (line[i] == '"') {
		quoted = 1;
		i++;
	}
	for (; line[i] != '\0'; i++) {
		char ch = line[i];

		if (quoted) {
			if (ch == '"') {
				if (line[i + 1] == '"') {
					i++;
				} else {
					quoted = 0;
					continue;
				}
			}
		} else if (ch == ',' || ch == '\n' || ch == '\r') {
			break;
		}
		if (o + 1 < outlen)
			out[o++] = ch;
	}
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

static int ent_add(struct oui_db *db, uint64_t prefix, uint8_t bits, const char *name)
{
	struct oui_ent *e;

	if (db->n == db->cap) {
		size_t nc = db->cap ? db->cap * 2 : 32768;
		struct oui_ent *ne = realloc(db->ent, nc * sizeof(*ne));

		if (!ne)
			return -1;
		db->ent = ne;
		db->cap = nc;
	}
	e = &db->ent[db->n];
	if (pool_add(db, name, &e->name_off) < 0)
		return -1;
	e->prefix = prefix;
	e->bits = bits;
	db->n++;
	db->sorted = 0;
	return 0;
}

/* Sort, then keep the first entry of each (bits, prefix). */
static void db_sort(struct oui_db *db)
{
	size_t i, o = 0;

	if (db->sorted)
		return;
	qsort(db->ent, db->n, sizeof(*db->ent), ent_cmp);
	for (i = 0; i < db->n; i++) {
		if (o > 0 && db->ent[o - 1].bits == db->ent[i].bits &&
		    db->ent[o - 1].prefix == db->ent[i].prefix)
			continue;
		db->ent[o++] = db->ent[i];
	}
	db->n = o;
	db->sorted = 1;
}

int oui_add_file(struct oui_db *db, const char *path, char *err, size_t errlen)
{
	FILE *fp = fopen(path, "r");
	char line[1024], reg[32], asg[32], name[OUI_NAME_MAX + 1];
	size_t before = db->n;
	int lineno = 0;

	if (!fp) {
		snprintf(err, errlen, "cannot open OUI registry %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), fp)) {
		size_t pos = 0, nl;
		uint64_t prefix;
		uint8_t bits;

		if (++lineno == 1 && strncmp(line, "Registry,", 9) == 0)
			continue;
		if (csv_field(line, &pos, reg, sizeof(reg)) < 0 ||
		    csv_field(line, &pos, asg, sizeof(asg)) < 0 ||
		    csv_field(line, &pos, name, sizeof(name)) < 0 ||
		    hex_prefix(asg, &prefix, &bits) < 0) {
			db->skipped++;
			continue;
		}
		/* a few registered names end in a stray comma ("Siemens AG,") */
		for (nl = strlen(name); nl > 0 && (name[nl - 1] == ',' || name[nl - 1] == ' '); nl--)
			name[nl - 1] = '\0';
		if (name[0] == '\0') {
			db->skipped++;
			continue;
		}
		if (ent_add(db, prefix, bits, name) < 0) {
			fclose(fp);
			snprintf(err, errlen, "out of memory loading %s", path);
			return -1;
		}
	}
	fclose(fp);
	if (db->n == before) {
		snprintf(err, errlen, "OUI registry %s holds no valid entry", path);
		return -1;
	}
	db_sort(db);
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
	if (oui_add_file(db, path, err, errlen) < 0) {
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
		(void)oui_add_file(db, sib, ignored, sizeof(ignored));
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

int oui_mac_is_local(const uint8_t mac[6])
{
	return (mac[0] & 0x02) != 0;
}

int oui_mac_is_group(const uint8_t mac[6])
{
	return (mac[0] & 0x01) != 0;
}
