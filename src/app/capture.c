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
#include <net/if.h>
#include <poll.h>
#include <pcap/pcap.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
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

/* ---- live capture: one or more interfaces ---- */

#define REOPEN_FIRST 1.0         /* seconds before the first reopen attempt */
#define REOPEN_MAX 30.0          /* the backoff doubles up to this */

struct live_if {
	const char *name;
	int idx;                        /* the sensor's interface index */
	pcap_t *p;                      /* NULL while down */
	int fd, linktype;
	unsigned ifindex;               /* at open; 0: unknown (e.g. "any") */
	struct sensor_iface_stats st;
	struct pcap_stat now;           /* of the handle open now */
	uint64_t closed_recv, closed_drop, closed_ifdrop; /* of handles closed */
	double backoff;
	struct timeval retry_at, down_since, last_packet;
	int ever_open, silent;
	struct sensor *s;
};

static double tv_diff(const struct timeval *a, const struct timeval *b)
{
	return (double)(a->tv_sec - b->tv_sec) + (double)(a->tv_usec - b->tv_usec) / 1e6;
}

static void on_live_packet(u_char *user, const struct pcap_pkthdr *h, const u_char *bytes)
{
	struct live_if *li = (struct live_if *)(void *)user;

	li->st.packets++;
	sensor_packet(li->s, li->linktype, &h->ts, h->caplen, h->len, bytes);
}

/* Open li's handle: 0, or -1 with the reason in err; fatal set when
 * trying again cannot help (bad filter, link type). */
static int live_open(struct live_if *li, const struct capture_config *cfg, char *err,
		     size_t errlen, int *fatal)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *p;
	int r;

	*fatal = 0;
	errbuf[0] = 0;
	p = pcap_create(li->name, errbuf);
	if (!p) {
		snprintf(err, errlen, "%s", errbuf);
		return -1;
	}
	pcap_set_snaplen(p, cfg->snaplen > 0 ? cfg->snaplen : 262144);
	pcap_set_promisc(p, cfg->promisc);
	pcap_set_timeout(p, LIVE_TIMEOUT_MS);
	if (cfg->buffer_mb > 0)
		pcap_set_buffer_size(p, cfg->buffer_mb << 20);
	r = pcap_activate(p);
	if (r < 0) {
		snprintf(err, errlen, "%s%s%s", pcap_statustostr(r),
			 r == PCAP_ERROR || r == PCAP_ERROR_NO_SUCH_DEVICE ||
			 r == PCAP_ERROR_PERM_DENIED ? ": " : "",
			 r == PCAP_ERROR || r == PCAP_ERROR_NO_SUCH_DEVICE ||
			 r == PCAP_ERROR_PERM_DENIED ? pcap_geterr(p) : "");
		pcap_close(p);
		return -1;
	}
	if (r > 0)
		fprintf(stderr, "otsentry: %s: warning: %s\n", li->name, pcap_statustostr(r));
	li->linktype = check_linktype(p, li->name);
	if (li->linktype < 0 || set_filter(p, cfg->bpf, li->name) < 0) {
		snprintf(err, errlen, "cannot capture");
		*fatal = 1;
		pcap_close(p);
		return -1;
	}
	/* Non-blocking reads behind our own poll(): time passes (ticks,
	 * stats, signals) even when no packet comes. */
	li->fd = pcap_setnonblock(p, 1, errbuf) == 0 ? pcap_get_selectable_fd(p) : -1;
	li->ifindex = if_nametoindex(li->name);
	li->p = p;
	li->st.up = 1;
	memset(&li->now, 0, sizeof(li->now));
	return 0;
}

static void live_update_stats(struct live_if *li)
{
	struct pcap_stat ps;

	if (li->p && pcap_stats(li->p, &ps) == 0)
		li->now = ps;
	li->st.kernel_recv = li->closed_recv + li->now.ps_recv;
	li->st.kernel_drop = li->closed_drop + li->now.ps_drop;
	li->st.kernel_ifdrop = li->closed_ifdrop + li->now.ps_ifdrop;
	sensor_set_iface_stats(li->s, li->idx, &li->st);
}

/* The interface went away: close, report, try again after a while. */
static void live_down(struct live_if *li, const struct timeval *now, const char *why)
{
	json_t *x = json_object();

	live_update_stats(li);
	li->closed_recv = li->st.kernel_recv;
	li->closed_drop = li->st.kernel_drop;
	li->closed_ifdrop = li->st.kernel_ifdrop;
	memset(&li->now, 0, sizeof(li->now));
	pcap_close(li->p);
	li->p = NULL;
	li->fd = -1;
	li->st.up = 0;
	li->st.downs++;
	li->down_since = *now;
	li->backoff = REOPEN_FIRST;
	li->retry_at = *now;
	li->retry_at.tv_sec += (time_t)REOPEN_FIRST;
	li->silent = 0;
	json_object_set_new(x, "packets", json_integer((json_int_t)li->st.packets));
	sensor_health(li->s, now, "interface_down", li->name, x,
		      "%s: capture stopped: %s; trying again every %g s at most", li->name, why,
		      REOPEN_MAX);
	sensor_set_iface_stats(li->s, li->idx, &li->st);
}

/* A down interface, when its time has come: open it again or wait twice
 * as long (at most REOPEN_MAX). */
static void live_retry(struct live_if *li, const struct capture_config *cfg,
		       const struct timeval *now)
{
	char err[PCAP_ERRBUF_SIZE + 64];
	double gap;
	int fatal;
	json_t *x;

	if (timercmp(now, &li->retry_at, <))
		return;
	if (live_open(li, cfg, err, sizeof(err), &fatal) < 0) {
		li->backoff = li->backoff * 2 > REOPEN_MAX ? REOPEN_MAX : li->backoff * 2;
		li->retry_at = *now;
		li->retry_at.tv_sec += (time_t)li->backoff;
		return;
	}
	gap = tv_diff(now, &li->down_since);
	li->st.reopens++;
	li->st.down_seconds += (uint64_t)(gap + 0.5);
	li->ever_open = 1;
	li->last_packet = *now;
	x = json_object();
	json_object_set_new(x, "down_seconds", json_real(gap));
	sensor_health(li->s, now, "interface_up", li->name, x,
		      "%s: capture resumed after %.1f s; packets in that time were not seen",
		      li->name, gap);
	sensor_set_iface_stats(li->s, li->idx, &li->st);
}

/* An open interface that was removed, replaced or set down: 1 and why. */
static int live_gone(const struct live_if *li, char *why, size_t len)
{
	struct ifreq ifr;
	unsigned idx;

	if (!li->ifindex)
		return 0;               /* "any" and the like: nothing to watch */
	idx = if_nametoindex(li->name);
	if (idx == 0) {
		snprintf(why, len, "the interface is gone");
		return 1;
	}
	if (idx != li->ifindex) {
		snprintf(why, len, "the interface was replaced");
		return 1;
	}
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", li->name);
	if (li->fd >= 0 && ioctl(li->fd, SIOCGIFFLAGS, &ifr) == 0 && !(ifr.ifr_flags & IFF_UP)) {
		snprintf(why, len, "the interface is down");
		return 1;
	}
	return 0;
}

/* No packet for cfg->silence seconds: a dead mirror port looks exactly
 * like a quiet plant, so say so (once, until packets come again). */
static void live_silence(struct live_if *li, const struct capture_config *cfg,
			 const struct timeval *now, uint64_t before)
{
	if (li->st.packets != before) {
		if (li->silent) {
			json_t *x = json_object();

			json_object_set_new(x, "silent_seconds", json_real(tv_diff(now, &li->last_packet)));
			sensor_health(li->s, now, "interface_traffic", li->name, x,
				      "%s: packets again after %.0f s without any", li->name,
				      tv_diff(now, &li->last_packet));
		}
		li->silent = 0;
		li->last_packet = *now;
		return;
	}
	if (cfg->silence > 0 && !li->silent && tv_diff(now, &li->last_packet) >= cfg->silence) {
		li->silent = 1;
		sensor_health(li->s, now, "interface_silent", li->name, NULL,
			      "%s: no packet for %.0f s: is the mirror port still fed?",
			      li->name, tv_diff(now, &li->last_packet));
	}
}

int capture_live(struct sensor *s, const char *const *ifaces, int n,
		 const struct capture_config *cfg, struct capture_result *res)
{
	struct live_if li[SENSOR_MAX_IFACES];
	struct pollfd pfd[SENSOR_MAX_IFACES];
	struct timeval now, last_stats, last_watch;
	char err[PCAP_ERRBUF_SIZE + 64];
	int i, r, rc = 0, fatal, opened = 0, np;
	uint64_t before[SENSOR_MAX_IFACES];

	memset(res, 0, sizeof(*res));
	memset(li, 0, sizeof(li));
	if (n < 1 || n > SENSOR_MAX_IFACES) {
		fprintf(stderr, "otsentry: -i: 1 to %d interfaces\n", SENSOR_MAX_IFACES);
		return -1;
	}
	gettimeofday(&now, NULL);
	for (i = 0; i < n; i++) {
		li[i].name = ifaces[i];
		li[i].s = s;
		li[i].fd = -1;
		li[i].idx = sensor_add_iface(s, ifaces[i]);
		if (li[i].idx < 0)
			return -1;
	}
	for (i = 0; i < n; i++) {
		if (live_open(&li[i], cfg, err, sizeof(err), &fatal) == 0) {
			li[i].ever_open = 1;
			li[i].last_packet = now;
			opened++;
			continue;
		}
		if (fatal) {
			rc = -1;
			break;
		}
		/* not there yet: the others start, this one is tried again */
		fprintf(stderr, "otsentry: %s: %s\n", li[i].name, err);
		li[i].down_since = now;
		li[i].backoff = REOPEN_FIRST;
		li[i].retry_at = now;
		li[i].retry_at.tv_sec += (time_t)REOPEN_FIRST;
	}
	if (rc == 0 && opened == 0)
		rc = -1;                /* nothing to capture on at all */
	if (rc == 0 && cfg->on_open && cfg->on_open(cfg->on_open_ud) < 0)
		rc = -1;
	if (rc < 0) {
		for (i = 0; i < n; i++)
			if (li[i].p)
				pcap_close(li[i].p);
		res->files_failed = n;
		return -1;
	}
	for (i = 0; i < n; i++)
		if (!li[i].p)
			sensor_health(s, &now, "interface_down", li[i].name, NULL,
				      "%s: cannot capture yet; trying again every %g s at most",
				      li[i].name, REOPEN_MAX);

	signals_install();
	sig_handle = NULL;
	last_stats = last_watch = now;
	while (!sig_stop) {
		for (i = np = 0; i < n; i++)
			if (li[i].p && li[i].fd >= 0)
				pfd[np++] = (struct pollfd){ .fd = li[i].fd, .events = POLLIN };
		if (poll(pfd, (nfds_t)np, LIVE_TIMEOUT_MS) < 0 && errno != EINTR) {
			fprintf(stderr, "otsentry: poll: %s\n", strerror(errno));
			rc = -1;
			break;
		}
		gettimeofday(&now, NULL);
		for (i = 0; i < n && !sig_stop; i++) {
			before[i] = li[i].st.packets;
			if (!li[i].p)
				continue;
			sensor_set_iface(s, li[i].idx);
			sig_handle = li[i].p;
			r = pcap_dispatch(li[i].p, -1, on_live_packet, (u_char *)(void *)&li[i]);
			sig_handle = NULL;
			if (r == PCAP_ERROR_BREAK)
				break;
			if (r < 0) {
				snprintf(err, sizeof(err), "%s", pcap_geterr(li[i].p));
				live_down(&li[i], &now, err);
			}
		}
		if (sig_stop)
			break;
		gettimeofday(&now, NULL);
		for (i = 0; i < n; i++) {
			if (li[i].p)
				live_silence(&li[i], cfg, &now, before[i]);
		}
		if (tv_diff(&now, &last_watch) >= 1.0) {
			/* once a second: interfaces that went away, and those to retry */
			last_watch = now;
			for (i = 0; i < n; i++) {
				if (li[i].p && live_gone(&li[i], err, sizeof(err)))
					live_down(&li[i], &now, err);
				else if (!li[i].p)
					live_retry(&li[i], cfg, &now);
			}
		}
		sensor_tick(s, &now);
		signals_poll(s, &now);
		if (cfg->stats_interval > 0 && tv_diff(&now, &last_stats) >= cfg->stats_interval) {
			for (i = 0; i < n; i++)
				live_update_stats(&li[i]);
			sensor_write_stats(s, &now);
			last_stats = now;
		}
		eve_flush(sensor_eve(s));
	}
	for (i = 0; i < n; i++) {
		live_update_stats(&li[i]);
		res->packets += li[i].st.packets;
		if (li[i].ever_open)
			res->files_ok++;
		else
			res->files_skipped++;
	}
	res->files_failed = res->files_skipped + (rc != 0 && res->files_ok);
	sig_handle = NULL;
	signals_restore();
	for (i = 0; i < n; i++)
		if (li[i].p)
			pcap_close(li[i].p);
	return rc;
}
