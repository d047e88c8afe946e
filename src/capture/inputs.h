/*
 * inputs.h - the capture files of one offline run as one packet stream.
 *
 * Inputs are files, standard input ("-") and directories (the files inside,
 * sorted by name; subdirectories too when recursive).  Files are opened
 * only when their packets are due and closed at their end, at most
 * max_open at once, so hundreds of rotated files cost no more than the few
 * that overlap in time.
 *
 * Order: packets of all inputs are merged by timestamp, the oldest first;
 * equal timestamps go to the input given (or found) first (mergecap 4.0
 * gives them to the file named last: name the files in reverse order to
 * compare).  Before reading, every file is opened once to learn the time of its
 * first packet, so rotated files of one port are read in turn, and only
 * captures that overlap in time are open together.  A packet earlier than
 * the one before it in the same file is passed on where it stands and
 * counted (out_of_order); so is a packet that the open-file bound forced
 * out of time order (late).  With no_merge the inputs are read one after
 * the other in the order given.
 *
 * Bad inputs: a file that is not a capture, cannot be opened or has an
 * unsupported link type is skipped (nothing of it read); a read error
 * part-way ends that file (failed; what came before it was passed on).
 * Either way one line naming it goes to cfg->message, and the rest is read.
 * Compressed files (gzip, zstd) are read through infile.h.
 *
 * Ownership: struct inputs owns every path, libpcap handle and record; the
 * packet that inputs_next hands out is valid until the next inputs_next or
 * inputs_free call.  Strings in struct input_info live as long as inputs.
 */
#ifndef OTS_INPUTS_H
#define OTS_INPUTS_H

#include <stdint.h>
#include <sys/time.h>
#include <pcap/pcap.h>

#include "infile.h"

#define INPUTS_DEFAULT_MAX_OPEN   32        /* files open at once */
#define INPUTS_DEFAULT_MAX_INPUTS 100000    /* files in one run */
#define INPUTS_MAX_DEPTH          32        /* directory nesting followed */

enum input_state {
	INPUT_PENDING,          /* not read (yet) */
	INPUT_OPEN,
	INPUT_DONE,             /* read to its end */
	INPUT_FAILED,           /* read error part-way: the rest is lost */
	INPUT_SKIPPED,          /* nothing of it read */
};

struct input_info {
	const char *name;               /* path as given or found; "(stdin)" */
	enum input_state state;
	enum infile_kind kind;
	uint64_t size;                  /* bytes on disk, 0 when unknown */
	uint64_t packets;               /* packets passed on */
	uint64_t out_of_order;          /* earlier than the packet before them */
	struct timeval first, last;     /* of the packets passed on */
	char error[192];                /* why failed or skipped, "" otherwise */
};

struct inputs_config {
	const char *bpf;                /* filter for every file, or NULL */
	int recursive;                  /* follow subdirectories */
	int no_merge;                   /* one after the other, as given */
	int max_open;                   /* files open at once, >= 1 */
	uint32_t max_inputs;            /* files at most; the rest skipped */
	int (*linktype_ok)(int linktype);       /* NULL: any */
	/* one line for the user (no newline, no program name); NULL: stderr */
	void (*message)(void *user, const char *text);
	void *user;
};

struct inputs_packet {
	const struct pcap_pkthdr *hdr;
	const unsigned char *data;
	int linktype;
	uint32_t input;                 /* index for inputs_info */
};

struct inputs_totals {
	uint32_t inputs, done, failed, skipped, pending;
	uint64_t packets;
	uint64_t out_of_order;          /* sum over the inputs */
	uint64_t late;                  /* earlier than the packet before them
					 * in the stream handed out */
	uint64_t bytes_done;            /* of finished inputs, read of open ones */
	uint64_t bytes_total;           /* sizes on disk (0 for pipes) */
	struct timeval first, last;     /* of all packets passed on */
};

struct inputs;

void inputs_config_default(struct inputs_config *cfg);

/* NULL when out of memory.  The config is copied. */
struct inputs *inputs_new(const struct inputs_config *cfg);

/* Add a file, "-" or a directory.  Problems (no such file, an empty
 * directory, a symlink loop, a file that is not regular) get a line and are
 * skipped.  0, or -1 when out of memory. */
int inputs_add(struct inputs *in, const char *path);

/* Call once after the last inputs_add: learns where each file starts.
 * 0, or -1 on a fatal problem (a filter that does not compile; reported). */
int inputs_start(struct inputs *in);

/* The next packet in order.  1 a packet, 0 the end, -1 a fatal problem
 * (reported). */
int inputs_next(struct inputs *in, struct inputs_packet *pkt);

uint32_t inputs_count(const struct inputs *in);
const struct input_info *inputs_info(const struct inputs *in, uint32_t i);
void inputs_get_totals(const struct inputs *in, struct inputs_totals *t);

/* Closes whatever is open.  NULL is a no-op. */
void inputs_free(struct inputs *in);

#endif /* OTS_INPUTS_H */
