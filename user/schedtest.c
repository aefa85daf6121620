/*
 * schedtest: the scheduling policies seen from user space, with sched_setscheduler and
 * setpriority only. Each test makes two children, A and B, that spin on the CPU (never
 * blocking) while they record, in memory shared by all three processes (MAP_SHARED |
 * MAP_ANONYMOUS), the order in which they ran. The parent sets itself SCHED_FIFO 50
 * first, so that it alone runs while it forks the children and sets their policies,
 * then it blocks in wait4 and lets them go. On one CPU:
 *   fifo   A is FIFO 10, B FIFO 20: B runs to its end before A starts (one turn each).
 *   fifo-same  both FIFO 10: one runs to its end, then the other (one turn each). B goes
 *          first: a task whose priority is lowered goes to the head of its new level (as
 *          in Linux), and B was lowered from 50 to 10 after A.
 *   rr     both RR 10, 400 ms of work each: the 100 ms timeslice (sched_rr_get_interval)
 *          makes them take turns, about 4 each.
 *   cfs    both SCHED_OTHER, A nice 0, B nice 5, both spinning for the same 1.5 s: the CPU
 *          time splits as the weights, 1024 : 335, so A gets about 3 times B's.
 * A "turn" starts when a child sees that the other one wrote last. Each test prints its
 * numbers and PASS or FAIL; `schedtest [TEST...]` runs some, all by default. The exit
 * status is the number of tests that failed.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct shared {
	volatile int last;		/* the child that wrote last: 'A' or 'B' */
	volatile int turns[2];		/* turns taken by A and by B */
	volatile int order[64];		/* who started each turn, in order */
	volatile int norder;
	volatile long long end_ns;	/* cfs: both stop at this time */
	volatile long cpu_us[2];	/* cfs: CPU time each got */
};

static struct shared *sh;

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static long cpu_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec * 1000000L + ru.ru_utime.tv_usec;
}

/* One spin step of child @me: note a new turn when the other child ran since. */
static void step(int me)
{
	if (sh->last != me) {
		sh->last = me;
		sh->turns[me == 'B']++;
		if (sh->norder < 64)
			sh->order[sh->norder++] = me;
	}
}

/* Spin for @ms of this child's own CPU time (so a preempted child still does it all). */
static void spin_cpu(int me, long ms)
{
	long start = cpu_us();

	while (cpu_us() - start < ms * 1000)
		step(me);
}

/* cfs: spin until the shared end time, then record the CPU time used. */
static void spin_until_end(int me)
{
	long start = cpu_us();

	while (now_ns() < sh->end_ns)
		step(me);
	sh->cpu_us[me == 'B'] = cpu_us() - start;
}

static int set_policy(int pid, int policy, int prio)
{
	struct sched_param sp = { .sched_priority = prio };

	/* The system call itself: musl's sched_setscheduler() is a stub that fails ENOSYS. */
	if (syscall(SYS_sched_setscheduler, pid, policy, &sp) < 0) {
		printf("schedtest: sched_setscheduler(%d, %d, %d): %s\n", pid, policy, prio,
		       strerror(errno));
		return -1;
	}
	return 0;
}

/* Fork child @me running @work(@me, @ms); it inherits the parent's FIFO 50, so it waits. */
static int start_child(int me, int cfs, long ms)
{
	int pid = fork();

	if (pid == 0) {
		if (cfs)
			spin_until_end(me);
		else
			spin_cpu(me, ms);
		_exit(0);
	}
	return pid;
}

static void reset(void)
{
	memset((void *)sh, 0, sizeof(*sh));
}

static void wait_both(int a, int b)
{
	waitpid(a, NULL, 0);
	waitpid(b, NULL, 0);
}

static void print_order(const char *test)
{
	printf("schedtest: %s: order", test);
	for (int i = 0; i < sh->norder; i++)
		printf(" %c", sh->order[i]);
	printf(" (turns: A %d, B %d)\n", sh->turns[0], sh->turns[1]);
}

/* Two FIFO children at @prio_a and @prio_b; returns 0 if the expected one ran first, alone. */
static int test_fifo(const char *name, int prio_a, int prio_b)
{
	reset();
	int a = start_child('A', 0, 100), b = start_child('B', 0, 100);

	if (a < 0 || b < 0 || set_policy(a, SCHED_FIFO, prio_a) || set_policy(b, SCHED_FIFO, prio_b))
		return 1;
	wait_both(a, b);
	print_order(name);
	/* Higher priority first; at equal priority B, lowered last, so at the head. */
	int first = prio_b >= prio_a ? 'B' : 'A';

	return !(sh->norder == 2 && sh->order[0] == first && sh->turns[0] == 1 &&
		 sh->turns[1] == 1);
}

static int test_rr(void)
{
	struct timespec slice;

	reset();
	int a = start_child('A', 0, 400), b = start_child('B', 0, 400);

	if (a < 0 || b < 0 || set_policy(a, SCHED_RR, 10) || set_policy(b, SCHED_RR, 10))
		return 1;
	sched_rr_get_interval(a, &slice);
	wait_both(a, b);
	print_order("rr");
	long slice_ms = slice.tv_sec * 1000 + slice.tv_nsec / 1000000;

	printf("schedtest: rr: timeslice %ld ms\n", slice_ms);
	/* 400 ms each in 100 ms slices: at least 3 turns each (4 if nothing else ran). */
	return !(slice_ms == 100 && sh->turns[0] >= 3 && sh->turns[1] >= 3);
}

static int test_cfs(void)
{
	reset();
	sh->end_ns = now_ns() + 1500LL * 1000 * 1000;
	int a = start_child('A', 1, 0), b = start_child('B', 1, 0);

	if (a < 0 || b < 0 || set_policy(a, SCHED_OTHER, 0) || set_policy(b, SCHED_OTHER, 0))
		return 1;
	if (setpriority(PRIO_PROCESS, a, 0) || setpriority(PRIO_PROCESS, b, 5)) {
		printf("schedtest: setpriority: %s\n", strerror(errno));
		return 1;
	}
	wait_both(a, b);
	double ratio = sh->cpu_us[1] ? (double)sh->cpu_us[0] / sh->cpu_us[1] : 0;

	printf("schedtest: cfs: nice 0 got %ld ms, nice 5 got %ld ms: ratio %.2f "
	       "(weights 1024/335 = 3.06)\n", sh->cpu_us[0] / 1000, sh->cpu_us[1] / 1000, ratio);
	return !(ratio > 2.3 && ratio < 4.0 && sh->turns[0] > 1 && sh->turns[1] > 1);
}

static int run(const char *name)
{
	int failed;

	if (!strcmp(name, "fifo"))
		failed = test_fifo("fifo", 10, 20);
	else if (!strcmp(name, "fifo-same"))
		failed = test_fifo("fifo-same", 10, 10);
	else if (!strcmp(name, "rr"))
		failed = test_rr();
	else if (!strcmp(name, "cfs"))
		failed = test_cfs();
	else {
		printf("schedtest: unknown test %s (fifo, fifo-same, rr, cfs)\n", name);
		return 1;
	}
	printf("schedtest: %s: %s\n", name, failed ? "FAIL" : "PASS");
	return failed;
}

int main(int argc, char **argv)
{
	static char *all[] = { "fifo", "fifo-same", "rr", "cfs" };
	int failed = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	sh = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (sh == MAP_FAILED) {
		perror("schedtest: mmap");
		return 1;
	}
	printf("schedtest: FIFO priorities %d..%d, RR %d..%d, OTHER %d..%d\n",
	       sched_get_priority_min(SCHED_FIFO), sched_get_priority_max(SCHED_FIFO),
	       sched_get_priority_min(SCHED_RR), sched_get_priority_max(SCHED_RR),
	       sched_get_priority_min(SCHED_OTHER), sched_get_priority_max(SCHED_OTHER));
	if (set_policy(0, SCHED_FIFO, 50))
		return 1;
	if (argc > 1)
		for (int i = 1; i < argc; i++)
			failed += run(argv[i]);
	else
		for (unsigned i = 0; i < sizeof(all) / sizeof(all[0]); i++)
			failed += run(all[i]);
	return failed;
}
