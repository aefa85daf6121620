/*
 * fuzz: a system-call fuzzer for teachos (issue 9).
 *
 *   fuzz [-n CALLS] [-p PROCS] [-s SEED] [-v]
 *
 * The parent forks PROCS children; child i makes CALLS/PROCS (one more for the first
 * CALLS % PROCS) random system calls through the raw `syscall` instruction, with a
 * splitmix64 generator seeded from SEED and i. The numbers come mostly from the kernel's
 * list (include/kernel/syscall_list.h, included below), the rest are numbers the kernel
 * does not implement, which must give -ENOSYS. Arguments are chosen adversarially: 0,
 * small ints, -1, negative and huge fds, huge lengths, kernel and non-canonical addresses,
 * unmapped pointers, a scratch buffer whose last byte is followed by an inaccessible guard
 * page, and random 64-bit values.
 *
 * Every child keeps its counts in a MAP_SHARED page the parent reads, so calls are counted
 * even if a child dies; a child killed by a signal is counted and replaced by one that goes
 * on with the same quota. A watchdog in the parent reports a child that makes no progress
 * for 20 s (a kernel hang or a call that blocks), with the call it is in, and kills it.
 * At the end the parent removes the files the children made and prints one line:
 *
 *   fuzz: N calls in P processes, seed S: K ok, E errors (EFAULT a, EINVAL b, ...),
 *         B bad ENOSYS, F forks, G signals handled, X killed by signal, H hung
 *
 * (on one line). The kernel must survive all of it: no oops, a bad pointer is -EFAULT.
 *
 * Constraints, so the fuzzer neither ends nor blocks itself, nor destroys what it runs on.
 * Each keeps the call in the mix with the arguments that would do harm replaced:
 *  - exit, exit_group: only in forked children (fork/vfork/clone below), which exit at once
 *    with a random status.
 *  - fork, vfork, clone: allowed, the child exits at once from the same asm block (it never
 *    touches the stack: vfork and a clone with a random stack would share or lack one); the
 *    fuzzer reaps it with wait4(pid, __WALL). clone flags are random (the kernel refuses
 *    most), but their low byte, the signal the child's exit sends the fuzzer, is never
 *    SIGKILL or SIGSTOP; kernel.threads-max bounds the children anyway.
 *  - rt_sigreturn: only in a forked child (a "probe") with a random frame on its stack:
 *    the restored registers are garbage by design. Half the frames return to a stub that
 *    exits 0, with a valid stack; the child may also die of its signal, which is fine.
 *  - execve: never with a path that is a program (only bad pointers, directories, device
 *    nodes, text files, missing names): a successful exec would replace the fuzzer.
 *  - kill, tgkill: the pid is self (any signal but SIGKILL and SIGSTOP, which cannot be
 *    caught), a pid that does not exist, or an invalid one; never pid <= 0 (the group, or
 *    every process: the other fuzzers and the shell) nor another live process.
 *  - rt_sigaction: a new action's handler is always ours or SIG_IGN, with SA_RESTORER and our
 *    restorer forced and SA_RESETHAND cleared, so a signal sent to self never kills.
 *  - wait4: WNOHANG is always set (a blocking wait would wait for nothing forever).
 *  - read/readv/pread64 on the console would block: fds 0, 1, 2 are /dev/null in the
 *    children and /dev/console is never opened. A pipe's other end is the fuzzer's own, so
 *    a read of an empty pipe or a write to a full one would block: pipes are made
 *    O_NONBLOCK (pipe2's flags, fcntl F_SETFL after pipe), and F_SETFL keeps O_NONBLOCK.
 *  - nanosleep, clock_nanosleep: a valid timespec is at most 100 us, relative or absolute
 *    (an absolute one in the past returns at once); invalid ones (negative, nsec >= 1e9)
 *    are passed as they are.
 *  - sched_setscheduler/sched_setparam/setpriority: only on self or a pid that does not
 *    exist; SCHED_FIFO/RR only with an invalid priority (a spinning FIFO fuzzer would starve
 *    the one CPU and the shell).
 *  - arch_prctl(ARCH_SET_FS): only invalid values or the current one (musl keeps its thread
 *    pointer in FS); ARCH_SET_GS is free.
 *  - brk: any end, but a heap grown past HEAP_MAX is cut back at once: the interesting
 *    integers passed as pointers (1 << 28 ...) would land in a huge heap, and a read of
 *    /dev/zero through one would fill it.
 *  - munmap, mprotect, madvise, mmap with MAP_FIXED: the address is in the fuzzer's arena (a
 *    reserved range of nothing but its own scratch mappings) or invalid, and the length at
 *    most 1 TiB or above TASK_SIZE: the fuzzer's code, data and stack are never unmapped.
 *  - mmap's hint (no MAP_FIXED) is 0 or an arena address: the kernel takes a free hint, and
 *    one at the scratch buffer's guard page would map it.
 *  - memory: non-fixed mappings of up to 1 MiB are kept in a ring of 8 and the oldest is
 *    unmapped, larger ones are unmapped at once (a read of /dev/zero into one would fill
 *    it), and MAP_POPULATE and arena lengths are bounded, so children stay in a few MiB
 *    each: running out of memory is not what this fuzzes (the OOM report says who held it).
 *  - pointers: never to the fuzzer's own variables, only the scratch buffer, the arena, the
 *    ring and invalid addresses; readv's iovecs are built here, not taken from the buffer
 *    (whose bytes may hold addresses of the fuzzer's data, read from /bin/fuzz).
 *  - paths: a fixed list. Names that can be created are relative, and the cwd is always
 *    the child's own directory /tmp/fuzz/N (or its subdirectory), so what is created stays
 *    where the parent removes it; /bin/fuzz and the device nodes are never unlinked and
 *    /bin/fuzz is opened read-only.
 *  - fds: the child closes fds 3..63 every 512 calls, so opens keep succeeding (EMFILE
 *    otherwise), and removes its files every 4096 calls (ramfs keeps them in RAM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PAGE		4096ul
#define BUF_SIZE	(16 * PAGE)	/* the scratch buffer; an unmapped page follows it */
#define ARENA		0x100000000000ul	/* 16 TiB: far from the program, heap, mmap and stack */
#define ARENA_SIZE	(4ul << 20)
#define RING		8
#define HEAP_MAX	(4ul << 20)	/* the most a child's heap may stay grown by brk */
#define MAX_PROCS	16
#define MAX_ERRNO	133
#define TASK_SIZE	((1ul << 47) - PAGE)
#define HANG_SECONDS	20
#define MAX_REPLACED	64

/* The kernel's table, from its own list: numbers not in it must answer -ENOSYS. */
#include "../include/kernel/syscall_list.h"
#define KNOWN_NR(nr, name) nr,
static const unsigned short known[] = { SYSCALLS(KNOWN_NR) };
#define NKNOWN (sizeof(known) / sizeof(known[0]))

/* One child's counts, in memory shared with the parent. */
struct slot {
	volatile uint64_t calls;	/* calls made, counted when they return */
	uint64_t ok, err[MAX_ERRNO + 2];	/* err[MAX_ERRNO + 1]: an errno above MAX_ERRNO */
	uint64_t bad_enosys;		/* unknown number not answered -ENOSYS */
	uint64_t forks, sigs, probes;
	volatile uint64_t in_call, last_nr, last_arg[6];	/* for the watchdog's report */
	int pid, generation;
	uint64_t quota, seed;
};

static struct slot *slots;
static struct slot *me;		/* the child's own slot */
static uint64_t rng;
static unsigned char *buf;	/* BUF_SIZE bytes, then an unmapped page */
static uintptr_t ring[RING];
static size_t ring_len[RING];
static unsigned ring_next;
static int child_index;
static unsigned long saved_fs;

/* ------------------------------------------------------------------ the generator */

static uint64_t rnd(void)
{
	uint64_t z = (rng += 0x9e3779b97f4a7c15ull);	/* splitmix64 */

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static uint64_t below(uint64_t n)
{
	return n ? rnd() % n : 0;
}

static int chance(unsigned percent)
{
	return below(100) < percent;
}

/* ------------------------------------------------------------------ raw system calls */

static long sys6(long nr, long a, long b, long c, long d, long e, long f)
{
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e, r9 __asm__("r9") = f;
	long ret;

	__asm__ volatile("syscall" : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

#define sys(nr, ...) sys6_args(nr, __VA_ARGS__, 0, 0, 0, 0, 0, 0)
#define sys6_args(nr, a, b, c, d, e, f, ...) \
	sys6(nr, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e), (long)(f))

/*
 * fork, vfork or clone whose child exits at once with @status, inside one asm block: the
 * child never returns to C, so it needs no stack of its own (vfork, clone with a random
 * stack pointer). Returns what the parent got.
 */
static long fork_and_exit(long nr, long a, long b, long c, long d, long e, long status,
			  long exit_nr)
{
	register long r10 __asm__("r10") = d, r8 __asm__("r8") = e;
	register long r12 __asm__("r12") = status, r13 __asm__("r13") = exit_nr;
	long ret;

	__asm__ volatile("syscall\n\t"
			 "test %%rax, %%rax\n\t"
			 "jnz 1f\n\t"
			 "mov %%r13, %%rax\n\t"
			 "mov %%r12, %%rdi\n\t"
			 "syscall\n\t"
			 "ud2\n"
			 "1:"
			 : "=a"(ret)
			 : "a"(nr), "D"(a), "S"(b), "d"(c), "r"(r10), "r"(r8), "r"(r12), "r"(r13)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The signal trampoline (SA_RESTORER): the handler returns here. */
void fuzz_restorer(void);
__asm__(".text\n.globl fuzz_restorer\nfuzz_restorer:\n\tmov $15, %eax\n\tsyscall\n\tud2\n");

/* Where a sigreturn probe's good frames return: exit(0) without a stack. */
void fuzz_exit_stub(void);
__asm__(".text\n.globl fuzz_exit_stub\nfuzz_exit_stub:\n\tmov $60, %eax\n\txor %edi, %edi\n"
	"\tsyscall\n\tud2\n");

static void handler(int sig)
{
	(void)sig;
	me->sigs++;
}

struct ksigaction {		/* the kernel's struct sigaction on x86_64 */
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	uint64_t mask;
};

#undef SA_RESTORER
#define SA_RESTORER	0x04000000ul
#define SA_RESETHAND_K	0x80000000ul

/* ------------------------------------------------------------------ arguments */

static uintptr_t kernel_addr(void)
{
	static const uintptr_t bases[] = {
		0xffff800000000000ul, 0xffff888000000000ul, 0xffffc90000000000ul,
		0xffffea0000000000ul, 0xffffffff80000000ul, 0xffffffff81000000ul,
		0xfffffffffffff000ul,
	};
	unsigned i = below(7);

	/* The last page of all: an offset must not wrap around to user addresses. */
	return bases[i] + (chance(50) ? 0 : below(i == 6 ? PAGE : 1ul << 24));
}

/* An address nothing is mapped at (the kernel must fault or refuse). */
static uintptr_t bad_ptr(void)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return 1 + below(PAGE - 1);			/* page 0 */
	case 2: return (uintptr_t)buf + BUF_SIZE + below(PAGE);	/* the guard page */
	case 3: return 0x0000800000000000ul - below(16);	/* the top of user space */
	case 4: return 0x0000800000000000ul + below(1ul << 20);	/* non-canonical */
	case 5: return 0x8000000000000000ul;			/* non-canonical, high */
	case 6: return ARENA + ARENA_SIZE + below(1ul << 30);	/* past the arena */
	default: return kernel_addr();
	}
}

/* A pointer for a buffer argument: valid, straddling the guard page, or invalid. */
static uintptr_t any_ptr(void)
{
	uintptr_t end = (uintptr_t)buf + BUF_SIZE;

	switch (below(10)) {
	case 0: case 1: return (uintptr_t)buf;
	case 2: return (uintptr_t)buf + below(BUF_SIZE);
	case 3: return end - 1 - below(16);			/* bytes before the guard */
	case 4: return ARENA + below(ARENA_SIZE);		/* mapped or not, our own */
	case 5: {
		unsigned i = below(RING);
		return ring[i] ? ring[i] + below(ring_len[i]) : (uintptr_t)buf;
	}
	case 6: return rnd();
	default: return bad_ptr();
	}
}

static uint64_t any_len(void)
{
	switch (below(12)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return below(64);
	case 3: return below(PAGE + 1);
	case 4: return BUF_SIZE;
	case 5: return SIZE_MAX;
	case 6: return SIZE_MAX / 2;
	case 7: return 1ul << 40;
	case 8: return 0x7fffffff;
	case 9: return (uint64_t)-PAGE;
	case 10: return 1ul << 31;
	default: return rnd();
	}
}

static long any_fd(void)
{
	switch (below(10)) {
	case 0: return below(3);
	case 1: case 2: case 3: return 3 + below(16);
	case 4: return -1;
	case 5: return -100;				/* AT_FDCWD */
	case 6: return 0x7fffffff;
	case 7: return (long)0x80000000u;		/* INT_MIN as an int */
	case 8: return (1l << 32) | 3;			/* fd 3 with high bits */
	default: return (long)rnd();
	}
}

static uint64_t any_int(void)
{
	switch (below(8)) {
	case 0: return 0;
	case 1: return 1;
	case 2: return (uint64_t)-1;
	case 3: return below(16);
	case 4: return below(256);
	case 5: return (uint32_t)rnd();
	case 6: return 1ul << below(64);
	default: return rnd();
	}
}

/* A pid that is ours to act on or that cannot name another process. */
static long safe_pid(void)
{
	switch (below(5)) {
	case 0: return 0;				/* self, for the sched calls */
	case 1: return getpid();
	case 2: return 100000 + below(1000000);		/* no such process */
	case 3: return 0x7fffffff;
	default: return -1 - (long)below(1000);		/* invalid where a pid must be >= 0 */
	}
}

static char own_dir[64];	/* /tmp/fuzz/N */
static uint64_t heap_base;	/* the child's brk at its start */

/* Paths. The first CREATABLE entries may be created (relative: inside own_dir). */
static const char *const paths[] = {
	"a", "b", "d", "d/c", "d/../a", "d/e/f",
#define CREATABLE 6
	"", ".", "..", "/", "/tmp", "/dev", "/dev/null", "/dev/zero", "/etc",
	"/nonexistent/x", "a/b", "//tmp///.//", "/tmp/fuzz", "/bin", "/bin/fuzz",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))
#define PROGRAM_PATH (NPATHS - 1)	/* /bin/fuzz: read-only use, never exec'd */

/*
 * A path argument: a name of the list copied into the buffer (sometimes just before the
 * guard page, sometimes with no NUL before it), a name too long, or a bad pointer.
 * @idx gets which entry of the list it was, or -1.
 */
static uintptr_t any_path(int creatable, int *idx)
{
	size_t n = creatable ? CREATABLE : NPATHS;
	unsigned k = below(n);
	const char *s = paths[k];
	size_t len = strlen(s) + 1;
	unsigned char *at;

	*idx = -1;
	switch (below(12)) {
	case 0: return bad_ptr();
	case 1:				/* no NUL before the guard page: -EFAULT */
		at = buf + BUF_SIZE - 32;
		memset(at, 'a', 32);
		return (uintptr_t)at;
	case 2:				/* longer than PATH_MAX, inside the buffer */
		memset(buf, 'x', 5000);
		buf[5000] = 0;
		return (uintptr_t)buf;
	case 3:				/* a component longer than NAME_MAX */
		memset(buf, 'y', 300);
		buf[300] = 0;
		return (uintptr_t)buf;
	case 4:				/* ending exactly at the last byte before the guard */
		at = buf + BUF_SIZE - len;
		break;
	default:
		at = buf + PAGE * 8 + below(PAGE);
		break;
	}
	memcpy(at, s, len);
	*idx = k;
	return (uintptr_t)at;
}

/* The arena's mappings, the addresses the unmapping calls may name. */
static uintptr_t arena_addr(void)
{
	if (chance(20)) {	/* invalid, or nowhere near anything (not page 0: 0 + 1 TiB */
		switch (below(4)) {	/* would take the program with it) */
		case 0: return kernel_addr() & ~(PAGE - 1);
		case 1: return 0x0000800000000000ul - PAGE * below(2);	/* the top */
		case 2: return 0x0000800000000000ul + PAGE * below(256);	/* non-canonical */
		default: return ARENA + ARENA_SIZE + PAGE * below(1ul << 18);	/* past it */
		}
	}
	return ARENA + (below(ARENA_SIZE / PAGE) * PAGE) + (chance(10) ? below(PAGE) : 0);
}

/* A length for munmap/mprotect/madvise: at most 1 TiB, or above TASK_SIZE (refused). */
static uint64_t arena_len(void)
{
	switch (below(6)) {
	case 0: return 0;
	case 1: return PAGE * (1 + below(16));
	case 2: return below(ARENA_SIZE);
	case 3: return 1ul << 40;
	case 4: return TASK_SIZE + 1 + below(1ul << 40);
	default: return SIZE_MAX - below(PAGE);
	}
}

static void remember_mapping(long addr, size_t len)
{
	unsigned i = ring_next++ % RING;

	if (ring[i])
		sys(SYS_munmap, ring[i], ring_len[i]);
	ring[i] = addr;
	ring_len[i] = len;
}

/* A timespec in the buffer: valid and at most 100 us, or invalid. */
static uintptr_t short_timespec(void)
{
	long *ts = (long *)(buf + PAGE * 12);

	if (chance(15))
		return chance(50) ? bad_ptr() : (uintptr_t)(buf + BUF_SIZE - 8); /* half of one */
	ts[0] = chance(90) ? 0 : (chance(50) ? -1 : 0);
	ts[1] = chance(90) ? (long)below(100000) : (chance(50) ? 1000000000l : -1);
	return (uintptr_t)ts;
}

/* ------------------------------------------------------------------ one call */

/* A probe: a forked child calls rt_sigreturn on a random frame. */
static void sigreturn_probe(void)
{
	unsigned char *frame = buf + PAGE * 4;	/* the ucontext, as rsp - 8 + 8 sees it */
	uint64_t *w = (uint64_t *)frame;
	long pid;

	for (unsigned i = 0; i < 1024 / 8; i++)
		w[i] = chance(50) ? rnd() : any_int();
	if (chance(50)) {			/* a frame that can return: rip, rsp, cs, fpstate */
		w[(40 + 16 * 8) / 8] = (uint64_t)(uintptr_t)fuzz_exit_stub;	/* rip */
		w[(40 + 15 * 8) / 8] = (uint64_t)(uintptr_t)(buf + PAGE * 2);	/* rsp */
		if (chance(50))
			w[(40 + 18 * 8) / 8] = 0x33;	/* cs, gs, fs = 0, ss = 0 */
		if (chance(50))
			w[(40 + 23 * 8) / 8] = 0;	/* no FPU image */
	}
	me->probes++;
	pid = sys6(SYS_fork, 0, 0, 0, 0, 0, 0);
	if (pid == 0) {
		/* The garbage registers may run any of our code: keep it off the counts. */
		sys(SYS_munmap, (uintptr_t)slots, sizeof(struct slot) * MAX_PROCS);
		/* Default actions: a handler would return to the faulting instruction forever. */
		for (int sig = 1; sig <= 64; sig++) {
			struct ksigaction dfl = { SIG_DFL, 0, 0, 0 };

			sys(SYS_rt_sigaction, sig, (uintptr_t)&dfl, 0, 8);
		}
		__asm__ volatile("mov %0, %%rsp\n\tmov $15, %%eax\n\tsyscall\n\tud2"
				 : : "r"(frame) : "memory");
	}
	if (pid <= 0)
		return;
	/* The garbage registers may also spin in user space: give the probe 1 s. */
	for (int tries = 0; sys(SYS_wait4, pid, 0, __WALL | WNOHANG, 0) == 0; tries++) {
		struct timespec ts = { 0, 5 * 1000 * 1000 };

		if (tries == 200) {
			sys(SYS_kill, pid, SIGKILL);
			sys(SYS_wait4, pid, 0, __WALL, 0);
			return;
		}
		sys(SYS_nanosleep, (uintptr_t)&ts, 0);
	}
}

static void reap(long pid)
{
	if (pid > 0) {
		me->forks++;
		sys(SYS_wait4, pid, 0, __WALL, 0);
	}
}

static int is_known(long nr)
{
	for (unsigned i = 0; i < NKNOWN; i++)
		if (known[i] == nr)
			return 1;
	return 0;
}

/* Choose a number: mostly the kernel's, some it does not have. */
static long pick_nr(void)
{
	long nr;

	if (chance(95))
		return known[below(NKNOWN)];
	do {
		nr = chance(80) ? (long)below(512) : (long)(512 + below(1u << 31));
	} while (is_known(nr));
	return nr;
}

/* Fill in the arguments for @nr, with the constraints of the header comment. */
static void make_args(long nr, uint64_t a[6])
{
	int idx;

	for (int i = 0; i < 6; i++)	/* the generic mix; the cases below refine it */
		a[i] = chance(30) ? any_ptr() : chance(50) ? any_int() : any_len();

	switch (nr) {
	case SYS_read: case SYS_write: case SYS_pread64: case SYS_pwrite64:
		a[0] = any_fd(); a[1] = any_ptr(); a[2] = any_len();
		a[3] = chance(50) ? below(1 << 20) : any_int();
		break;
	case SYS_readv: case SYS_writev: {
		uint64_t *iov = (uint64_t *)(buf + PAGE * 13);	/* built here: see the header */
		unsigned n = below(8);

		for (unsigned i = 0; i < n; i++) {
			iov[2 * i] = any_ptr();
			iov[2 * i + 1] = any_len();
		}
		a[0] = any_fd();
		a[1] = chance(80) ? (uintptr_t)iov : bad_ptr();
		a[2] = chance(80) ? n : any_int();
		break;
	}
	case SYS_open: case SYS_openat: {
		uint64_t *p = nr == SYS_open ? &a[0] : &a[1];
		uint64_t *fl = nr == SYS_open ? &a[1] : &a[2];

		if (nr == SYS_openat)
			a[0] = chance(60) ? (uint64_t)-100 : (uint64_t)any_fd();
		*p = any_path(chance(50), &idx);
		*fl = chance(70) ? below(4) | (below(2) ? O_CREAT : 0) | (below(4) ? 0 : O_TRUNC) |
			(below(4) ? 0 : O_DIRECTORY) | (below(4) ? 0 : O_APPEND) |
			(below(4) ? 0 : O_CLOEXEC) : any_int();
		if (idx == (int)PROGRAM_PATH)
			*fl &= ~(uint64_t)(O_ACCMODE | O_TRUNC | O_CREAT | O_APPEND);
		/* a dirfd (openat) of a directory outside own_dir could create there */
		if (nr == SYS_openat && idx >= 0 && idx < CREATABLE && (long)a[0] != -100)
			*fl &= ~(uint64_t)O_CREAT;
		a[3] = chance(80) ? 0644 : any_int();
		break;
	}
	case SYS_close: case SYS_dup: case SYS_fstat: case SYS_getdents64:
	case SYS_fcntl: case SYS_ioctl: case SYS_lseek:
		a[0] = any_fd();
		if (nr == SYS_fcntl)
			a[1] = chance(70) ? below(12) : any_int();
		if (nr == SYS_lseek)
			a[2] = chance(70) ? below(5) : any_int();
		if (nr == SYS_ioctl && chance(50))
			a[1] = 0x5413;			/* TIOCGWINSZ */
		if (nr == SYS_fcntl && (int)a[1] == F_SETFL)
			a[2] |= O_NONBLOCK;		/* a pipe must stay non-blocking */
		break;
	case SYS_pipe: case SYS_pipe2:
		a[0] = chance(80) ? (uintptr_t)(buf + PAGE * 11) : bad_ptr();
		if (nr == SYS_pipe2)
			a[1] = (chance(80) ? (below(2) ? O_CLOEXEC : 0) : any_int()) | O_NONBLOCK;
		break;
	case SYS_dup2: case SYS_dup3:
		a[0] = any_fd(); a[1] = any_fd();
		if (nr == SYS_dup3)
			a[2] = chance(50) ? O_CLOEXEC : any_int();
		break;
	case SYS_stat: case SYS_lstat: case SYS_access: case SYS_readlink: case SYS_chdir:
	case SYS_mkdir: case SYS_rmdir: case SYS_unlink: {
		int creatable = nr == SYS_mkdir || nr == SYS_rmdir || nr == SYS_unlink;

		a[0] = any_path(creatable, &idx);
		/* chdir stays in own_dir or its subdirectory, so relative creation stays there */
		if (nr == SYS_chdir && idx >= 0 && strcmp(paths[idx], "d") && strcmp(paths[idx], "."))
			a[0] = chance(50) ? (uintptr_t)own_dir : bad_ptr();
		if (nr == SYS_chdir && idx < 0 && chance(50))
			a[0] = (uintptr_t)own_dir;
		if (nr == SYS_stat || nr == SYS_lstat || nr == SYS_readlink)
			a[1] = any_ptr();
		if (nr == SYS_readlink)
			a[2] = any_len();
		break;
	}
	case SYS_newfstatat: case SYS_faccessat: case SYS_readlinkat: case SYS_mkdirat:
	case SYS_unlinkat: {
		int creatable = nr == SYS_mkdirat || nr == SYS_unlinkat;

		a[0] = chance(60) ? (uint64_t)-100 : (uint64_t)any_fd();
		a[1] = any_path(creatable, &idx);
		if (creatable && (long)a[0] != -100)
			a[1] = chance(50) ? bad_ptr() : (uintptr_t)"/nonexistent/x";
		if (nr == SYS_unlinkat)
			a[2] = chance(50) ? 0x200 * below(2) : any_int();	/* AT_REMOVEDIR */
		if (nr == SYS_newfstatat || nr == SYS_readlinkat)
			a[2] = any_ptr();
		break;
	}
	case SYS_getcwd:
		a[0] = any_ptr(); a[1] = any_len();
		break;
	case SYS_execve:
		a[0] = any_path(0, &idx);
		if (idx == (int)PROGRAM_PATH || (idx >= 0 && idx < CREATABLE) ||
		    (idx >= 0 && !strcmp(paths[idx], "/bin")))
			a[0] = bad_ptr();
		a[1] = chance(50) ? 0 : any_ptr();
		a[2] = chance(50) ? 0 : any_ptr();
		break;
	case SYS_mmap:
		a[1] = chance(20) ? any_len() : PAGE * (1 + below(64));
		a[2] = chance(80) ? below(8) : any_int();
		a[3] = chance(80) ? (below(2) ? MAP_PRIVATE : MAP_SHARED) | MAP_ANONYMOUS |
			(below(4) ? 0 : MAP_FIXED) | (below(4) ? 0 : MAP_NORESERVE) |
			(below(4) ? 0 : MAP_POPULATE) | (below(8) ? 0 : MAP_FIXED_NOREPLACE) :
			any_int();
		if (a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) {
			a[0] = arena_addr();
			if (a[1] <= TASK_SIZE)
				a[1] = 1 + below(ARENA_SIZE / 4);	/* over the arena at most */
		} else {
			/* A hint is taken when the range is free: not near the buffer's guard. */
			a[0] = chance(50) ? 0 : arena_addr();
		}
		if ((a[3] & MAP_POPULATE) && a[1] > (1ul << 20) && a[1] <= TASK_SIZE)
			a[1] = 1 + below(1ul << 20);		/* populated: 1 MiB at most */
		a[4] = chance(80) ? (uint64_t)-1 : (uint64_t)any_fd();
		a[5] = chance(80) ? 0 : any_int();
		break;
	case SYS_munmap: case SYS_mprotect: case SYS_madvise:
		a[0] = arena_addr(); a[1] = arena_len();
		if (nr == SYS_mprotect)
			a[2] = chance(80) ? below(8) : any_int();
		if (nr == SYS_madvise)
			a[2] = chance(70) ? below(5) : any_int();	/* 4: MADV_DONTNEED */
		break;
	case SYS_brk:
		a[0] = chance(30) ? 0 : chance(50) ? any_ptr() : (uint64_t)sys(SYS_brk, 0) +
			(chance(50) ? below(1ul << 20) : -below(1ul << 20));
		break;
	case SYS_wait4:
		a[0] = chance(50) ? (uint64_t)-1 : any_int();
		a[1] = any_ptr();
		a[2] = (chance(70) ? below(8) : any_int()) | WNOHANG;
		a[3] = any_ptr();
		break;
	case SYS_kill: case SYS_tgkill: {
		long pid = chance(60) ? getpid() : (long)(100000 + below(1000000));
		uint64_t sig = chance(80) ? below(66) : any_int();

		/* The kernel reads an int: 0x100000009 is SIGKILL too. */
		if (pid == getpid() && ((int)sig == SIGKILL || (int)sig == SIGSTOP))
			sig = SIGUSR1;
		if (chance(5))
			pid = 0x7fffffff + below(2);	/* no such pid / negative as an int */
		a[0] = pid;
		if (nr == SYS_tgkill) {
			a[1] = chance(80) ? (uint64_t)pid : 100000 + below(1000000);
			a[2] = sig;
		} else {
			a[1] = sig;
		}
		break;
	}
	case SYS_rt_sigaction: {
		struct ksigaction *act = (struct ksigaction *)(buf + PAGE * 14);

		act->handler = chance(80) ? handler : SIG_IGN;
		act->flags = (chance(50) ? rnd() : 0) & ~SA_RESETHAND_K;
		act->flags |= SA_RESTORER;
		act->restorer = fuzz_restorer;
		act->mask = rnd();
		a[0] = chance(80) ? below(66) : any_int();
		a[1] = chance(40) ? 0 : chance(70) ? (uintptr_t)act : bad_ptr();
		a[2] = chance(50) ? 0 : any_ptr();
		a[3] = chance(80) ? 8 : any_int();
		break;
	}
	case SYS_rt_sigprocmask:
		a[0] = chance(80) ? below(4) : any_int();
		a[1] = chance(30) ? 0 : any_ptr();
		a[2] = chance(30) ? 0 : any_ptr();
		a[3] = chance(80) ? 8 : any_int();
		break;
	case SYS_nanosleep:
		a[0] = short_timespec();
		a[1] = chance(50) ? 0 : any_ptr();
		break;
	case SYS_clock_nanosleep:
		a[0] = chance(70) ? below(8) : any_int();
		a[1] = chance(70) ? below(2) : any_int();	/* TIMER_ABSTIME */
		a[2] = short_timespec();
		a[3] = chance(50) ? 0 : any_ptr();
		break;
	case SYS_clock_gettime: case SYS_sched_rr_get_interval:
		a[0] = chance(70) ? below(12) : any_int();
		a[1] = any_ptr();
		break;
	case SYS_sched_setscheduler: case SYS_sched_setparam: {
		int *param = (int *)(buf + PAGE * 15);
		uint64_t policy = chance(80) ? below(7) : any_int();

		a[0] = safe_pid();
		*param = chance(50) ? 0 : (int)any_int();
		if (nr == SYS_sched_setscheduler) {
			a[1] = policy;
			if (((policy & ~0x40000000ul) == 1 || (policy & ~0x40000000ul) == 2) &&
			    *param >= 1 && *param <= 99)
				*param = chance(50) ? 0 : 100;	/* FIFO/RR: an invalid priority */
			a[2] = chance(80) ? (uintptr_t)param : bad_ptr();
		} else {
			a[1] = chance(80) ? (uintptr_t)param : bad_ptr();
		}
		break;
	}
	case SYS_sched_getscheduler: case SYS_sched_getparam: case SYS_sched_getaffinity:
	case SYS_sched_setaffinity: case SYS_getpriority: case SYS_setpriority:
		if (nr == SYS_getpriority || nr == SYS_setpriority) {
			a[0] = chance(80) ? below(3) : any_int();
			a[1] = safe_pid();
			a[2] = chance(80) ? (uint64_t)(long)(below(40) - 20) : any_int();
		} else {
			a[0] = safe_pid();
			a[1] = chance(50) ? 8 * below(4) : any_len();
			a[2] = any_ptr();
			if (nr == SYS_sched_getparam)
				a[1] = any_ptr();
		}
		break;
	case SYS_arch_prctl:
		a[0] = chance(80) ? 0x1001 + below(4) : any_int();	/* SET_GS SET_FS GET_FS GET_GS */
		if (a[0] == 0x1002)				/* ARCH_SET_FS */
			a[1] = chance(50) ? saved_fs : bad_ptr() | 0x8000000000000000ul;
		else if (a[0] == 0x1001)
			a[1] = chance(50) ? any_ptr() : kernel_addr();
		else
			a[1] = any_ptr();
		break;
	case SYS_exit: case SYS_exit_group:	/* handled in do_call: only in a forked child */
		break;
	}
}

static void count(long nr, long ret)
{
	if (!is_known(nr) && (uint64_t)nr < (1ul << 32) && ret != -ENOSYS)
		me->bad_enosys++;
	if (ret < 0 && ret > -4096)
		me->err[-ret <= MAX_ERRNO ? -ret : MAX_ERRNO + 1]++;
	else
		me->ok++;
}

static void do_call(void)
{
	long nr = pick_nr(), ret;
	uint64_t a[6];

	make_args(nr, a);
	me->last_nr = nr;
	for (int i = 0; i < 6; i++)
		me->last_arg[i] = a[i];
	me->in_call = 1;
	switch (nr) {
	case SYS_exit: case SYS_exit_group:
		ret = fork_and_exit(SYS_fork, 0, 0, 0, 0, 0, (long)a[0], nr);
		reap(ret);
		break;
	case SYS_fork: case SYS_vfork:
		ret = fork_and_exit(nr, 0, 0, 0, 0, 0, (long)below(256), SYS_exit_group);
		reap(ret);
		break;
	case SYS_clone:
		if (chance(50))
			a[0] = SIGCHLD | (chance(20) ? 1ul << below(32) : 0);
		/* The low byte is the signal the child's exit sends us: not KILL or STOP. */
		if ((a[0] & 0xff) == SIGKILL || (a[0] & 0xff) == SIGSTOP)
			a[0] = (a[0] & ~0xfful) | SIGCHLD;
		if (chance(50))
			a[1] = 0;
		ret = fork_and_exit(nr, a[0], a[1], a[2], a[3], a[4], (long)below(256),
				    SYS_exit_group);
		reap(ret);
		break;
	case SYS_rt_sigreturn:
		sigreturn_probe();
		ret = 0;
		break;
	default:
		ret = sys6(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
		if (nr == SYS_pipe && ret == 0) {
			/* The kernel wrote the fds at a[0] (the buffer, or an arena page that a
			 * "bad" pointer hit), so it is mapped and writable, hence readable. */
			int *fds = (int *)(uintptr_t)a[0];

			/* The other end is ours and idle: a blocking read or write would hang. */
			sys(SYS_fcntl, fds[0], F_SETFL, O_NONBLOCK);
			sys(SYS_fcntl, fds[1], F_SETFL, O_NONBLOCK);
		}
		if (nr == SYS_brk && (uint64_t)ret > heap_base + HEAP_MAX)
			sys(SYS_brk, heap_base + PAGE * below(HEAP_MAX / PAGE));
		if (nr == SYS_mmap && ret > 0 && !(a[3] & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
		    (unsigned long)ret < TASK_SIZE) {
			/* A large one goes at once: a read into it would fill it (a 1 GiB
			 * mapping, 1 GiB of RSS), and memory is not what is fuzzed here. */
			if (a[1] <= (1ul << 20))
				remember_mapping(ret, a[1]);
			else
				sys(SYS_munmap, ret, a[1]);
		}
		break;
	}
	me->in_call = 0;
	count(nr, ret);
	me->calls++;
}

/* ------------------------------------------------------------------ files */

/* Remove @path and everything under it (getdents64 over the directory). */
static void remove_tree(const char *path, int depth)
{
	char dents[2048], sub[512];
	long fd, n;

	if (sys(SYS_unlink, path) == 0 || depth > 8)
		return;
	fd = sys(SYS_open, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return;
	while ((n = sys(SYS_getdents64, fd, dents, sizeof(dents))) > 0) {
		for (long off = 0; off < n;) {
			unsigned short reclen = *(unsigned short *)(dents + off + 16);
			const char *name = dents + off + 19;

			if (strcmp(name, ".") && strcmp(name, "..")) {
				snprintf(sub, sizeof(sub), "%s/%s", path, name);
				remove_tree(sub, depth + 1);
			}
			off += reclen;
		}
	}
	sys(SYS_close, fd);
	sys(SYS_rmdir, path);
}

/* What a child may have made outside /tmp/fuzz: the creatable names under a dirfd's dir. */
static void remove_strays(void)
{
	static const char *const dirs[] = { "/", "/tmp", "/dev", "/etc", "/bin" };
	char p[128];

	for (unsigned d = 0; d < sizeof(dirs) / sizeof(dirs[0]); d++)
		for (int k = CREATABLE - 1; k >= 0; k--) {
			snprintf(p, sizeof(p), "%s/%s", dirs[d], paths[k]);
			if (!strcmp(paths[k], "d/../a"))
				continue;
			sys(SYS_unlink, p);
			sys(SYS_rmdir, p);
		}
}

/* ------------------------------------------------------------------ a child */

static void child_setup(void)
{
	long fd;

	fd = sys(SYS_open, "/dev/null", O_RDWR);	/* no fd on the console: see the header */
	for (int i = 0; i < 3; i++)
		sys(SYS_dup2, fd, i);
	if (fd > 2)
		sys(SYS_close, fd);
	sys(SYS_mkdir, own_dir, 0755);
	sys(SYS_chdir, own_dir);
	sys(SYS_arch_prctl, 0x1003, &saved_fs);		/* ARCH_GET_FS */
	heap_base = (uint64_t)sys(SYS_brk, 0);
	/* The scratch buffer and its guard page: PROT_NONE, not a hole that a later mmap
	 * of one page could fill. */
	buf = mmap(NULL, BUF_SIZE + PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (buf == MAP_FAILED)
		sys(SYS_exit_group, 3);
	mprotect(buf + BUF_SIZE, PAGE, PROT_NONE);
	for (size_t i = 0; i < BUF_SIZE / 8; i++)
		((uint64_t *)buf)[i] = rnd();
	/* a handler for every signal that can be caught */
	for (int s = 1; s <= 64; s++) {
		struct ksigaction act = { handler, SA_RESTORER, fuzz_restorer, 0 };

		if (s != SIGKILL && s != SIGSTOP)
			sys(SYS_rt_sigaction, s, &act, 0, 8);
	}
}

static void child_main(int i)
{
	struct slot *s = &slots[i];

	me = s;
	child_index = i;
	/* a replacement (generation > 0) goes on with a stream of its own */
	rng = s->seed ^ ((uint64_t)s->generation << 56) ^ (s->calls * 0x100000001b3ull);
	snprintf(own_dir, sizeof(own_dir), "/tmp/fuzz/%d", i);
	child_setup();
	while (s->calls < s->quota) {
		do_call();
		if (s->calls % 512 == 0)
			for (int fd = 3; fd < 64; fd++)
				sys(SYS_close, fd);
		if (s->calls % 4096 == 0) {
			sys(SYS_chdir, "/");
			remove_tree(own_dir, 0);
			sys(SYS_mkdir, own_dir, 0755);
			sys(SYS_chdir, own_dir);
		}
	}
	sys(SYS_exit_group, 0);
}

/* ------------------------------------------------------------------ the parent */

static const char *const errnames[MAX_ERRNO + 2] = {
	[EPERM] = "EPERM", [ENOENT] = "ENOENT", [ESRCH] = "ESRCH", [EINTR] = "EINTR",
	[EIO] = "EIO", [ENXIO] = "ENXIO", [E2BIG] = "E2BIG", [ENOEXEC] = "ENOEXEC",
	[EBADF] = "EBADF", [ECHILD] = "ECHILD", [EAGAIN] = "EAGAIN", [ENOMEM] = "ENOMEM",
	[EACCES] = "EACCES", [EFAULT] = "EFAULT", [EBUSY] = "EBUSY", [EEXIST] = "EEXIST",
	[EXDEV] = "EXDEV", [ENODEV] = "ENODEV", [ENOTDIR] = "ENOTDIR", [EISDIR] = "EISDIR",
	[EINVAL] = "EINVAL", [ENFILE] = "ENFILE", [EMFILE] = "EMFILE", [ENOTTY] = "ENOTTY",
	[EFBIG] = "EFBIG", [ENOSPC] = "ENOSPC", [ESPIPE] = "ESPIPE", [EROFS] = "EROFS",
	[EMLINK] = "EMLINK", [ERANGE] = "ERANGE", [ENAMETOOLONG] = "ENAMETOOLONG",
	[ENOSYS] = "ENOSYS", [ENOTEMPTY] = "ENOTEMPTY", [ELOOP] = "ELOOP",
	[EOVERFLOW] = "EOVERFLOW", [EOPNOTSUPP] = "EOPNOTSUPP",
	[MAX_ERRNO + 1] = "other",
};

static long now_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec;
}

/* "NR (A0, A1, ... A5)": the call a child made last, for a report. */
static void print_call(const struct slot *s)
{
	printf("%llu (", (unsigned long long)s->last_nr);
	for (int i = 0; i < 6; i++)
		printf("%llx%s", (unsigned long long)s->last_arg[i], i < 5 ? ", " : ")\n");
}

static int start_child(int i)
{
	int pid = fork();

	if (pid == 0)
		child_main(i);
	if (pid < 0) {
		printf("fuzz: fork: %s\n", strerror(errno));
		return -1;
	}
	slots[i].pid = pid;
	return 0;
}

static void usage(void)
{
	printf("usage: fuzz [-n CALLS] [-p PROCS (1..%d)] [-s SEED] [-v]\n", MAX_PROCS);
	exit(2);
}

int main(int argc, char **argv)
{
	uint64_t calls = 100000, seed = 1, total = 0, last_total = (uint64_t)-1;
	int procs = 4, verbose = 0, live, killed = 0, hung = 0, opt;
	long last_progress = now_seconds(), start = last_progress;

	while ((opt = getopt(argc, argv, "n:p:s:v")) != -1) {
		switch (opt) {
		case 'n': calls = strtoull(optarg, NULL, 0); break;
		case 'p': procs = atoi(optarg); break;
		case 's': seed = strtoull(optarg, NULL, 0); break;
		case 'v': verbose = 1; break;
		default: usage();
		}
	}
	if (procs < 1 || procs > MAX_PROCS || optind != argc)
		usage();
	setvbuf(stdout, NULL, _IONBF, 0);
	slots = mmap(NULL, sizeof(struct slot) * MAX_PROCS, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED) {
		printf("fuzz: mmap: %s\n", strerror(errno));
		return 1;
	}
	mkdir("/tmp", 0755);
	mkdir("/tmp/fuzz", 0755);
	printf("fuzz: seed %llu, %llu calls in %d processes\n", (unsigned long long)seed,
	       (unsigned long long)calls, procs);
	for (int i = 0; i < procs; i++) {
		slots[i].quota = calls / procs + ((uint64_t)i < calls % procs);
		/* Hashed, not seed * step + i: splitmix64 streams that start one step apart
		 * are the same stream, so seeds 3 and 4 would make the same calls. */
		rng = seed ^ ((uint64_t)i << 32);
		slots[i].seed = rnd();
	}
	for (int i = 0; i < procs; i++) {
		if (start_child(i))
			return 1;
	}
	live = procs;
	while (live > 0) {
		int status, pid = waitpid(-1, &status, WNOHANG);

		if (pid > 0) {
			int i;

			for (i = 0; i < procs && slots[i].pid != pid; i++)
				;
			if (i == procs)
				continue;		/* a grandchild given to us: reaped */
			if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status))) {
				if (WIFSIGNALED(status))
					killed++;
				printf("fuzz: child %d (pid %d) %s %d after %llu calls, last call ",
				       i, pid, WIFSIGNALED(status) ? "killed by signal" : "exited",
				       WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status),
				       (unsigned long long)slots[i].calls);
				print_call(&slots[i]);
			}
			if (slots[i].calls < slots[i].quota && killed + hung < MAX_REPLACED) {
				slots[i].generation++;
				if (start_child(i) == 0)
					continue;
			}
			live--;
			continue;
		}
		total = 0;
		for (int i = 0; i < procs; i++)
			total += slots[i].calls;
		if (total != last_total) {
			last_total = total;
			last_progress = now_seconds();
		} else if (now_seconds() - last_progress > HANG_SECONDS) {
			for (int i = 0; i < procs; i++) {
				struct slot *s = &slots[i];

				if (s->calls >= s->quota)
					continue;
				printf("fuzz: child %d (pid %d) hung in call ", i, s->pid);
				print_call(s);
				kill(s->pid, SIGKILL);
				s->quota = s->calls;	/* not replaced */
				hung++;
			}
			last_progress = now_seconds();
		}
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	remove_tree("/tmp/fuzz", 0);
	remove_strays();

	uint64_t ok = 0, errs = 0, bad = 0, forks = 0, sigs = 0, probes = 0;
	uint64_t err[MAX_ERRNO + 2] = { 0 };

	total = 0;
	for (int i = 0; i < procs; i++) {
		struct slot *s = &slots[i];

		total += s->calls;
		ok += s->ok;
		bad += s->bad_enosys;
		forks += s->forks;
		sigs += s->sigs;
		probes += s->probes;
		for (int e = 0; e <= MAX_ERRNO + 1; e++) {
			err[e] += s->err[e];
			errs += s->err[e];
		}
	}
	if (verbose)
		printf("fuzz: %ld s, %llu sigreturn probes\n", now_seconds() - start,
		       (unsigned long long)probes);
	printf("fuzz: %llu calls in %d processes, seed %llu: %llu ok, %llu errors (",
	       (unsigned long long)total, procs, (unsigned long long)seed,
	       (unsigned long long)ok, (unsigned long long)errs);
	for (int e = 1, first = 1; e <= MAX_ERRNO + 1; e++) {
		if (!err[e])
			continue;
		if (errnames[e])
			printf("%s%s %llu", first ? "" : ", ", errnames[e], (unsigned long long)err[e]);
		else
			printf("%serrno%d %llu", first ? "" : ", ", e, (unsigned long long)err[e]);
		first = 0;
	}
	printf("), %llu bad ENOSYS, %llu forks, %llu signals handled, %d killed by signal, "
	       "%d hung\n", (unsigned long long)bad, (unsigned long long)forks,
	       (unsigned long long)sigs, killed, hung);
	return total == calls && !bad && !killed && !hung ? 0 : 1;
}
