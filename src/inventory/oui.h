/*
 * oui.h - MAC address vendor names from the IEEE registration authority
 * (Debian's ieee-data package: oui.csv for MA-L, and when present beside it
 * mam.csv for MA-M, oui36.csv for MA-S and iab.csv for the old IAB blocks).
 *
 * The registry is read once into one hash table of (prefix length, prefix)
 * and looked up longest prefix first (36, 28, then 24 bits); of two lines
 * with one prefix the first read wins.  Organisation names live in one
 * string pool owned by the table.
 *
 * Ownership: oui_load() returns a table the caller frees with oui_free()
 * (oui_free(NULL) is a no-op).  Strings returned by oui_lookup() are
 * borrowed from the table and valid until oui_free().
 */
#ifndef OTS_OUI_H
#define OTS_OUI_H

#include <stddef.h>
#include <stdint.h>

struct oui_db;

/*
 * Load the registry CSV at path ("Registry,Assignment,Organization Name,..."
 * with an assignment of 6, 7 or 9 hex digits).  When with_siblings is set,
 * mam.csv, oui36.csv and iab.csv found in the same directory are loaded too
 * (each optional).  Returns NULL with a one-line reason in err when path
 * cannot be read or holds no valid entry.
 */
struct oui_db *oui_load(const char *path, int with_siblings, char *err, size_t errlen);
void oui_free(struct oui_db *db);

/* Add the entries of one more registry file; 0, or -1 with err set. */
int oui_add_file(struct oui_db *db, const char *path, char *err, size_t errlen);

/* Organisation owning mac, or NULL when no registered block matches. */
const char *oui_lookup(const struct oui_db *db, const uint8_t mac[6]);

/* Entries in the table; lines skipped as malformed while loading. */
size_t oui_count(const struct oui_db *db);
size_t oui_skipped(const struct oui_db *db);

/* 1 when the MAC is locally administered (bit 1 of the first octet). */
static inline int oui_mac_is_local(const uint8_t mac[6])
{
	return (mac[0] & 0x02) != 0;
}

/* 1 when the MAC is group (multicast or broadcast) addressed. */
static inline int oui_mac_is_group(const uint8_t mac[6])
{
	return (mac[0] & 0x01) != 0;
}

#endif /* OTS_OUI_H */
