/*
 * capture.c - the reading loop: capture files (inputs.h) or a live
 * interface (libpcap) into the sensor (see capture.h).
 *
 * Signals: the handlers only set flags (and call pcap_breakloop, which is
 * safe from a handler); the loop acts on the flags between batches.  The
 * handle the handler breaks is the one global here, set only while a
 * capture runs.
 */
#include <errno.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "capture.h"
#include "decode.h"
#include "eve.h"
#include "inputs.h"
#include "progress.h"
#include "sensor.h"

#define FILE_BATCH 4096          /* files: packets between two signal checks */
#define PROGRESS_EVERY 256       /* files: packets between two clock reads */
#define LIVE_TIMEOUT_MS 250      /* pcap read timeout: ticks without packets */

static volatile sig_atomic_t sig_stop, sig_hup, sig_usr1, sig_usr2;
static pcap_t *volatile sig_handle;

static void on_signal(int sig)
{
	if (sig == SIGHUP) {
		sig_hup = 1;
	} else if (sig == SIGUSR1) {
		sig_usr1 = 1;
	} else if (sig == SIGUSR2) {
		sig_usr2 = 1;
	} else {
		sig_stop = 1;
		if (sig_handle)
			pcap_breakloop(sig_handle);
	}
}

static void signals_install(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;                /* no SA_RESTART: reads return EINTR */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);
	sig_stop = sig_hup = sig_usr1 = sig_usr2 = 0;
}

static void signals_restore(void)
{
	sig_handle = NULL;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	/* nothing to reopen or snapshot now, and a log rotation must not end
	 * the run while the final reports are written */
	signal(SIGHUP, SIG_IGN);
	signal(SIGUSR1, SIG_IGN);
	signal(SIGUSR2, SIG_IGN);
}

/* SIGHUP / SIGUSR1 requests, acted on outside the handler. */
static void signals_poll(struct sensor *s, const struct timeval *now)
{
	if (sig_hup) {
		sig_hup = 0;
		eve_reopen(sensor_eve(s));
	}
	if (sig_usr1) {
		sig_usr1 = 0;
		sensor_request_snapshot(s, now);
	}
	if (sig_usr2) {
		sig_usr2 = 0;
		sensor_request_reload(s, now);
	}
}

void capture_config_default(struct capture_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->snaplen = 262144;
	cfg->buffer_mb = 64;
	cfg->promisc = 1;
	cfg->stats_interval = 60;
}

struct cap_ctx {
	struct sensor *s;
	int linktype;
	uint64_t packets;
	struct timeval last;
};

static void on_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct cap_ctx *cc = (struct cap_ctx *)(void *)user;

	cc->packets++;
	cc->last = h->ts;
	sensor_packet(cc->s, cc->linktype, &h->ts, h->caplen, h->len, bytes);
}

static int set_filter(pcap_t *p, const char *bpf, const char *what)
{
	struct bpf_program prog;

	if (!bpf)
		return 0;
	if (pcap_compile(p, &prog, bpf, 1, PCAP_NETMASK_UNKNOWN) < 0) {
		fprintf(stderr, "otsentry: -f '%s': %s\n", bpf, pcap_geterr(p));
		return -1;
	}
	if (pcap_setfilter(p, &prog) < 0) {
		fprintf(stderr, "otsentry: %s: cannot set filter: %s\n", what, pcap_geterr(p));
		pcap_freecode(&prog);
		return -1;
	}
	pcap_freecode(&prog);
	return 0;
}

static int check_linktype(pcap_t *p, const char *what)
{
	int lt = pcap_datalink(p);

	if (decode_linktype_supported(lt))
		return lt;
	fprintf(stderr, "otsentry: %s: unsupported link type %s (%d)\n", what,
		pcap_datalink_val_to_name(lt) ? pcap_datalink_val_to_name(lt) : "?", lt);
	return -1;
}

/* A line from the inputs: the progress line makes way for it. */
static void on_input_message(void *user, const char *text)
{
	progress_clear(user);
	fprintf(stderr, "otsentry: %s\n", text);
}

static void progress_of(const struct inputs *in, struct progress_state *st)
{
	struct inputs_totals t;

	inputs_get_totals(in, &t);
	st->bytes_done = t.bytes_done;
	st->bytes_total = t.bytes_total;
	st->packets = t.packets;
}

/* "2024-05-01 10:00:00" (UTC) */
static void fmt_time(char *buf, size_t len, const struct timeval *tv)
{
	struct tm tm;
	time_t t = tv->tv_sec;

	if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, len, "%lld", (long long)tv->tv_sec);
}

static void print_input(const struct input_info *ii)
{
	char a[32], b[32], ooo[48];

	ooo[0] = 0;
	if (ii->out_of_order)
		snprintf(ooo, sizeof(ooo), ", %llu out of order",
			 (unsigned long long)ii->out_of_order);
	if (ii->state == INPUT_SKIPPED) {
		fprintf(stderr, "  %s: skipped: %s\n", ii->name, ii->error);
	} else if (ii->state == INPUT_PENDING) {
		fprintf(stderr, "  %s: not read\n", ii->name);
	} else if (ii->packets == 0) {
		fprintf(stderr, "  %s: no packets%s%s\n", ii->name,
			ii->error[0] ? ", error: " : "", ii->error);
	} else {
		fmt_time(a, sizeof(a), &ii->first);
		fmt_time(b, sizeof(b), &ii->last);
		fprintf(stderr, "  %s: %llu packets, %s .. %s UTC%s%s%s\n", ii->name,
			(unsigned long long)ii->packets, a, b, ooo,
			ii->error[0] ? ", error: " : "", ii->error);
	}
}

#define LIST_ALL_UP_TO 20       /* more inputs than this: the compact list */

/* The inputs at the end of a run with several. */
static void print_inputs(const struct inputs *in)
{
	struct inputs_totals t;
	uint32_t i, n = inputs_count(in), shown = 0, problems;
	char a[32], b[32];

	inputs_get_totals(in, &t);
	problems = t.failed + t.skipped + t.pending;
	fprintf(stderr, "otsentry: %u inputs: %u read whole, %u with errors, %u skipped",
		(unsigned)t.inputs, (unsigned)t.done, (unsigned)t.failed, (unsigned)t.skipped);
	if (t.pending)
		fprintf(stderr, ", %u not read", (unsigned)t.pending);
	if (t.packets) {
		fmt_time(a, sizeof(a), &t.first);
		fmt_time(b, sizeof(b), &t.last);
		fprintf(stderr, "; packets from %s to %s UTC", a, b);
	}
	fputc('\n', stderr);
	if (t.out_of_order || t.late)
		fprintf(stderr, "otsentry: %llu packets out of order inside their file, "
			"%llu out of time order in the merged stream\n",
			(unsigned long long)t.out_of_order, (unsigned long long)t.late);
	for (i = 0; i < n; i++) {
		const struct input_info *ii = inputs_info(in, i);

		if (n > LIST_ALL_UP_TO && ii->state == INPUT_DONE)
			continue;
		if (n > LIST_ALL_UP_TO && shown == LIST_ALL_UP_TO) {
			fprintf(stderr, "  ... and %u more with problems\n",
				(unsigned)(problems - shown));
			break;
		}
		print_input(ii);
		shown++;
	}
}

int capture_files(struct sensor *s, const char *const *paths, int n,
		  const struct capture_config *cfg, struct capture_result *res)
{
	struct inputs_config icfg;
	struct inputs_totals t;
	struct inputs_packet pkt;
	struct progress pg;
	struct progress_state st;
	struct inputs *in;
	uint64_t count = 0;
	int i, r = 0;

	memset(res, 0, sizeof(*res));
	if (cfg->on_open && cfg->on_open(cfg->on_open_ud) < 0) {
		res->files_failed = n;
		return -1;
	}
	progress_start(&pg, cfg->progress);
	inputs_config_default(&icfg);
	icfg.bpf = cfg->bpf;
	icfg.recursive = cfg->recursive;
	icfg.no_merge = cfg->no_merge;
	if (cfg->max_open > 0)
		icfg.max_open = cfg->max_open;
	icfg.linktype_ok = decode_linktype_supported;
	icfg.message = on_input_message;
	icfg.user = &pg;
	in = inputs_new(&icfg);
	if (!in) {
		fputs("otsentry: out of memory\n", stderr);
		return -1;
	}
	for (i = 0; i < n && r == 0; i++)
		r = inputs_add(in, paths[i]);
	if (r < 0) {
		fputs("otsentry: out of memory\n", stderr);
		inputs_free(in);
		return -1;
	}
	signals_install();
	r = inputs_start(in);
	while (r == 0 && !sig_stop) {
		r = inputs_next(in, &pkt);
		if (r <= 0)
			break;
		r = 0;
		sensor_packet(s, pkt.linktype, &pkt.hdr->ts, pkt.hdr->caplen, pkt.hdr->len,
			      pkt.data);
		if (++count % PROGRESS_EVERY == 0) {
			if (count % FILE_BATCH == 0)
				signals_poll(s, &pkt.hdr->ts);
			/* the totals walk every input: only when it is time */
			if (progress_due(&pg)) {
				progress_of(in, &st);
				progress_update(&pg, &st);
			}
		}
	}
	signals_restore();
	if (pg.on) {
		progress_of(in, &st);
		progress_finish(&pg, &st);
	}
	inputs_get_totals(in, &t);
	res->packets = t.packets;
	res->files_ok = (int)t.done;
	res->files_failed = (int)(t.failed + t.skipped);
	res->files_skipped = (int)t.skipped;
	if (!cfg->quiet && t.inputs > 1)
		print_inputs(in);
	inputs_free(in);
	if (r < 0)
		return -1;
	return res->files_ok > 0 || res->packets > 0 ? 0 : -1;
}

int capture_live(struct sensor *s, const char *iface,
		 const struct capture_config *cfg, struct capture_result *res)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct cap_ctx cc;
	struct timeval now, last_stats;
	struct pcap_stat ps;
	pcap_t *p;
	int r, rc = 0, fd;

	memset(res, 0, sizeof(*res));
	errbuf[0] = 0;
	p = pcap_create(iface, errbuf);
	if (!p) {
		fprintf(stderr, "otsentry: %s: %s\n", iface, errbuf);
		return -1;
	}
	pcap_set_snaplen(p, cfg->snaplen > 0 ? cfg->snaplen : 262144);
	pcap_set_promisc(p, cfg->promisc);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	if (cfg->buffer_mb > 0)
		pcap_set_buffer_size(p, cfg->buffer_mb << 20);
	r = pcap_activate(p);
	if (r < 0) {
		fprintf(stderr, "otsentry: %s: %s%s%s\n", iface, pcap_statustostr(r),
			r == PCAP_ERROR || r == PCAP_ERROR_NO_SUCH_DEVICE ||
			r == PCAP_ERROR_PERM_DENIED ? ": " : "",
			r == PCAP_ERROR || r == PCAP_ERROR_NO_SUCH_DEVICE ||
			r == PCAP_ERROR_PERM_DENIED ? pcap_geterr(p) : "");
		pcap_close(p);
		res->files_failed = 1;
		return -1;
	}
	if (r > 0)
		fprintf(stderr, "otsentry: %s: warning: %s\n", iface, pcap_statustostr(r));
	memset(&cc, 0, sizeof(cc));
	cc.s = s;
	cc.linktype = check_linktype(p, iface);
	if (cc.linktype < 0 || set_filter(p, cfg->bpf, iface) < 0 ||
	    (cfg->on_open && cfg->on_open(cfg->on_open_ud) < 0)) {
		pcap_close(p);
		res->files_failed = 1;
		return -1;
	}

	/* Non-blocking reads behind our own poll(): time passes (ticks, stats,
	 * signals) even when no packet comes, which a pcap read timeout does
	 * not promise on every platform. */
	fd = pcap_setnonblock(p, 1, errbuf) == 0 ? pcap_get_selectable_fd(p) : -1;
	signals_install();
	sig_handle = p;
	gettimeofday(&last_stats, NULL);
	while (!sig_stop) {
		if (fd >= 0) {
			struct pollfd pfd = { .fd = fd, .events = POLLIN };

			if (poll(&pfd, 1, LIVE_TIMEOUT_MS) < 0 && errno != EINTR) {
				fprintf(stderr, "otsentry: %s: poll: %s\n", iface, strerror(errno));
				rc = -1;
				break;
			}
		}
		r = pcap_dispatch(p, -1, on_packet, (u_char *)(void *)&cc);
		if (r == PCAP_ERROR) {
			fprintf(stderr, "otsentry: %s: %s\n", iface, pcap_geterr(p));
			rc = -1;
			break;
		}
		if (r == PCAP_ERROR_BREAK)
			break;
		gettimeofday(&now, NULL);
		sensor_tick(s, &now);
		signals_poll(s, &now);
		if (cfg->stats_interval > 0 &&
		    (double)(now.tv_sec - last_stats.tv_sec) +
		    (now.tv_usec - last_stats.tv_usec) / 1e6 >= cfg->stats_interval) {
			if (pcap_stats(p, &ps) == 0)
				sensor_set_capture_stats(s, ps.ps_recv, ps.ps_drop, ps.ps_ifdrop);
			sensor_write_stats(s, &now);
			last_stats = now;
		}
		eve_flush(sensor_eve(s));
	}
	if (pcap_stats(p, &ps) == 0)
		sensor_set_capture_stats(s, ps.ps_recv, ps.ps_drop, ps.ps_ifdrop);
	sig_handle = NULL;
	signals_restore();
	res->packets = cc.packets;
	res->files_ok = rc == 0;
	res->files_failed = rc != 0;
	pcap_close(p);
	return rc;
}
