/*
 * nice: run a command with its niceness changed, or print the niceness, as coreutils'
 * nice does:
 *   nice                     print this process's niceness (what it inherited)
 *   nice [-n ADJ] CMD [ARG]  run CMD with niceness + ADJ (10 by default), clamped to
 *                            -20..19; exec, so CMD keeps this pid and the new niceness
 * Under the fair class, each niceness step is about 10% of CPU time against a nice 0
 * task (the weight table: nice 0 is 1024, nice 5 is 335, nice 19 is 15).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long adj = 10;
	int i = 1;

	if (i < argc && !strcmp(argv[i], "-n")) {
		char *end;

		if (i + 1 >= argc) {
			fprintf(stderr, "nice: option requires an argument -- 'n'\n");
			return 125;
		}
		adj = strtol(argv[i + 1], &end, 10);
		if (!argv[i + 1][0] || *end) {
			fprintf(stderr, "nice: invalid adjustment '%s'\n", argv[i + 1]);
			return 125;
		}
		i += 2;
	}
	errno = 0;
	int now = getpriority(PRIO_PROCESS, 0);

	if (now == -1 && errno) {
		perror("nice: cannot get niceness");
		return 125;
	}
	if (i >= argc) {
		if (i > 1) {
			fprintf(stderr, "nice: a command must be given with an adjustment\n");
			return 125;
		}
		printf("%d\n", now);
		return 0;
	}
	long want = now + adj;

	want = want < -20 ? -20 : want > 19 ? 19 : want;
	if (setpriority(PRIO_PROCESS, 0, (int)want) < 0)
		fprintf(stderr, "nice: cannot set niceness: %s\n", strerror(errno));
	execvp(argv[i], argv + i);
	fprintf(stderr, "nice: '%s': %s\n", argv[i], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
