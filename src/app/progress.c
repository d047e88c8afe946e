/*
 * progress.c - the progress line (see progress.h).  "\r" returns to the
 * start of the line and ESC [ K erases what an older, longer line left.
 */
#include <stdio.h>

#include "progress.h"

static double since(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) + (b->tv_nsec - a->tv_nsec) / 1e9;
}

/* bytes as "812 KiB", "45.2 MiB", "1.20 GiB" */
static void fmt_bytes(char *buf, size_t len, uint64_t b)
{
	if (b < (1ULL << 20))
		snprintf(buf, len, "%llu KiB", (unsigned long long)((b + 1023) >> 10));
	else if (b < (1ULL << 30))
		snprintf(buf, len, "%.1f MiB", (double)b / (1 << 20));
	else
		snprintf(buf, len, "%.2f GiB", (double)b / (1 << 30));
}

/* seconds as "0:07", "12:30", "3:02:15" */
static void fmt_duration(char *buf, size_t len, double sec)
{
	unsigned long s = sec < 0 ? 0 : sec > 3.6e8 ? 360000000UL : (unsigned long)(sec + 0.5);

	if (s >= 3600)
		snprintf(buf, len, "%lu:%02lu:%02lu", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(buf, len, "%lu:%02lu", s / 60, s % 60);
}

void progress_format(char *buf, size_t len, const struct progress_state *st,
		     double elapsed)
{
	char done[32], total[32], el[32], left[40];
	double rate = elapsed > 0 ? (double)st->packets / elapsed : 0;

	fmt_bytes(done, sizeof(done), st->bytes_done);
	fmt_duration(el, sizeof(el), elapsed);
	left[0] = 0;
	if (st->bytes_total && st->bytes_done && st->bytes_done <= st->bytes_total &&
	    elapsed > 0) {
		char t[32];

		fmt_duration(t, sizeof(t), elapsed * (double)(st->bytes_total - st->bytes_done) /
			     (double)st->bytes_done);
		snprintf(left, sizeof(left), ", ~%s left", t);
	}
	if (st->bytes_total) {
		fmt_bytes(total, sizeof(total), st->bytes_total);
		snprintf(buf, len, "otsentry: %s of %s (%.0f%%), %llu packets, %.0f pkt/s, %s elapsed%s",
			 done, total,
			 st->bytes_done >= st->bytes_total ? 100.0 :
			 100.0 * (double)st->bytes_done / (double)st->bytes_total,
			 (unsigned long long)st->packets, rate, el, left);
	} else {
		snprintf(buf, len, "otsentry: %s read, %llu packets, %.0f pkt/s, %s elapsed",
			 done, (unsigned long long)st->packets, rate, el);
	}
}

static void draw(struct progress *pg, const struct progress_state *st,
		 const struct timespec *now)
{
	char line[256];

	progress_format(line, sizeof(line), st, since(&pg->start, now));
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	pg->shown = 1;
	pg->last = *now;
}

void progress_start(struct progress *pg, int on)
{
	pg->on = on;
	pg->shown = 0;
	clock_gettime(CLOCK_MONOTONIC, &pg->start);
	pg->last = pg->start;
	pg->last.tv_sec -= 1;   /* the first update draws */
}

int progress_due(struct progress *pg)
{
	struct timespec now;

	if (!pg->on)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return since(&pg->last, &now) * 1000 >= PROGRESS_INTERVAL_MS;
}

void progress_update(struct progress *pg, const struct progress_state *st)
{
	struct timespec now;

	if (!pg->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	draw(pg, st, &now);
}

void progress_clear(struct progress *pg)
{
	if (!pg->on || !pg->shown)
		return;
	fputs("\r\033[K", stderr);
	pg->shown = 0;
	pg->last.tv_sec -= 1;   /* draw again at the next update */
}

void progress_finish(struct progress *pg, const struct progress_state *st)
{
	struct timespec now;

	if (!pg->on)
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	draw(pg, st, &now);
	fputc('\n', stderr);
	pg->shown = 0;
}
