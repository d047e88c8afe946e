/*
 * infile.h - one capture file opened as a stdio stream for libpcap
 * (pcap_fopen_offline): plain, gzip or zstd, told apart by the magic bytes at
 * its start, never by its name; pcap and pcapng alike, since libpcap reads
 * the decompressed bytes.
 *
 * A compressed file that ends early reads as a plain file cut at the same
 * place would: the stream ends there, so libpcap reports a cut packet the
 * way it does for a plain file; infile_error() then also says the
 * compressed data ended early, which tells a cut on a packet boundary from
 * a whole file.  Corrupt compressed data is a read error (errno EIO) with
 * the decompressor's reason in infile_error().
 *
 * Ownership: infile_open returns a FILE * that owns the struct infile;
 * fclose (or pcap_close on a handle made from it) frees both.  The struct
 * infile pointer is valid until then.
 */
#ifndef OTS_INFILE_H
#define OTS_INFILE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

enum infile_kind {
	INFILE_PLAIN,
	INFILE_GZIP,
	INFILE_ZSTD,
};

struct infile;

/* Open path ("-" = standard input).  Returns the stream and sets *inf, or
 * NULL with the reason in err (the path is not repeated there). */
FILE *infile_open(const char *path, struct infile **inf, char *err, size_t errlen);

enum infile_kind infile_kind(const struct infile *inf);

/* Up to n bytes of the (decompressed) data, as the stream reads them:
 * the count, 0 at the end, -1 with errno on an error.  For a reader that
 * takes the bytes itself and never reads through the stream. */
ssize_t infile_read(struct infile *inf, void *buf, size_t n);

/* "", ".gz" or ".zst": a suffix for messages and summaries. */
const char *infile_kind_suffix(enum infile_kind k);

/* Bytes read from the file itself (compressed bytes for a compressed file). */
uint64_t infile_raw_bytes(const struct infile *inf);

/* Size of the file on disk, 0 when unknown (a pipe). */
uint64_t infile_size(const struct infile *inf);

/* NULL, or why the compressed data could not be read to its end. */
const char *infile_error(const struct infile *inf);

/* 1 when the compressed data is corrupt (not merely cut short). */
int infile_corrupt(const struct infile *inf);

#endif /* OTS_INFILE_H */
