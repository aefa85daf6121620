/*
 * kmain: the first C code, entered from boot/entry64.S on the boot stack with
 * paging on, interrupts off, and the multiboot2 magic and information address as
 * arguments. The order below matters: per-CPU data first (everything after uses
 * this_cpu()), the banner and the CPU's features, the canary while kmain is the only
 * protected function on the stack, exception handlers before anything that can fault,
 * the command line before the console so that loglevel= already applies to the log
 * replay, then the console, memory management (mm_init: from here on the early page
 * tables and their identity map are gone), the scheduler (sched_init: this flow becomes
 * pid 0, "swapper/0"), the timer interrupt and the tick (time_init), interrupts on, the
 * screen console (it replays the log so far), and finally rest_init: init (pid 1), a kernel thread, runs the kernel tests, a
 * demonstration, a crash demonstration, or the shell, while pid 0 becomes the idle task.
 */
#include <asm/apic.h>
#include <asm/fpu.h>
#include <asm/layout.h>
#include <asm/cpufeature.h>
#include <asm/x86.h>
#include <block/blkdev.h>
#include <drivers/acpi.h>
#include <drivers/keyboard.h>
#include <drivers/pci.h>
#include <drivers/serial.h>
#include <drivers/vt.h>
#include <fs/fs.h>
#include <kernel/bench.h>
#include <kernel/bootinfo.h>
#include <kernel/demo.h>
#include <kernel/hrtimer.h>
#include <kernel/irq.h>
#include <kernel/kernel.h>
#include <kernel/process.h>
#include <kernel/log.h>
#include <kernel/oops.h>
#include <kernel/params.h>
#include <kernel/workqueue.h>
#include <kernel/percpu.h>
#include <kernel/printk.h>
#include <kernel/smp.h>
#include <kernel/time.h>
#include <kernel/traps.h>
#include <lib/args.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/swap.h>
#include <mm/vmscan.h>
#include <sched/task.h>

#ifndef BUILD_COMPILER
#define BUILD_COMPILER "unknown compiler"
#endif

const char kernel_version[] = "teachos 0.1.0 (" BUILD_COMPILER ")";

#define INIT_MAX_ARGS 16		/* words after "--" passed to init= */

extern uint64_t boot_entry_tsc;

static const char *ktest_filter;
static const char *crash_kind;
static const char *demo_name;

static int set_ktest(const char *val)
{
	if (!val || !*val)
		return -EINVAL;
	ktest_filter = val;
	return 0;
}
KERNEL_PARAM("ktest", set_ktest, "all or a comma-separated list of suites");

static int set_crash(const char *val)
{
	if (!val || !*val)
		return -EINVAL;
	crash_kind = val;
	return 0;
}
KERNEL_PARAM("crash", set_crash, "a crash kind (see the shell's `crash` command)");

static int set_demo(const char *val)
{
	if (!val || !*val)
		return -EINVAL;
	demo_name = val;
	return 0;
}
KERNEL_PARAM("demo", set_demo, "a demonstration's name (see the shell's `demo` command)");

static const char *init_path;

static int set_init(const char *val)
{
	if (!val || val[0] != '/')
		return -EINVAL;
	init_path = val;
	return 0;
}
KERNEL_PARAM("init", set_init, "the absolute path of a program to run as process 1");

/*
 * init=PATH: process 1 becomes that program, with the words after "--" on the command
 * line as its arguments (Linux's way). kernel_execve returns only if the exec failed; then
 * the boot goes on in the kernel shell, with the reason on the console.
 */
static void run_init_process(void)
{
	static char *argv[INIT_MAX_ARGS + 2];
	int argc = 1, err;

	argv[0] = (char *)init_path;
	if (init_args)
		argc += split_args(init_args, argv + 1, INIT_MAX_ARGS);
	argv[argc] = NULL;
	console_set_session(current->pid);	/* ^C: SIGINT to init's descendants */
	err = kernel_execve(init_path, (const char *const *)argv, default_envp);
	console_set_session(0);
	pr_err("init: requested init %s failed: %s (%d); the kernel shell runs instead\n",
	       init_path, strerror(-err), err);
}

static int set_loglevel(const char *val)
{
	unsigned int v;

	if (!val || kstrtouint(val, 10, &v) || v > 8)
		return -EINVAL;
	console_loglevel = v;
	return 0;
}
KERNEL_PARAM("loglevel", set_loglevel, "a number 0..8");

static int set_quiet(const char *val)
{
	if (val)
		return -EINVAL;
	console_loglevel = 4;	/* levels 0..3: errors and worse, as Linux's "quiet" */
	return 0;
}
KERNEL_PARAM("quiet", set_quiet, "no value");

static int set_panic(const char *val)
{
	if (!val || kstrtoint(val, 10, &panic_timeout))
		return -EINVAL;
	return 0;
}
KERNEL_PARAM("panic", set_panic, "seconds before reboot after a panic (0 waits, <0 at once)");

static void parse_boot_info(uint32_t magic, uint64_t info_phys)
{
	if (magic != MULTIBOOT2_BOOTLOADER_MAGIC) {
		pr_err("boot: bad multiboot2 magic 0x%x\n", magic);
		return;
	}
	if (info_phys >= EARLY_DIRECT_MAP_SIZE - PAGE_SIZE) {
		pr_err("boot: multiboot2 information at 0x%llx is outside the early direct map\n",
		       (unsigned long long)info_phys);
		return;
	}
	/* The structure is at most a few pages; never read beyond the mapped 4 GiB. */
	multiboot2_parse(__va(info_phys), EARLY_DIRECT_MAP_SIZE - info_phys, info_phys, &boot_info);
}

/*
 * pid 1: what the boot is for. The kernel tests, benchmarks, a demonstration, a crash
 * demonstration, then a user program (init=) or the kernel shell, neither of which returns
 * (init must not exit: that would be a panic).
 */
static int kernel_init(void *unused)
{
	(void)unused;
	workqueue_init();	/* kworker/0, pid 2: deferred work from interrupt handlers */
	smp_init();		/* the other CPUs, started and parked */
	vmscan_init();		/* kswapd0: the page cache shrinks when memory runs low */
	pci_init();		/* what is on the PCI bus */
	block_init();		/* the disks: virtio-blk on PCI, the RAM disk */
	swap_boot();		/* swapon= */
	initramfs_boot();	/* the root file system, /dev, and the initramfs module unpacked */
	if (ktest_filter) {
		int failed = ktest_run(ktest_filter);

		qemu_exit(failed == 0 ? 0 : 1);
		machine_halt();
	}
	if (bench_filter) {
		bench_run(bench_filter);
		qemu_exit(0);
		machine_halt();
	}
	if (demo_name)
		demo_run(demo_name);
	if (crash_kind)
		crash_run(crash_kind);
	if (init_path)
		run_init_process();
	else if (init_args)
		pr_warn("init: arguments after \"--\" but no init=: ignored\n");
	shell_run();
}

/*
 * As Linux's rest_init: start init (pid 1) in a kernel thread, then the boot flow,
 * which sched_init() made pid 0, becomes the idle task of this CPU for good.
 */
static void __noreturn rest_init(void)
{
	struct task_struct *init = kthread_run(kernel_init, NULL, "init");

	if (!init || init->pid != 1)
		panic("boot: cannot start init (pid 1)");
	cpu_idle_loop();
}

void kmain(uint32_t magic, uint64_t info_phys)
{
	tsc_at_boot = boot_entry_tsc;
	cpu_init(0);
	printk(KERN_NOTICE "Linux-style teaching kernel %s\n", kernel_version);
	cpu_detect();	/* logs into the ring; the console replays it later */
	boot_stack_protector_init();
	idt_init();
	pic_init();	/* remapped and masked before anything can unmask a line */
	serial_init();
	pr_info("stack protector: canary seeded from %s\n",
		stack_canary_from_rdrand ? "RDRAND" : "the TSC (no RDRAND)");
	tsc_init();
	parse_boot_info(magic, info_phys);
	parse_kernel_cmdline(boot_info.cmdline ? boot_info.cmdline : "");
	serial_console_init();

	if (boot_info.loader_name)
		pr_info("boot: loaded by %s\n", boot_info.loader_name);
	boot_print_memory_map(&boot_info);
	acpi_init();	/* reads the tables through the early map, which mm_init takes away */
	mm_init();
	sched_init();
	fpu_init();		/* user FPU/SSE state: its cache needs the slab allocator */
	apic_intr_mode_init();	/* PIC, or local APIC and IOAPIC: before the timer */
	time_init();
	keyboard_init();	/* after time_init: its waits are udelay()s */

	local_irq_enable();
	screen_console_init();	/* it ioremaps video memory: vmalloc needs interrupts on */
	pr_info("boot: kernel entry to here took %llu us\n",
		(unsigned long long)(ktime_get_ns() / NSEC_PER_USEC));
	rest_init();
}
