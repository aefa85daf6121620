/*
 * chrt: show or set a process's scheduling policy and RT priority, or run a command
 * with them, with the options and messages of util-linux's chrt (the kernel shell has
 * its own chrt for kernel threads; this one works through the system calls):
 *   chrt -m                          each policy's min/max priority
 *   chrt -p PID                      PID's policy and priority
 *   chrt [POLICY] -p PRIO PID        set them
 *   chrt [POLICY] PRIO CMD [ARG...]  run CMD with them (exec, so it keeps this pid)
 * POLICY is -o (SCHED_OTHER), -f (SCHED_FIFO), -r (SCHED_RR, the default), -b
 * (SCHED_BATCH) or -i (SCHED_IDLE). The sched_* calls are made with syscall(): musl's
 * wrappers of sched_setscheduler and sched_getscheduler are stubs that fail ENOSYS.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SCHED_BATCH
#define SCHED_BATCH 3
#endif
#ifndef SCHED_IDLE
#define SCHED_IDLE 5
#endif

static const struct { int policy; const char *name; } policies[] = {
	{ SCHED_OTHER, "SCHED_OTHER" }, { SCHED_FIFO, "SCHED_FIFO" }, { SCHED_RR, "SCHED_RR" },
	{ SCHED_BATCH, "SCHED_BATCH" }, { SCHED_IDLE, "SCHED_IDLE" },
};

static const char *policy_name(int policy)
{
	for (unsigned i = 0; i < sizeof(policies) / sizeof(policies[0]); i++)
		if (policies[i].policy == policy)
			return policies[i].name;
	return "SCHED_?";
}

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "chrt: ");
	fprintf(stderr, msg, arg);
	fprintf(stderr, "\nTry 'chrt --help' for more information.\n");
	return 1;
}

/* A whole decimal number, or -1. */
static long number(const char *s)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	return (*s && !*end && !errno && v >= 0 && v <= 0x7fffffff) ? v : -1;
}

static int show(long pid)
{
	struct sched_param sp;
	long policy = syscall(SYS_sched_getscheduler, pid);

	if (policy < 0 || syscall(SYS_sched_getparam, pid, &sp) < 0) {
		fprintf(stderr, "chrt: failed to get pid %ld's policy: %s\n", pid, strerror(errno));
		return 1;
	}
	printf("pid %ld's current scheduling policy: %s\n", pid, policy_name((int)policy));
	printf("pid %ld's current scheduling priority: %d\n", pid, sp.sched_priority);
	return 0;
}

static int show_limits(void)
{
	for (unsigned i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		int min = sched_get_priority_min(policies[i].policy);
		int max = sched_get_priority_max(policies[i].policy);

		if (min >= 0 && max >= 0)
			printf("%s min/max priority\t: %d/%d\n", policies[i].name, min, max);
	}
	return 0;
}

int main(int argc, char **argv)
{
	int policy = SCHED_RR, pid_mode = 0, i;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *o = argv[i] + 1;

		for (; *o; o++) {
			switch (*o) {
			case 'o': policy = SCHED_OTHER; break;
			case 'f': policy = SCHED_FIFO; break;
			case 'r': policy = SCHED_RR; break;
			case 'b': policy = SCHED_BATCH; break;
			case 'i': policy = SCHED_IDLE; break;
			case 'p': pid_mode = 1; break;
			case 'm': return show_limits();
			default: {
				char opt[2] = { *o, 0 };

				return usage_error("invalid option -- '%s'", opt);
			}
			}
		}
	}
	if (pid_mode && argc - i == 1) {
		long pid = number(argv[i]);

		return pid < 0 ? usage_error("invalid PID argument: '%s'", argv[i]) : show(pid);
	}
	if (argc - i < 2)
		return usage_error("%s", "bad usage");

	long prio = number(argv[i]);
	struct sched_param sp;
	long pid = 0;

	if (prio < 0)
		return usage_error("invalid priority argument: '%s'", argv[i]);
	if (prio < sched_get_priority_min(policy) || prio > sched_get_priority_max(policy)) {
		fprintf(stderr, "chrt: unsupported priority value for the policy: %ld: see "
			"--max for valid range\n", prio);
		return 1;
	}
	if (pid_mode) {
		pid = number(argv[i + 1]);
		if (pid < 0)
			return usage_error("invalid PID argument: '%s'", argv[i + 1]);
	}
	sp.sched_priority = (int)prio;
	if (syscall(SYS_sched_setscheduler, pid, policy, &sp) < 0) {
		fprintf(stderr, "chrt: failed to set pid %ld's policy: %s\n", pid, strerror(errno));
		return 1;
	}
	if (pid_mode)
		return 0;
	execvp(argv[i + 1], argv + i + 1);
	fprintf(stderr, "chrt: failed to execute %s: %s\n", argv[i + 1], strerror(errno));
	return errno == ENOENT ? 127 : 126;
}
