/*
 * progress.h - one progress line on standard error while capture files are
 * read: bytes read of the total, packets, packets per second, time elapsed
 * and an estimate of what remains, rewritten in place a few times a second.
 *
 * Only when switched on (main: standard error is a terminal and no -q);
 * otherwise every call is a no-op.  A message printed while the line shows
 * must call progress_clear first.
 *
 * Ownership: plain struct, owned by the caller; nothing allocated.
 */
#ifndef OTS_PROGRESS_H
#define OTS_PROGRESS_H

#include <stdint.h>
#include <time.h>

#define PROGRESS_INTERVAL_MS 250        /* between two refreshes */

struct progress {
	int on;
	int shown;                      /* a line is on the screen */
	struct timespec start, last;
};

struct progress_state {
	uint64_t bytes_done, bytes_total;       /* total 0: unknown (a pipe) */
	uint64_t packets;
};

void progress_start(struct progress *pg, int on);

/* 1 when the line is on and PROGRESS_INTERVAL_MS have passed since it was
 * last drawn (the caller then gathers the state and calls progress_update). */
int progress_due(struct progress *pg);

/* Draw the line now. */
void progress_update(struct progress *pg, const struct progress_state *st);

/* Erase the line (a message follows); the next update draws it again. */
void progress_clear(struct progress *pg);

/* Draw the final state and end the line. */
void progress_finish(struct progress *pg, const struct progress_state *st);

/* The line for st after elapsed seconds, into buf (for tests too). */
void progress_format(char *buf, size_t len, const struct progress_state *st,
		     double elapsed);

#endif /* OTS_PROGRESS_H */
