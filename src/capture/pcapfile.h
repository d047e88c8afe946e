/*
 * pcapfile.h - the records of a classic pcap file read straight from its
 * bytes, for the common case: version 2.4, the byte order of this machine,
 * micro- or nanosecond time stamps, a link type whose largest sane packet
 * is 256 KiB.  libpcap opens every capture first (it checks the header and
 * says what is wrong with a bad one); a file of that common kind is then
 * read here, a block at a time into one buffer and handed out in place,
 * instead of two stdio reads and a copy per packet.  Anything else (pcapng,
 * other byte order or version, standard input or any input that is not a
 * regular file, a filter) stays with libpcap.
 *
 * Each packet is handed out as pcap_next_ex() would: time stamps in
 * microseconds (nanoseconds divided by 1000), a packet longer than the
 * file's snapshot length cut to it, and the same error texts for a cut or
 * damaged file ("truncated dump file; tried to read ...", "invalid packet
 * capture length ...", "error reading dump file: ...").
 *
 * Ownership: a pcapfile owns its stream (and so its struct infile) and its
 * buffer; a packet handed out is valid until the next call.
 */
#ifndef OTS_PCAPFILE_H
#define OTS_PCAPFILE_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <pcap/pcap.h>

#include "infile.h"

#define PCAPFILE_REC     16             /* a record's header */

/* Read by pcapfile.c and by pcapfile_next below (inline: it runs once a
 * packet); nobody else touches it. */
struct pcapfile {
	FILE *fp;                       /* owns f; never read through */
	struct infile *f;
	unsigned char *buf;
	size_t pos, len;                /* buf[pos, len): not handed out yet */
	int eof;                        /* the file has no more bytes */
	int read_errno;                 /* a read failed: its errno */
	uint32_t snapshot;
	int nsec;
	struct pcap_pkthdr hdr;
	char err[PCAP_ERRBUF_SIZE];
};

/*
 * Open path again for reading its records here, when it is of the common
 * kind and its header says what libpcap found in it (p: libpcap's open
 * handle of the same file).  NULL when the file is not of that kind or
 * cannot be opened again: read it with libpcap then.
 */
struct pcapfile *pcapfile_open(const char *path, pcap_t *p);

/* pcapfile_next's careful path (any record it does not take itself):
 * refills the buffer, gives every error and the cut. */
int pcapfile_next_slow(struct pcapfile *pf, const struct pcap_pkthdr **hdr,
		       const unsigned char **data);

/* The record at r: its header into pf->hdr (not caplen); the captured
 * length. */
static inline uint32_t pcapfile_take_header(struct pcapfile *pf, const unsigned char *r)
{
	uint32_t v[4];

	memcpy(v, r, sizeof(v));        /* this machine's byte order */
	pf->hdr.ts.tv_sec = (int32_t)v[0];
	pf->hdr.ts.tv_usec = (int32_t)v[1];
	if (pf->nsec)
		pf->hdr.ts.tv_usec /= 1000;
	pf->hdr.len = v[3];
	return v[2];
}

/* The next packet: 1, 0 at the end of the file, -1 on an error
 * (pcapfile_error() says which). */
static inline int pcapfile_next(struct pcapfile *pf, const struct pcap_pkthdr **hdr,
				const unsigned char **data)
{
	size_t have = pf->len - pf->pos;
	const unsigned char *r = pf->buf + pf->pos;
	uint32_t caplen;

	/* The common case: the whole record is in the buffer, and its length
	 * is within the snapshot length (so no larger than the largest sane
	 * packet) and needs no cut.  Anything else, the careful path: it
	 * gives every error and the cut. */
	if (have < PCAPFILE_REC)
		return pcapfile_next_slow(pf, hdr, data);
	memcpy(&caplen, r + 8, 4);
	if (caplen > pf->snapshot || have - PCAPFILE_REC < caplen)
		return pcapfile_next_slow(pf, hdr, data);
	pcapfile_take_header(pf, r);
	pf->hdr.caplen = caplen;
	*hdr = &pf->hdr;
	*data = r + PCAPFILE_REC;
	pf->pos += PCAPFILE_REC + (size_t)caplen;
	return 1;
}

const char *pcapfile_error(const struct pcapfile *pf);
struct infile *pcapfile_infile(const struct pcapfile *pf);
void pcapfile_close(struct pcapfile *pf);

#endif /* OTS_PCAPFILE_H */
