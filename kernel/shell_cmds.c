/*
 * The shell commands about the system as a whole: cmdline, uptime, dmesg,
 * loglevel, e820, interrupts, reboot, poweroff, halt. Subsystems add their own commands
 * next to their code (crash in kernel/crash.c, ktest in kernel/ktest.c).
 */
#include <kernel/bootinfo.h>
#include <kernel/console.h>
#include <kernel/irq.h>
#include <kernel/kernel.h>
#include <kernel/log.h>
#include <kernel/params.h>
#include <kernel/shell.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>

static int cmd_cmdline(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	console_printf("%s\n", saved_command_line);
	return 0;
}
SHELL_COMMAND(cmdline, cmd_cmdline, "cmdline", "show the kernel command line (as /proc/cmdline)");

static int cmd_uptime(int argc, char **argv)
{
	uint64_t ns = ktime_get_ns(), s = ns / NSEC_PER_SEC;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	console_printf("up %llu:%02llu:%02llu.%03llu (%llu.%06llu s since kernel entry)\n",
		       (unsigned long long)(s / 3600), (unsigned long long)(s / 60 % 60),
		       (unsigned long long)(s % 60),
		       (unsigned long long)(ns % NSEC_PER_SEC / NSEC_PER_MSEC),
		       (unsigned long long)s,
		       (unsigned long long)(ns % NSEC_PER_SEC / NSEC_PER_USEC));
	return 0;
}
SHELL_COMMAND(uptime, cmd_uptime, "uptime", "time since the kernel started");

static int cmd_dmesg(int argc, char **argv)
{
	unsigned int max_level = 7;
	struct log_record r;

	if (argc == 3 && strcmp(argv[1], "-l") == 0) {
		if (kstrtouint(argv[2], 10, &max_level) || max_level > 7)
			return -EINVAL;
	} else if (argc != 1) {
		return -EINVAL;
	}
	for (uint64_t seq = log_first_seq(); seq < log_next_seq(); seq++) {
		char prefix[32];

		if (!log_read(seq, &r) || r.level > max_level)
			continue;
		log_format_prefix(prefix, sizeof(prefix), &r);
		console_printf("%s%s\n", prefix, r.text);
	}
	if (log_first_seq() > 0)
		console_printf("(%llu older messages were overwritten)\n",
			       (unsigned long long)log_first_seq());
	if (log_dropped())
		console_printf("(%lu messages dropped in NMI context)\n", log_dropped());
	return 0;
}
SHELL_COMMAND(dmesg, cmd_dmesg, "dmesg [-l MAXLEVEL]",
	      "print the kernel log (levels 0..MAXLEVEL, default all)");

static int cmd_loglevel(int argc, char **argv)
{
	unsigned int v;

	if (argc == 1) {
		console_printf("console_loglevel = %d (messages of level < %d are shown)\n",
			       console_loglevel, console_loglevel);
		return 0;
	}
	if (argc != 2 || kstrtouint(argv[1], 10, &v) || v > 8)
		return -EINVAL;
	console_loglevel = v;
	return 0;
}
SHELL_COMMAND(loglevel, cmd_loglevel, "loglevel [0..8]", "show or set the console log level");

static int cmd_e820(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	char line[80];

	for (unsigned int i = 0; i < boot_info.nr_mem; i++) {
		e820_format_region(line, sizeof(line), &boot_info.mem[i]);
		console_printf("%s\n", line);
	}
	return 0;
}
SHELL_COMMAND(e820, cmd_e820, "e820", "the memory map the boot loader gave");

/*
 * /proc/interrupts' layout: IRQ, a count per online CPU, chip, the chip's pin (GSI or PIC line) with the
 * flow ("edge", or "fasteoi" for a level line ended by one EOI), the handler's name.
 */
static void interrupts_row(const char *name, size_t off, const char *what)
{
	unsigned int cpu;

	console_printf("%3s: ", name);
	for_each_cpu(cpu, online_cpus())
		console_printf("%10llu ", (unsigned long long)*(const uint64_t *)
			       ((const char *)&irq_stats[cpu] + off));
	console_printf("  %s\n", what);
}

static int cmd_interrupts(int argc, char **argv)
{
	unsigned int cpu;

	(void)argv;
	if (argc != 1)
		return -EINVAL;
	console_printf("%11s", "");
	for_each_cpu(cpu, online_cpus())
		console_printf("CPU%-8u", cpu);
	console_puts("\n");
	for (unsigned int i = 0; i < NR_IRQS; i++) {
		const struct irq_desc *d = &irq_desc[i];
		uint64_t any = 0;

		for_each_cpu(cpu, online_cpus())
			any |= irq_stats[cpu].count[i];
		if (!any && !d->handler)
			continue;
		console_printf("%3u: ", i);
		for_each_cpu(cpu, online_cpus())
			console_printf("%10llu ", (unsigned long long)irq_stats[cpu].count[i]);
		console_printf(" %8s %3u-%-8s  %s\n", d->chip ? d->chip->name : "none", d->hwirq,
			       d->level ? "fasteoi" : "edge", d->name ? d->name : "(stray)");
	}
	interrupts_row("LOC", offsetof(struct irq_stats, local_timer), "Local timer interrupts");
	interrupts_row("SPU", offsetof(struct irq_stats, spurious), "Spurious interrupts");
	interrupts_row("RES", offsetof(struct irq_stats, reschedule), "Rescheduling interrupts");
	interrupts_row("CAL", offsetof(struct irq_stats, call_function),
		       "Function call interrupts");
	interrupts_row("TLB", offsetof(struct irq_stats, tlb_shootdown), "TLB shootdowns");
	console_printf("ERR: %10llu   APIC errors, stray and unexpected interrupts\n",
		       (unsigned long long)irq_errors());
	return 0;
}
SHELL_COMMAND(interrupts, cmd_interrupts, "interrupts",
	      "interrupt counts per line (as /proc/interrupts)");

static int cmd_reboot(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	console_puts("Restarting system.\n");
	machine_restart();
}
SHELL_COMMAND(reboot, cmd_reboot, "reboot", "restart the machine");

static int cmd_poweroff(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	console_puts("Powering off.\n");
	machine_power_off();
}
SHELL_COMMAND(poweroff, cmd_poweroff, "poweroff", "turn the machine off (ACPI S5)");

static int cmd_halt(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	machine_halt();
}
SHELL_COMMAND(halt, cmd_halt, "halt", "stop the CPU (QEMU stays open; Ctrl-A X quits it)");
