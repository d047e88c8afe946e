/*
 * capture.h - packets in: pcap/pcapng files (or standard input) and live
 * interfaces through libpcap, handed one by one to the sensor.
 *
 * Files: through inputs.h - files, directories, gzip and zstd, merged by
 * timestamp (or one after the other with no_merge).  A file that cannot be
 * read gets one line on stderr naming it and is skipped; one that is
 * truncated or corrupt part-way gets one line too, everything read before
 * the problem stays processed; the rest is read.  With progress on, a
 * progress line on stderr (progress.h).  Unless quiet, several inputs are
 * listed on stderr at the end (one line each; when there are many, a count
 * and the ones with problems).
 *
 * Live: see capture_live() for several interfaces and their faults;
 * SIGINT/SIGTERM stop the capture (pcap_breakloop), SIGHUP reopens the
 * EVE files (log rotation), SIGUSR1 asks the observers for a snapshot
 * (sensor_request_snapshot).  The sensor ticks about once a second even
 * without packets; a stats event is written every stats_interval seconds.
 *
 * Ownership: capture_* borrow the sensor; no state survives the call.
 */
#ifndef OTS_CAPTURE_H
#define OTS_CAPTURE_H

#include <stdint.h>

struct sensor;

struct capture_config {
	const char *bpf;        /* filter expression or NULL */
	int snaplen;            /* live: bytes kept per packet */
	int buffer_mb;          /* live: kernel buffer in MiB */
	int promisc;            /* live: 1 promiscuous */
	double stats_interval;  /* live: seconds between stats events, 0 off */
	double silence;         /* live: seconds without packets before a health event, 0 off */
	/* Called once the capture is open (live: the interface handle; files:
	 * before the first file, which is then read with what is left), to
	 * drop privileges.  <0 stops the capture.  May be NULL. */
	int (*on_open)(void *ud);
	void *on_open_ud;
	int recursive;          /* files: follow subdirectories */
	int no_merge;           /* files: one after the other, no time merge */
	int max_open;           /* files: open at once */
	int progress;           /* files: progress line on stderr */
	int quiet;              /* files: no list of the inputs at the end */
};

struct capture_result {
	uint64_t packets;       /* packets handed to the sensor */
	int files_ok;           /* inputs read to their end */
	int files_failed;       /* could not open, bad filter, or error part-way */
	int files_skipped;      /* of those: nothing of them read */
};

void capture_config_default(struct capture_config *cfg);

/* Read every file and directory ("-" is standard input).  Returns 0 when at
 * least one packet or one whole file could be read, -1 when nothing was
 * read or on a bad filter. */
int capture_files(struct sensor *s, const char *const *paths, int n,
		  const struct capture_config *cfg, struct capture_result *res);

/*
 * Capture on n interfaces (at most SENSOR_MAX_IFACES) until SIGINT/SIGTERM.
 * An interface that cannot be opened at the start, goes down, disappears or
 * is replaced is tried again after 1 s, then twice as long each time up to
 * 30 s, with "sensor" events interface_down and interface_up; no packet on
 * one for cfg->silence seconds: interface_silent, then interface_traffic.
 * 0 on a clean stop; -1 (message on stderr) when none could be opened, the
 * filter is bad or the privileges could not be dropped.  res: files_ok =
 * interfaces open at some time, files_skipped = never.
 */
int capture_live(struct sensor *s, const char *const *ifaces, int n,
		 const struct capture_config *cfg, struct capture_result *res);

#endif /* OTS_CAPTURE_H */
