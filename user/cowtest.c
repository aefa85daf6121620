/*
 * cowtest: fork gives the child a copy of the parent's memory, made lazily: both share
 * every page read-only until one of them writes, and the write fault gives the writer its
 * own copy (copy-on-write). This program checks it from user space, in five kinds of
 * memory: a variable in .data, PAGES pages of a .bss array (`cowtest PAGES`, 16 by
 * default, at most 64), a heap block, a stack variable, and the first and last page of a
 * 64 TiB MAP_NORESERVE mapping (the fork must skip its untouched middle by whole missing
 * page tables: page by page, 2^34 steps, would take ten minutes under TCG). The child
 * first checks it sees the parent's values, then writes its own and checks them; the
 * parent waits for the child, then checks that it still sees its values, writes new ones
 * and checks again. Every check that fails prints a FAIL line;
 * the exit status is 0 only if all passed ("cowtest: PASS"). The child writes PAGES bss
 * pages the parent had written before, each one COW fault; libc and the stack add a few
 * of their own, the same few whatever PAGES is, so the difference between the COW fault
 * counts (vmstat's pgcowfault) of `cowtest 16` and `cowtest 0` must be exactly 16.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_PAGES 64

static int pages = 16;

static volatile int data_var = 1;                    /* .data */
static volatile char bss_pages[MAX_PAGES][4096] __attribute__((aligned(4096))); /* .bss */
static int failures;
#define SPARSE_SIZE (1ul << 46)	/* 64 TiB: half of user space */
static volatile char *sparse;	/* SPARSE_SIZE bytes; only its first and last page touched */

static void check(const char *who, const char *what, long seen, long want)
{
	if (seen != want) {
		printf("cowtest: FAIL: %s sees %s = %ld, expected %ld\n", who, what, seen, want);
		failures++;
	}
}

/* Check all four kinds of memory hold @want (the bss pages hold want + page index). */
static void check_all(const char *who, volatile int *heap, volatile int *stack, int want)
{
	check(who, "data", data_var, want);
	for (int i = 0; i < pages; i++)
		if (bss_pages[i][0] != (char)(want + i)) {
			check(who, "a bss page", bss_pages[i][0], (char)(want + i));
			break;
		}
	check(who, "heap", *heap, want);
	check(who, "stack", *stack, want);
	check(who, "the sparse mapping's first page", sparse[0], want);
	check(who, "the sparse mapping's last page", sparse[SPARSE_SIZE - 1], want);
}

static void write_all(volatile int *heap, volatile int *stack, int value)
{
	data_var = value;
	for (int i = 0; i < pages; i++)
		bss_pages[i][0] = (char)(value + i);
	*heap = value;
	*stack = value;
	sparse[0] = sparse[SPARSE_SIZE - 1] = (char)value;
}

int main(int argc, char **argv)
{
	volatile int stack_var;
	volatile int *heap = malloc(sizeof(int));

	if (argc > 1)
		pages = atoi(argv[1]);
	if (pages < 0 || pages > MAX_PAGES) {
		printf("usage: cowtest [PAGES] (0..%d)\n", MAX_PAGES);
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	sparse = mmap(NULL, SPARSE_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (sparse == MAP_FAILED) {
		perror("cowtest: FAIL: mmap 64 TiB MAP_NORESERVE");
		return 1;
	}
	write_all(heap, &stack_var, 1);
	printf("cowtest: before fork: data, heap, stack = 1; %d bss pages written\n", pages);

	int pid = fork();

	if (pid < 0) {
		perror("cowtest: fork");
		return 1;
	}
	if (pid == 0) {
		check_all("child", heap, &stack_var, 1);
		write_all(heap, &stack_var, 2);
		check_all("child", heap, &stack_var, 2);
		printf("cowtest: child (pid %d): saw 1, wrote 2 to %d pages, sees %d\n",
		       (int)getpid(), pages + 5, data_var);
		_exit(failures ? 1 : 0);
	}

	int status;

	if (wait4(pid, &status, 0, NULL) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("cowtest: FAIL: the child did not exit with status 0 (wait status %#x)\n",
		       status);
		failures++;
	}
	check_all("parent", heap, &stack_var, 1);
	printf("cowtest: parent (pid %d): after the child wrote 2, sees %d\n", (int)getpid(),
	       data_var);
	write_all(heap, &stack_var, 3);
	check_all("parent", heap, &stack_var, 3);
	printf("cowtest: parent: wrote 3, sees %d\n", data_var);
	printf("cowtest: %s\n", failures ? "FAIL" : "PASS");
	return failures ? 1 : 0;
}
