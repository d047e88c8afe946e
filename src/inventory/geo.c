/*
 * geo.c - country, city and ASN of public addresses (libmaxminddb).
 *
 * Data layout followed: the GeoIP2/GeoLite2 City, Country and ASN schemas
 * (country.iso_code, country.names.en, city.names.en,
 * autonomous_system_number, autonomous_system_organization).
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <maxminddb.h>

#include "geo.h"

struct geo {
	MMDB_s db[GEO_MAX_DB];
	int n;
	uint64_t lookups, errors;
};

struct geo *geo_open(const char *const *paths, int n, char *err, size_t errlen)
{
	struct geo *g;
	int i;

	if (n < 0 || n > GEO_MAX_DB) {
		snprintf(err, errlen, "at most %d GeoIP databases", GEO_MAX_DB);
		return NULL;
	}
	if (!(g = calloc(1, sizeof(*g)))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++) {
		int rc = MMDB_open(paths[i], MMDB_MODE_MMAP, &g->db[i]);

		if (rc != MMDB_SUCCESS) {
			snprintf(err, errlen, "cannot open GeoIP database %s: %s",
				 paths[i], MMDB_strerror(rc));
			geo_close(g);
			return NULL;
		}
		g->n = i + 1;
	}
	return g;
}

void geo_close(struct geo *g)
{
	int i;

	if (!g)
		return;
	for (i = 0; i < g->n; i++)
		MMDB_close(&g->db[i]);
	free(g);
}

/* Copy a UTF-8 string value at path into out when out is still empty. */
static void get_str(MMDB_entry_s *e, char *out, size_t outlen, const char *const *path)
{
	MMDB_entry_data_s d;
	size_t n;

	if (out[0] != '\0' || MMDB_aget_value(e, &d, path) != MMDB_SUCCESS ||
	    !d.has_data || d.type != MMDB_DATA_TYPE_UTF8_STRING)
		return;
	n = d.data_size < outlen - 1 ? d.data_size : outlen - 1;
	memcpy(out, d.utf8_string, n);       /* not NUL-terminated in the DB */
	out[n] = '\0';
}

static void fill(MMDB_entry_s *e, struct geo_info *info)
{
	static const char *const p_iso[] = { "country", "iso_code", NULL };
	static const char *const p_cname[] = { "country", "names", "en", NULL };
	static const char *const p_city[] = { "city", "names", "en", NULL };
	static const char *const p_asn[] = { "autonomous_system_number", NULL };
	static const char *const p_org[] = { "autonomous_system_organization", NULL };
	MMDB_entry_data_s d;

	get_str(e, info->country, sizeof(info->country), p_iso);
	get_str(e, info->country_name, sizeof(info->country_name), p_cname);
	get_str(e, info->city, sizeof(info->city), p_city);
	get_str(e, info->as_org, sizeof(info->as_org), p_org);
	if (info->asn == 0 && MMDB_aget_value(e, &d, p_asn) == MMDB_SUCCESS && d.has_data) {
		if (d.type == MMDB_DATA_TYPE_UINT32)
			info->asn = d.uint32;
		else if (d.type == MMDB_DATA_TYPE_UINT16)
			info->asn = d.uint16;
	}
}

int geo_lookup(struct geo *g, const struct ot_ip *ip, struct geo_info *info)
{
	struct sockaddr_storage ss;
	int i;

	memset(info, 0, sizeof(*info));
	if (!ot_ip_is_public(ip))
		return 0;
	info->external = 1;
	if (!g || g->n == 0)
		return 1;
	memset(&ss, 0, sizeof(ss));
	if (ip->ver == 4) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, ip->a, 4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, ip->a, 16);
	}
	for (i = 0; i < g->n; i++) {
		int mmdb_err = 0;
		MMDB_lookup_result_s r;

		g->lookups++;
		r = MMDB_lookup_sockaddr(&g->db[i], (struct sockaddr *)&ss, &mmdb_err);
		if (mmdb_err != MMDB_SUCCESS) {
			/* an IPv6 address in an IPv4-only database is no error */
			if (mmdb_err != MMDB_IPV6_LOOKUP_IN_IPV4_DATABASE_ERROR)
				g->errors++;
			continue;
		}
		if (!r.found_entry)
			continue;
		info->found = 1;
		fill(&r.entry, info);
	}
	return 1;
}

int geo_count(const struct geo *g)
{
	return g ? g->n : 0;
}

void geo_counters(const struct geo *g, uint64_t *lookups, uint64_t *errors)
{
	*lookups = g ? g->lookups : 0;
	*errors = g ? g->errors : 0;
}
