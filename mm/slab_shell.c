/*
 * The shell's view of the slab allocator: `slabinfo` (/proc/slabinfo, version 2.1),
 * `slabinfo -w` (the waste view: slab memory against objects, kmalloc requests against
 * class sizes), `slabinfo -s` (shrink every cache, as tools/mm/slabinfo -s), `slabinfo -v`
 * (check every cache, as tools/mm/slabinfo -v). `vmstat -m` lives with vmstat in mm/vmstat.c.
 * The formats are in mm/slabinfo.c; the output is built in one buffer, then printed, so no
 * lock is held while the console writes.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/slab.h>

static char report[16384];

static void print_report(int len)
{
	console_puts(report);
	if (len >= (int)sizeof(report) - 1)
		console_puts("(output truncated)\n");
}

static bool slab_ready(const char *cmd)
{
	if (!slab_is_up)
		console_printf("%s: the slab allocator is not up (kmem_cache_init has not run)\n",
			       cmd);
	return slab_is_up;
}

static void shrink_all(void)
{
	unsigned long before = nr_free_pages(), flags, n = 0;
	struct kmem_cache *s;

	flags = spin_lock_irqsave(&slab_lock);
	list_for_each_entry(s, &slab_caches, list) {
		kmem_cache_shrink(s);
		n++;
	}
	spin_unlock_irqrestore(&slab_lock, flags);
	console_printf("slabinfo: shrank %lu caches: %lu pages back to the page allocator\n", n,
		       nr_free_pages() - before);
}

static int cmd_slabinfo(int argc, char **argv)
{
	if (argc > 2)
		return -EINVAL;
	if (!slab_ready("slabinfo"))
		return 0;
	if (argc == 1) {
		print_report(slabinfo_format(report, sizeof(report)));
	} else if (strcmp(argv[1], "-w") == 0) {
		print_report(slabwaste_format(report, sizeof(report)));
	} else if (strcmp(argv[1], "-s") == 0) {
		shrink_all();
	} else if (strcmp(argv[1], "-v") == 0) {
		int problems = kmem_cache_check_all();

		console_printf("slabinfo: checked every cache: %d problems\n", problems);
	} else {
		return -EINVAL;
	}
	return 0;
}
SHELL_COMMAND(slabinfo, cmd_slabinfo, "slabinfo [-w|-s|-v]",
	      "slab caches as /proc/slabinfo; -w waste per cache, -s shrink all, -v check all");
