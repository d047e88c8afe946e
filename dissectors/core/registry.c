/*
 * registry.c - the protocols of protocols.h and their descriptors: the one
 * place that turns a protocol id or an address space id into a name, a
 * descriptor or a space's kind.
 */
#include <string.h>

#include "dissector.h"
#include "event.h"

/* Each protocol folder exports exactly one descriptor. */
#define REGISTRY_EXTERN(ID, name) extern const struct dissector name##_dissector;
#define REGISTRY_NONE(ID, name)
OT_PROTOCOLS(REGISTRY_EXTERN, REGISTRY_NONE)

/* Dissectors in protocol id order. */
#define REGISTRY_ENTRY(ID, name) &name##_dissector,
static const struct dissector *const registry[] = {
	OT_PROTOCOLS(REGISTRY_ENTRY, REGISTRY_NONE)
	NULL
};

/* By protocol id: the descriptor, or the name of a protocol another
 * dissector recognises. */
struct registry_protocol {
	const struct dissector *d;
	const char *name;
};

#define REGISTRY_BY_ID(ID, name) [OT_PROTO_##ID] = { &name##_dissector, NULL },
#define REGISTRY_NAME_BY_ID(ID, name) [OT_PROTO_##ID] = { NULL, #name },
static const struct registry_protocol protocols[OT_PROTO_COUNT] = {
	[OT_PROTO_UNKNOWN] = { NULL, "unknown" },
	OT_PROTOCOLS(REGISTRY_BY_ID, REGISTRY_NAME_BY_ID)
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
	size_t i;

	if ((unsigned)p >= OT_PROTO_COUNT || p == OT_PROTO_UNKNOWN)
		return NULL;
	if (protocols[p].d)
		return protocols[p].d;
	/* a protocol another dissector recognises: that one logs it */
	for (i = 0; registry[i]; i++)
		if (registry[i]->also_proto == p)
			return registry[i];
	return NULL;
}

const char *ot_proto_name(enum ot_proto p)
{
	if ((unsigned)p >= OT_PROTO_COUNT)
		return "unknown";
	return protocols[p].d ? protocols[p].d->name : protocols[p].name;
}

enum ot_proto ot_proto_from_name(const char *s)
{
	int i;

	for (i = 1; s && i < OT_PROTO_COUNT; i++)
		if (strcmp(s, ot_proto_name((enum ot_proto)i)) == 0)
			return (enum ot_proto)i;
	return OT_PROTO_UNKNOWN;
}

const struct ot_space_info *ot_space_info(enum ot_space space)
{
	const struct dissector *d;
	const struct ot_space_info *si;

	if (!space || !(d = dissector_by_proto((enum ot_proto)OT_SPACE_PROTO(space))))
		return NULL;
	for (si = d->spaces; si && si->name; si++)
		if (si->space == space)
			return si;
	return NULL;
}

unsigned ot_space_flags(enum ot_space space)
{
	const struct ot_space_info *si = ot_space_info(space);

	return si ? si->flags : 0;
}

const char *ot_space_name(enum ot_space space)
{
	const struct ot_space_info *si = ot_space_info(space);

	return si ? si->name : "none";
}

int ot_space_from_name(const char *s)
{
	const struct ot_space_info *si;
	size_t i;

	if (strcmp(s, "none") == 0)
		return OT_SPACE_NONE;
	for (i = 0; registry[i]; i++)
		for (si = registry[i]->spaces; si && si->name; si++)
			if (strcmp(s, si->name) == 0)
				return si->space;
	return -1;
}

int ot_value_is_analog(const struct ot_value *v)
{
	const struct ot_space_info *si = ot_space_info(v->space);

	if (!si)
		return 0;
	return (si->flags & OT_SPACE_ANALOG) ||
	       (si->block_is_analog && si->block_is_analog(v->block));
}
