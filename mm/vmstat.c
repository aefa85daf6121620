/*
 * The memory manager's event counters (include/mm/vmstat.h) and the shell's `vmstat`:
 *   vmstat [DELAY [COUNT]]  procps' layout (procs, memory, swap, io, system, cpu): the
 *               first line since boot, then one every DELAY seconds (COUNT lines in all,
 *               or until q or ^C); bi/bo are KiB/s through the page cache; swap is 0
 *   vmstat -s   procps' "-s" list for the memory lines, then every event counter, each
 *               under its /proc/vmstat-style name (include/mm/vmstat.h says which are Linux's)
 *   vmstat -m   the slab caches (mm/slabinfo.c)
 * A counter is per CPU: one `add` instruction to memory, which an interrupt on the same
 * CPU cannot split, so counting needs neither a lock nor an atomic (Linux's this_cpu_add).
 */
#include <kernel/console.h>
#include <kernel/irq.h>
#include <kernel/percpu.h>
#include <kernel/shell.h>
#include <kernel/taskinfo.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/oom.h>
#include <mm/pagemap.h>
#include <mm/shrinker.h>
#include <mm/slab.h>
#include <mm/swap.h>
#include <mm/vmscan.h>
#include <mm/vmstat.h>
#include <sched/task.h>

static unsigned long vm_events[NR_CPUS][NR_VM_EVENT_ITEMS];

const char *const vm_event_names[NR_VM_EVENT_ITEMS] = {
	[PGFAULT] = "pgfault",
	[PGMAJFAULT] = "pgmajfault",
	[PGCOWFAULT] = "pgcowfault",
	[PGSPURIOUS] = "pgfault_spurious",
	[PGFAULT_BAD] = "pgfault_bad",
	[OOPS_COUNT] = "oops_count",
	[NR_TLB_LOCAL_FLUSH_ONE] = "nr_tlb_local_flush_one",
	[NR_TLB_LOCAL_FLUSH_RANGE] = "nr_tlb_local_flush_range",
	[NR_TLB_LOCAL_FLUSH_ALL] = "nr_tlb_local_flush_all",
	[NR_TLB_LOCAL_FLUSH_GLOBAL] = "nr_tlb_local_flush_global",
	[NR_TLB_FLUSH_NOT_LOADED] = "nr_tlb_flush_not_loaded",
	[NR_TLB_REMOTE_FLUSH] = "nr_tlb_remote_flush",
	[NR_TLB_REMOTE_FLUSH_RECEIVED] = "nr_tlb_remote_flush_received",
	[NR_TLB_SWITCH_NOFLUSH] = "nr_tlb_switch_noflush",
	[NR_TLB_SWITCH_FLUSH] = "nr_tlb_switch_flush",
	[NR_VMALLOC_PURGE] = "nr_vmalloc_purge",
};

void count_vm_events(enum vm_event_item item, unsigned long delta)
{
	unsigned long *c = &vm_events[smp_processor_id()][item];

#ifdef HOSTED_TEST
	*c += delta;
#else
	__asm__ volatile("addq %1, %0" : "+m"(*c) : "er"(delta));
#endif
}

unsigned long vm_event_sum(enum vm_event_item item)
{
	unsigned long sum = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++)
		sum += READ_ONCE(vm_events[cpu][item]);
	return sum;
}

static unsigned long long irq_total(void)
{
	unsigned long long n = 0;

	for (unsigned int cpu = 0; cpu < NR_CPUS; cpu++) {
		const struct irq_stats *s = &irq_stats[cpu];

		n += s->spurious + s->stray + s->unexpected;
		for (unsigned int i = 0; i < NR_IRQS; i++)
			n += s->count[i];
	}
	return n;
}

/* What one vmstat line is computed from: counters since boot, and when they were read. */
struct vmstat_sample {
	uint64_t ns;			/* since boot */
	uint64_t idle_ns, user_ns, kernel_ns;	/* CPU time: idle task, processes, kernel threads */
	uint64_t intr, cs;
	unsigned long pgpgin, pgpgout;	/* KiB */
	unsigned long pswpin, pswpout;	/* pages */
	unsigned int running, blocked;	/* now: runnable (R), uninterruptible (D) */
};

static void vmstat_take(struct vmstat_sample *v)
{
	struct pagecache_stats pc;
	struct task_info *ti;
	int n;

	*v = (struct vmstat_sample){ .ns = ktime_get_ns(), .intr = irq_total(),
				     .cs = nr_context_switches() };
	pagecache_get_stats(&pc);
	v->pgpgin = pc.pgpgin;
	v->pgpgout = pc.pgpgout;
	v->pswpin = swap_stats.pswpin;
	v->pswpout = swap_stats.pswpout;
	ti = task_info_snapshot(&n);
	for (int i = 0; ti && i < n; i++) {
		if (ti[i].idle_task) {
			v->idle_ns += ti[i].runtime;
			continue;
		}
		if (ti[i].vm_pages)
			v->user_ns += ti[i].runtime;
		else
			v->kernel_ns += ti[i].runtime;
		v->running += ti[i].state == 'R';
		v->blocked += ti[i].state == 'D';
	}
	kfree(ti);
}

static unsigned long per_second(uint64_t delta, uint64_t ns)
{
	return ns ? (unsigned long)(delta * 1000000000ull / ns) : 0;
}

/*
 * One line from @a to @b (a zeroed @a: since boot, as procps' first line). CPU: the idle
 * task's time is id, the kernel threads' sy, the rest of the interval us (user processes,
 * with the system calls they make: there is no user/system split, and a process that
 * ended meanwhile took its time with it, which lands here too).
 */
static void vmstat_print(const struct vmstat_sample *a, const struct vmstat_sample *b)
{
	uint64_t ns = b->ns - a->ns, id = b->idle_ns - a->idle_ns, sy = b->kernel_ns - a->kernel_ns;
	unsigned int pid = 0, psy = 0;
	struct pagecache_stats pc;

	pagecache_get_stats(&pc);
	if (ns) {
		pid = (unsigned int)MIN(100, (id * 100 + ns / 2) / ns);
		psy = (unsigned int)MIN(100 - pid, (sy * 100 + ns / 2) / ns);
	}
	/* si/so: KiB/s to and from swap, as procps prints them. */
	console_printf("%2u %2u %6lu %6lu %6lu %6lu %4lu %4lu %5lu %5lu %4lu %4lu %2u %2u %2u %2u %2u\n",
		       b->running, b->blocked,
		       (total_swap_pages() - nr_free_swap_pages()) * (PAGE_SIZE / 1024),
		       nr_free_pages() * (PAGE_SIZE / 1024),
		       pc.buffers * (PAGE_SIZE / 1024), pc.cached * (PAGE_SIZE / 1024),
		       per_second((b->pswpin - a->pswpin) * (PAGE_SIZE / 1024), ns),
		       per_second((b->pswpout - a->pswpout) * (PAGE_SIZE / 1024), ns),
		       per_second(b->pgpgin - a->pgpgin, ns), per_second(b->pgpgout - a->pgpgout, ns),
		       per_second(b->intr - a->intr, ns), per_second(b->cs - a->cs, ns),
		       ns ? 100 - pid - psy : 0, psy, pid, 0, 0);
}

/* vmstat [DELAY [COUNT]]: a line since boot, then one per DELAY seconds; q or ^C stops. */
static int vmstat_lines(unsigned int delay, unsigned long count)
{
	struct vmstat_sample boot = { 0 }, prev, now;

	console_printf("procs -----------memory---------- ---swap-- -----io---- -system-- "
		       "------cpu-----\n");
	console_printf(" r  b   swpd   free   buff  cache   si   so    bi    bo   in   cs us sy "
		       "id wa st\n");
	vmstat_take(&prev);
	vmstat_print(&boot, &prev);
	for (unsigned long i = 1; delay && (!count || i < count); i++) {
		int c = console_getc_timeout(delay * 1000);

		if (c == 'q' || c == 0x03)
			break;
		vmstat_take(&now);
		vmstat_print(&prev, &now);
		prev = now;
	}
	return 0;
}

static void vmstat_sum(void)
{
	unsigned long total = totalram_pages() * (PAGE_SIZE / 1024);
	unsigned long free = nr_free_pages() * (PAGE_SIZE / 1024), cache;
	struct pagecache_stats pc;
	unsigned long bg, hard;

	pagecache_get_stats(&pc);
	dirty_thresholds(&bg, &hard);
	cache = (pc.buffers + pc.cached) * (PAGE_SIZE / 1024);
	console_printf("%13lu K total memory\n", total);
	console_printf("%13lu K used memory\n", total - free - cache);	/* as procps */
	console_printf("%13lu K active memory\n", pc.active * (PAGE_SIZE / 1024));
	console_printf("%13lu K inactive memory\n", pc.inactive * (PAGE_SIZE / 1024));
	console_printf("%13lu K free memory\n", free);
	console_printf("%13lu K buffer memory\n", pc.buffers * (PAGE_SIZE / 1024));
	console_printf("%13lu K total swap\n", total_swap_pages() * (PAGE_SIZE / 1024));
	console_printf("%13lu K used swap\n",
		       (total_swap_pages() - nr_free_swap_pages()) * (PAGE_SIZE / 1024));
	console_printf("%13lu K free swap\n", nr_free_swap_pages() * (PAGE_SIZE / 1024));
	console_printf("%13lu pages paged in\n", pc.pgpgin);
	console_printf("%13lu pages paged out\n", pc.pgpgout);
	console_printf("%13lu pages swapped in\n", swap_stats.pswpin);
	console_printf("%13lu pages swapped out\n", swap_stats.pswpout);
	console_printf("%13llu interrupts\n", irq_total());
	for (unsigned int i = 0; i < NR_VM_EVENT_ITEMS; i++)
		console_printf("%13lu %s\n", vm_event_sum(i), vm_event_names[i]);
	/* The page cache's, under /proc/vmstat's names; the last four are teachos's own. */
	console_printf("%13lu nr_dirty\n%13lu nr_writeback\n%13lu nr_dirty_threshold\n"
		       "%13lu nr_dirty_background_threshold\n%13lu nr_dirtied\n%13lu nr_written\n",
		       pc.dirty, pc.writeback, hard, bg, pc.dirtied, pc.written);
	console_printf("%13lu pgscan_kswapd\n%13lu pgscan_direct\n%13lu pgsteal_kswapd\n"
		       "%13lu pgsteal_direct\n%13lu kswapd_wakeups\n", vmscan_stats.pgscan_kswapd,
		       vmscan_stats.pgscan_direct, vmscan_stats.pgsteal_kswapd,
		       vmscan_stats.pgsteal_direct, vmscan_stats.kswapd_wakeups);
	console_printf("%13lu nr_vmscan_write\n%13lu slabs_scanned\n", vmscan_stats.nr_vmscan_write,
		       shrinker_freed_total());
	console_printf("%13lu oom_kill\n", oom_stats.kills);
	console_printf("%13lu nr_written_expired\n%13lu nr_written_background\n"
		       "%13lu nr_written_throttled\n%13lu balance_dirty_pages_throttled\n",
		       pc.wb_expired, pc.wb_background, pc.wb_throttled, pc.throttle_events);
}

static char vmstat_buf[16384];

static int cmd_vmstat(int argc, char **argv)
{
	unsigned int delay;
	unsigned long count = 0;

	if (argc == 1) {
		vmstat_lines(0, 1);
	} else if (argc <= 3 && !kstrtouint(argv[1], 10, &delay) && delay &&
		   (argc == 2 || (!kstrtoul(argv[2], 10, &count) && count))) {
		vmstat_lines(delay, count);
	} else if (argc == 2 && strcmp(argv[1], "-s") == 0) {
		vmstat_sum();
	} else if (argc == 2 && strcmp(argv[1], "-m") == 0) {
		if (!slab_is_up) {
			console_printf("vmstat: the slab allocator is not up\n");
			return 0;
		}
		if (vmstat_m_format(vmstat_buf, sizeof(vmstat_buf)) >= (int)sizeof(vmstat_buf) - 1)
			strscpy(vmstat_buf + sizeof(vmstat_buf) - 20, "\n(truncated)\n", 20);
		console_puts(vmstat_buf);
	} else {
		return -EINVAL;
	}
	return 0;
}
SHELL_COMMAND(vmstat, cmd_vmstat, "vmstat [DELAY [COUNT]] | -s | -m",
	      "memory, I/O and CPU every DELAY s (procps layout; q stops); -s counters; -m slabs");
