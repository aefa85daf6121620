/*
 * The block layer on ram0 (ktest=block): data written reads back, a sector never written
 * reads as zeros and costs no page until written, bad requests end with -EIO and are not
 * counted as I/Os, requests submitted together are served one at a time in
 * submission order while the rest wait on the queue, and the per-request delay really
 * delays (each request at least its delay: a lower bound, which cannot flake).
 */
#include <block/blkdev.h>
#include <kernel/hrtimer.h>
#include <kernel/ktest.h>
#include <kernel/sysctl.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/mmzone.h>
#include <mm/gfp.h>
#include <mm/pagemap.h>
#include <mm/vmalloc.h>
#include <mm/vmscan.h>
#include <mm/slab.h>
#include <sched/task.h>

static const struct ktest_case block_cases[];

#define WRITEBACK_TEST_SLACK	32	/* one batch: the flusher stops within it */

static void sync_disk_now(struct gendisk *d)
{
	filemap_write_and_wait(&d->mapping);
}

static struct gendisk *ram(struct ktest *t)
{
	struct gendisk *d = get_disk("ram0");

	KTEST_EXPECT_TRUE(t, d != NULL);
	return d;
}

static void test_write_read_back_and_zeros(struct ktest *t)
{
	struct gendisk *d = ram(t);
	uint8_t *w = kmalloc(4096, GFP_KERNEL), *r = kmalloc(4096, GFP_KERNEL);
	uint64_t before;

	if (!d || !w || !r)
		goto out;
	for (int i = 0; i < 4096; i++)
		w[i] = (uint8_t)(i * 7 + 3);
	memset(r, 0xaa, 4096);
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_READ, 2000, r, 4096), 0);
	KTEST_EXPECT_TRUE(t, r[0] == 0 && !memcmp(r, r + 1, 4095));	/* never written: zeros */
	before = nr_free_pages();
	/* Sectors 2001..2008 span two of the disk's pages: both get allocated. */
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_WRITE, 2001, w, 4096), 0);
	ktest_diag(t, "free pages %llu before the first write, %lu after",
		   (unsigned long long)before, nr_free_pages());
	KTEST_EXPECT_TRUE(t, before - nr_free_pages() >= 2);
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_READ, 2001, r, 4096), 0);
	KTEST_EXPECT_TRUE(t, !memcmp(r, w, 4096));
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_READ, 2000, r, 512), 0);
	KTEST_EXPECT_TRUE(t, r[0] == 0 && !memcmp(r, r + 1, 511));	/* the one before: still 0 */
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_FLUSH, 0, NULL, 0), 0);
out:
	kfree(w);
	kfree(r);
}

static void test_bad_requests_refused_and_counted(struct ktest *t)
{
	struct gendisk *d = ram(t);
	uint8_t buf[1024];
	struct disk_stats s;

	if (!d)
		return;
	s = d->stats;
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_READ, d->capacity, buf, 512), -EIO);	/* past the end */
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_READ, d->capacity - 1, buf, 1024), -EIO);	/* across it */
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_WRITE, 0, buf, 100), -EIO);	/* not whole sectors */
	KTEST_EXPECT_EQ(t, blk_rw(d, REQ_OP_READ, 5, buf, 1024), 0);
	/* Refused requests never became I/Os: only the good read is counted. */
	KTEST_EXPECT_EQ(t, d->stats.ios[0] - s.ios[0], 1);
	KTEST_EXPECT_EQ(t, d->stats.sectors[0] - s.sectors[0], 2);
	KTEST_EXPECT_EQ(t, d->stats.ios[1] - s.ios[1], 0);
	KTEST_EXPECT_EQ(t, d->stats.in_flight, 0);
}

#define NBIO 8

struct order_log {
	unsigned int done[NBIO], n, max_queued;
	struct gendisk *disk;
};

static struct order_log order;

static void end_logged(struct bio *bio)
{
	unsigned int i = (unsigned int)(uintptr_t)bio->private;

	if (order.n < NBIO)
		order.done[order.n++] = i;
	if (order.disk->queued > order.max_queued)
		order.max_queued = order.disk->queued;
}

static void test_queue_serves_in_order_with_the_delay(struct ktest *t)
{
	static struct bio bio[NBIO];	/* not on the stack: they outlive a failed wait */
	struct gendisk *d = ram(t);
	uint8_t *buf = kzalloc(NBIO * 512, GFP_KERNEL);
	uint64_t start, took;
	const uint64_t delay_ns = 2000000;

	if (!d || !buf)
		goto out;
	KTEST_ASSERT_EQ(t, sysctl_write("dev.ramdisk.delay_us", "2000"), 0);
	memset(&order, 0, sizeof(order));
	order.disk = d;
	start = ktime_get_ns();
	for (unsigned int i = 0; i < NBIO; i++) {
		bio[i] = (struct bio){ .disk = d, .op = REQ_OP_WRITE, .sector = 100 + i,
				       .buf = buf + i * 512, .len = 512, .end_io = end_logged,
				       .private = (void *)(uintptr_t)i };
		submit_bio(&bio[i]);
	}
	/* The queue holds what the one-at-a-time device has not taken yet. */
	while (READ_ONCE(order.n) < NBIO && ktime_get_ns() - start < 5000000000ull)
		schedule_timeout_uninterruptible(1);
	took = ktime_get_ns() - start;
	sysctl_write("dev.ramdisk.delay_us", "0");
	KTEST_ASSERT_EQ(t, order.n, NBIO);
	for (unsigned int i = 0; i < NBIO; i++)
		KTEST_EXPECT_EQ(t, order.done[i], i);
	ktest_diag(t, "%d requests of %llu us each took %llu us; up to %u waited on the queue",
		   NBIO, (unsigned long long)delay_ns / 1000, (unsigned long long)took / 1000,
		   order.max_queued);
	KTEST_EXPECT_TRUE(t, took >= NBIO * delay_ns);
	KTEST_EXPECT_TRUE(t, order.max_queued >= 1);
	for (unsigned int i = 0; i < NBIO; i++)
		KTEST_EXPECT_EQ(t, bio[i].status, 0);
out:
	kfree(buf);
}

/* Write @pages pages of ram0 through its page cache, from page @first. */
static void dirty_pages(struct gendisk *d, unsigned long first, unsigned long pages)
{
	static char buf[PAGE_SIZE];

	memset(buf, 0x5a, sizeof(buf));
	for (unsigned long i = 0; i < pages; i++) {
		loff_t pos = (loff_t)((first + i) * PAGE_SIZE);

		filemap_write(&d->mapping, buf, sizeof(buf), &pos);
	}
}

static bool wait_clean(uint64_t timeout_ns)
{
	uint64_t start = ktime_get_ns();

	while (READ_ONCE(pagecache_stats.dirty) && ktime_get_ns() - start < timeout_ns)
		schedule_timeout_uninterruptible(10);
	return READ_ONCE(pagecache_stats.dirty) == 0;
}

/*
 * The three regimes of the notes, with small limits: below the background line pages wait
 * for their expiry (and not less); between the lines the flusher writes them while the
 * writer goes on; above the hard line the writer writes back itself.
 */
static void test_writeback_regimes(struct ktest *t)
{
	struct gendisk *d = ram(t);
	struct pagecache_stats s0, s1;
	unsigned long bg, hard;
	uint64_t start;

	if (!d)
		return;
	sync_disk_now(d);
	sysctl_write("vm.dirty_writeback_centisecs", "10");
	sysctl_write("vm.dirty_expire_centisecs", "50");
	sysctl_write("vm.dirty_background_ratio", "50");
	sysctl_write("vm.dirty_ratio", "60");
	/* 1. Below the background threshold: written at expiry, by the flusher. */
	pagecache_get_stats(&s0);
	start = ktime_get_ns();
	dirty_pages(d, 1000, 8);
	pagecache_get_stats(&s1);
	KTEST_EXPECT_EQ(t, s1.dirty - s0.dirty, 8);
	KTEST_EXPECT_TRUE(t, wait_clean(5000000000ull));
	pagecache_get_stats(&s1);
	ktest_diag(t, "below: 8 pages written by expiry after %llu ms (expire 500 ms)",
		   (unsigned long long)(ktime_get_ns() - start) / 1000000);
	KTEST_EXPECT_EQ(t, s1.wb_expired - s0.wb_expired, 8);
	KTEST_EXPECT_EQ(t, s1.wb_background - s0.wb_background, 0);
	KTEST_EXPECT_TRUE(t, ktime_get_ns() - start >= 500000000ull);
	/* 2. Between: the flusher writes in the background, the writer is never throttled.
	 * Limits as sizes (1 MiB, 8 MiB), so that they fit ram0 whatever the RAM. */
	sysctl_write("vm.dirty_expire_centisecs", "360000");
	sysctl_write("vm.dirty_background_bytes", "1048576");
	sysctl_write("vm.dirty_bytes", "8388608");
	dirty_thresholds(&bg, &hard);
	pagecache_get_stats(&s0);
	dirty_pages(d, 2000, bg + 200);
	schedule_timeout_uninterruptible(300);	/* the flusher's turn */
	pagecache_get_stats(&s1);
	ktest_diag(t, "between: background %lu, hard %lu pages; the flusher wrote %lu, "
		   "throttled writes %lu", bg, hard, s1.wb_background - s0.wb_background,
		   s1.throttle_events - s0.throttle_events);
	KTEST_EXPECT_TRUE(t, s1.wb_background - s0.wb_background >= 200);
	KTEST_EXPECT_EQ(t, s1.throttle_events - s0.throttle_events, 0);
	KTEST_EXPECT_TRUE(t, s1.dirty <= bg + WRITEBACK_TEST_SLACK);
	/* 3. Above the hard threshold: the writer writes back itself. The disk is made slow
	 * (1 ms a request), or the flusher, woken at once, would keep up with the writer. */
	sysctl_write("dev.ramdisk.delay_us", "1000");
	sysctl_write("vm.dirty_bytes", "2097152");
	dirty_thresholds(&bg, &hard);
	pagecache_get_stats(&s0);
	dirty_pages(d, 3000, hard + 300);
	pagecache_get_stats(&s1);
	ktest_diag(t, "above: hard %lu pages; the writer wrote %lu itself in %lu throttled "
		   "writes", hard, s1.wb_throttled - s0.wb_throttled,
		   s1.throttle_events - s0.throttle_events);
	KTEST_EXPECT_TRUE(t, s1.throttle_events - s0.throttle_events > 0);
	/* The flusher writes too, meanwhile: the writer's own share is at least a batch. */
	KTEST_EXPECT_TRUE(t, s1.wb_throttled - s0.wb_throttled >= WRITEBACK_TEST_SLACK);
	KTEST_EXPECT_TRUE(t, s1.dirty <= hard + 1);
	sysctl_write("dev.ramdisk.delay_us", "0");
	sysctl_write("vm.dirty_writeback_centisecs", "500");
	sysctl_write("vm.dirty_expire_centisecs", "3000");
	sysctl_write("vm.dirty_background_ratio", "10");
	sysctl_write("vm.dirty_ratio", "20");
	sync_disk_now(d);
	invalidate_mapping_pages(&d->mapping);
}

/*
 * Allocate pages into @pages until @max or until reclaim has nothing more to give; returns
 * how many. __GFP_NORETRY: reclaim, but no OOM killer at the end (there is no one to kill).
 * A page reclaim is writing is freed only when its write ends, so an allocation can fail
 * while writes are in flight (more of them on a loaded host): those get a moment before a
 * failure counts as the end.
 */
static unsigned long take_pages(struct page **pages, unsigned long max)
{
	unsigned long n = 0;

	for (int misses = 0; n < max && misses < 5;) {
		pages[n] = alloc_page(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN);
		if (pages[n]) {
			n++;
			misses = 0;
		} else {
			misses++;
			msleep(20);
		}
	}
	return n;
}

/*
 * Reclaim: with ram0's 16 MiB in the page cache (clean), take pages from the page
 * allocator until it refuses: by then kswapd and direct reclaim must have freed most of
 * the cache for it; then everything goes back.
 */
static void test_reclaim_takes_clean_cache_pages(struct ktest *t)
{
	struct gendisk *d = ram(t);
	unsigned long free_before, cached, n = 0, max, steal;
	struct vmscan_stats v0 = vmscan_stats;
	struct pagecache_stats pc;
	struct page **pages = NULL;
	char *buf = kmalloc(65536, GFP_KERNEL);
	loff_t pos = 0;

	if (!d || !buf)
		goto out;
	drop_pagecache();
	while (filemap_read(&d->mapping, buf, 65536, &pos) > 0)
		;
	pagecache_get_stats(&pc);
	cached = pc.buffers;
	free_before = nr_free_pages();
	max = free_before + cached;
	pages = vzalloc(max * sizeof(*pages));
	KTEST_ASSERT_TRUE(t, pages != NULL);
	free_before = nr_free_pages();	/* after the array */
	n = take_pages(pages, max);
	pagecache_get_stats(&pc);
	ktest_diag(t, "%lu pages were free and %lu cached: %lu allocated, %lu still cached; "
		   "kswapd freed %lu (%lu wake-ups), direct reclaim %lu", free_before, cached, n,
		   pc.buffers, vmscan_stats.pgsteal_kswapd - v0.pgsteal_kswapd,
		   vmscan_stats.kswapd_wakeups - v0.kswapd_wakeups,
		   vmscan_stats.pgsteal_direct - v0.pgsteal_direct);
	for (unsigned long i = 0; i < n; i++)
		__free_page(pages[i]);
	/*
	 * Whatever the allocator handed out beyond the free pages came from reclaim. (On a
	 * big machine it keeps reserves, MIN and lowmem_reserve, that outweigh ram0's 16 MiB,
	 * and reclaim, which does not look at zones, may free cache pages of a zone those
	 * reserves protect: then it stops before the free pages are used up.)
	 */
	steal = vmscan_stats.pgsteal_kswapd + vmscan_stats.pgsteal_direct - v0.pgsteal_kswapd -
		v0.pgsteal_direct;
	KTEST_EXPECT_TRUE(t, cached >= 4000);
	KTEST_EXPECT_TRUE(t, pc.buffers < cached);
	KTEST_EXPECT_TRUE(t, steal >= cached - pc.buffers);
	if (n > free_before)
		KTEST_EXPECT_TRUE(t, steal >= n - free_before);
out:
	vfree(pages);
	kfree(buf);
}

/* Fill ram0 with pages whose words say which page and which @round they are. */
static void write_numbered(struct gendisk *d, unsigned long pages, uint64_t round)
{
	uint64_t buf[PAGE_SIZE / 8];

	for (unsigned long i = 0; i < pages; i++) {
		loff_t pos = (loff_t)(i * PAGE_SIZE);

		for (unsigned int w = 0; w < ARRAY_SIZE(buf); w++)
			buf[w] = round << 48 | i << 16 | w;
		filemap_write(&d->mapping, buf, sizeof(buf), &pos);
	}
}

/* The pages of ram0 read from the disk itself (the cache dropped first) that are not so. */
static unsigned long count_misnumbered(struct gendisk *d, unsigned long pages, uint64_t round)
{
	uint64_t *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);
	unsigned long bad = 0;

	invalidate_mapping_pages(&d->mapping);
	for (unsigned long i = 0; buf && i < pages; i++) {
		loff_t pos = (loff_t)(i * PAGE_SIZE);

		if (filemap_read(&d->mapping, buf, PAGE_SIZE, &pos) != PAGE_SIZE ||
		    buf[7] != (round << 48 | i << 16 | 7) || buf[511] != (round << 48 | i << 16 | 511))
			bad++;
	}
	kfree(buf);
	return buf ? bad : pages;
}

/*
 * Reclaim of dirty pages: with the flusher kept away (limits above ram0's size, an hour's
 * expiry) and all of ram0 dirty in the page cache, the allocator's demand makes reclaim
 * write the pages back itself (nr_vmscan_write) before it frees them, and what it wrote
 * is on the disk, every page. ram0 is written once beforehand, so that its own backing
 * pages exist and writing back costs it no memory.
 */
static void test_reclaim_writes_dirty_pages_back(struct ktest *t)
{
	struct gendisk *d = ram(t);
	unsigned long disk_pages, n = 0, max;
	struct vmscan_stats v0 = vmscan_stats;
	struct pagecache_stats pc;
	struct page **pages;

	if (!d)
		return;
	disk_pages = d->capacity >> (PAGE_SHIFT - SECTOR_SHIFT);
	write_numbered(d, disk_pages, 1);
	sync_disk_now(d);
	sysctl_write("vm.dirty_expire_centisecs", "360000");
	sysctl_write("vm.dirty_background_bytes", "1073741824");
	sysctl_write("vm.dirty_bytes", "2147483648");
	write_numbered(d, disk_pages, 2);
	pagecache_get_stats(&pc);
	KTEST_EXPECT_TRUE(t, pc.dirty >= disk_pages);
	max = nr_free_pages() + pc.buffers;
	pages = vzalloc(max * sizeof(*pages));
	KTEST_ASSERT_TRUE(t, pages != NULL);
	n = take_pages(pages, max);
	pagecache_get_stats(&pc);
	ktest_diag(t, "%lu dirty pages cached; %lu allocated; reclaim wrote %lu back, %lu still "
		   "dirty, %lu cached", disk_pages, n, vmscan_stats.nr_vmscan_write -
		   v0.nr_vmscan_write, pc.dirty, pc.buffers);
	for (unsigned long i = 0; i < n; i++)
		__free_page(pages[i]);
	vfree(pages);
	/* A page leaves the cache before its write is counted: let reclaim's last batch end
	 * (the count stays put for 30 ms), then compare counts taken at one moment. */
	for (int ms = 0, still = 0; ms < 2000 && still < 3; ms += 10) {
		unsigned long w = vmscan_stats.nr_vmscan_write;

		msleep(10);
		still = w == vmscan_stats.nr_vmscan_write ? still + 1 : 0;
	}
	pagecache_get_stats(&pc);
	/* Every page that left the cache was dirty, and the flusher was kept away: reclaim
	 * wrote each itself. (How many leave depends on the RAM: the allocator keeps its
	 * reserves back, which on a big machine is more than ram0.) */
	KTEST_EXPECT_TRUE(t, vmscan_stats.nr_vmscan_write - v0.nr_vmscan_write >=
			     disk_pages - pc.buffers);
	KTEST_EXPECT_TRUE(t, pc.buffers < disk_pages - 256);
	sysctl_write("vm.dirty_ratio", "20");		/* back to ratios, as they were */
	sysctl_write("vm.dirty_background_ratio", "10");
	sysctl_write("vm.dirty_expire_centisecs", "3000");
	sync_disk_now(d);
	KTEST_EXPECT_EQ(t, count_misnumbered(d, disk_pages, 2), 0);
	invalidate_mapping_pages(&d->mapping);
}

/* A reader of cached pages: the longest one read of a page took while a writer was busy. */
struct reader {
	struct gendisk *disk;
	unsigned long first, pages, reads;
	uint64_t max_ns;
};

static int reader_fn(void *data)
{
	struct reader *r = data;
	char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);

	while (buf && !kthread_should_stop()) {
		loff_t pos = (loff_t)((r->first + r->reads % r->pages) * PAGE_SIZE);
		uint64_t start = ktime_get_ns();

		filemap_read(&r->disk->mapping, buf, PAGE_SIZE, &pos);
		r->max_ns = MAX(r->max_ns, ktime_get_ns() - start);
		r->reads++;
		msleep(1);
	}
	kfree(buf);
	return 0;
}

/*
 * The hard limit slows the heavy writer and no one else: with the disk slow (1 ms a
 * request) and the writer far above vm.dirty_bytes, it writes back its own pages 32 at
 * a time (each batch 32 ms and more), while a reader of cached pages of the same disk
 * gets every page in a fraction of that: the writer does its writeback without the
 * mapping's mutex, so the reader waits for one page copy at most.
 */
static void test_reader_keeps_its_latency_while_the_writer_is_throttled(struct ktest *t)
{
	struct gendisk *d = ram(t);
	struct reader r = { .disk = d, .first = 3500, .pages = 64 };
	struct pagecache_stats s0, s1;
	struct task_struct *k;
	uint64_t start, writer_ns;
	char *buf = kmalloc(PAGE_SIZE, GFP_KERNEL);

	if (!d || !buf)
		goto out;
	for (unsigned long i = 0; i < r.pages; i++) {	/* the reader's pages, cached */
		loff_t pos = (loff_t)((r.first + i) * PAGE_SIZE);

		filemap_read(&d->mapping, buf, PAGE_SIZE, &pos);
	}
	sysctl_write("vm.dirty_background_bytes", "1048576");
	sysctl_write("vm.dirty_bytes", "2097152");	/* 512 pages */
	sysctl_write("dev.ramdisk.delay_us", "1000");
	k = kthread_run(reader_fn, &r, "ktest-reader");
	KTEST_ASSERT_TRUE(t, k != NULL);
	pagecache_get_stats(&s0);
	start = ktime_get_ns();
	dirty_pages(d, 0, 1500);
	writer_ns = ktime_get_ns() - start;
	kthread_stop(k);
	pagecache_get_stats(&s1);
	ktest_diag(t, "the writer: 1500 pages in %llu ms, %lu throttled batches; the reader: %lu "
		   "reads, the slowest %llu us", (unsigned long long)writer_ns / 1000000,
		   s1.throttle_events - s0.throttle_events, r.reads,
		   (unsigned long long)r.max_ns / 1000);
	KTEST_EXPECT_TRUE(t, s1.throttle_events - s0.throttle_events > 0);
	KTEST_EXPECT_TRUE(t, r.reads >= 20);
	KTEST_EXPECT_TRUE(t, r.max_ns < 16000000ull);	/* half a throttled batch */
	sysctl_write("dev.ramdisk.delay_us", "0");
	sysctl_write("vm.dirty_ratio", "20");
	sysctl_write("vm.dirty_background_ratio", "10");
	sync_disk_now(d);
	invalidate_mapping_pages(&d->mapping);
out:
	kfree(buf);
}

/* An interrupt handler's demand: a page a millisecond, GFP_ATOMIC, kept in a ring of 64. */
static struct {
	struct hrtimer timer;
	struct page *ring[64];
	unsigned long fired, failed;
	volatile bool stop;
} irq_alloc;

static enum hrtimer_restart alloc_in_irq(struct hrtimer *timer)
{
	unsigned long slot = irq_alloc.fired++ % ARRAY_SIZE(irq_alloc.ring);

	if (irq_alloc.ring[slot])
		__free_page(irq_alloc.ring[slot]);
	irq_alloc.ring[slot] = alloc_page(GFP_ATOMIC | __GFP_NOWARN);
	if (!irq_alloc.ring[slot])
		irq_alloc.failed++;
	if (irq_alloc.stop)
		return HRTIMER_NORESTART;
	hrtimer_forward(timer, sched_clock(), 1000000);
	return HRTIMER_RESTART;
}

/*
 * Under pressure from process context (the page cache full, then GFP_KERNEL allocations
 * until reclaim has nothing more to give), the interrupt handler's GFP_ATOMIC allocations
 * all succeed: they may use the reserve below the MIN watermark, which the others leave,
 * and their dips below LOW wake kswapd.
 */
static void test_atomic_allocations_in_interrupts_succeed_under_pressure(struct ktest *t)
{
	struct gendisk *d = ram(t);
	char *buf = kmalloc(65536, GFP_KERNEL);
	unsigned long n = 0, max, fired;
	struct page **pages = NULL;
	loff_t pos = 0;

	if (!d || !buf)
		goto out;
	while (filemap_read(&d->mapping, buf, 65536, &pos) > 0)
		;
	max = nr_free_pages() + (d->capacity >> (PAGE_SHIFT - SECTOR_SHIFT));
	pages = vzalloc(max * sizeof(*pages));
	KTEST_ASSERT_TRUE(t, pages != NULL);
	memset(&irq_alloc, 0, sizeof(irq_alloc));
	hrtimer_init(&irq_alloc.timer, alloc_in_irq);
	hrtimer_start(&irq_alloc.timer, sched_clock() + 1000000);
	n = take_pages(pages, max);
	msleep(50);		/* and stay at the floor for a while */
	fired = irq_alloc.fired;
	irq_alloc.stop = true;
	msleep(5);
	hrtimer_cancel(&irq_alloc.timer);
	ktest_diag(t, "%lu pages taken by process context; %lu GFP_ATOMIC allocations in an "
		   "interrupt handler meanwhile, %lu failed", n, fired, irq_alloc.failed);
	KTEST_EXPECT_TRUE(t, fired >= 40);
	KTEST_EXPECT_EQ(t, irq_alloc.failed, 0);
	for (unsigned long i = 0; i < ARRAY_SIZE(irq_alloc.ring); i++)
		if (irq_alloc.ring[i])
			__free_page(irq_alloc.ring[i]);
	for (unsigned long i = 0; i < n; i++)
		__free_page(pages[i]);
out:
	vfree(pages);
	kfree(buf);
}

static const struct ktest_case block_cases[] = {
	KTEST_CASE(test_write_read_back_and_zeros),
	KTEST_CASE(test_bad_requests_refused_and_counted),
	KTEST_CASE(test_queue_serves_in_order_with_the_delay),
	KTEST_CASE(test_writeback_regimes),
	KTEST_CASE(test_reader_keeps_its_latency_while_the_writer_is_throttled),
	KTEST_CASE(test_reclaim_takes_clean_cache_pages),
	KTEST_CASE(test_reclaim_writes_dirty_pages_back),
	KTEST_CASE(test_atomic_allocations_in_interrupts_succeed_under_pressure),
	{},
};
KTEST_SUITE(block, block_cases);
