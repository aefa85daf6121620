/*
 * forkbomb: the classic "every process forks again", made bounded so it can be run on
 * purpose. `forkbomb [DEPTH]` (default 10): each process forks two children and each
 * child does the same, DEPTH levels deep, so without a limit 2^(DEPTH+1) - 2 processes
 * would be made (2046 for depth 10). Each process stays alive until its children have
 * ended, so the whole tree exists at once. The kernel must contain it: once the process
 * limit (sysctl kernel.threads-max) is reached, fork fails with EAGAIN, the bomb's
 * processes see that, stop forking and exit, and the machine goes on.
 *
 * The counts are kept in a page shared by the whole tree (MAP_SHARED | MAP_ANONYMOUS
 * survives fork as shared memory) with atomic adds: forks that worked, forks refused and
 * with which errno, and the most processes alive at once. The root prints them, e.g.
 *   forkbomb: depth 10: 2046 forks wanted, 61 made, 1985 refused (EAGAIN 1985),
 *   at most 62 alive at once, all reaped
 * and exits 0 if every child was reaped and every refusal was EAGAIN.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct bomb_counts {
	long made, refused, refused_eagain, refused_other, alive, max_alive, unreaped;
};

static struct bomb_counts *counts;

static void note_alive(long delta)
{
	long now = __atomic_add_fetch(&counts->alive, delta, __ATOMIC_SEQ_CST);
	long max = __atomic_load_n(&counts->max_alive, __ATOMIC_SEQ_CST);

	while (now > max &&
	       !__atomic_compare_exchange_n(&counts->max_alive, &max, now, 0, __ATOMIC_SEQ_CST,
					    __ATOMIC_SEQ_CST))
		;
}

/* Fork two children that do the same at @depth - 1; wait for those made. */
static void bomb(int depth)
{
	int children = 0;

	for (int i = 0; i < 2 && depth > 0; i++) {
		int pid = fork();

		if (pid == 0) {
			note_alive(1);
			bomb(depth - 1);
			note_alive(-1);
			_exit(0);
		}
		/*
		 * A refusal also stands for the whole subtree that child would have made, but
		 * only the fork that was asked for is counted.
		 */
		if (pid < 0) {
			__atomic_add_fetch(&counts->refused, 1, __ATOMIC_SEQ_CST);
			__atomic_add_fetch(errno == EAGAIN ? &counts->refused_eagain
					   : &counts->refused_other, 1, __ATOMIC_SEQ_CST);
		} else {
			__atomic_add_fetch(&counts->made, 1, __ATOMIC_SEQ_CST);
			children++;
		}
	}
	/* Stay a little, so the tree is alive at once and the limit is really met. */
	struct timespec pause = { 0, 50 * 1000 * 1000 };

	nanosleep(&pause, NULL);
	while (children > 0) {
		int status;

		if (wait4(-1, &status, 0, NULL) > 0)
			children--;
		else if (errno != EINTR)
			break;
	}
	if (children)
		__atomic_add_fetch(&counts->unreaped, children, __ATOMIC_SEQ_CST);
}

int main(int argc, char **argv)
{
	int depth = argc > 1 ? atoi(argv[1]) : 10;

	if (depth < 1 || depth > 16) {
		fprintf(stderr, "usage: forkbomb [DEPTH] (1..16)\n");
		return 2;
	}
	counts = mmap(NULL, sizeof(*counts), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
		      -1, 0);
	if (counts == MAP_FAILED) {
		perror("forkbomb: mmap");
		return 1;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	counts->alive = counts->max_alive = 1;
	bomb(depth);
	long wanted = (2L << depth) - 2;

	printf("forkbomb: depth %d: %ld forks wanted, %ld made, %ld refused (EAGAIN %ld, other %ld), "
	       "at most %ld alive at once, %s\n", depth, wanted, counts->made, counts->refused,
	       counts->refused_eagain, counts->refused_other, counts->max_alive,
	       counts->unreaped ? "some not reaped" : "all reaped");
	return counts->unreaped || counts->refused_other ? 1 : 0;
}
