/*
 * Running the in-kernel benchmarks (include/kernel/bench.h): the table is gathered by
 * the linker from KBENCH() declarations; bench=all or bench=NAME,NAME on the command
 * line selects them, and kmain runs them after boot, then leaves QEMU.
 */
#include <kernel/bench.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/string.h>

extern const struct kbench __kbench_start[], __kbench_end[];

const char *bench_filter;

static int set_bench(const char *val)
{
	if (!val || !*val)
		return -EINVAL;
	bench_filter = val;
	return 0;
}
KERNEL_PARAM("bench", set_bench, "all or a comma-separated list of benchmarks");


void bench_run(const char *filter)
{
	unsigned int ran = 0;

	for (const struct kbench *b = __kbench_start; b < __kbench_end; b++) {
		if (!str_in_list(filter, b->name))
			continue;
		printk(KERN_INFO "bench: %s: %s\n", b->name, b->what);
		b->run();
		ran++;
	}
	if (!ran)
		printk(KERN_ERR "bench: no benchmark matches '%s'\n", filter);
	printk(KERN_INFO "bench: done (%u run)\n", ran);
}
