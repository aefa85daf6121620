/*
 * Writeback, as the course describes it (Linux's vm.dirty_* knobs, same names, defaults):
 *   vm.dirty_writeback_centisecs  500   the flusher wakes this often (0: only when kicked)
 *   vm.dirty_expire_centisecs     3000  a page dirty for longer is written at that wake-up
 *   vm.dirty_background_ratio     10    above this % of dirtyable memory the flusher writes,
 *                                       in batches of 32 pages, while writers go on
 *   vm.dirty_ratio                20    above this % a writer is throttled: it writes back
 *                                       (synchronously, its own pages) before it may dirty more
 *   vm.dirty_background_bytes, vm.dirty_bytes  the same limits as sizes (0: use the ratio)
 * "Dirtyable" memory is what could hold dirty pages: free pages plus the page cache
 * (Linux also counts the reclaimable anonymous memory, when it has swap). The background
 * threshold is kept below the hard one (half of it when set above), as Linux does.
 * So a writer below the background line leaves its pages for the expiry, one between the
 * lines gets asynchronous help from the flusher, and a heavy writer above the hard line
 * pays with its own time; readers and other writers are not slowed.
 */
#define pr_fmt(fmt) "writeback: " fmt

#include <block/blkdev.h>
#include <kernel/printk.h>
#include <kernel/sysctl.h>
#include <kernel/time.h>
#include <mm/mmzone.h>
#include <mm/pagemap.h>
#include <sched/task.h>
#include <sched/wait.h>

#define WRITEBACK_BATCH	32	/* pages per round of background writeback */

static int64_t dirty_writeback_cs = 500, dirty_expire_cs = 3000;
static int64_t dirty_background_ratio = 10, dirty_ratio = 20;

/* A new period takes effect now, not after the old one has run out (as Linux). */
static int set_writeback_interval(const struct ctl_table *t, int64_t val)
{
	int err = sysctl_store(t, val);

	if (!err)
		wakeup_flusher();
	return err;
}
SYSCTL(dirty_writeback, "vm.dirty_writeback_centisecs", &dirty_writeback_cs, 1, 0, 360000,
       set_writeback_interval);
SYSCTL(dirty_expire, "vm.dirty_expire_centisecs", &dirty_expire_cs, 1, 0, 360000, NULL);

/*
 * Each limit is a ratio or, when its _bytes twin is set, a size (Linux's pairs): setting
 * one of a pair clears the other, so the one last written rules.
 */
static int64_t dirty_background_bytes, dirty_bytes;

/* Store @val and clear the other of its pair, @twin. */
static int store_clearing(const struct ctl_table *t, int64_t val, int64_t *twin)
{
	*twin = 0;
	return sysctl_store(t, val);
}

static int set_bg_ratio(const struct ctl_table *t, int64_t v)
{
	return store_clearing(t, v, &dirty_background_bytes);
}

static int set_bg_bytes(const struct ctl_table *t, int64_t v)
{
	return store_clearing(t, v, &dirty_background_ratio);
}

static int set_ratio(const struct ctl_table *t, int64_t v)
{
	return store_clearing(t, v, &dirty_bytes);
}

static int set_bytes(const struct ctl_table *t, int64_t v)
{
	return store_clearing(t, v, &dirty_ratio);
}
SYSCTL(dirty_bg_ratio, "vm.dirty_background_ratio", &dirty_background_ratio, 1, 0, 100,
       set_bg_ratio);
SYSCTL(dirty_ratio_, "vm.dirty_ratio", &dirty_ratio, 1, 0, 100, set_ratio);
SYSCTL(dirty_bg_bytes, "vm.dirty_background_bytes", &dirty_background_bytes, 1, 0, 1ll << 40,
       set_bg_bytes);
SYSCTL(dirty_bytes_, "vm.dirty_bytes", &dirty_bytes, 1, 0, 1ll << 40, set_bytes);

static struct task_struct *flusher;
static DECLARE_WAIT_QUEUE_HEAD(flusher_wait);
static bool flusher_kicked;

void dirty_thresholds(unsigned long *background, unsigned long *hard)
{
	struct pagecache_stats pc;
	unsigned long dirtyable;

	pagecache_get_stats(&pc);
	dirtyable = nr_free_pages() + pc.buffers + pc.cached;
	*hard = READ_ONCE(dirty_bytes) ? (unsigned long)dirty_bytes / PAGE_SIZE
		: dirtyable * (unsigned long)READ_ONCE(dirty_ratio) / 100;
	*background = READ_ONCE(dirty_background_bytes) ?
		(unsigned long)dirty_background_bytes / PAGE_SIZE
		: dirtyable * (unsigned long)READ_ONCE(dirty_background_ratio) / 100;
	if (*background >= *hard)
		*background = *hard / 2;
}

static unsigned long nr_dirty(void)
{
	return READ_ONCE(pagecache_stats.dirty) + READ_ONCE(pagecache_stats.writeback);
}

static DECLARE_WAIT_QUEUE_HEAD(writeback_done);

void writeback_page_done(void)
{
	wake_up_all(&writeback_done);
}

void wait_on_writeback(struct address_space *mapping)
{
	wait_event(writeback_done, !mapping_tagged(mapping, PAGECACHE_TAG_WRITEBACK));
}

void wakeup_flusher(void)
{
	WRITE_ONCE(flusher_kicked, true);
	wake_up(&flusher_wait);
}

void balance_dirty_pages(struct address_space *mapping)
{
	unsigned long bg, hard;
	bool throttled = false;

	dirty_thresholds(&bg, &hard);
	/* Above the hard limit: the writer writes its own pages until it is back below. */
	while (nr_dirty() > hard) {
		long n = writeback_mapping(mapping, WRITEBACK_BATCH, 0);

		if (n <= 0)
			break;	/* nothing of ours to write (or an error): others' pages are too many */
		pagecache_count(&pagecache_stats.wb_throttled, n);
		throttled = true;
		dirty_thresholds(&bg, &hard);
	}
	if (throttled)
		pagecache_count(&pagecache_stats.throttle_events, 1);
	if (nr_dirty() > bg)
		wakeup_flusher();
}

struct flush_work {
	uint64_t older_than;	/* 0: any page (background), else an expiry time */
	unsigned long *counter;
	bool background;
};

static void flush_disk(struct gendisk *d, void *arg)
{
	struct flush_work *w = arg;
	struct address_space *m = &d->mapping;
	unsigned long bg, hard;

	for (;;) {
		long n;

		if (w->background) {
			dirty_thresholds(&bg, &hard);
			if (nr_dirty() <= bg)
				return;
		}
		n = writeback_mapping(m, WRITEBACK_BATCH, w->older_than);	/* no mutex */
		if (n <= 0)
			return;
		pagecache_count(w->counter, n);
		if (n < WRITEBACK_BATCH)
			return;		/* this disk has no more to write for this reason */
	}
}

static int flusher_thread(void *unused)
{
	(void)unused;
	for (;;) {
		long period = READ_ONCE(dirty_writeback_cs) * 10;	/* ms = jiffies */
		struct flush_work expired = { 0, &pagecache_stats.wb_expired, false };
		struct flush_work background = { 0, &pagecache_stats.wb_background, true };
		uint64_t now;

		/* Interruptible: an idle flusher is not blocked on I/O (vmstat's b). */
		if (period)
			wait_event_interruptible_timeout(flusher_wait, READ_ONCE(flusher_kicked),
							 period);
		else
			wait_event_interruptible(flusher_wait, READ_ONCE(flusher_kicked));
		WRITE_ONCE(flusher_kicked, false);
		now = ktime_get_ns();
		expired.older_than = now - (uint64_t)READ_ONCE(dirty_expire_cs) * 10000000ull;
		if (expired.older_than && now > (uint64_t)dirty_expire_cs * 10000000ull)
			for_each_disk(flush_disk, &expired);
		for_each_disk(flush_disk, &background);
	}
	return 0;
}

void writeback_init(void)
{
	flusher = kthread_run(flusher_thread, NULL, "writeback");
	if (!flusher)
		pr_err("no flusher thread: dirty pages are written only by fsync, sync and "
		       "throttled writers\n");
}
