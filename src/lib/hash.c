/*
 * hash.c - word and byte hashes over the ots_mix64 finalizer (see hash.h).
 */
#include <string.h>

#include "hash.h"

#define HASH_M1 UINT64_C(0x87c37b91114253d5)
#define HASH_M2 UINT64_C(0x4cf5ad432745937f)

static inline uint64_t hash_step(uint64_t h, uint64_t w)
{
	h ^= w * HASH_M1;
	return ((h << 31) | (h >> 33)) * HASH_M2;
}

uint64_t ots_hash_words(const uint64_t *w, size_t n, uint64_t seed)
{
	uint64_t h = seed ^ (n * UINT64_C(0x9e3779b97f4a7c15));
	size_t i;

	for (i = 0; i < n; i++)
		h = hash_step(h, w[i]);
	return ots_mix64(h);
}

uint64_t ots_hash_bytes(const void *p, size_t n, uint64_t seed)
{
	const unsigned char *s = p;
	uint64_t h = seed ^ (n * UINT64_C(0x9e3779b97f4a7c15)), w;

	for (; n >= 8; n -= 8, s += 8) {
		memcpy(&w, s, 8);
		h = hash_step(h, w);
	}
	if (n) {
		w = 0;
		memcpy(&w, s, n);
		h = hash_step(h, w ^ ((uint64_t)n << 56));
	}
	return ots_mix64(h);
}

uint64_t ots_hash_str(const char *s, uint64_t seed)
{
	return ots_hash_bytes(s, strlen(s), seed);
}

void ots_keyhash_init(struct ots_keyhash *kh, uint64_t seed)
{
	size_t i;

	/* distinct, well mixed keys; the last is the final multiplier: odd,
	 * so that the last product loses no low bit of h */
	for (i = 0; i < OTS_KEYHASH_WORDS + 2; i++)
		kh->k[i] = ots_mix64(seed + (i + 1) * UINT64_C(0x9e3779b97f4a7c15));
	kh->k[OTS_KEYHASH_WORDS + 1] |= 1;
}
