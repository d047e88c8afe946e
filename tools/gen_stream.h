/*
 * gen_stream.h - otsgen's transport scenarios (gen_stream.c): short
 * captures of one conversation whose TCP stream or IP layer is attacked or
 * awkward.  Ownership: nothing is kept between calls.
 */
#ifndef OTS_GEN_STREAM_H
#define OTS_GEN_STREAM_H

#include "gen.h"

/* Scenario names, NULL-terminated. */
extern const char *const gen_stream_names[];

/* Write scenario name to the pcap out, starting at start: 0, -1 on a write
 * error, -2 when name is not a transport scenario. */
int gen_stream_scenario(const char *name, uint64_t seed, gen_time start, const char *out);

#endif /* OTS_GEN_STREAM_H */
