/*
 * thrash: a working set, touched over and over, that may not fit in memory.
 * `thrash MIB [PASSES]` maps MIB MiB and makes PASSES passes (3 by default) over it, page
 * by page: each pass checks the word the previous pass left in every page (a pattern of
 * the page's number and the pass) and writes the next. Pages that had to come back from
 * swap are major faults; each pass prints how many it took and how long:
 *   thrash: pass 2: 23040 pages, 14872 major faults, 3120 ms
 * With the working set within RAM the count stays near 0; past it, every pass pays for
 * most pages, and the time per pass grows by orders of magnitude: thrashing. At the end:
 *   thrash: 90 MiB checked over 3 passes: OK      (or: MISMATCH at page N, and exit 1)
 * `thrash MIB PASSES fork` makes the passes in a child forked after the fill, while the
 * parent waits and then checks that its own copy still holds the fill's pattern: fork of
 * an address space that is partly out on swap, each process reading its own pages back.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

static long majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

static long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static unsigned long pattern(long page, int pass)
{
	return (unsigned long)page * 2654435761u ^ (unsigned long)pass << 40;
}

/* Check the pattern @pass left and write @pass + 1's over all pages; -1 or the bad page. */
static long one_pass(char *p, long pages, int pass, bool check, bool write)
{
	long faults = majflt(), start = now_ms();

	for (long i = 0; i < pages; i++) {
		unsigned long *w = (unsigned long *)(p + (i << 12));

		if (check && *w != pattern(i, pass - 1))
			return i;
		if (write)
			*w = pattern(i, pass);
	}
	printf("thrash: %s %d: %ld pages, %ld major faults, %ld ms\n",
	       !check ? "fill" : write ? "pass" : "check", pass, pages, majflt() - faults,
	       now_ms() - start);
	return -1;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 0, pages = mib << 8, bad = -1;
	int passes = argc > 2 ? atoi(argv[2]) : 3, status;
	bool in_child = argc > 3 && strcmp(argv[3], "fork") == 0;
	pid_t child = 0;
	char *p;

	if (mib <= 0 || passes < 1 || (argc > 3 && !in_child)) {
		fprintf(stderr, "usage: thrash MIB [PASSES [fork]]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("thrash: mmap");
		return 1;
	}
	one_pass(p, pages, 0, false, true);
	if (in_child && (child = fork()) < 0) {
		perror("thrash: fork");
		return 1;
	}
	if (child > 0) {	/* the parent: wait, then check its own copy of the fill */
		waitpid(child, &status, 0);
		bad = one_pass(p, pages, 1, true, false);
		if (bad < 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0) {
			printf("thrash: the parent's %ld MiB survived the child's passes: OK\n", mib);
			return 0;
		}
		printf("thrash: parent: %s\n", bad >= 0 ? "MISMATCH" : "the child failed");
		return 1;
	}
	for (int pass = 1; pass <= passes && bad < 0; pass++)
		bad = one_pass(p, pages, pass, true, true);
	if (bad >= 0) {
		printf("thrash: MISMATCH at page %ld\n", bad);
		return 1;
	}
	printf("thrash: %ld MiB checked over %d passes: OK\n", mib, passes);
	return 0;
}
