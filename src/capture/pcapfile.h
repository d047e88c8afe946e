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

#include <pcap/pcap.h>

#include "infile.h"

struct pcapfile;

/*
 * Open path again for reading its records here, when it is of the common
 * kind and its header says what libpcap found in it (p: libpcap's open
 * handle of the same file).  NULL when the file is not of that kind or
 * cannot be opened again: read it with libpcap then.
 */
struct pcapfile *pcapfile_open(const char *path, pcap_t *p);

/* The next packet: 1, 0 at the end of the file, -1 on an error
 * (pcapfile_error() says which). */
int pcapfile_next(struct pcapfile *pf, const struct pcap_pkthdr **hdr,
		  const unsigned char **data);

const char *pcapfile_error(const struct pcapfile *pf);
struct infile *pcapfile_infile(const struct pcapfile *pf);
void pcapfile_close(struct pcapfile *pf);

#endif /* OTS_PCAPFILE_H */
