/*
 * check_sink.c - SIEM sinks on loopback: URIs and their errors, the CEF
 * rendering, RFC 5424 over UDP, octet-counted TCP with a receiver that goes
 * away and comes back, the bounded queue, Unix sockets and file reopen.
 */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <jansson.h>

#include "eve.h"
#include "sink.h"

static const char alert_line[] =
	"{\"timestamp\":\"2024-01-02T03:04:05.250000+0000\",\"flow_id\":77,\"event_type\":\"alert\","
	"\"src_ip\":\"10.0.0.1\",\"src_port\":40000,\"dest_ip\":\"10.0.0.2\",\"dest_port\":102,"
	"\"proto\":\"TCP\",\"alert\":{\"action\":\"allowed\",\"gid\":1,\"signature_id\":9100001,"
	"\"rev\":1,\"signature\":\"S7 stop | a=b\",\"category\":\"Attempted Denial of Service\","
	"\"severity\":1,\"metadata\":{\"mitre_technique_id\":[\"T0881\",\"T0858\"],\"source\":\"rule\"}},"
	"\"app_proto\":\"s7comm\"}";

static const char flow_line[] = "{\"timestamp\":\"2024-01-02T03:04:05.000000+0000\",\"event_type\":\"flow\"}";

static json_t *sink_stat(struct eve_sink *sk)
{
	json_t *o = json_object();

	sk->stats(sk->ctx, o);
	return o;
}

static long stat_int(struct eve_sink *sk, const char *key)
{
	json_t *s = sink_stat(sk);
	long v = (long)json_integer_value(json_object_get(s, key));

	json_decref(s);
	return v;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static int listen_tcp(uint16_t *port)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int one = 1, fd = socket(AF_INET, SOCK_STREAM, 0);

	ck_assert_int_ge(fd, 0);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = htons(*port);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	*port = ntohs(a.sin_port);
	return fd;
}

/* Read octet-counted frames from fd until n frames or timeout. */
static int read_frames(int fd, char frames[][4096], int n, int timeout_ms)
{
	static char buf[1 << 16];
	size_t have = 0;
	int got = 0, waited = 0;

	while (got < n && waited < timeout_ms) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t r;

		if (poll(&p, 1, 50) <= 0) {
			waited += 50;
			continue;
		}
		r = read(fd, buf + have, sizeof(buf) - have);
		if (r <= 0)
			break;
		have += (size_t)r;
		for (;;) {
			char *sp = memchr(buf, ' ', have);
			size_t len, hdr;

			if (!sp)
				break;
			len = strtoul(buf, NULL, 10);
			hdr = (size_t)(sp - buf) + 1;
			if (have < hdr + len)
				break;
			ck_assert_uint_lt(len, 4096);
			memcpy(frames[got], buf + hdr, len);
			frames[got][len] = 0;
			got++;
			memmove(buf, buf + hdr + len, have - hdr - len);
			have -= hdr + len;
			if (got == n)
				break;
		}
	}
	return got;
}

/* A Unix socket of the given type bound at DIR/NAME (path out). */
static int bind_unix(const char *dir, const char *name, int type, char *path, size_t plen)
{
	struct sockaddr_un un;
	int fd = socket(AF_UNIX, type, 0);

	ck_assert_int_ge(fd, 0);
	snprintf(path, plen, "%s/%s", dir, name);
	memset(&un, 0, sizeof(un));
	un.sun_family = AF_UNIX;
	snprintf(un.sun_path, sizeof(un.sun_path), "%s", path);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&un, sizeof(un)), 0);
	return fd;
}

START_TEST(uri_errors)
{
	static const struct { const char *uri, *msg; } bad[] = {
		{ "ftp://x", "unknown sink 'ftp://x' (file://, stdout, udp://, tcp://, unix://, unix-stream://, unix-dgram://, syslog+tls://, redis://)" },
		{ "udp://127.0.0.1", "expected HOST:PORT" },
		{ "tcp://:514", "expected HOST:PORT" },
		{ "tcp://[::1]514", "expected [IPv6]:PORT" },
		{ "udp://127.0.0.1:514?facility=kernel", "unknown facility 'kernel'" },
		{ "tcp://127.0.0.1:514?queue=0", "bad queue size '0'" },
		{ "tcp://127.0.0.1:514?color=red", "unknown setting 'color'" },
		{ "tcp://127.0.0.1:514?queue", "bad setting 'queue' (expected NAME=VALUE)" },
		{ "unix-dgram://", "bad socket path ''" },
		{ "file://", "file sink needs a path" },
		{ "file:///nonexistent-dir/x.json", "/nonexistent-dir/x.json: No such file or directory" },
		{ "redis://127.0.0.1:6379", "expected redis://HOST:PORT/KEY" },
		{ "redis://127.0.0.1:6379/", "expected redis://HOST:PORT/KEY" },
		{ "redis://:6379/k", "expected redis://HOST:PORT/KEY" },
		{ "redis://127.0.0.1:99999/k", "bad port '99999'" },
		{ "redis://127.0.0.1/k?mode=set", "unknown mode 'set' (list, channel or stream)" },
		{ "redis://127.0.0.1/k?queue=0", "bad queue size '0'" },
	};
	struct eve_sink sk;
	char err[256];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = 0;
		ck_assert_int_eq(sink_open(bad[i].uri, 0, &sk, err, sizeof(err)), -1);
		ck_assert_str_eq(err, bad[i].msg);
	}
	ck_assert_int_eq(sink_open("tcp://[::1]:9?queue=5&facility=daemon", 0, &sk, err, sizeof(err)), 0);
	ck_assert_int_eq(stat_int(&sk, "queue_cap"), 5);
	sk.close(sk.ctx);
	/* port 1 on loopback refuses: the sink opens and queues all the same */
	ck_assert_int_eq(sink_open("redis://[::1]:1/k?mode=stream&queue=7", 0, &sk, err, sizeof(err)), 0);
	ck_assert_int_eq(stat_int(&sk, "queue_cap"), 7);
	ck_assert_int_eq(sk.write(sk.ctx, flow_line, strlen(flow_line)), 0);
	ck_assert_int_eq(stat_int(&sk, "queued"), 1);
	ck_assert_int_eq(stat_int(&sk, "connects"), 0);
	sk.close(sk.ctx);       /* drains for 5 s, then counts the line lost */
}
END_TEST

START_TEST(cef_rendering)
{
	char *c = sink_cef_render(alert_line, strlen(alert_line));

	ck_assert_ptr_nonnull(c);
	ck_assert_str_eq(c, "CEF:0|otsentry|otsentry|" PACKAGE_VERSION "|9100001|S7 stop \\| a=b|10|"
			 "rt=1704164645250 src=10.0.0.1 spt=40000 dst=10.0.0.2 dpt=102 proto=TCP "
			 "act=allowed cat=Attempted Denial of Service app=s7comm externalId=77 "
			 "cs1Label=mitre_technique_id cs1=T0881,T0858 cs4Label=source cs4=rule "
			 "cn1Label=gid cn1=1 cn2Label=rev cn2=1");
	free(c);
	ck_assert_ptr_null(sink_cef_render(flow_line, strlen(flow_line)));
	ck_assert_ptr_null(sink_cef_render("not json", 8));
}
END_TEST

START_TEST(syslog_udp_rfc5424)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);
	struct eve_sink sk;
	char uri[64], err[256], buf[4096];
	ssize_t n;
	struct pollfd p;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	snprintf(uri, sizeof(uri), "udp://127.0.0.1:%u?facility=local1", ntohs(a.sin_port));
	ck_assert_int_eq(sink_open(uri, 0, &sk, err, sizeof(err)), 0);
	ck_assert_int_eq(sk.write(sk.ctx, alert_line, strlen(alert_line)), 0);
	ck_assert_int_eq(sk.write(sk.ctx, flow_line, strlen(flow_line)), 0);
	p.fd = fd;
	p.events = POLLIN;
	ck_assert_int_eq(poll(&p, 1, 2000), 1);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	/* local1 (17) * 8 + critical (2) */
	ck_assert_msg(strncmp(buf, "<138>1 ", 7) == 0, "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, " otsentry "));
	ck_assert_ptr_nonnull(strstr(buf, " alert - {"));
	ck_assert_str_eq(strstr(buf, " - {") + 3, alert_line);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	/* local1 (17) * 8 + informational (6) */
	ck_assert_msg(strncmp(buf, "<142>1 ", 7) == 0, "%s", buf);
	ck_assert_ptr_nonnull(strstr(buf, " flow - {"));
	ck_assert_int_eq(stat_int(&sk, "sent"), 2);
	sk.close(sk.ctx);
	close(fd);
}
END_TEST

START_TEST(syslog_tcp_receiver_away_and_back)
{
	uint16_t port = 0;
	int lfd = listen_tcp(&port), cfd, i;
	struct eve_sink sk;
	char uri[64], err[256], line[256];
	static char frames[16][4096];

	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%u", port);
	ck_assert_int_eq(sink_open(uri, 0, &sk, err, sizeof(err)), 0);
	for (i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "{\"event_type\":\"alert\",\"seq\":%d}", i);
		ck_assert_int_eq(sk.write(sk.ctx, line, strlen(line)), 0);
	}
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	for (i = 0; i < 20 && stat_int(&sk, "queued"); i++) {
		sk.flush(sk.ctx);
		sleep_ms(20);
	}
	ck_assert_int_eq(read_frames(cfd, frames, 3, 2000), 3);
	ck_assert_ptr_nonnull(strstr(frames[2], "{\"event_type\":\"alert\",\"seq\":2}"));
	ck_assert_msg(strncmp(frames[0], "<", 1) == 0, "%s", frames[0]);

	/* the receiver goes away */
	close(cfd);
	close(lfd);
	sleep_ms(50);
	for (i = 3; i < 8; i++) {
		snprintf(line, sizeof(line), "{\"event_type\":\"alert\",\"seq\":%d}", i);
		ck_assert_int_eq(sk.write(sk.ctx, line, strlen(line)), 0);
	}
	sk.flush(sk.ctx);
	ck_assert_int_eq(stat_int(&sk, "queued"), 5);
	ck_assert_int_eq(stat_int(&sk, "disconnects"), 1);

	/* ... and comes back on the same port: everything queued arrives */
	lfd = listen_tcp(&port);
	for (i = 0; i < 100 && stat_int(&sk, "queued"); i++) {
		sk.flush(sk.ctx);
		sleep_ms(50);
	}
	ck_assert_int_eq(stat_int(&sk, "queued"), 0);
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	ck_assert_int_eq(read_frames(cfd, frames, 5, 2000), 5);
	for (i = 0; i < 5; i++) {
		snprintf(line, sizeof(line), "{\"event_type\":\"alert\",\"seq\":%d}", i + 3);
		ck_assert_ptr_nonnull(strstr(frames[i], line));
	}
	ck_assert_int_eq(stat_int(&sk, "sent"), 8);
	ck_assert_int_eq(stat_int(&sk, "dropped_overflow"), 0);
	sk.close(sk.ctx);
	close(cfd);
	close(lfd);
}
END_TEST

START_TEST(tcp_queue_overflow_counted)
{
	uint16_t port = 0;
	int lfd = listen_tcp(&port);
	struct eve_sink sk;
	char uri[80], err[256];
	int i, fails = 0;

	close(lfd);     /* nobody listens there now */
	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%u?queue=2", port);
	ck_assert_int_eq(sink_open(uri, 0, &sk, err, sizeof(err)), 0);
	for (i = 0; i < 5; i++)
		fails += sk.write(sk.ctx, alert_line, strlen(alert_line)) < 0;
	ck_assert_int_eq(fails, 3);
	ck_assert_int_eq(stat_int(&sk, "dropped_overflow"), 3);
	ck_assert_int_eq(stat_int(&sk, "queued"), 2);
	sk.close(sk.ctx);       /* bounded drain: returns within about 5 s */
}
END_TEST

/* A receiver that accepts and never reads: writes never block, the queue
 * stays bounded, the overflow is counted. */
START_TEST(tcp_stalled_receiver_never_blocks)
{
	uint16_t port = 0;
	int lfd = listen_tcp(&port), cfd, i;
	struct eve_sink sk;
	char uri[80], err[256];
	struct timespec t0, t1;
	long queued, dropped, sent;

	snprintf(uri, sizeof(uri), "tcp://127.0.0.1:%u?queue=100", port);
	ck_assert_int_eq(sink_open(uri, 0, &sk, err, sizeof(err)), 0);
	sk.flush(sk.ctx);
	cfd = accept(lfd, NULL, NULL);
	ck_assert_int_ge(cfd, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < 20000; i++)
		sk.write(sk.ctx, alert_line, strlen(alert_line));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ck_assert_int_lt(t1.tv_sec - t0.tv_sec, 3);
	queued = stat_int(&sk, "queued");
	dropped = stat_int(&sk, "dropped_overflow");
	sent = stat_int(&sk, "sent");
	ck_assert_int_le(queued, 100);
	ck_assert_int_gt(dropped, 0);
	ck_assert_int_eq(sent + queued + dropped, 20000);
	close(cfd);             /* let close() give up quickly */
	close(lfd);
	sk.close(sk.ctx);
}
END_TEST

START_TEST(cef_on_stream_skips_other_events)
{
	char dir[] = "/tmp/check_sink_XXXXXX", path[128], uri[160], err[256], buf[4096];
	int lfd, cfd, i;
	struct eve_sink sk;
	ssize_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	lfd = bind_unix(dir, "s.sock", SOCK_STREAM, path, sizeof(path));
	ck_assert_int_eq(listen(lfd, 2), 0);
	snprintf(uri, sizeof(uri), "unix-stream://%s", path);
	ck_assert_int_eq(sink_open(uri, 1, &sk, err, sizeof(err)), 0);
	ck_assert_int_eq(sk.write(sk.ctx, flow_line, strlen(flow_line)), 0);
	ck_assert_int_eq(sk.write(sk.ctx, alert_line, strlen(alert_line)), 0);
	cfd = accept(lfd, NULL, NULL);
	for (i = 0; i < 20 && stat_int(&sk, "queued"); i++) {
		sk.flush(sk.ctx);
		sleep_ms(20);
	}
	n = read(cfd, buf, sizeof(buf) - 1);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	ck_assert_msg(strncmp(buf, "CEF:0|otsentry|otsentry|", 24) == 0, "%s", buf);
	ck_assert_int_eq(buf[n - 1], '\n');
	ck_assert_ptr_null(strchr(buf, '{'));
	ck_assert_int_eq(stat_int(&sk, "skipped"), 1);
	sk.close(sk.ctx);
	close(cfd);
	close(lfd);
	unlink(path);
	rmdir(dir);
}
END_TEST

START_TEST(unix_dgram_raw_line)
{
	char dir[] = "/tmp/check_sink_XXXXXX", path[128], uri[160], err[256], buf[4096];
	int fd;
	struct eve_sink sk;
	ssize_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	fd = bind_unix(dir, "d.sock", SOCK_DGRAM, path, sizeof(path));
	snprintf(uri, sizeof(uri), "unix-dgram://%s", path);
	ck_assert_int_eq(sink_open(uri, 0, &sk, err, sizeof(err)), 0);
	ck_assert_int_eq(sk.write(sk.ctx, flow_line, strlen(flow_line)), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_eq(n, (ssize_t)strlen(flow_line));
	buf[n] = 0;
	ck_assert_str_eq(buf, flow_line);
	sk.close(sk.ctx);
	/* syslog on a local socket: RFC 5424 header, same path */
	snprintf(uri, sizeof(uri), "unix://%s", path);
	ck_assert_int_eq(sink_open(uri, 0, &sk, err, sizeof(err)), 0);
	ck_assert_int_eq(sk.write(sk.ctx, flow_line, strlen(flow_line)), 0);
	n = recv(fd, buf, sizeof(buf) - 1, 0);
	ck_assert_int_gt(n, 0);
	buf[n] = 0;
	ck_assert_msg(strncmp(buf, "<134>1 ", 7) == 0, "%s", buf);
	sk.close(sk.ctx);
	/* nobody there any more: counted, not fatal */
	close(fd);
	unlink(path);
	ck_assert_int_eq(sink_open(uri, 0, &sk, err, sizeof(err)), 0);
	ck_assert_int_eq(sk.write(sk.ctx, flow_line, strlen(flow_line)), -1);
	ck_assert_int_eq(stat_int(&sk, "send_errors"), 1);
	sk.close(sk.ctx);
	rmdir(dir);
}
END_TEST

START_TEST(file_reopen_after_rotation)
{
	char dir[] = "/tmp/check_sink_XXXXXX", path[128], rotated[140], uri[160], err[256], buf[4096];
	struct eve_sink sk;
	FILE *f;
	size_t n;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/eve.json", dir);
	snprintf(rotated, sizeof(rotated), "%s/eve.json.1", dir);
	snprintf(uri, sizeof(uri), "file://%s", path);
	ck_assert_int_eq(sink_open(uri, 1, &sk, err, sizeof(err)), 0);
	ck_assert_int_eq(sk.write(sk.ctx, alert_line, strlen(alert_line)), 0);
	sk.flush(sk.ctx);
	ck_assert_int_eq(rename(path, rotated), 0);
	sk.reopen(sk.ctx);
	ck_assert_int_eq(sk.write(sk.ctx, alert_line, strlen(alert_line)), 0);
	ck_assert_int_eq(stat_int(&sk, "reopens"), 1);
	sk.close(sk.ctx);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	ck_assert_msg(strncmp(buf, "CEF:0|", 6) == 0, "%s", buf);
	ck_assert_ptr_eq(strchr(buf, '\n'), buf + n - 1);
	f = fopen(rotated, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_uint_gt(fread(buf, 1, sizeof(buf), f), 10);
	fclose(f);
	unlink(path);
	unlink(rotated);
	rmdir(dir);
}
END_TEST

/* The sensor's name: last field of every line, syslog HOSTNAME, CEF dvchost. */
START_TEST(sensor_name_everywhere)
{
	struct sockaddr_in a;
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), i;
	struct eve *e = eve_new();
	char uri[96], err[256], buf[4096], path[] = "/tmp/check_sink_host.XXXXXX";
	const char *want[2] = { " cell-7 otsentry ", " cell-7 otsentry " };
	ssize_t n;
	struct pollfd p;
	FILE *f;
	int tfd = mkstemp(path);

	ck_assert_int_ge(tfd, 0);
	close(tfd);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	getsockname(fd, (struct sockaddr *)&a, &al);
	ck_assert_ptr_null(eve_host(e));
	ck_assert_int_eq(eve_set_host(e, "cell-7"), 0);
	ck_assert_str_eq(eve_host(e), "cell-7");
	ck_assert_int_eq(eve_add_file(e, path, err, sizeof(err)), 0);
	snprintf(uri, sizeof(uri), "udp://127.0.0.1:%u", ntohs(a.sin_port));
	ck_assert_int_eq(sink_add(e, uri, 0, err, sizeof(err)), 0);
	ck_assert_int_eq(sink_add(e, uri, 1, err, sizeof(err)), 0);
	ck_assert_int_eq(eve_write(e, json_loads(alert_line, 0, NULL)), 0);
	p.fd = fd;
	p.events = POLLIN;
	for (i = 0; i < 2; i++) {
		ck_assert_int_eq(poll(&p, 1, 2000), 1);
		n = recv(fd, buf, sizeof(buf) - 1, 0);
		ck_assert_int_gt(n, 0);
		buf[n] = 0;
		ck_assert_msg(strstr(buf, want[i]) != NULL, "%s", buf);
		if (i == 0)
			ck_assert_msg(strstr(buf, ",\"host\":\"cell-7\"}") != NULL, "%s", buf);
		else
			ck_assert_msg(strstr(buf, " dvchost=cell-7 ") != NULL, "%s", buf);
	}
	eve_free(e);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	unlink(path);
	n = (ssize_t)strlen(buf);
	ck_assert_int_gt(n, 20);
	ck_assert_str_eq(buf + n - 18, ",\"host\":\"cell-7\"}\n");
	/* the line is the input with the one field added */
	ck_assert_int_eq(strncmp(buf, alert_line, strlen(alert_line) - 1), 0);
	close(fd);
}
END_TEST

static Suite *sink_suite(void)
{
	Suite *s = suite_create("sink");
	TCase *tc = tcase_create("sinks");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, uri_errors);
	tcase_add_test(tc, cef_rendering);
	tcase_add_test(tc, syslog_udp_rfc5424);
	tcase_add_test(tc, syslog_tcp_receiver_away_and_back);
	tcase_add_test(tc, tcp_queue_overflow_counted);
	tcase_add_test(tc, tcp_stalled_receiver_never_blocks);
	tcase_add_test(tc, cef_on_stream_skips_other_events);
	tcase_add_test(tc, unix_dgram_raw_line);
	tcase_add_test(tc, file_reopen_after_rotation);
	tcase_add_test(tc, sensor_name_everywhere);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sink_suite());
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
