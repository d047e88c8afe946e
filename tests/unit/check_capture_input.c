/*
 * check_capture_input.c - capture files in: gzip and zstd through infile.h
 * (whole, several members/frames, cut short, corrupt), and the merge of
 * inputs.h (time order across files, rotated files in turn, out-of-order
 * packets counted, equal timestamps, the open-file bound, --no-merge,
 * directories with things that are not captures).
 *
 * Every capture is written here with pcap_dump; each packet carries its
 * file number and sequence number so the order can be checked.
 */
#include <check.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

#include "infile.h"
#include "inputs.h"
#include "pcapfile.h"

static char tmpdir[256];

static void setup(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/check_capin.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	ck_assert_int_eq(system(cmd), 0);
}

static const char *tpath(const char *name)
{
	static char buf[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(buf[k], sizeof(buf[k]), "%s/%s", tmpdir, name);
	return buf[k];
}

/* A capture of n Ethernet frames: frame i at time secs[i] (milliseconds
 * after 1700000000 s), bytes 14/15 = file, 16/17 = i. */
static void write_pcap(const char *path, int file, const long *ms, int n)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d;
	unsigned char frame[60];
	struct pcap_pkthdr h;
	int i;

	ck_assert_ptr_nonnull(dead);
	d = pcap_dump_open(dead, path);
	ck_assert_ptr_nonnull(d);
	for (i = 0; i < n; i++) {
		memset(frame, 0, sizeof(frame));
		frame[12] = 0x08;       /* IPv4 ethertype; the body is filler */
		frame[14] = (unsigned char)file;
		frame[16] = (unsigned char)(i >> 8);
		frame[17] = (unsigned char)i;
		memset(&h, 0, sizeof(h));
		h.ts.tv_sec = 1700000000 + ms[i] / 1000;
		h.ts.tv_usec = (ms[i] % 1000) * 1000;
		h.caplen = h.len = sizeof(frame);
		pcap_dump((u_char *)d, &h, frame);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf;
	long n;

	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc((size_t)n + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void spit(const char *path, const void *buf, size_t len)
{
	FILE *f = fopen(path, "wb");

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fwrite(buf, 1, len, f), len);
	fclose(f);
}

/* gzip of src into dst as `members` gzip members. */
static void gzip_file(const char *src, const char *dst, int members)
{
	size_t len, off = 0, part;
	unsigned char *buf = slurp(src, &len);
	FILE *out = fopen(dst, "wb");
	int m;

	ck_assert_ptr_nonnull(out);
	for (m = 0; m < members; m++) {
		z_stream z;
		unsigned char zb[65536];

		part = m == members - 1 ? len - off : len / members;
		memset(&z, 0, sizeof(z));
		ck_assert_int_eq(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
					      Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = buf + off;
		z.avail_in = (uInt)part;
		for (;;) {
			int r;

			z.next_out = zb;
			z.avail_out = sizeof(zb);
			r = deflate(&z, Z_FINISH);
			fwrite(zb, 1, sizeof(zb) - z.avail_out, out);
			if (r == Z_STREAM_END)
				break;
			ck_assert_int_eq(r, Z_OK);
		}
		deflateEnd(&z);
		off += part;
	}
	fclose(out);
	free(buf);
}

/* zstd of src into dst as `frames` frames. */
static void zstd_file(const char *src, const char *dst, int frames)
{
	size_t len, off = 0, part, cap, n;
	unsigned char *buf = slurp(src, &len);
	FILE *out = fopen(dst, "wb");
	void *zb;
	int m;

	ck_assert_ptr_nonnull(out);
	cap = ZSTD_compressBound(len);
	ZSTD_CCtx *cctx = ZSTD_createCCtx();

	zb = malloc(cap);
	ck_assert_ptr_nonnull(zb);
	ck_assert_ptr_nonnull(cctx);
	ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);   /* as the zstd tool */
	for (m = 0; m < frames; m++) {
		part = m == frames - 1 ? len - off : len / frames;
		n = ZSTD_compress2(cctx, zb, cap, buf + off, part);
		ck_assert(!ZSTD_isError(n));
		fwrite(zb, 1, n, out);
		off += part;
	}
	fclose(out);
	ZSTD_freeCCtx(cctx);
	free(zb);
	free(buf);
}

/* dst = src with n bytes 0xff at off (0: in the middle). */
static void spoil_copy(const char *src, const char *dst, size_t off, size_t n)
{
	size_t len;
	unsigned char *buf = slurp(src, &len);

	if (off == 0)
		off = len / 2;
	ck_assert_uint_le(off + n, len);
	memset(buf + off, 0xff, n);
	spit(dst, buf, len);
	free(buf);
}

static void cut_file(const char *src, const char *dst, size_t keep)
{
	size_t len;
	unsigned char *buf = slurp(src, &len);

	ck_assert_uint_lt(keep, len);
	spit(dst, buf, keep);
	free(buf);
}

/* Read path through infile + libpcap; the sequence numbers in seq[].
 * Returns the packet count; *err gets pcap's error or "" at a clean end. */
static int read_all(const char *path, int *seq, int max, char *err, size_t errlen,
		    const char **inferr)
{
	char eb[PCAP_ERRBUF_SIZE];
	struct infile *inf;
	struct pcap_pkthdr *h;
	const u_char *d;
	static char saved[160];
	FILE *fp = infile_open(path, &inf, eb, sizeof(eb));
	pcap_t *p;
	int n = 0, r;

	ck_assert_msg(fp != NULL, "%s: %s", path, eb);
	p = pcap_fopen_offline(fp, eb);
	ck_assert_msg(p != NULL, "%s: %s", path, eb);
	while ((r = pcap_next_ex(p, &h, &d)) == 1) {
		if (n < max)
			seq[n] = d[16] << 8 | d[17];
		n++;
	}
	snprintf(err, errlen, "%s", r == PCAP_ERROR ? pcap_geterr(p) : "");
	saved[0] = 0;
	if (infile_error(inf))
		snprintf(saved, sizeof(saved), "%s", infile_error(inf));
	*inferr = saved[0] ? saved : NULL;
	pcap_close(p);
	return n;
}

/* Open path as libpcap would and count its packets; -1 when the open
 * fails (err: libpcap's reason). */
static int read_all_may_fail(const char *path, char *err, size_t errlen)
{
	struct infile *inf;
	FILE *fp = infile_open(path, &inf, err, errlen);
	pcap_t *p;
	char eb[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *d;
	int n = 0;

	ck_assert_uint_ge(errlen, 512);
	if (!fp)
		return -1;
	p = pcap_fopen_offline(fp, eb);
	if (!p) {
		snprintf(err, errlen, "%.256s: %.200s", eb,
			 infile_error(inf) ? infile_error(inf) : "-");
		fclose(fp);
		return -1;
	}
	while (pcap_next_ex(p, &h, &d) == 1)
		n++;
	pcap_close(p);
	return n;
}

static long linear_ms[300];

static void fill_linear(int n, long start, long step)
{
	int i;

	for (i = 0; i < n; i++)
		linear_ms[i] = start + i * step;
}

/* a.pcap (300 packets, 10 ms apart), a.gz, a.zst (8 small frames: a frame
 * gives its bytes only once it is whole) */
static void make_samples(void)
{
	fill_linear(300, 0, 10);
	write_pcap(tpath("a.pcap"), 1, linear_ms, 300);
	gzip_file(tpath("a.pcap"), tpath("a.gz"), 1);
	zstd_file(tpath("a.pcap"), tpath("a.zst"), 8);
}

START_TEST(test_gzip_zstd_whole)
{
	int seq[300], n, i;
	char err[256];
	const char *ie;
	struct infile *inf;

	fill_linear(300, 0, 10);
	write_pcap(tpath("a.pcap"), 1, linear_ms, 300);
	gzip_file(tpath("a.pcap"), tpath("a.gz"), 1);
	gzip_file(tpath("a.pcap"), tpath("a3.gz"), 3);
	zstd_file(tpath("a.pcap"), tpath("a.zst"), 1);
	zstd_file(tpath("a.pcap"), tpath("a4.zst"), 4);
	/* by magic, not by name */
	gzip_file(tpath("a.pcap"), tpath("gz-named.pcap"), 1);

	const char *names[] = { "a.pcap", "a.gz", "a3.gz", "a.zst", "a4.zst", "gz-named.pcap" };
	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		n = read_all(tpath(names[k]), seq, 300, err, sizeof(err), &ie);
		ck_assert_msg(n == 300, "%s: %d packets", names[k], n);
		ck_assert_str_eq(err, "");
		ck_assert_ptr_null(ie);
		for (i = 0; i < 300; i++)
			ck_assert_int_eq(seq[i], i);
	}
	FILE *fp = infile_open(tpath("gz-named.pcap"), &inf, err, sizeof(err));
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(infile_kind(inf), INFILE_GZIP);
	fclose(fp);
	fp = infile_open(tpath("a4.zst"), &inf, err, sizeof(err));
	ck_assert_ptr_nonnull(fp);
	ck_assert_int_eq(infile_kind(inf), INFILE_ZSTD);
	fclose(fp);
}
END_TEST

/* A compressed file cut short reads like the plain file cut at the
 * matching place: the packets before, then libpcap's "truncated" error, or
 * (cut on a packet boundary) infile_error. */
START_TEST(test_truncated)
{
	int seq[300], n, nplain;
	char err[256], perr[256];
	const char *ie;
	size_t len;
	unsigned char *buf;

	make_samples();

	/* plain, cut in the middle of a packet */
	cut_file(tpath("a.pcap"), tpath("cut.pcap"), 24 + 100 * 76 + 30);
	nplain = read_all(tpath("cut.pcap"), seq, 300, perr, sizeof(perr), &ie);
	ck_assert_int_eq(nplain, 100);
	ck_assert_ptr_nonnull(strstr(perr, "truncated"));

	buf = slurp(tpath("a.gz"), &len);
	free(buf);
	cut_file(tpath("a.gz"), tpath("cut.gz"), len / 2);
	n = read_all(tpath("cut.gz"), seq, 300, err, sizeof(err), &ie);
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, 300);
	ck_assert_msg(strstr(err, "truncated") || (ie && strstr(ie, "truncated")),
		      "gzip cut: '%s' / '%s'", err, ie ? ie : "");
	ck_assert_ptr_nonnull(ie);

	buf = slurp(tpath("a.zst"), &len);
	free(buf);
	cut_file(tpath("a.zst"), tpath("cut.zst"), len / 2);
	n = read_all(tpath("cut.zst"), seq, 300, err, sizeof(err), &ie);
	ck_assert_int_gt(n, 0);
	ck_assert_int_lt(n, 300);
	ck_assert_ptr_nonnull(ie);
	ck_assert_ptr_nonnull(strstr(ie, "truncated"));

	/* cut on a packet boundary: libpcap sees a clean end, infile knows */
	cut_file(tpath("a.pcap"), tpath("b.pcap"), 24 + 50 * 76);
	gzip_file(tpath("b.pcap"), tpath("b.gz"), 1);
	buf = slurp(tpath("b.gz"), &len);
	free(buf);
	cut_file(tpath("b.gz"), tpath("bcut.gz"), len - 8);    /* the trailer only */
	n = read_all(tpath("bcut.gz"), seq, 300, err, sizeof(err), &ie);
	ck_assert_int_eq(n, 50);
	ck_assert_str_eq(err, "");
	ck_assert_ptr_nonnull(ie);
}
END_TEST

START_TEST(test_corrupt)
{
	int seq[300], n;
	char err[512];
	const char *ie;

	make_samples();
	spoil_copy(tpath("a.gz"), tpath("bad.gz"), 0, 64);
	/* the decoder notices (at the latest at the CRC), or the garbage it
	 * let through made libpcap stop first */
	n = read_all(tpath("bad.gz"), seq, 300, err, sizeof(err), &ie);
	ck_assert_msg(err[0] || (ie && strstr(ie, "corrupt gzip")), "%d packets, '%s'", n, err);

	spoil_copy(tpath("a.zst"), tpath("bad.zst"), 0, 64);
	n = read_all(tpath("bad.zst"), seq, 300, err, sizeof(err), &ie);
	ck_assert_msg(err[0] || (ie && strstr(ie, "corrupt zstd")), "%d packets, '%s'", n, err);

	/* a broken frame header: the decoder's own reason */
	zstd_file(tpath("a.pcap"), tpath("a.zst"), 1);
	spoil_copy(tpath("a.zst"), tpath("hdr.zst"), 4, 2);
	n = read_all_may_fail(tpath("hdr.zst"), err, sizeof(err));
	ck_assert_int_eq(n, -1);
	ck_assert_msg(strstr(err, "corrupt zstd") || strstr(err, "truncated") || strstr(err, "error"),
		      "%s", err);
}
END_TEST

/* ---- the merge ---- */

static int n_messages;
static char last_message[512];

static void on_message(void *user, const char *text)
{
	(void)user;
	n_messages++;
	snprintf(last_message, sizeof(last_message), "%s", text);
}

static struct inputs *new_inputs(int no_merge, int max_open)
{
	struct inputs_config cfg;

	inputs_config_default(&cfg);
	cfg.no_merge = no_merge;
	cfg.max_open = max_open;
	cfg.message = on_message;
	n_messages = 0;
	last_message[0] = 0;
	return inputs_new(&cfg);
}

/* Drain in; out[] gets file*1000+seq; checks the timestamps never go back
 * when sorted is set.  Returns the packet count. */
static int drain(struct inputs *in, int *out, int max, int sorted)
{
	struct inputs_packet p;
	struct timeval last = { 0, 0 };
	int n = 0, r;

	while ((r = inputs_next(in, &p)) == 1) {
		if (sorted)
			ck_assert_msg(!timercmp(&p.hdr->ts, &last, <), "packet %d goes back in time", n);
		last = p.hdr->ts;
		if (n < max)
			out[n] = p.data[14] * 1000 + (p.data[16] << 8 | p.data[17]);
		ck_assert_int_eq(p.linktype, DLT_EN10MB);
		n++;
	}
	ck_assert_int_eq(r, 0);
	return n;
}

/* Port A rotated into three files (one compressed each way), port B one
 * file overlapping all three: one time-ordered stream, A's files in turn. */
START_TEST(test_merge_rotated_and_overlap)
{
	long a[3][100], b[150];
	int out[600], n, i, j, seen_a = 0, seen_b = 0;
	struct inputs *in;
	struct inputs_totals t;

	for (i = 0; i < 3; i++)
		for (j = 0; j < 100; j++)
			a[i][j] = (i * 100 + j) * 20;          /* 0 .. 5980 ms */
	for (j = 0; j < 150; j++)
		b[j] = 5 + j * 40;                              /* 5 .. 5965 ms */
	mkdir(tpath("dir"), 0755);
	write_pcap(tpath("a1.pcap"), 1, a[0], 100);
	write_pcap(tpath("a2.pcap"), 2, a[1], 100);
	write_pcap(tpath("dir/a3.pcap"), 3, a[2], 100);
	gzip_file(tpath("a1.pcap"), tpath("dir/a1.pcap.gz"), 1);
	zstd_file(tpath("a2.pcap"), tpath("dir/a2.pcap.zst"), 1);
	write_pcap(tpath("dir/b.pcap"), 9, b, 150);
	spit(tpath("dir/README"), "not a capture\n", 14);

	in = new_inputs(0, 2);     /* A and B: two open at once is enough */
	ck_assert_int_eq(inputs_add(in, tpath("dir")), 0);
	ck_assert_int_eq(inputs_count(in), 5);
	ck_assert_int_eq(n_messages, 0);
	n = drain(in, out, 600, 1);
	ck_assert_int_eq(n_messages, 1);        /* README, at the first look */
	ck_assert_msg(strstr(last_message, "README: not a capture file") &&
		      strstr(last_message, "skipped"), "%s", last_message);
	ck_assert_int_eq(n, 450);
	for (i = 0; i < n; i++) {
		if (out[i] / 1000 == 9) {
			ck_assert_int_eq(out[i] % 1000, seen_b);
			seen_b++;
		} else {
			/* A's packets in file order: file k's packets after k-1's */
			ck_assert_int_eq((out[i] / 1000 - 1) * 100 + out[i] % 1000, seen_a);
			seen_a++;
		}
	}
	inputs_get_totals(in, &t);
	ck_assert_int_eq(t.packets, 450);
	ck_assert_int_eq(t.late, 0);
	ck_assert_int_eq(t.out_of_order, 0);
	ck_assert_int_eq(t.done, 4);
	ck_assert_int_eq(t.skipped, 1);
	ck_assert_uint_eq(t.bytes_done, t.bytes_total);
	inputs_free(in);
}
END_TEST

START_TEST(test_out_of_order_and_ties)
{
	long x[5] = { 0, 10, 5, 20, 30 };       /* 5 comes after 10 */
	long y[3] = { 10, 20, 30 };             /* ties with x */
	int out[16], n;
	struct inputs *in;
	struct inputs_totals t;
	const struct input_info *ii;

	write_pcap(tpath("x.pcap"), 1, x, 5);
	write_pcap(tpath("y.pcap"), 2, y, 3);
	in = new_inputs(0, 8);
	inputs_add(in, tpath("y.pcap"));
	inputs_add(in, tpath("x.pcap"));
	n = drain(in, out, 16, 0);
	ck_assert_int_eq(n, 8);
	/* x0(0) ; tie at 10: y (given first) then x1 ; x2(5, late) ; tie at
	 * 20: y1 then x3 ; tie at 30: y2 then x4 */
	int want[8] = { 1000, 2000, 1001, 1002, 2001, 1003, 2002, 1004 };
	for (int i = 0; i < 8; i++)
		ck_assert_int_eq(out[i], want[i]);
	inputs_get_totals(in, &t);
	ck_assert_int_eq(t.out_of_order, 1);
	ck_assert_int_eq(t.late, 1);
	ii = inputs_info(in, 1);
	ck_assert_int_eq(ii->out_of_order, 1);
	ck_assert_int_eq(ii->packets, 5);
	ck_assert_int_eq(ii->first.tv_sec, 1700000000);
	ck_assert_int_eq(ii->last.tv_usec, 30000);
	inputs_free(in);
}
END_TEST

/* With one file open at a time the overlap cannot be merged: every packet
 * still comes, the ones out of time order are counted. */
START_TEST(test_open_bound)
{
	long x[4] = { 0, 10, 20, 30 }, y[4] = { 5, 15, 25, 35 };
	int out[8], n;
	struct inputs *in;
	struct inputs_totals t;

	write_pcap(tpath("x.pcap"), 1, x, 4);
	write_pcap(tpath("y.pcap"), 2, y, 4);
	in = new_inputs(0, 1);
	inputs_add(in, tpath("x.pcap"));
	inputs_add(in, tpath("y.pcap"));
	n = drain(in, out, 8, 0);
	ck_assert_int_eq(n, 8);
	inputs_get_totals(in, &t);
	ck_assert_int_eq(t.late, 3);            /* 5, 15, 25 after 30 */
	ck_assert_int_eq(t.done, 2);
	inputs_free(in);

	/* --no-merge: concatenation in the order given */
	in = new_inputs(1, 8);
	inputs_add(in, tpath("y.pcap"));
	inputs_add(in, tpath("x.pcap"));
	n = drain(in, out, 8, 0);
	ck_assert_int_eq(n, 8);
	ck_assert_int_eq(out[0], 2000);
	ck_assert_int_eq(out[3], 2003);
	ck_assert_int_eq(out[4], 1000);
	inputs_free(in);
}
END_TEST

START_TEST(test_bad_inputs)
{
	long x[2] = { 0, 10 };
	int out[8], n;
	struct inputs *in;
	struct inputs_totals t;
	char target[600];

	mkdir(tpath("d"), 0755);
	mkdir(tpath("d/sub"), 0755);
	mkdir(tpath("e"), 0755);
	write_pcap(tpath("d/x.pcap"), 1, x, 2);
	write_pcap(tpath("d/sub/y.pcap"), 2, x, 2);
	spit(tpath("d/empty"), "", 0);
	snprintf(target, sizeof(target), "%s/d", tmpdir);
	ck_assert_int_eq(symlink(target, tpath("d/sub/loop")), 0);

	/* not recursive: the subdirectory gets a line, not read */
	in = new_inputs(0, 4);
	ck_assert_int_eq(inputs_add(in, tpath("d")), 0);
	ck_assert_int_eq(inputs_add(in, tpath("missing.pcap")), 0);
	ck_assert_int_eq(inputs_add(in, tpath("e")), 0);
	ck_assert_ptr_nonnull(strstr(last_message, "no capture files"));
	ck_assert_int_eq(inputs_count(in), 3);  /* empty, x.pcap, missing */
	n = drain(in, out, 8, 1);
	ck_assert_int_eq(n, 2);
	inputs_get_totals(in, &t);
	ck_assert_int_eq(t.skipped, 2);
	ck_assert_int_eq(t.done, 1);
	inputs_free(in);

	/* recursive: y.pcap read, the loop named and skipped */
	{
		struct inputs_config cfg;

		inputs_config_default(&cfg);
		cfg.recursive = 1;
		cfg.message = on_message;
		n_messages = 0;
		in = inputs_new(&cfg);
	}
	ck_assert_int_eq(inputs_add(in, tpath("d")), 0);
	n = drain(in, out, 8, 1);
	ck_assert_int_eq(n, 4);
	inputs_get_totals(in, &t);
	ck_assert_int_eq(t.done, 2);
	ck_assert_int_eq(t.skipped, 2);         /* empty file, loop */
	inputs_free(in);
}
END_TEST

/* ---- pcapfile.h: the same packets and errors as libpcap ---- */

/* A classic pcap file written byte by byte: header, then records. */
struct rawcap {
	FILE *fp;
};

static void raw_header(struct rawcap *c, const char *path, uint32_t magic, uint16_t major,
		       uint16_t minor, uint32_t snaplen, uint32_t linktype, int swap)
{
	uint32_t h[6];

	c->fp = fopen(path, "wb");
	ck_assert_ptr_nonnull(c->fp);
	h[0] = magic;
	h[1] = (uint32_t)major | (uint32_t)minor << 16;
	h[2] = h[3] = 0;
	h[4] = snaplen;
	h[5] = linktype;
	if (swap) {
		int i;

		for (i = 0; i < 6; i++)
			h[i] = __builtin_bswap32(h[i]);
		/* version halves swap within their own 16 bits */
		h[1] = (uint32_t)__builtin_bswap16(major) | (uint32_t)__builtin_bswap16(minor) << 16;
	}
	ck_assert_int_eq(fwrite(h, 1, sizeof(h), c->fp), sizeof(h));
}

/* One record; data bytes are i-dependent; cut: write only this many bytes
 * of the record (header included), -1 all. */
static void raw_record(struct rawcap *c, uint32_t sec, uint32_t frac, uint32_t caplen,
		       uint32_t len, long cut)
{
	unsigned char *rec = malloc(16 + (size_t)caplen);
	uint32_t h[4] = { sec, frac, caplen, len };
	size_t n = 16 + (size_t)caplen, i;

	ck_assert_ptr_nonnull(rec);
	memcpy(rec, h, 16);
	for (i = 0; i < caplen; i++)
		rec[16 + i] = (unsigned char)(i * 31 + caplen);
	if (cut >= 0 && (size_t)cut < n)
		n = (size_t)cut;
	ck_assert_int_eq(fwrite(rec, 1, n, c->fp), n);
	free(rec);
}

static void raw_close(struct rawcap *c)
{
	ck_assert_int_eq(fclose(c->fp), 0);
}

/* libpcap and pcapfile over path in step: same packets, same end, same
 * error text.  fast: whether pcapfile takes the file at all.  The count
 * of packets. */
static int same_as_libpcap(const char *path, int fast, int want_error)
{
	char err[PCAP_ERRBUF_SIZE];
	pcap_t *ref = pcap_open_offline(path, err), *probe = pcap_open_offline(path, err);
	struct pcapfile *pf;
	int n = 0;

	ck_assert_msg(ref && probe, "%s: %s", path, err);
	pf = pcapfile_open(path, probe);
	pcap_close(probe);
	if (!fast) {
		ck_assert_ptr_null(pf);
		pcap_close(ref);
		return 0;
	}
	ck_assert_msg(pf != NULL, "%s: not taken", path);
	for (;;) {
		struct pcap_pkthdr *h1;
		const struct pcap_pkthdr *h2;
		const u_char *d1, *d2;
		int r1 = pcap_next_ex(ref, &h1, &d1), r2 = pcapfile_next(pf, &h2, &d2);

		if (r1 == 1) {
			ck_assert_int_eq(r2, 1);
			ck_assert_int_eq(h1->ts.tv_sec, h2->ts.tv_sec);
			ck_assert_int_eq(h1->ts.tv_usec, h2->ts.tv_usec);
			ck_assert_uint_eq(h1->caplen, h2->caplen);
			ck_assert_uint_eq(h1->len, h2->len);
			ck_assert_int_eq(memcmp(d1, d2, h1->caplen), 0);
			n++;
			continue;
		}
		if (r1 == PCAP_ERROR_BREAK) {
			ck_assert_int_eq(r2, 0);
			ck_assert_int_eq(want_error, 0);
		} else {
			ck_assert_int_eq(r1, PCAP_ERROR);
			ck_assert_int_eq(r2, -1);
			ck_assert_str_eq(pcapfile_error(pf), pcap_geterr(ref));
			ck_assert_int_eq(want_error, 1);
		}
		break;
	}
	pcapfile_close(pf);
	pcap_close(ref);
	return n;
}

START_TEST(test_pcapfile_as_libpcap)
{
	struct rawcap c;
	int i;

	/* micro- and nanosecond files; lengths 0, small, 1514, 70000 and the
	 * largest; a time past 2038 (libpcap's signed 32 bits) */
	raw_header(&c, tpath("us.pcap"), 0xa1b2c3d4, 2, 4, 262144, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 0, 60, -1);
	raw_record(&c, 1700000000, 999999, 60, 60, -1);
	raw_record(&c, 1700000001, 5, 1514, 1514, -1);
	raw_record(&c, 1700000002, 7, 70000, 70000, -1);
	raw_record(&c, 1700000003, 8, 262144, 300000, -1);
	raw_record(&c, 0xfffffff0u, 9, 100, 100, -1);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("us.pcap"), 1, 0), 6);
	raw_header(&c, tpath("ns.pcap"), 0xa1b23c4d, 2, 4, 65535, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 999999999, 60, 60, -1);
	raw_record(&c, 1700000000, 1500, 80, 90, -1);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("ns.pcap"), 1, 0), 2);

	/* more than the read buffer, records across its refills */
	raw_header(&c, tpath("big.pcap"), 0xa1b2c3d4, 2, 4, 65535, DLT_EN10MB, 0);
	for (i = 0; i < 3000; i++)
		raw_record(&c, 1700000000 + (uint32_t)i, (uint32_t)i, (uint32_t)(60 + i * 7 % 1455), 1514, -1);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("big.pcap"), 1, 0), 3000);

	/* cut in a record header, in the data */
	raw_header(&c, tpath("cut_hdr.pcap"), 0xa1b2c3d4, 2, 4, 65535, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 60, 60, -1);
	raw_record(&c, 1700000000, 2, 60, 60, 7);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("cut_hdr.pcap"), 1, 1), 1);
	raw_header(&c, tpath("cut_data.pcap"), 0xa1b2c3d4, 2, 4, 65535, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 60, 60, -1);
	raw_record(&c, 1700000000, 2, 600, 600, 16 + 100);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("cut_data.pcap"), 1, 1), 1);

	/* longer than the snapshot length: cut to it; the file cut inside
	 * the kept part and inside the discarded part */
	raw_header(&c, tpath("over.pcap"), 0xa1b2c3d4, 2, 4, 100, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 150, 150, -1);
	raw_record(&c, 1700000000, 2, 60, 60, -1);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("over.pcap"), 1, 0), 2);
	raw_header(&c, tpath("over_cut1.pcap"), 0xa1b2c3d4, 2, 4, 100, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 150, 150, 16 + 50);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("over_cut1.pcap"), 1, 1), 0);
	raw_header(&c, tpath("over_cut2.pcap"), 0xa1b2c3d4, 2, 4, 100, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 150, 150, 16 + 120);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("over_cut2.pcap"), 1, 1), 0);

	/* past the sane maximum; a snapshot length of 0 read as that maximum */
	raw_header(&c, tpath("huge.pcap"), 0xa1b2c3d4, 2, 4, 65535, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 60, 60, -1);
	raw_record(&c, 1700000000, 2, 300000, 300000, 16 + 10);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("huge.pcap"), 1, 1), 1);
	raw_header(&c, tpath("snap0.pcap"), 0xa1b2c3d4, 2, 4, 0, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 60, 60, -1);
	raw_record(&c, 1700000000, 2, 300000, 300000, 16 + 10);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("snap0.pcap"), 1, 1), 1);

	/* left to libpcap: other byte order, older version, other link type */
	raw_header(&c, tpath("swapped.pcap"), 0xa1b2c3d4, 2, 4, 65535, DLT_EN10MB, 1);
	raw_record(&c, __builtin_bswap32(1700000000), 0, __builtin_bswap32(60),
		   __builtin_bswap32(60), 16);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("swapped.pcap"), 0, 0), 0);
	raw_header(&c, tpath("v23.pcap"), 0xa1b2c3d4, 2, 3, 65535, DLT_EN10MB, 0);
	raw_record(&c, 1700000000, 1, 60, 60, -1);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("v23.pcap"), 0, 0), 0);
	raw_header(&c, tpath("usb.pcap"), 0xa1b2c3d4, 2, 4, 65535, 189, 0);
	raw_record(&c, 1700000000, 1, 60, 60, -1);
	raw_close(&c);
	ck_assert_int_eq(same_as_libpcap(tpath("usb.pcap"), 0, 0), 0);
}
END_TEST

/* Through inputs.h, a compressed file read here gives what the plain one
 * gives, cut short too. */
START_TEST(test_pcapfile_compressed_through_inputs)
{
	struct inputs_config cfg;
	struct inputs_packet pkt;
	struct rawcap c;
	const char *names[] = { "p.pcap", "p.pcap.gz", "p.pcap.zst", "cut.pcap", "cut.pcap.gz" };
	uint64_t sum[5] = { 0 }, cnt[5] = { 0 };
	int i, k;

	raw_header(&c, tpath("p.pcap"), 0xa1b2c3d4, 2, 4, 65535, DLT_EN10MB, 0);
	for (i = 0; i < 2500; i++)
		raw_record(&c, 1700000000 + (uint32_t)i, 0, (uint32_t)(60 + i * 13 % 1455), 1514, -1);
	raw_close(&c);
	gzip_file(tpath("p.pcap"), tpath("p.pcap.gz"), 3);
	zstd_file(tpath("p.pcap"), tpath("p.pcap.zst"), 2);
	raw_header(&c, tpath("cut.pcap"), 0xa1b2c3d4, 2, 4, 65535, DLT_EN10MB, 0);
	for (i = 0; i < 2500; i++)
		raw_record(&c, 1700000000 + (uint32_t)i, 0, (uint32_t)(60 + i * 13 % 1455), 1514,
			   i == 2499 ? 16 + 30 : -1);
	raw_close(&c);
	gzip_file(tpath("cut.pcap"), tpath("cut.pcap.gz"), 1);
	for (k = 0; k < 5; k++) {
		struct inputs *in;
		const struct input_info *info;

		inputs_config_default(&cfg);
		cfg.message = NULL;
		in = inputs_new(&cfg);
		ck_assert_int_eq(inputs_add(in, tpath(names[k])), 0);
		ck_assert_int_eq(inputs_start(in), 0);
		while (inputs_next(in, &pkt) == 1) {
			cnt[k]++;
			sum[k] += pkt.hdr->caplen + (uint64_t)pkt.hdr->ts.tv_sec + pkt.data[pkt.hdr->caplen - 1];
		}
		info = inputs_info(in, 0);
		ck_assert_ptr_nonnull(info);
		ck_assert_int_eq(info->state, k < 3 ? INPUT_DONE : INPUT_FAILED);
		if (k >= 3)
			ck_assert_msg(strstr(info->error, "truncated dump file; tried to read") != NULL,
				      "%s: %s", names[k], info->error);
		inputs_free(in);
	}
	ck_assert_uint_eq(cnt[0], 2500);
	ck_assert_uint_eq(cnt[1], 2500);
	ck_assert_uint_eq(cnt[2], 2500);
	ck_assert_uint_eq(sum[1], sum[0]);
	ck_assert_uint_eq(sum[2], sum[0]);
	ck_assert_uint_eq(cnt[3], 2499);
	ck_assert_uint_eq(cnt[4], 2499);
	ck_assert_uint_eq(sum[4], sum[3]);
}
END_TEST

/* A FIFO (a named pipe, a shell's <(...)) is read once, merged or not:
 * every packet, no wait on a second open that would find nothing. */
START_TEST(test_fifo_read_once)
{
	struct inputs_config cfg;
	struct inputs_packet pkt;
	struct rawcap c;
	struct inputs *in;
	pid_t child;
	int i, status, no_merge;

	raw_header(&c, tpath("f.pcap"), 0xa1b2c3d4, 2, 4, 65535, DLT_EN10MB, 0);
	for (i = 0; i < 500; i++)
		raw_record(&c, 1700000000 + (uint32_t)i, 0, 60, 60, -1);
	raw_close(&c);
	ck_assert_int_eq(mkfifo(tpath("fifo"), 0600), 0);
	for (no_merge = 0; no_merge < 2; no_merge++) {
		uint64_t n = 0;

		child = fork();
		ck_assert_int_ge(child, 0);
		if (child == 0) {
			char cmd[1200];

			snprintf(cmd, sizeof(cmd), "cat '%s' > '%s'", tpath("f.pcap"), tpath("fifo"));
			_exit(system(cmd) == 0 ? 0 : 1);
		}
		inputs_config_default(&cfg);
		cfg.no_merge = no_merge;
		in = inputs_new(&cfg);
		ck_assert_int_eq(inputs_add(in, tpath("fifo")), 0);
		ck_assert_int_eq(inputs_start(in), 0);
		while (inputs_next(in, &pkt) == 1)
			n++;
		ck_assert_uint_eq(n, 500);
		ck_assert_int_eq(inputs_info(in, 0)->state, INPUT_DONE);
		inputs_free(in);
		ck_assert_int_eq(waitpid(child, &status, 0), child);
		ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}
END_TEST

static Suite *capture_input_suite(void)
{
	Suite *s = suite_create("capture_input");
	TCase *tc = tcase_create("infile");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_gzip_zstd_whole);
	tcase_add_test(tc, test_truncated);
	tcase_add_test(tc, test_corrupt);
	tcase_add_test(tc, test_pcapfile_as_libpcap);
	tcase_add_test(tc, test_pcapfile_compressed_through_inputs);
	tcase_add_test(tc, test_fifo_read_once);
	suite_add_tcase(s, tc);
	tc = tcase_create("inputs");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_merge_rotated_and_overlap);
	tcase_add_test(tc, test_out_of_order_and_ties);
	tcase_add_test(tc, test_open_bound);
	tcase_add_test(tc, test_bad_inputs);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(capture_input_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
