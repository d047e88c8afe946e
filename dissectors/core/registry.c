/*
 * registry.c - the one list of dissectors.  Order matters only for probing
 * flows whose port matches no dissector: more specific probes first.
 */
#include <string.h>

#include "dissector.h"

/* Each protocol file exports exactly one descriptor. */
/* REGISTRY-EXTERNS (one line per dissector) */
extern const struct dissector s7comm_dissector;
extern const struct dissector dnp3_dissector;
extern const struct dissector iec104_dissector;
extern const struct dissector modbus_dissector;
extern const struct dissector enip_dissector;

static const struct dissector *const registry[] = {
	/* REGISTRY-ENTRIES (one line per dissector) */
	&s7comm_dissector,
	&dnp3_dissector,
	&iec104_dissector,
	&modbus_dissector,
	&enip_dissector,
	NULL
};

const struct dissector *const *dissector_list(size_t *n)
{
	*n = sizeof(registry) / sizeof(registry[0]) - 1;
	return registry;
}

const struct dissector *dissector_by_name(const char *name)
{
	size_t i, n;
	const struct dissector *const *l = dissector_list(&n);

	for (i = 0; i < n; i++)
		if (strcmp(l[i]->name, name) == 0)
			return l[i];
	return NULL;
}

const struct dissector *dissector_by_proto(enum ot_proto p)
{
	size_t i, n;
	const struct dissector *const *l = dissector_list(&n);

	for (i = 0; i < n; i++)
		if (l[i]->proto == p)
			return l[i];
	return NULL;
}
