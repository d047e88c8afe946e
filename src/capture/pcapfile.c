/*
 * pcapfile.c - classic pcap records read straight from the file (see
 * pcapfile.h).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "pcapfile.h"

#define PCAP_MAGIC_US    0xa1b2c3d4u
#define PCAP_MAGIC_NS    0xa1b23c4du
#define PCAPFILE_HDR     24
#define PCAPFILE_MAX_PKT 262144u        /* libpcap's largest sane packet */
#define PCAPFILE_BUF     (1024 * 1024)  /* at least a record of that size */

/* Link types read here: those whose file value is their DLT value and
 * whose largest sane packet is PCAPFILE_MAX_PKT. */
static int linktype_here(int dlt)
{
	switch (dlt) {
	case DLT_EN10MB:
	case DLT_NULL:
	case DLT_LINUX_SLL:
#ifdef DLT_LINUX_SLL2
	case DLT_LINUX_SLL2:
#endif
	case DLT_LOOP:
	case DLT_IPV4:
	case DLT_IPV6:
		return 1;
	default:
		return 0;
	}
}

/* Keep buf[pos, len) and read until at least need bytes are held, the
 * file ends or a read fails.  The bytes held. */
static size_t fill(struct pcapfile *pf, size_t need)
{
	if (pf->len - pf->pos >= need)
		return pf->len - pf->pos;
	if (pf->pos > 0) {
		memmove(pf->buf, pf->buf + pf->pos, pf->len - pf->pos);
		pf->len -= pf->pos;
		pf->pos = 0;
	}
	while (pf->len < need && !pf->eof && !pf->read_errno) {
		ssize_t n = infile_read(pf->f, pf->buf + pf->len, PCAPFILE_BUF - pf->len);

		if (n < 0) {
			pf->read_errno = errno ? errno : EIO;
			break;
		}
		if (n == 0)
			pf->eof = 1;
		pf->len += (size_t)n;
	}
	return pf->len - pf->pos;
}

static uint32_t rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

struct pcapfile *pcapfile_open(const char *path, pcap_t *p)
{
	struct pcapfile *pf;
	char err[PCAP_ERRBUF_SIZE];
	const unsigned char *h;
	uint32_t magic;
	struct stat st;

	/* a second open reads the same bytes again only from a regular file
	 * (not a pipe, a FIFO or a device) */
	if (strcmp(path, "-") == 0 || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	if (pcap_is_swapped(p) || pcap_major_version(p) != 2 ||
	    pcap_minor_version(p) != 4 || !linktype_here(pcap_datalink(p)) ||
	    pcap_snapshot(p) <= 0 || pcap_snapshot(p) > (int)PCAPFILE_MAX_PKT)
		return NULL;
	if (!(pf = calloc(1, sizeof(*pf))) || !(pf->buf = malloc(PCAPFILE_BUF))) {
		free(pf);
		return NULL;
	}
	pf->fp = infile_open(path, &pf->f, err, sizeof(err));
	if (!pf->fp || fill(pf, PCAPFILE_HDR) < PCAPFILE_HDR)
		goto no;
	/* the header libpcap read: same magic (this byte order), version,
	 * snapshot length and link type, or the file changed in between */
	h = pf->buf;
	magic = rd32(h);
	if (magic != PCAP_MAGIC_US && magic != PCAP_MAGIC_NS)
		goto no;
	{
		uint16_t major, minor;
		uint32_t snaplen = rd32(h + 16), lt = rd32(h + 20);

		memcpy(&major, h + 4, 2);
		memcpy(&minor, h + 6, 2);
		if (major != 2 || minor != 4 || (lt & 0x03ffffffu) != (uint32_t)pcap_datalink(p) ||
		    (lt & ~0x03ffffffu) != 0)
			goto no;
		/* libpcap takes a snapshot length of 0 or past the sane
		 * maximum as that maximum; it says what it took */
		if (snaplen != (uint32_t)pcap_snapshot(p) &&
		    !((snaplen == 0 || snaplen > PCAPFILE_MAX_PKT) &&
		      (uint32_t)pcap_snapshot(p) == PCAPFILE_MAX_PKT))
			goto no;
	}
	pf->snapshot = (uint32_t)pcap_snapshot(p);
	pf->nsec = magic == PCAP_MAGIC_NS;
	pf->pos = PCAPFILE_HDR;
	return pf;
no:
	pcapfile_close(pf);
	return NULL;
}

static int fail_read(struct pcapfile *pf)
{
	snprintf(pf->err, sizeof(pf->err), "error reading dump file: %s",
		 strerror(pf->read_errno));
	return -1;
}

/* The careful path: refills the buffer, and says what is wrong with a cut
 * or damaged record. */
int pcapfile_next_slow(struct pcapfile *pf, const struct pcap_pkthdr **hdr,
		       const unsigned char **data)
{
	uint32_t caplen, keep;
	size_t have;

	have = fill(pf, PCAPFILE_REC);
	if (have < PCAPFILE_REC) {
		if (pf->read_errno)
			return fail_read(pf);
		if (have == 0)
			return 0;
		snprintf(pf->err, sizeof(pf->err),
			 "truncated dump file; tried to read %d header bytes, only got %zu",
			 PCAPFILE_REC, have);
		pf->pos = pf->len;
		return -1;
	}
	caplen = pcapfile_take_header(pf, pf->buf + pf->pos);
	if (caplen > PCAPFILE_MAX_PKT) {
		if (caplen > pf->snapshot)
			snprintf(pf->err, sizeof(pf->err),
				 "invalid packet capture length %u, bigger than snaplen of %d",
				 caplen, (int)pf->snapshot);
		else
			snprintf(pf->err, sizeof(pf->err),
				 "invalid packet capture length %u, bigger than maximum of %u",
				 caplen, PCAPFILE_MAX_PKT);
		return -1;
	}
	/* a packet longer than the snapshot length: its first snapshot bytes */
	keep = caplen > pf->snapshot ? pf->snapshot : caplen;
	have = fill(pf, PCAPFILE_REC + (size_t)caplen);
	if (have < PCAPFILE_REC + (size_t)caplen) {
		size_t got = have - PCAPFILE_REC;

		if (pf->read_errno)
			return fail_read(pf);
		/* libpcap's count: what it read of the snapshot part, or of
		 * the whole packet once that part was there */
		snprintf(pf->err, sizeof(pf->err),
			 "truncated dump file; tried to read %u captured bytes, only got %zu",
			 got < keep ? keep : caplen, got);
		pf->pos = pf->len;
		return -1;
	}
	pf->hdr.caplen = keep;
	*hdr = &pf->hdr;
	*data = pf->buf + pf->pos + PCAPFILE_REC;
	pf->pos += PCAPFILE_REC + (size_t)caplen;
	return 1;
}

const char *pcapfile_error(const struct pcapfile *pf)
{
	return pf->err;
}

struct infile *pcapfile_infile(const struct pcapfile *pf)
{
	return pf->f;
}

void pcapfile_close(struct pcapfile *pf)
{
	if (!pf)
		return;
	if (pf->fp)
		fclose(pf->fp);
	free(pf->buf);
	free(pf);
}
