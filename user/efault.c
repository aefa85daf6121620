/*
 * efault: hands the kernel bad pointers and checks that every system call answers
 * -EFAULT (errno EFAULT) instead of crashing or oopsing. The pointers: NULL, an
 * unmapped user page, the kernel's own text (0xffffffff80000000), the direct map
 * (0xffff888000000000), a non-canonical address, and a buffer that starts in a mapped
 * page and runs into an unmapped one. The calls cover both directions of copying:
 * from user space (write, open's path, nanosleep's request, rt_sigaction's action) and
 * to user space (read, uname, clock_gettime, getcwd, fstat, wait4's status).
 * Each line says what was called, what came back, and "ok" or "FAIL"; the last line is
 * "efault: PASS" (exit status 0) only if every call gave EFAULT. The first check is the
 * one the issue names: a wild pointer passed to write.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static int failures;

/* The system call itself, without libc's checks or buffering in between. */
static void expect_efault(const char *what, long ret)
{
	int ok = ret == -1 && errno == EFAULT;

	printf("efault: %-44s = %ld (%s) %s\n", what, ret, ret < 0 ? strerror(errno) : "success",
	       ok ? "ok" : "FAIL");
	failures += !ok;
}

int main(void)
{
	long page = sysconf(_SC_PAGESIZE);
	/* Two pages, the second unmapped again: a buffer that runs off the end of memory. */
	char *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			 -1, 0);
	if (two == MAP_FAILED || munmap(two + page, page)) {
		perror("efault: mmap");
		return 1;
	}
	char *edge = two + page - 8;	/* 8 good bytes, then the hole */
	char *hole = two + page;
	void *ktext = (void *)0xffffffff80000000UL, *kdirect = (void *)0xffff888000000000UL;
	void *noncanon = (void *)0x0000800000000000UL;
	int fd;

	setvbuf(stdout, NULL, _IONBF, 0);
	memset(two, 'x', page);
	expect_efault("write(1, 0xdead0000 (unmapped), 16)", syscall(SYS_write, 1, 0xdead0000UL, 16));
	expect_efault("write(1, NULL, 16)", syscall(SYS_write, 1, NULL, 16));
	expect_efault("write(1, kernel text, 16)", syscall(SYS_write, 1, ktext, 16));
	expect_efault("write(1, direct map, 16)", syscall(SYS_write, 1, kdirect, 16));
	expect_efault("write(1, non-canonical, 16)", syscall(SYS_write, 1, noncanon, 16));
	expect_efault("write(1, hole, 16)", syscall(SYS_write, 1, hole, 16));
	fd = open("/dev/zero", O_RDONLY);
	if (fd >= 0) {
		expect_efault("read(/dev/zero, kernel text, 16)", syscall(SYS_read, fd, ktext, 16));
		expect_efault("read(/dev/zero, hole, 16)", syscall(SYS_read, fd, hole, 16));
		close(fd);
	}
	expect_efault("uname(kernel text)", syscall(SYS_uname, ktext));
	expect_efault("uname(page end + hole)", syscall(SYS_uname, edge));
	expect_efault("clock_gettime(CLOCK_MONOTONIC, direct map)",
		      syscall(SYS_clock_gettime, CLOCK_MONOTONIC, kdirect));
	expect_efault("nanosleep(hole, NULL)", syscall(SYS_nanosleep, hole, NULL));
	expect_efault("getcwd(kernel text, 64)", syscall(SYS_getcwd, ktext, 64));
	expect_efault("fstat(1, hole)", syscall(SYS_fstat, 1, hole));
	expect_efault("open(hole, O_RDONLY)", syscall(SYS_open, hole, O_RDONLY));
	expect_efault("open(kernel text, O_RDONLY)", syscall(SYS_open, ktext, O_RDONLY));
	expect_efault("rt_sigaction(SIGUSR1, kernel text, NULL)",
		      syscall(SYS_rt_sigaction, 10, ktext, NULL, 8));

	/* wait4's status pointer is written after the child is reaped: still EFAULT. */
	int pid = fork();

	if (pid == 0)
		_exit(0);
	expect_efault("wait4(child, kernel text, 0, NULL)",
		      syscall(SYS_wait4, pid, ktext, 0, NULL));

	/*
	 * The good page before the edge is still as it was. (The 8 bytes at the edge may
	 * hold part of uname's answer: a copy that faults midway may have written the bytes
	 * before the fault, as Linux's copy_to_user does.)
	 */
	for (long i = 0; i < edge - two; i++)
		if (two[i] != 'x') {
			printf("efault: FAIL: byte %ld of the good page changed\n", i);
			failures++;
			break;
		}
	printf("efault: %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
