/*
 * seed.h - a random 64-bit seed for hash tables (getrandom, else
 * /dev/urandom, else time and pid).  Never 0, so 0 can mean "pick one".
 */
#ifndef OTS_SEED_H
#define OTS_SEED_H

#include <stdint.h>

uint64_t ots_random_seed(void);

#endif /* OTS_SEED_H */
