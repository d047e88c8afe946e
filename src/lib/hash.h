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

/*
 * The per-packet hash of a fixed-size key of OTS_KEYHASH_WORDS words (a
 * flow key): each pair of words, each word xored with its own secret key,
 * is multiplied into a 128-bit product whose halves are folded (xor); the
 * pairs' folds are xored and folded once more against two further keys.
 * Four multiplies in all, against ots_hash_words' fourteen.  The eight keys
 * come from the table's seed (ots_keyhash_init): without them traffic
 * cannot tell which key words zero a product or which keys share a bucket.
 * The values differ from ots_hash_words' and are never written out.
 */
#define OTS_KEYHASH_WORDS 6

struct ots_keyhash {
	uint64_t k[OTS_KEYHASH_WORDS + 2];
};

/* Derive the keys from a seed (ots_random_seed()). */
void ots_keyhash_init(struct ots_keyhash *kh, uint64_t seed);

/* The two halves of a * b, xored, from four 32-bit products: the form for
 * compilers without a 128-bit type, and the twin the tests hold
 * ots_mulfold to. */
static inline uint64_t ots_mulfold32(uint64_t a, uint64_t b)
{
	uint64_t al = a & 0xffffffffu, ah = a >> 32, bl = b & 0xffffffffu, bh = b >> 32;
	uint64_t ll = al * bl, lh = al * bh, hl = ah * bl, hh = ah * bh;
	uint64_t mid = (ll >> 32) + (lh & 0xffffffffu) + (hl & 0xffffffffu);
	uint64_t lo = (ll & 0xffffffffu) | (mid << 32);
	uint64_t hi = hh + (lh >> 32) + (hl >> 32) + (mid >> 32);

	return lo ^ hi;
}

/* The two halves of a * b, xored. */
static inline uint64_t ots_mulfold(uint64_t a, uint64_t b)
{
#ifdef __SIZEOF_INT128__
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
#else
	return ots_mulfold32(a, b);
#endif
}

static inline uint64_t ots_hash_key(const struct ots_keyhash *kh,
				    const uint64_t w[OTS_KEYHASH_WORDS])
{
	uint64_t h = ots_mulfold(w[0] ^ kh->k[0], w[1] ^ kh->k[1]) ^
		     ots_mulfold(w[2] ^ kh->k[2], w[3] ^ kh->k[3]) ^
		     ots_mulfold(w[4] ^ kh->k[4], w[5] ^ kh->k[5]);

	return ots_mulfold(h ^ kh->k[6], kh->k[7]);
}

#endif /* OTS_HASH_H */
