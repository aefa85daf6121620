/*
 * `sar -B [INTERVAL [COUNT]]`: the paging counters per second, in sysstat's layout, the
 * first thing the course looks at to see whether page scanning is happening:
 *   pgpgin/s pgpgout/s  KiB read from and written to disk (page cache and swap)
 *   fault/s majflt/s    page faults, and those that read from swap
 *   pgfree/s            pages given back to the page allocator
 *   pgscank/s pgscand/s pages reclaim looked at, by kswapd and directly by allocators
 *   pgsteal/s           pages reclaim freed; %vmeff = pgsteal / pgscan, 0 when no scans
 * Without INTERVAL, one line over the time since boot; with it, a line per INTERVAL
 * seconds (COUNT of them, or until q or ^C) and their Average. Times are since boot:
 * there is no wall clock.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <mm/swap.h>
#include <mm/vmscan.h>
#include <mm/vmstat.h>

struct sar_sample {
	uint64_t ns;
	unsigned long pgpgin, pgpgout, fault, majflt, pgfree, pgscank, pgscand, pgsteal;
};

static void sar_take(struct sar_sample *s)
{
	struct pagecache_stats pc;

	pagecache_get_stats(&pc);
	*s = (struct sar_sample){
		.ns = ktime_get_ns(),
		.pgpgin = pc.pgpgin + swap_stats.pswpin * (PAGE_SIZE / 1024),
		.pgpgout = pc.pgpgout + swap_stats.pswpout * (PAGE_SIZE / 1024),
		.fault = vm_event_sum(PGFAULT), .majflt = vm_event_sum(PGMAJFAULT),
		.pgfree = READ_ONCE(page_alloc_stats.pgfree),
		.pgscank = vmscan_stats.pgscan_kswapd, .pgscand = vmscan_stats.pgscan_direct,
		.pgsteal = vmscan_stats.pgsteal_kswapd + vmscan_stats.pgsteal_direct,
	};
}

/* "12.34" for @delta per second over @ns, in hundredths (no floating point here). */
static void rate(char *buf, size_t size, unsigned long delta, uint64_t ns)
{
	uint64_t centi = ns ? (uint64_t)delta * 100000000000ull / ns : 0;

	snprintf(buf, size, "%llu.%02llu", (unsigned long long)(centi / 100),
		 (unsigned long long)(centi % 100));
}

static void sar_line(const char *when, const struct sar_sample *a, const struct sar_sample *b)
{
	const unsigned long d[] = { b->pgpgin - a->pgpgin, b->pgpgout - a->pgpgout,
				    b->fault - a->fault, b->majflt - a->majflt,
				    b->pgfree - a->pgfree, b->pgscank - a->pgscank,
				    b->pgscand - a->pgscand, b->pgsteal - a->pgsteal };
	unsigned long scanned = d[5] + d[6];
	uint64_t ns = b->ns - a->ns;
	char v[16];

	console_printf("%-11s", when);
	for (unsigned int i = 0; i < ARRAY_SIZE(d); i++) {
		rate(v, sizeof(v), d[i], ns);
		console_printf(" %9s", v);
	}
	/* %vmeff: a ratio, not a rate: pgsteal / pgscan in hundredths of a percent. */
	snprintf(v, sizeof(v), "%lu.%02lu", scanned ? d[7] * 100 / scanned : 0,
		 scanned ? d[7] * 10000 / scanned % 100 : 0);
	console_printf(" %9s\n", v);
}

static void clock_of(char *buf, size_t size, uint64_t ns)
{
	uint64_t s = ns / 1000000000ull;

	snprintf(buf, size, "%02llu:%02llu:%02llu", (unsigned long long)(s / 3600 % 24),
		 (unsigned long long)(s / 60 % 60), (unsigned long long)(s % 60));
}

static int cmd_sar(int argc, char **argv)
{
	struct sar_sample boot = { 0 }, first, prev, now;
	unsigned int interval = 0, count = 0;
	char when[16];

	if (argc < 2 || strcmp(argv[1], "-B") || argc > 4 ||
	    (argc > 2 && (kstrtouint(argv[2], 10, &interval) || !interval)) ||
	    (argc > 3 && (kstrtouint(argv[3], 10, &count) || !count))) {
		console_puts("Usage: sar -B [ <interval> [ <count> ] ]\n");
		return 0;
	}
	console_printf("Linux 6.1.0-teachos (teachos) \t01/01/70 \t_x86_64_\t(1 CPU)\n\n");
	sar_take(&prev);
	clock_of(when, sizeof(when), prev.ns);
	console_printf("%-11s  pgpgin/s pgpgout/s   fault/s  majflt/s  pgfree/s pgscank/s "
		       "pgscand/s pgsteal/s    %%vmeff\n", when);
	if (!interval) {
		sar_line(when, &boot, &prev);
		return 0;
	}
	first = prev;
	for (unsigned int i = 0; !count || i < count; i++) {
		int c = console_getc_timeout(interval * 1000);

		if (c == 'q' || c == 0x03)
			break;
		sar_take(&now);
		clock_of(when, sizeof(when), now.ns);
		sar_line(when, &prev, &now);
		prev = now;
	}
	if (prev.ns != first.ns)
		sar_line("Average:", &first, &prev);
	return 0;
}
SHELL_COMMAND(sar, cmd_sar, "sar -B [INTERVAL [COUNT]]",
	      "paging counters per second (as sysstat's sar -B)");
