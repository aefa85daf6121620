/*
 * hog: takes memory and keeps it. `hog [MIB [STEP]]` allocates STEP MiB at a time (1 by
 * default) with mmap, writes every page of it (so each page really gets a frame: lazy
 * allocation would otherwise leave the RSS untouched), and reports the total every
 * 16 MiB, until MIB MiB are held (no limit by default) or the kernel refuses (mmap fails
 * with ENOMEM, or the OOM killer ends us). Then it prints its RSS and holds the memory
 * until told to stop: SIGINT (^C), SIGTERM (`kill PID`) or SIGUSR1 make it print what it
 * held and exit 0; SIGKILL simply ends it. Its memory comes back to the kernel at exit.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_stop(int sig)
{
	stop_signal = sig;
}

static long rss_kb(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
	long limit = argc > 1 ? atol(argv[1]) : 0, step = argc > 2 ? atol(argv[2]) : 1;
	long page = sysconf(_SC_PAGESIZE), held = 0;
	struct sigaction sa;

	if (limit < 0 || step <= 0 || step > 1024) {
		fprintf(stderr, "usage: hog [MIB [STEP]] (STEP 1..1024 MiB)\n");
		return 2;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	setvbuf(stdout, NULL, _IONBF, 0);
	if (limit)
		printf("hog: pid %d, taking %ld MiB in steps of %ld MiB\n", (int)getpid(), limit,
		       step);
	else
		printf("hog: pid %d, taking memory in steps of %ld MiB until refused\n",
		       (int)getpid(), step);

	while (!stop_signal && (!limit || held < limit)) {
		long bytes = step << 20;
		char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			       -1, 0);

		if (p == MAP_FAILED) {
			printf("hog: mmap of %ld MiB refused: %s\n", step, strerror(errno));
			break;
		}
		for (long off = 0; off < bytes; off += page)
			p[off] = 1;	/* one write per page: one fault, one frame */
		held += step;
		if (held % 16 < step)
			printf("hog: %ld MiB touched\n", held);
	}
	printf("hog: holding %ld MiB, max RSS %ld kB; waiting for SIGINT, SIGTERM or SIGUSR1\n",
	       held, rss_kb());
	while (!stop_signal) {
		struct timespec second = { 1, 0 };

		nanosleep(&second, NULL);	/* a signal ends the sleep early: EINTR */
	}
	printf("hog: %s: released %ld MiB\n", strsignal(stop_signal), held);
	return 0;
}
