/*
 * table_mem.h - zeroed memory for a table sized once, to its cap, at start
 * (hash bucket arrays, per-flow slot arrays).
 */
#ifndef OTS_TABLE_MEM_H
#define OTS_TABLE_MEM_H

#include <stddef.h>

/* Bytes from which a table is mapped and faulted in at once (below: calloc),
 * and up to which (above: calloc, its pages faulted as they are touched). */
#define OTS_TABLE_MAP_MIN     ((size_t)128 << 10)
#define OTS_TABLE_PREFAULT_MAX ((size_t)16 << 20)

/*
 * n zeroed elements of size bytes, as calloc gives them; NULL when out of
 * memory or when n * size overflows.  A table between OTS_TABLE_MAP_MIN and
 * OTS_TABLE_PREFAULT_MAX bytes is mapped on its own and its pages faulted in
 * at once (one call, not one fault per page as the traffic first reaches
 * each of them; on a virtual machine a fault costs microseconds), as huge
 * pages where it spans them and the kernel allows.  Freed only by
 * ots_table_free with the same n and size.
 */
void *ots_table_calloc(size_t n, size_t size);
void ots_table_free(void *p, size_t n, size_t size);

#endif
