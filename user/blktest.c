/*
 * blktest: a disk through its device file, as a program sees it (docs/block.md).
 *   blktest DEV check [TEXT...]  the checks below, each "ok" or "FAIL", then "blktest: PASS";
 *                             with TEXT, also that the disk holds it at byte 4104 (sector
 *                             8, offset 8: where the scenarios' host wrote a label)
 *   blktest DEV write OFF TEXT...  pwrite TEXT at byte OFF and exit, without fsync: the
 *                             bytes are in the page cache (Dirty in meminfo) until a sync
 *   blktest DEV read OFF LEN  pread LEN bytes at OFF and print them (NULs as '.')
 * check: the size (lseek SEEK_END), a write that straddles two pages read back, the same
 * bytes read back again, fsync, a read at the end (0 bytes), a write past it (ENOSPC), and
 * (with TEXT) an unaligned read of what the host wrote.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int failures;

static void expect(const char *what, int ok)
{
	printf("blktest: %-56s %s\n", what, ok ? "ok" : "FAIL");
	failures += !ok;
}

static int check(int fd, const char *text)
{
	static char w[6000], r[6000];
	off_t size = lseek(fd, 0, SEEK_END);
	const off_t at = (1 << 20) + 4000;	/* crosses the page boundary at 1 MiB + 4 KiB */

	printf("blktest: size %lld bytes\n", (long long)size);
	expect("lseek SEEK_END gives the size, a multiple of 512", size > 0 && size % 512 == 0);
	for (size_t i = 0; i < sizeof(w); i++)
		w[i] = (char)('a' + i % 26);
	expect("pwrite of 6000 bytes across a page boundary",
	       pwrite(fd, w, sizeof(w), at) == (ssize_t)sizeof(w));
	expect("pread gives them back", pread(fd, r, sizeof(r), at) == (ssize_t)sizeof(r) &&
	       !memcmp(r, w, sizeof(w)));
	expect("fsync", fsync(fd) == 0);
	memset(r, 0, sizeof(r));
	expect("pread after fsync: the same", pread(fd, r, sizeof(r), at) == (ssize_t)sizeof(r) &&
	       !memcmp(r, w, sizeof(w)));
	expect("pread at the end: 0 bytes", pread(fd, r, 16, size) == 0);
	errno = 0;
	expect("pwrite at the end: ENOSPC", pwrite(fd, w, 16, size) < 0 && errno == ENOSPC);
	if (text) {
		size_t n = strlen(text) < sizeof(r) ? strlen(text) : sizeof(r);

		memset(r, 0, sizeof(r));
		expect("pread of what the host wrote at byte 4104 (unaligned)",
		       pread(fd, r, n, 8 * 512 + 8) == (ssize_t)n && !memcmp(r, text, n));
	}
	printf("blktest: %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}

/* argv[from..] joined by spaces, as the text argument. */
static char *join(int argc, char **argv, int from)
{
	static char text[512];
	size_t n = 0;

	for (int i = from; i < argc && n < sizeof(text) - 1; i++)
		n += (size_t)snprintf(text + n, sizeof(text) - n, "%s%s", i > from ? " " : "",
				      argv[i]);
	return text;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc < 3) {
		fprintf(stderr, "usage: blktest DEV check [TEXT] | write OFF TEXT | read OFF LEN\n");
		return 2;
	}
	fd = open(argv[1], O_RDWR);
	if (fd < 0 && errno == EROFS)
		fd = open(argv[1], O_RDONLY);
	if (fd < 0) {
		perror(argv[1]);
		return 1;
	}
	if (!strcmp(argv[2], "check"))
		return check(fd, argc > 3 ? join(argc, argv, 3) : NULL);
	if (!strcmp(argv[2], "write") && argc >= 5) {
		const char *text = join(argc, argv, 4);
		ssize_t n = pwrite(fd, text, strlen(text), atoll(argv[3]));

		printf("blktest: wrote %zd bytes at %s (not synced)\n", n, argv[3]);
		return n == (ssize_t)strlen(text) ? 0 : 1;
	}
	if (!strcmp(argv[2], "read") && argc == 5) {
		size_t len = (size_t)atoll(argv[4]);
		char *buf = calloc(1, len + 1);
		ssize_t n = buf ? pread(fd, buf, len, atoll(argv[3])) : -1;

		for (ssize_t i = 0; i < n; i++)
			if (!buf[i])
				buf[i] = '.';
		printf("blktest: %zd bytes: %s\n", n, n > 0 ? buf : "");
		return n < 0;
	}
	fprintf(stderr, "blktest: bad arguments\n");
	return 2;
}
