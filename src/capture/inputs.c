/*
 * inputs.c - many capture files as one time-ordered packet stream (see
 * inputs.h).
 *
 * The merge: a binary heap of the open files keyed by the timestamp of the
 * packet each holds (then by input index), and a list of files not opened
 * yet, sorted by the timestamp of their first packet.  Before a packet
 * goes out, every waiting file whose first packet is not later is opened,
 * so the stream is the one a merge of all files open from the start would
 * give, with only the overlapping files open.
 */
#define _GNU_SOURCE     /* qsort_r */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "inputs.h"
#include "pcapfile.h"

struct input {
	struct input_info info;
	char *path;
	pcap_t *p;
	struct pcapfile *pf;            /* read here instead of by p (pcapfile.h) */
	struct infile *f;
	int linktype;
	const struct pcap_pkthdr *hdr;  /* the packet held (open inputs) */
	const unsigned char *data;
	struct timeval start;           /* first packet, from the first look */
	int stream;                     /* standard input, a pipe, a FIFO or a
					 * device: its bytes can be read once */
};

struct inputs {
	struct inputs_config cfg;
	struct input *v;
	uint32_t n, cap;
	int started;
	int limit_reported;

	uint32_t *heap;                 /* open inputs, earliest packet first */
	uint32_t n_heap;
	uint32_t *waiting;              /* not opened yet, in opening order */
	uint32_t n_waiting, next_waiting;

	int has_current;                /* heap[0] was handed out last */
	uint64_t bytes_finished;
	uint64_t late;
	int have_last;
	struct timeval last;            /* last packet handed out */
};

void inputs_config_default(struct inputs_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->max_open = INPUTS_DEFAULT_MAX_OPEN;
	cfg->max_inputs = INPUTS_DEFAULT_MAX_INPUTS;
}

static void say(struct inputs *in, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void say(struct inputs *in, const char *fmt, ...)
{
	char line[4352];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (in->cfg.message)
		in->cfg.message(in->cfg.user, line);
	else
		fprintf(stderr, "%s\n", line);
}

/* Record why an input ends (state FAILED or SKIPPED) and say so. */
static void input_problem(struct inputs *in, struct input *e, enum input_state st,
			  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void input_problem(struct inputs *in, struct input *e, enum input_state st,
			  const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(e->info.error, sizeof(e->info.error), fmt, ap);
	va_end(ap);
	e->info.state = st;
	say(in, "%s: %s%s", e->info.name, e->info.error,
	    st == INPUT_SKIPPED ? ", skipped" : "");
}

struct inputs *inputs_new(const struct inputs_config *cfg)
{
	struct inputs *in = calloc(1, sizeof(*in));

	if (!in)
		return NULL;
	in->cfg = *cfg;
	if (in->cfg.max_open < 1)
		in->cfg.max_open = 1;
	if (in->cfg.max_inputs < 1)
		in->cfg.max_inputs = 1;
	return in;
}

/* A new record for path; NULL when out of memory or over the cap. */
static struct input *input_append(struct inputs *in, const char *path, uint64_t size)
{
	struct input *e;

	if (in->n >= in->cfg.max_inputs) {
		if (!in->limit_reported)
			say(in, "%s: more than %u inputs: this one and the rest are skipped",
			    path, (unsigned)in->cfg.max_inputs);
		in->limit_reported = 1;
		return NULL;
	}
	if (in->n == in->cap) {
		uint32_t cap = in->cap ? in->cap * 2 : 16;
		struct input *v = realloc(in->v, (size_t)cap * sizeof(*v));

		if (!v)
			return NULL;
		in->v = v;
		in->cap = cap;
	}
	e = &in->v[in->n];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	if (!e->path)
		return NULL;
	e->info.name = strcmp(path, "-") == 0 ? "(stdin)" : e->path;
	e->info.size = size;
	in->n++;
	return e;
}

/* An input that is skipped before it is ever opened: recorded (so the
 * summary and the exit status know) and reported. */
static int add_skipped(struct inputs *in, const char *path, const char *why)
{
	struct input *e = input_append(in, path, 0);

	if (!e)
		return in->limit_reported ? 0 : -1;
	input_problem(in, e, INPUT_SKIPPED, "%s", why);
	return 0;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

struct dir_chain {              /* the directories above, for loop checks */
	dev_t dev;
	ino_t ino;
	const struct dir_chain *up;
};

static int add_path(struct inputs *in, const char *path, int depth,
		    const struct dir_chain *up);

/* Every entry of a directory, sorted by name ("." names included: a
 * half-copied file is named too, and gets its line). */
static int add_dir(struct inputs *in, const char *path, const struct stat *st,
		   int depth, const struct dir_chain *up)
{
	struct dir_chain me = { st->st_dev, st->st_ino, up };
	const struct dir_chain *c;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	uint32_t before = in->n;
	struct dirent *d;
	DIR *dir;
	int rc = 0;

	for (c = up; c; c = c->up)
		if (c->dev == st->st_dev && c->ino == st->st_ino)
			return add_skipped(in, path, "directory loop (a link back to a directory above)");
	if (depth > INPUTS_MAX_DEPTH)
		return add_skipped(in, path, "directories nested too deep");
	dir = opendir(path);
	if (!dir)
		return add_skipped(in, path, strerror(errno));
	while ((d = readdir(dir)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			char **nv = realloc(names, ncap * sizeof(*nv));

			if (!nv) {
				rc = -1;
				goto out;
			}
			names = nv;
			cap = ncap;
		}
		names[n] = malloc(strlen(path) + strlen(d->d_name) + 2);
		if (!names[n]) {
			rc = -1;
			goto out;
		}
		sprintf(names[n], "%s%s%s", path,
			path[0] && path[strlen(path) - 1] == '/' ? "" : "/", d->d_name);
		n++;
	}
	if (n > 1)
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n && rc == 0; i++)
		rc = add_path(in, names[i], depth + 1, &me);
	if (rc == 0 && in->n == before && !in->limit_reported)
		say(in, "%s: no capture files in this directory", path);
out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	closedir(dir);
	return rc;
}

static int add_path(struct inputs *in, const char *path, int depth,
		    const struct dir_chain *up)
{
	struct stat st;

	if (in->limit_reported)
		return 0;
	if (strcmp(path, "-") == 0) {
		struct input *e = input_append(in, path, 0);

		if (e)
			e->stream = 1;
		return e || in->limit_reported ? 0 : -1;
	}
	if (stat(path, &st) < 0)
		return add_skipped(in, path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		if (depth > 0 && !in->cfg.recursive) {
			say(in, "%s: a directory, not read (give --recursive to read it)", path);
			return 0;
		}
		return add_dir(in, path, &st, depth, up);
	}
	/* named on the command line: a pipe or a device is fine */
	if (depth > 0 && !S_ISREG(st.st_mode))
		return add_skipped(in, path, "not a regular file");
	{
		struct input *e = input_append(in, path, S_ISREG(st.st_mode) ?
					       (uint64_t)st.st_size : 0);

		if (e)
			e->stream = !S_ISREG(st.st_mode);
		return e || in->limit_reported ? 0 : -1;
	}
}

int inputs_add(struct inputs *in, const char *path)
{
	return add_path(in, path, 0, NULL);
}

/* Open e for reading.  0, -1 skipped (reported), -2 fatal (reported). */
static int input_open(struct inputs *in, struct input *e)
{
	char err[PCAP_ERRBUF_SIZE + 64];
	struct bpf_program prog;
	FILE *fp;

	err[0] = 0;
	fp = infile_open(e->path, &e->f, err, sizeof(err));
	if (!fp) {
		input_problem(in, e, INPUT_SKIPPED, "%s", err);
		return -1;
	}
	e->info.kind = infile_kind(e->f);
	e->p = pcap_fopen_offline(fp, err);
	if (!e->p) {
		fclose(fp);
		e->f = NULL;
		/* no capture magic, or too short to hold one: say what it is */
		if (strstr(err, "unknown file format") || strstr(err, "read 4 file header bytes"))
			input_problem(in, e, INPUT_SKIPPED, "not a capture file (%s)", err);
		else
			input_problem(in, e, INPUT_SKIPPED, "%s", err);
		return -1;
	}
	e->linktype = pcap_datalink(e->p);
	if (in->cfg.linktype_ok && !in->cfg.linktype_ok(e->linktype)) {
		const char *ltn = pcap_datalink_val_to_name(e->linktype);

		pcap_close(e->p);
		e->p = NULL;
		e->f = NULL;
		input_problem(in, e, INPUT_SKIPPED, "unsupported link type %s (%d)",
			      ltn ? ltn : "?", e->linktype);
		return -1;
	}
	if (in->cfg.bpf) {
		memset(&prog, 0, sizeof(prog));
		if (pcap_compile(e->p, &prog, in->cfg.bpf, 1, PCAP_NETMASK_UNKNOWN) < 0 ||
		    pcap_setfilter(e->p, &prog) < 0) {
			say(in, "-f '%s': %s", in->cfg.bpf, pcap_geterr(e->p));
			if (prog.bf_insns)
				pcap_freecode(&prog);
			pcap_close(e->p);
			e->p = NULL;
			e->f = NULL;
			e->info.state = INPUT_SKIPPED;
			snprintf(e->info.error, sizeof(e->info.error), "bad filter");
			return -2;
		}
		pcap_freecode(&prog);
	} else if ((e->pf = pcapfile_open(e->path, e->p)) != NULL) {
		pcap_close(e->p);
		e->p = NULL;
		e->f = pcapfile_infile(e->pf);
	}
	e->info.state = INPUT_OPEN;
	return 0;
}

/* Close e's file, whichever reads it. */
static void input_release(struct input *e)
{
	if (e->p)
		pcap_close(e->p);
	pcapfile_close(e->pf);
	e->p = NULL;
	e->pf = NULL;
	e->f = NULL;
}

static void input_close(struct inputs *in, struct input *e)
{
	uint64_t raw = e->f ? infile_raw_bytes(e->f) : 0;

	input_release(e);
	e->hdr = NULL;
	e->data = NULL;
	in->bytes_finished += e->info.size ? e->info.size : raw;
}

/* e's reader said r (not a packet): record why e ends, report a read
 * error, close it.  Returns 0. */
static int input_ended(struct inputs *in, struct input *e, int r)
{
	if (r == PCAP_ERROR)
		input_problem(in, e, INPUT_FAILED, "%s (after %llu packets)",
			      infile_corrupt(e->f) ? infile_error(e->f) :
			      e->pf ? pcapfile_error(e->pf) : pcap_geterr(e->p),
			      (unsigned long long)e->info.packets);
	else if (infile_error(e->f))
		input_problem(in, e, INPUT_FAILED, "%s (after %llu packets)",
			      infile_error(e->f), (unsigned long long)e->info.packets);
	else
		e->info.state = INPUT_DONE;
	input_close(in, e);
	return 0;
}

/* Read e's next packet into e->hdr.  1 a packet, 0 e has ended (closed,
 * state set, a read error reported). */
static inline __attribute__((always_inline)) int input_advance(struct inputs *in,
								   struct input *e)
{
	struct pcap_pkthdr *ph;
	const struct pcap_pkthdr *h;
	const u_char *d;
	int r;

	if (e->pf) {
		r = pcapfile_next(e->pf, &h, &d);
		if (r == 0)
			r = PCAP_ERROR_BREAK;
	} else {
		r = pcap_next_ex(e->p, &ph, &d);
		h = ph;
	}
	if (r != 1)
		return input_ended(in, e, r);
	if (e->info.packets == 0)
		e->info.first = h->ts;
	else if (timercmp(&h->ts, &e->info.last, <))
		e->info.out_of_order++;
	else
		e->info.last = h->ts;
	if (e->info.packets == 0)
		e->info.last = h->ts;
	e->info.packets++;
	e->hdr = h;
	e->data = d;
	return 1;
}

/* Open e and read its first packet.  1 it holds one, 0 it is skipped or
 * already ended (closed, reported), -1 fatal (reported). */
static int input_begin(struct inputs *in, struct input *e)
{
	int r = input_open(in, e);

	if (r == -2)
		return -1;
	if (r < 0) {
		input_close(in, e);
		return 0;
	}
	return input_advance(in, e);
}

/* Heap order: earlier packet first, then the lower index. */
static int heap_before(const struct inputs *in, uint32_t a, uint32_t b)
{
	const struct timeval *ta = &in->v[a].hdr->ts, *tb = &in->v[b].hdr->ts;

	if (in->cfg.no_merge)
		return a < b;
	if (timercmp(ta, tb, !=))
		return timercmp(ta, tb, <);
	return a < b;
}

static void heap_down(struct inputs *in, uint32_t i)
{
	uint32_t n = in->n_heap, l, m, t;

	for (;;) {
		l = 2 * i + 1;
		m = i;
		if (l < n && heap_before(in, in->heap[l], in->heap[m]))
			m = l;
		if (l + 1 < n && heap_before(in, in->heap[l + 1], in->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		t = in->heap[i];
		in->heap[i] = in->heap[m];
		in->heap[m] = t;
		i = m;
	}
}

static void heap_push(struct inputs *in, uint32_t idx)
{
	uint32_t i = in->n_heap++, parent, t;

	in->heap[i] = idx;
	while (i > 0) {
		parent = (i - 1) / 2;
		if (!heap_before(in, in->heap[i], in->heap[parent]))
			break;
		t = in->heap[i];
		in->heap[i] = in->heap[parent];
		in->heap[parent] = t;
		i = parent;
	}
}

static void heap_pop(struct inputs *in)
{
	in->heap[0] = in->heap[--in->n_heap];
	heap_down(in, 0);
}

static int waiting_cmp(const void *a, const void *b, void *ctx)
{
	const struct inputs *in = ctx;
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	const struct timeval *tx = &in->v[x].start, *ty = &in->v[y].start;

	if (timercmp(tx, ty, !=))
		return timercmp(tx, ty, <) ? -1 : 1;
	return x < y ? -1 : x > y;
}

int inputs_start(struct inputs *in)
{
	uint32_t i;
	int r;

	in->started = 1;
	in->heap = malloc(((size_t)in->cfg.max_open + 1) * sizeof(*in->heap));
	in->waiting = malloc(((size_t)in->n + 1) * sizeof(*in->waiting));
	if (!in->heap || !in->waiting) {
		say(in, "out of memory");
		return -1;
	}
	for (i = 0; i < in->n; i++) {
		struct input *e = &in->v[i];

		if (e->info.state != INPUT_PENDING)
			continue;
		if (in->cfg.no_merge) {
			in->waiting[in->n_waiting++] = i;
			continue;
		}
		/* a first look: where does it start?  (standard input, a
		 * pipe or a FIFO cannot be read twice: it stays open) */
		r = input_begin(in, e);
		if (r < 0)
			return -1;
		if (r == 0)
			continue;       /* skipped, empty, or failed at once */
		if (e->stream && (int)in->n_heap < in->cfg.max_open) {
			heap_push(in, i);
			continue;
		}
		e->start = e->hdr->ts;
		memset(&e->info.first, 0, sizeof(e->info.first));
		memset(&e->info.last, 0, sizeof(e->info.last));
		e->info.packets = 0;
		e->info.out_of_order = 0;
		input_release(e);
		e->hdr = NULL;
		e->info.state = INPUT_PENDING;
		in->waiting[in->n_waiting++] = i;
	}
	if (!in->cfg.no_merge) {
		qsort_r(in->waiting, in->n_waiting, sizeof(*in->waiting), waiting_cmp, in);
	}
	return 0;
}

/* Should the next waiting input be opened before heap[0] goes out? */
static int waiting_due(const struct inputs *in)
{
	const struct input *w, *h;

	if (in->next_waiting >= in->n_waiting)
		return 0;
	if (in->n_heap == 0)
		return 1;
	if (in->cfg.no_merge || (int)in->n_heap >= in->cfg.max_open)
		return 0;
	w = &in->v[in->waiting[in->next_waiting]];
	h = &in->v[in->heap[0]];
	if (timercmp(&w->start, &h->hdr->ts, !=))
		return timercmp(&w->start, &h->hdr->ts, <);
	return in->waiting[in->next_waiting] < in->heap[0];
}

/* Hand out heap[0]'s packet. */
static inline int hand_out(struct inputs *in, struct inputs_packet *pkt)
{
	uint32_t idx = in->heap[0];
	const struct input *e = &in->v[idx];

	if (in->have_last && timercmp(&e->hdr->ts, &in->last, <))
		in->late++;
	else
		in->last = e->hdr->ts;
	in->have_last = 1;
	in->has_current = 1;
	pkt->hdr = e->hdr;
	pkt->data = e->data;
	pkt->linktype = e->linktype;
	pkt->input = idx;
	return 1;
}

int inputs_next(struct inputs *in, struct inputs_packet *pkt)
{
	uint32_t idx;
	int r;

	if (in->has_current) {
		in->has_current = 0;
		idx = in->heap[0];
		if (!input_advance(in, &in->v[idx]))
			heap_pop(in);
		else if (in->n_heap > 1)
			heap_down(in, 0);
		else if (in->next_waiting >= in->n_waiting)
			/* one input open and none to open (a single file):
			 * nothing can come before its next packet */
			return hand_out(in, pkt);
	} else if (!in->started && inputs_start(in) < 0) {
		return -1;
	}
	while (waiting_due(in)) {
		idx = in->waiting[in->next_waiting++];
		r = input_begin(in, &in->v[idx]);
		if (r < 0)
			return -1;
		if (r == 1)
			heap_push(in, idx);
	}
	if (in->n_heap == 0)
		return 0;
	return hand_out(in, pkt);
}

uint32_t inputs_count(const struct inputs *in)
{
	return in->n;
}

const struct input_info *inputs_info(const struct inputs *in, uint32_t i)
{
	return i < in->n ? &in->v[i].info : NULL;
}

void inputs_get_totals(const struct inputs *in, struct inputs_totals *t)
{
	uint32_t i;
	int have = 0;

	memset(t, 0, sizeof(*t));
	t->inputs = in->n;
	t->late = in->late;
	t->skipped = in->limit_reported ? 1 : 0;  /* the inputs over the cap */
	t->bytes_done = in->bytes_finished;
	for (i = 0; i < in->n; i++) {
		const struct input *e = &in->v[i];

		switch (e->info.state) {
		case INPUT_DONE: t->done++; break;
		case INPUT_FAILED: t->failed++; break;
		case INPUT_SKIPPED: t->skipped++; break;
		default: t->pending++; break;
		}
		t->packets += e->info.packets;
		t->out_of_order += e->info.out_of_order;
		t->bytes_total += e->info.size;
		if ((e->p || e->pf) && e->f)
			t->bytes_done += infile_raw_bytes(e->f);
		if (e->info.packets) {
			if (!have || timercmp(&e->info.first, &t->first, <))
				t->first = e->info.first;
			if (!have || timercmp(&e->info.last, &t->last, >))
				t->last = e->info.last;
			have = 1;
		}
	}
}

void inputs_free(struct inputs *in)
{
	uint32_t i;

	if (!in)
		return;
	for (i = 0; i < in->n; i++) {
		input_release(&in->v[i]);
		free(in->v[i].path);
	}
	free(in->v);
	free(in->heap);
	free(in->waiting);
	free(in);
}
