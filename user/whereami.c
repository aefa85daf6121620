/*
 * whereami: the CPU this process runs on (getcpu, through musl's sched_getcpu) and the
 * CPUs it may run on (sched_getaffinity), as one line:
 *   whereami: pid 7 on CPU 1, affinity list 1
 * Try it under the shell's taskset: `taskset -c 1 run whereami`. The exit status is the
 * CPU number, so the kernel tests (tests/kernel/test_affinity.c) read where it ran from
 * `run`'s report ("run: /bin/whereami: exit status 1"); CPU 0 is status 0.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <unistd.h>

int main(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu(), first = 1;

	if (cpu < 0 || sched_getaffinity(0, sizeof(set), &set)) {
		perror("whereami");
		return 255;
	}
	printf("whereami: pid %d on CPU %d, affinity list ", (int)getpid(), cpu);
	/* Every allowed CPU by number: the list's ranges are taskset's business. */
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, &set)) {
			printf("%s%d", first ? "" : ",", c);
			first = 0;
		}
	printf("\n");
	return cpu;
}
