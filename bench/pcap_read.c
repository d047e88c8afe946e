/*
 * pcap_read.c - the benchmark's baseline: read a capture with libpcap and
 * touch every captured byte (sum them), nothing else.
 */
#include <pcap/pcap.h>
#include <stdint.h>
#include <stdio.h>

int main(int argc, char **argv)
{
	char errbuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint64_t packets = 0, bytes = 0, sum = 0;
	pcap_t *p;
	int r;
	uint32_t i;

	if (argc != 2) {
		fprintf(stderr, "usage: pcap_read FILE\n");
		return 2;
	}
	p = pcap_open_offline(argv[1], errbuf);
	if (!p) {
		fprintf(stderr, "pcap_read: %s\n", errbuf);
		return 1;
	}
	while ((r = pcap_next_ex(p, &h, &data)) == 1) {
		packets++;
		bytes += h->caplen;
		for (i = 0; i < h->caplen; i++)
			sum += data[i];
	}
	if (r == PCAP_ERROR)
		fprintf(stderr, "pcap_read: %s\n", pcap_geterr(p));
	pcap_close(p);
	printf("%llu packets, %llu bytes, byte sum %llu\n", (unsigned long long)packets,
	       (unsigned long long)bytes, (unsigned long long)sum);
	return r == PCAP_ERROR ? 1 : 0;
}
