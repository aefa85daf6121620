/*
 * In-kernel benchmarks for `make bench` (kernel/bench.c). A file declares one with
 *	KBENCH(fault, bench_fault, "what it measures");
 * bench=fault (or bench=all) on the command line runs it after boot and exits QEMU.
 * scripts/bench boots with QEMU's -icount shift=0, where the TSC advances one tick per
 * guest instruction, so rdtsc() differences are instruction counts; a benchmark prints
 * its figures as "bench: NAME: ..." lines that scripts/bench passes on. Benchmarks
 * print numbers and never judge them: tests assert behaviour, benchmarks measure it.
 */
#ifndef KERNEL_BENCH_H
#define KERNEL_BENCH_H

#include <kernel/compiler.h>

struct kbench {
	const char *name;
	void (*run)(void);
	const char *what;
};

#define KBENCH(bname, bfn, bwhat)                                                     \
	static const struct kbench __kbench_##bname __used __section(".kbench." #bname) \
		__aligned(8) = { #bname, bfn, bwhat }

/* The benchmark(s) bench= asked for, or NULL. */
extern const char *bench_filter;

/* Run the benchmarks matching bench_filter ("all" or comma-separated names). */
void bench_run(const char *filter);

#endif
