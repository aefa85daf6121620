/*
 * segv: makes one bad memory access, chosen by argv[1], and should never get past it:
 * the kernel must kill the process with SIGSEGV (the shell then prints "Segmentation
 * fault") and go on running everything else. If the access somehow succeeds, it prints
 * "segv: FAIL: survived" and exits 1.
 *   null-write   (default) write to address 0x10: nothing is mapped at page 0
 *   null-read    read from address 0x10
 *   kernel-read  read from the kernel's half, 0xffffffff80000000 (a user page-table
 *                entry there must not exist, or be supervisor-only)
 *   kernel-write write to the direct map, 0xffff888000000000
 *   exec-null    call a function at address 0 (an instruction fetch fault)
 *   exec-data    jump into a writable, non-executable data page (NX)
 *   write-text   write over its own code (text is mapped read-only)
 *   stack        recurse until the stack runs into its guard gap
 *   blocked      null-write with SIGSEGV blocked and a handler installed: a fault signal
 *                cannot be blocked or deferred, so the kernel resets it to SIG_DFL and kills
 *   ignored      null-write with SIGSEGV ignored: the same (ignoring it would fault forever)
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static unsigned char data_page[4096] __attribute__((aligned(4096))) = { 0xc3 }; /* ret */

/* Hide an address from the compiler, which would otherwise refuse to build the bad access. */
static void *opaque(unsigned long addr)
{
	__asm__("" : "+r"(addr));
	return (void *)addr;
}

#pragma GCC diagnostic ignored "-Winfinite-recursion"	/* endless on purpose */
static int recurse(int depth)
{
	volatile char frame[1024];

	frame[0] = (char)depth;
	return recurse(depth + 1) + frame[0]; /* not a tail call: every frame stays */
}

static void handler(int sig)
{
	(void)sig;
	/* Only async-signal-safe calls here. */
	write(1, "segv: FAIL: the handler ran\n", 28);
	_exit(1);
}

int main(int argc, char **argv)
{
	const char *how = argc > 1 ? argv[1] : "null-write";

	printf("segv: %s (pid %d)\n", how, (int)getpid());
	fflush(stdout);
	if (!strcmp(how, "blocked")) {
		sigset_t set;

		signal(SIGSEGV, handler);
		sigemptyset(&set);
		sigaddset(&set, SIGSEGV);
		sigprocmask(SIG_BLOCK, &set, NULL);
		how = "null-write";
	} else if (!strcmp(how, "ignored")) {
		signal(SIGSEGV, SIG_IGN);
		how = "null-write";
	}
	if (!strcmp(how, "null-write"))
		*(volatile int *)opaque(0x10) = 1;
	else if (!strcmp(how, "null-read"))
		(void)*(volatile int *)opaque(0x10);
	else if (!strcmp(how, "kernel-read"))
		(void)*(volatile long *)opaque(0xffffffff80000000UL);
	else if (!strcmp(how, "kernel-write"))
		*(volatile long *)opaque(0xffff888000000000UL) = 1;
	else if (!strcmp(how, "exec-null"))
		((void (*)(void))opaque(0))();
	else if (!strcmp(how, "exec-data"))
		((void (*)(void))(void *)data_page)();
	else if (!strcmp(how, "write-text"))
		*(volatile unsigned char *)(void *)main = 0xc3;
	else if (!strcmp(how, "stack"))
		return recurse(0);
	else {
		printf("segv: unknown access %s\n", how);
		return 2;
	}
	printf("segv: FAIL: survived\n");
	return 1;
}
