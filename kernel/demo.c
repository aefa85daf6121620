/*
 * Finding and running demonstrations (include/kernel/demo.h): the table is
 * gathered by the linker from DEMO() declarations; demo=NAME on the command line
 * runs one after boot, before the shell starts, and `demo` in the shell lists or runs them.
 * A demo that starts threads must stop and join them: one that leaves tasks behind is
 * reported.
 */
#include <kernel/console.h>
#include <kernel/demo.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/shell.h>
#include <kernel/taskinfo.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <sched/task.h>

extern const struct demo __demos_start[], __demos_end[];

bool demo_run(const char *name)
{
	for (const struct demo *d = __demos_start; d < __demos_end; d++) {
		int before;

		if (strcmp(d->name, name) != 0)
			continue;
		printk(KERN_INFO "demo: %s: %s\n", d->name, d->what);
		before = nr_tasks();
		d->run();
		if (nr_tasks() != before)
			printk(KERN_WARNING "demo: %s: left %d tasks behind\n", d->name,
			       nr_tasks() - before);
		printk(KERN_INFO "demo: %s: done\n", d->name);
		return true;
	}
	printk(KERN_ERR "demo: no demo called '%s'\n", name);
	return false;
}

static int cmd_demo(int argc, char **argv)
{
	if (argc == 2)
		return demo_run(argv[1]) ? 0 : -ENOENT;
	for (const struct demo *d = __demos_start; d < __demos_end; d++)
		console_printf("  %-10s %s\n", d->name, d->what);
	return argc == 1 ? 0 : -EINVAL;
}
SHELL_COMMAND(demo, cmd_demo, "demo [NAME]", "list the demonstrations, or run one");
