/*
 * geo.h - GeoIP for public addresses from MaxMind-format databases
 * (libmaxminddb): country, city and autonomous system.
 *
 * Several databases may be opened (a City or Country database and an ASN
 * database, typically); a lookup asks each in turn and keeps the first value
 * found for every field.  Only public addresses (ot_ip_is_public) are looked
 * up; others are reported as internal without touching a database.
 *
 * Ownership: geo_open() returns a handle freed by geo_close() (NULL is a
 * no-op).  struct geo_info holds copies; nothing points into the databases.
 */
#ifndef OTS_GEO_H
#define OTS_GEO_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define GEO_MAX_DB 16

struct geo_info {
	uint8_t external;       /* 1: public address */
	uint8_t found;          /* 1: some database knew it */
	char country[4];        /* ISO 3166 code, "" unknown */
	char country_name[48];
	char city[48];
	uint32_t asn;           /* 0 unknown */
	char as_org[64];
};

struct geo;

/* Open n databases (n may be 0: lookups then only classify addresses).
 * NULL with a one-line reason in err when one cannot be opened. */
struct geo *geo_open(const char *const *paths, int n, char *err, size_t errlen);
void geo_close(struct geo *g);

/* Fill info for ip; returns 1 when the address is external, else 0.
 * g may be NULL (classification only). */
int geo_lookup(struct geo *g, const struct ot_ip *ip, struct geo_info *info);

/* Databases open; lookups done; lookups that failed inside libmaxminddb. */
int geo_count(const struct geo *g);
void geo_counters(const struct geo *g, uint64_t *lookups, uint64_t *errors);

#endif /* OTS_GEO_H */
