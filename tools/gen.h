/*
 * gen.h - otsgen, the plant traffic generator: shared types.
 *
 * otsgen simulates a small plant on the wire and writes it as a pcap file
 * through libpcap's dump API.  The pieces:
 *   gen_wire.c   deterministic PRNG, byte builder, Ethernet/IPv4/TCP/UDP
 *                framing with checksums, TCP sessions, the time-ordered
 *                packet queue and the pcap writer;
 *   gen_proto.c  Modbus/TCP, DNP3 (link CRCs, transport, application) and
 *                S7comm (TPKT, COTP, S7 PDUs) message builders;
 *   otsgen.c     the plant model, the scenarios, the ground truth and main().
 *
 * Everything is deterministic for a given seed: no rand(), no wall clock.
 * Times are microseconds since the Unix epoch (gen_time).
 *
 * Ownership: a gen_writer owns its packet pool and the open pcap file;
 * hosts and TCP connections belong to the plant (otsgen.c) and are only
 * borrowed by the writer.
 */
#ifndef OTS_GEN_H
#define OTS_GEN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef int64_t gen_time;               /* microseconds since the epoch */
#define GEN_SEC  1000000LL
#define GEN_MSEC 1000LL

#define GEN_SNAPLEN 65535
#define GEN_MAX_FRAME 1514              /* Ethernet II, no FCS */
#define GEN_MAX_PAYLOAD 1400            /* largest L4 payload we build */

/* ---- PRNG (splitmix64 seeding, xoshiro256** stream) ---- */
struct gen_rng {
	uint64_t s[4];
};

void gen_rng_seed(struct gen_rng *r, uint64_t seed, uint64_t stream);
uint64_t gen_rng_next(struct gen_rng *r);
double gen_rng_unit(struct gen_rng *r);                 /* [0, 1) */
uint32_t gen_rng_below(struct gen_rng *r, uint32_t n);  /* [0, n), n > 0 */
double gen_rng_sym(struct gen_rng *r);                  /* (-1, 1) */
uint64_t gen_hash_str(const char *s);                   /* FNV-1a */
void gen_ip_str(uint32_t ip, char *out, size_t n);      /* dotted quad */

/* ---- byte builder: writes past the end set overflow, never overrun ---- */
struct gen_buf {
	uint8_t b[GEN_MAX_PAYLOAD];
	size_t n;
	int overflow;
};

void gb_reset(struct gen_buf *g);
void gb_u8(struct gen_buf *g, unsigned v);
void gb_be16(struct gen_buf *g, unsigned v);
void gb_le16(struct gen_buf *g, unsigned v);
void gb_be24(struct gen_buf *g, uint32_t v);
void gb_be32(struct gen_buf *g, uint32_t v);
void gb_le32(struct gen_buf *g, uint32_t v);
void gb_leN(struct gen_buf *g, uint64_t v, size_t n);
void gb_bytes(struct gen_buf *g, const void *p, size_t n);
/* s copied into exactly width bytes, padded with pad. */
void gb_padstr(struct gen_buf *g, const char *s, size_t width, unsigned pad);
void gb_put_be16_at(struct gen_buf *g, size_t at, unsigned v);

/* ---- hosts and TCP connections ---- */
struct gen_host {
	const char *name;       /* plant name: "hmi1", "plc-mb-1" ... */
	const char *role;       /* "hmi", "plc", "historian", ... */
	const char *vendor;     /* the OUI's owner, for the truth file */
	uint8_t mac[6];
	uint32_t ip;            /* host byte order */
	uint8_t ttl;
	uint8_t df;             /* set IP don't-fragment */
	uint16_t ip_id;
	uint16_t next_port;     /* next ephemeral port */
	uint16_t win;           /* TCP window it advertises */
	int seen;               /* set once a frame is queued to or from it */
	const uint8_t *l2_peer; /* when set, frames to/from off-net peers use
				   this MAC (the router) */
};

struct gen_tcp {
	struct gen_host *cli, *srv;
	uint16_t cport, sport;
	uint32_t cseq, sseq;    /* next sequence number each side sends */
	gen_time busy;          /* time of the last packet queued */
	int open;
};

/* ---- a binary min-heap of pointers, ordered by before() ---- */
struct gen_heap {
	void **v;
	size_t n, cap;
	int (*before)(const void *a, const void *b);
};

int gen_heap_push(struct gen_heap *h, void *item);     /* 0, or -1: no memory */
void *gen_heap_pop(struct gen_heap *h);                /* NULL when empty */
void gen_heap_free(struct gen_heap *h);                /* items not owned */

/* ---- the writer: a time-ordered queue of frames, dumped to pcap ---- */
struct gen_pkt;
struct gen_writer {
	void *pd;               /* pcap_t * (dead) */
	void *dumper;           /* pcap_dumper_t * */
	FILE *fp;
	char *iobuf;
	struct gen_heap queue;  /* struct gen_pkt *, on (time, order) */
	struct gen_pkt *free_list;
	void **chunks;          /* pool chunks, freed at close */
	size_t nchunks, capchunks;
	uint64_t order;         /* tie-breaker: queue order */
	uint64_t packets, bytes;
	int err;
};

int gen_writer_open(struct gen_writer *w, const char *path);
/* Write out every queued frame stamped before t (nothing later can precede
 * them: callers never queue frames earlier than the current task time). */
void gen_writer_flush_before(struct gen_writer *w, gen_time t);
/* Flush everything and close; returns 0 or -1 on any write error. */
int gen_writer_close(struct gen_writer *w);

/* Raw frame assembly; each queues one Ethernet frame at time t. */
void gen_frame(struct gen_writer *w, gen_time t, const uint8_t *frame, size_t n);
/* Big-endian stores into frame bytes. */
void gen_put16(uint8_t *p, unsigned v);
void gen_put32(uint8_t *p, uint32_t v);
/* Internet checksum (RFC 1071): add bytes to a running sum, then fold. */
uint32_t gen_csum_add(uint32_t sum, const uint8_t *p, size_t n);
uint16_t gen_csum_fold(uint32_t sum);
void gen_udp(struct gen_writer *w, gen_time t, struct gen_host *src, uint16_t sport,
	     struct gen_host *dst, uint16_t dport, const uint8_t *p, size_t n);
void gen_tcp_segment(struct gen_writer *w, gen_time t, struct gen_host *src,
		     uint16_t sport, struct gen_host *dst, uint16_t dport,
		     uint32_t seq, uint32_t ack, unsigned flags, int mss,
		     const uint8_t *p, size_t n);

/* TCP sessions.  Each returns the time of the last frame it queued. */
void gen_tcp_init(struct gen_tcp *c, struct gen_rng *r, struct gen_host *cli,
		  struct gen_host *srv, uint16_t sport);
gen_time gen_tcp_connect(struct gen_writer *w, struct gen_rng *r,
			 struct gen_tcp *c, gen_time t);
/* Data from one side at t (PSH|ACK), acknowledging everything the other
 * side sent. */
gen_time gen_tcp_data(struct gen_writer *w, struct gen_tcp *c, int from_server,
		      gen_time t, const struct gen_buf *g);
gen_time gen_tcp_ack(struct gen_writer *w, struct gen_tcp *c, int from_server,
		     gen_time t);
gen_time gen_tcp_close(struct gen_writer *w, struct gen_rng *r,
		       struct gen_tcp *c, gen_time t);
/* Abort: RST|ACK from one side; the connection is closed. */
gen_time gen_tcp_reset(struct gen_writer *w, struct gen_tcp *c, int from_server,
		       gen_time t);
/* A half-open probe (SYN); open ports answer SYN/ACK and get a RST back,
 * closed ones answer RST/ACK. */
gen_time gen_tcp_probe(struct gen_writer *w, struct gen_rng *r, struct gen_host *cli,
		       struct gen_host *srv, uint16_t dport, int open, gen_time t);
uint16_t gen_host_port(struct gen_host *h);

/* ---- protocol builders (gen_proto.c) ---- */

/* Modbus/TCP: MBAP + PDU.  addr/qty as on the wire. */
void mb_read_req(struct gen_buf *g, unsigned tid, unsigned unit, unsigned fc,
		 unsigned addr, unsigned qty);
void mb_regs_resp(struct gen_buf *g, unsigned tid, unsigned unit, unsigned fc,
		  const uint16_t *v, unsigned n);
void mb_bits_resp(struct gen_buf *g, unsigned tid, unsigned unit, unsigned fc,
		  const uint8_t *bits, unsigned n);
void mb_write_single(struct gen_buf *g, unsigned tid, unsigned unit,
		     unsigned addr, unsigned value);
void mb_write_multi_req(struct gen_buf *g, unsigned tid, unsigned unit,
			unsigned addr, const uint16_t *v, unsigned n);
void mb_write_multi_resp(struct gen_buf *g, unsigned tid, unsigned unit,
			 unsigned addr, unsigned n);
void mb_devid_req(struct gen_buf *g, unsigned tid, unsigned unit, unsigned code,
		  unsigned object);
/* objs: n strings for object ids 0..n-1 */
void mb_devid_resp(struct gen_buf *g, unsigned tid, unsigned unit, unsigned code,
		   const char *const *objs, unsigned n);
void mb_exception(struct gen_buf *g, unsigned tid, unsigned unit, unsigned fc,
		  unsigned code);
void mb_umas(struct gen_buf *g, unsigned tid, unsigned unit, unsigned key,
	     unsigned code, const void *data, size_t n);

/* DNP3: wrap one application fragment (<= 249 bytes) in a transport segment
 * and a link frame with CRCs.  ctrl is the link control byte. */
uint16_t dnp3_crc(const uint8_t *p, size_t n);
void dnp3_frame(struct gen_buf *g, unsigned ctrl, unsigned dst, unsigned src,
		unsigned tseq, const struct gen_buf *app);
#define DNP3_CTRL_FROM_MASTER 0xC4      /* DIR, PRM, unconfirmed user data */
#define DNP3_CTRL_FROM_OUTST  0x44      /* PRM, unconfirmed user data */

/* S7: TPKT + COTP. */
void s7_cotp_cr(struct gen_buf *g, unsigned src_ref, unsigned src_tsap,
		unsigned dst_tsap);
void s7_cotp_cc(struct gen_buf *g, unsigned dst_ref, unsigned src_ref,
		unsigned src_tsap, unsigned dst_tsap);
/* One S7 PDU in a COTP DT TPDU in a TPKT.  Ack and ack-data carry an error
 * class and code (0 here). */
void s7_pdu(struct gen_buf *g, unsigned rosctr, unsigned pduref,
	    const struct gen_buf *param, const struct gen_buf *data);
#define S7_JOB 1
#define S7_ACK 2
#define S7_ACK_DATA 3
#define S7_USERDATA 7

#endif /* OTS_GEN_H */
