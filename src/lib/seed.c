/*
 * seed.c - random seeds for hash tables (see seed.h).
 */
#include <fcntl.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "hash.h"
#include "seed.h"

uint64_t ots_random_seed(void)
{
	uint64_t v = 0;
	ssize_t r;
	int fd;

	r = getrandom(&v, sizeof(v), GRND_NONBLOCK);
	if (r != (ssize_t)sizeof(v)) {
		v = 0;
		fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
				v = 0;
			close(fd);
		}
	}
	if (v == 0)
		v = ots_mix64((uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32));
	return v ? v : 1;
}
