/*
 * hash.h - the one 64-bit mixer and the one byte/word hash for in-process
 * tables.  Tables seed them with ots_random_seed() (seed.h) so that traffic
 * cannot aim collisions at a bucket.  None of these values is ever written
 * out: they may change between versions.
 */
#ifndef OTS_HASH_H
#define OTS_HASH_H

#include <stddef.h>
#include <stdint.h>

/* A bijective 64-bit finalizer: every input bit affects every output bit. */
static inline uint64_t ots_mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= UINT64_C(0xff51afd7ed558ccd);
	x ^= x >> 33;
	x *= UINT64_C(0xc4ceb9fe1a85ec53);
	x ^= x >> 33;
	return x;
}

/* Hash of n 64-bit words (a fixed-size, zero-padded key read a word at a
 * time: the fast path for keys that are a multiple of 8 bytes). */
uint64_t ots_hash_words(const uint64_t *w, size_t n, uint64_t seed);

/* Hash of n bytes of any length and alignment. */
uint64_t ots_hash_bytes(const void *p, size_t n, uint64_t seed);

/* Hash of a NUL-terminated string. */
uint64_t ots_hash_str(const char *s, uint64_t seed);

#endif /* OTS_HASH_H */
