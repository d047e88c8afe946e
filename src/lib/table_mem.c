/*
 * table_mem.c - zeroed memory for tables sized once (see table_mem.h).
 */
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "table_mem.h"

#define HUGE_PAGE ((size_t)2 << 20)
#define PAGE      ((size_t)4096)

static int mapped(size_t bytes)
{
	return bytes >= OTS_TABLE_MAP_MIN && bytes <= OTS_TABLE_PREFAULT_MAX;
}

/* The length mapped for bytes: whole huge pages from one up, else pages. */
static size_t map_len(size_t bytes)
{
	size_t unit = bytes >= HUGE_PAGE ? HUGE_PAGE : PAGE;

	return (bytes + unit - 1) & ~(unit - 1);
}

void *ots_table_calloc(size_t n, size_t size)
{
	size_t bytes, len, span;
	char *m, *a;

	if (size && n > SIZE_MAX / size)
		return NULL;
	bytes = n * size;
	if (!mapped(bytes))
		return calloc(n ? n : 1, size ? size : 1);
	len = map_len(bytes);
	/* a huge-page table starts on a huge page boundary: map a huge page
	 * more and give back what lies before and after */
	span = len >= HUGE_PAGE ? len + HUGE_PAGE : len;
	m = mmap(NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED)
		return NULL;
	a = m;
	if (span > len) {
		a = (char *)(((uintptr_t)m + HUGE_PAGE - 1) & ~(uintptr_t)(HUGE_PAGE - 1));
		if (a > m)
			munmap(m, (size_t)(a - m));
		if (a + len < m + span)
			munmap(a + len, (size_t)(m + span - (a + len)));
#ifdef MADV_HUGEPAGE
		(void)madvise(a, len, MADV_HUGEPAGE);
#endif
	}
#ifdef MADV_POPULATE_WRITE
	(void)madvise(a, len, MADV_POPULATE_WRITE);
#endif
	return a;
}

void ots_table_free(void *p, size_t n, size_t size)
{
	size_t bytes = n * size;

	if (!p)
		return;
	if (mapped(bytes))
		munmap(p, map_len(bytes));
	else
		free(p);
}
