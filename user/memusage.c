/*
 * memusage: the course's lazy-allocation demo (notes: virtual-memory.md). It mallocs a
 * large block (400 MiB by default, as in the notes: 100 Mi ints; `memusage MIB` for
 * another size), then writes every int of it, printing after each step
 *
 *   started: max RSS = 4780 kB; vm size = 6524 kB
 *   after malloc: max RSS = 4780 kB; vm size = 416128 kB
 *   after touch: max RSS = 410916 kB; vm size = 416128 kB
 *
 * malloc only reserves address space (musl maps a block this large with mmap), so the vm
 * size grows by the block and the RSS does not; the pages get frames only when written,
 * one page fault each, and then the RSS grows by the block too.
 *
 * max RSS is getrusage(RUSAGE_SELF).ru_maxrss (kB, the high-water mark, which equals the
 * RSS here because nothing is ever freed). The vm size is VmSize from /proc/self/status
 * when that file exists; without /proc (teachos has none yet) it is counted instead: the
 * program's PT_LOAD segments (from the auxiliary vector's AT_PHDR), the heap's growth
 * (sbrk) and the pages of the block malloc asked for. The count leaves out the stack and
 * malloc's own small mappings, so it is a little below Linux's VmSize; "counted" in the
 * output says which measure was used. If stdin is a terminal it waits for ENTER at the
 * end, as the notes' program does, so you can look at it from another shell.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/resource.h>
#include <unistd.h>

static long page_size;
static char *initial_break;
static long block_bytes; /* the malloc'd block, once it exists */

static long round_up(long n, long to)
{
	return (n + to - 1) / to * to;
}

/* VmSize in kB from /proc/self/status, or -1 without /proc. */
static long proc_vm_size(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[128];
	long kb = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmSize: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

/* The same, counted from what this program knows it mapped. */
static long counted_vm_size(void)
{
	const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
	long n = getauxval(AT_PHNUM), bytes = 0;
	long base = 0;

	for (long i = 0; i < n; i++) /* a PIE's segments are relative to where PT_PHDR landed */
		if (ph[i].p_type == PT_PHDR)
			base = (long)ph - (long)ph[i].p_vaddr;
	for (long i = 0; i < n; i++) {
		if (ph[i].p_type != PT_LOAD)
			continue;
		long start = (base + (long)ph[i].p_vaddr) & -page_size;
		long end = round_up(base + (long)ph[i].p_vaddr + (long)ph[i].p_memsz, page_size);

		bytes += end - start;
	}
	bytes += (char *)sbrk(0) - initial_break;
	if (block_bytes) /* musl's mmap'd chunk: a header in front, rounded to pages */
		bytes += round_up(block_bytes + 16, page_size);
	return bytes / 1024;
}

static void report_memory(const char *when)
{
	struct rusage ru;
	long vm = proc_vm_size();

	getrusage(RUSAGE_SELF, &ru);
	if (vm >= 0)
		printf("%s: max RSS = %ld kB; vm size = %ld kB\n", when, ru.ru_maxrss, vm);
	else
		printf("%s: max RSS = %ld kB; vm size = %ld kB (counted)\n", when, ru.ru_maxrss,
		       counted_vm_size());
	fflush(stdout);
}

/* Keep the compiler from dropping a block that is written but never read. */
static void escape(void *p)
{
	__asm__ volatile("" : : "g"(p) : "memory");
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 400;
	long n = mib * 1024 * 1024 / (long)sizeof(int);

	page_size = sysconf(_SC_PAGESIZE);
	initial_break = sbrk(0);
	report_memory("started");

	int *m = malloc(n * sizeof(int));

	if (!m) {
		printf("memusage: malloc of %ld MiB failed\n", mib);
		return 1;
	}
	escape(m);
	block_bytes = n * sizeof(int);
	report_memory("after malloc"); /* the RSS does not change; only the vm size does */

	for (long i = 0; i < n; ++i)
		m[i] = (int)i; /* writing needs a frame: one page fault per page */
	report_memory("after touch");

	if (isatty(0)) {
		printf("press ENTER\n");
		(void)fgetc(stdin);
	}
	return 0;
}
