/*
 * affinitytest: sched_setaffinity, sched_getaffinity and getcpu seen from user space, by
 * raw system calls (musl's wrappers hide the return value and clear buffers), checked
 * against Linux's rules as a Linux 6.x host answers them:
 *   getaffinity  len must hold NR_CPUS bits and be a multiple of 8: 0, 4, 7, 9 and
 *                0x20000000 (len * 8 wraps to 0 in 32 bits) are EINVAL; the upper half of
 *                the len register is ignored; it returns the bytes written, 8 (the
 *                kernel's mask), and writes no more even into a longer buffer;
 *   errors       ESRCH for pid -1 and a pid no task has, EFAULT for a bad pointer, in
 *                Linux's order (setaffinity copies first: EFAULT even for a bad pid;
 *                then the pid: ESRCH even for an empty mask; then EINVAL for a mask with
 *                no online CPU: empty, len 0, an offline CPU, a CPU past the kernel's);
 *   the mask     getaffinity gives exactly the online CPUs (counted in /proc/cpuinfo);
 *   moving       with two CPUs or more: a 1-byte mask {1} moves the caller at once
 *                (getcpu says 1), a forked child inherits it, and the full mask is back;
 *   getcpu       node 0, NULL pointers allowed, EFAULT for a bad one (cpu still written).
 * Each check prints "affinitytest: NAME: PASS" or FAIL with what it saw; the exit status
 * is the number of failures. tests/kernel/test_affinity.c runs it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD_PTR		((void *)8)			/* unmapped */
#define KERNEL_PTR	((void *)0xffffffff80000000ul)	/* not the user's */

static int failures;

/* One line per check; what was seen follows a FAIL. */
static void __attribute__((format(printf, 3, 4))) check(const char *name, int ok,
							 const char *fmt, ...)
{
	va_list ap;

	printf("affinitytest: %s: %s", name, ok ? "PASS" : "FAIL: ");
	if (!ok) {
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
	}
	printf("\n");
	failures += !ok;
}

/* The raw call's result as -errno, the kernel's own way of saying it. */
static long raw(long nr, long a, long b, long c)
{
	long r = syscall(nr, a, b, c);

	return r < 0 ? -errno : r;
}

static long getaff(long pid, unsigned long len, void *mask)
{
	return raw(SYS_sched_getaffinity, pid, (long)len, (long)mask);
}

static long setaff(long pid, unsigned long len, const void *mask)
{
	return raw(SYS_sched_setaffinity, pid, (long)len, (long)mask);
}

static int online_cpus(void)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];
	int n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		n += strncmp(line, "processor", 9) == 0;
	fclose(f);
	return n;
}

static void test_get_lengths(unsigned long online)
{
	static const unsigned long bad[] = { 0, 4, 7, 9, 0x20000000ul };
	unsigned char buf[16];
	unsigned long m;
	long r;

	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = getaff(0, bad[i], buf);
		check("getaffinity bad len", r == -EINVAL, "len %lu: %ld", bad[i], r);
	}
	memset(buf, 0xaa, sizeof(buf));
	r = getaff(0, 16, buf);
	memcpy(&m, buf, 8);
	check("getaffinity len 16 returns 8", r == 8, "%ld", r);
	check("getaffinity is the online CPUs", m == online, "%lx, want %lx", m, online);
	check("getaffinity writes 8 bytes only", buf[8] == 0xaa && buf[15] == 0xaa, "%x %x",
	      buf[8], buf[15]);
	r = getaff(0, (1ul << 32) | 8, buf);
	check("getaffinity len's upper half ignored", r == 8, "%ld", r);
}

static void test_errors(int ncpus)
{
	unsigned long m = 1, empty = 0, offline = 1ul << ncpus, past = 1ul << 63;
	long r;

	r = getaff(-1, 8, &m);
	check("getaffinity pid -1", r == -ESRCH, "%ld", r);
	r = getaff(99999, 8, &m);
	check("getaffinity no such pid", r == -ESRCH, "%ld", r);
	r = getaff(0, 8, BAD_PTR);
	check("getaffinity bad pointer", r == -EFAULT, "%ld", r);
	r = getaff(0, 8, KERNEL_PTR);
	check("getaffinity kernel pointer", r == -EFAULT, "%ld", r);
	r = setaff(-1, 8, &m);
	check("setaffinity pid -1", r == -ESRCH, "%ld", r);
	r = setaff(99999, 8, &empty);
	check("setaffinity no such pid before the mask", r == -ESRCH, "%ld", r);
	r = setaff(99999, 8, BAD_PTR);
	check("setaffinity bad pointer before the pid", r == -EFAULT, "%ld", r);
	r = setaff(0, 8, KERNEL_PTR);
	check("setaffinity kernel pointer", r == -EFAULT, "%ld", r);
	r = setaff(0, 8, &empty);
	check("setaffinity empty mask", r == -EINVAL, "%ld", r);
	r = setaff(0, 0, &m);
	check("setaffinity len 0", r == -EINVAL, "%ld", r);
	r = setaff(0, 8, &past);
	check("setaffinity CPU past the kernel's", r == -EINVAL, "%ld", r);
	if (ncpus < 63) {
		r = setaff(0, 8, &offline);
		check("setaffinity offline CPU", r == -EINVAL, "%ld", r);
	}
}

static void test_move(unsigned long online)
{
	unsigned char one = 2;	/* CPU 1 in a 1-byte mask */
	unsigned long m = 0;
	unsigned cpu = 99;
	int status = -1;
	pid_t child;
	long r;

	r = setaff(0, 1, &one);
	check("setaffinity {1}, 1 byte", r == 0, "%ld", r);
	r = raw(SYS_getcpu, (long)&cpu, 0, 0);
	check("moved to CPU 1 at once", r == 0 && cpu == 1, "getcpu %ld, cpu %u", r, cpu);
	getaff(0, 8, &m);
	check("getaffinity {1}", m == 2, "%lx", m);
	child = fork();
	if (child == 0) {
		unsigned c = 99;
		unsigned long cm = 0;

		raw(SYS_getcpu, (long)&c, 0, 0);
		getaff(0, 8, &cm);
		_exit(c == 1 && cm == 2 ? 0 : 1);
	}
	waitpid(child, &status, 0);
	check("a forked child inherits {1}", WIFEXITED(status) && WEXITSTATUS(status) == 0,
	      "status %#x", status);
	r = setaff(0, 8, &online);
	getaff(0, 8, &m);
	check("the whole mask back", r == 0 && m == online, "%ld, %lx", r, m);
}

static void test_getcpu(int ncpus)
{
	unsigned cpu = 99, node = 99;
	long r = raw(SYS_getcpu, (long)&cpu, (long)&node, 0);

	check("getcpu", r == 0 && (int)cpu < ncpus && node == 0, "%ld, cpu %u node %u", r, cpu,
	      node);
	r = raw(SYS_getcpu, 0, 0, 0);
	check("getcpu NULL pointers", r == 0, "%ld", r);
	r = raw(SYS_getcpu, (long)BAD_PTR, 0, 0);
	check("getcpu bad cpu pointer", r == -EFAULT, "%ld", r);
	cpu = 99;
	r = raw(SYS_getcpu, (long)&cpu, (long)BAD_PTR, 0);
	check("getcpu bad node pointer", r == -EFAULT && cpu != 99, "%ld, cpu %u", r, cpu);
}

int main(void)
{
	int ncpus = online_cpus();
	unsigned long online = ncpus >= 64 ? ~0ul : (1ul << ncpus) - 1;

	printf("affinitytest: %d CPUs online\n", ncpus);
	if (ncpus < 1) {
		printf("affinitytest: cannot count the CPUs in /proc/cpuinfo\n");
		return 1;
	}
	test_get_lengths(online);
	test_errors(ncpus);
	if (ncpus >= 2)
		test_move(online);
	else
		printf("affinitytest: moving: SKIP (one CPU online)\n");
	test_getcpu(ncpus);
	return failures;
}
