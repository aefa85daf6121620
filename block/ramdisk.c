/*
 * ram0: a disk made of RAM, as Linux's brd, with one addition for teaching: a delay per
 * request (sysctl dev.ramdisk.delay_us, or ramdisk_delay_us= at boot), so that a "slow
 * disk" can be shown without hardware. Its pages are allocated at the first write of
 * each 4 KiB (a never-written sector reads as zeros), so a big ram0 costs only what is
 * written. One kernel thread serves the queue one request at a time, sleeping the delay
 * before each: a request queue in front of a device that takes one request at a time, so
 * queue_rq says -EBUSY while one is in service. ramdisk_size= sets the size in KiB
 * (Linux's brd.rd_size; default 16384: 16 MiB).
 */
#define pr_fmt(fmt) "ramdisk: " fmt

#include <block/blkdev.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/sysctl.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/gfp.h>
#include <mm/vmalloc.h>
#include <sched/task.h>
#include <sched/wait.h>

#define RAMDISK_MAJOR		1	/* Linux's: ram0 is 1:0 */
#define SECTORS_PER_PAGE	(PAGE_SIZE / SECTOR_SIZE)

static int64_t ramdisk_kib = 16384;
static int64_t ramdisk_delay_ns;

static int set_size(const char *val)
{
	unsigned long long kib;

	if (!val || kstrtoull(val, 10, &kib) || kib < 4 || kib > (4ull << 20))
		return -EINVAL;
	ramdisk_kib = (int64_t)kib;
	return 0;
}
KERNEL_PARAM("ramdisk_size", set_size, "ramdisk_size=KIB (4 .. 4194304), the size of ram0");

static int set_delay(const char *val)
{
	unsigned long long us;

	if (!val || kstrtoull(val, 10, &us) || us > 1000000)
		return -EINVAL;
	ramdisk_delay_ns = (int64_t)us * 1000;
	return 0;
}
KERNEL_PARAM("ramdisk_delay_us", set_delay, "ramdisk_delay_us=US (0 .. 1000000) per request");
SYSCTL(ramdisk_delay, "dev.ramdisk.delay_us", &ramdisk_delay_ns, 1000, 0, 1000000, NULL);

static struct gendisk ram0;
static unsigned long *pages;		/* direct-map address of each page, 0: never written */
static struct bio *current_bio;		/* the one in service, under the queue lock */
static struct task_struct *worker;
static DECLARE_WAIT_QUEUE_HEAD(work_wait);

static int ram_queue_rq(struct gendisk *disk, struct bio *bio)
{
	(void)disk;
	if (current_bio)
		return -EBUSY;
	current_bio = bio;
	wake_up(&work_wait);
	return 0;
}

static const struct block_device_operations ram_ops = { .queue_rq = ram_queue_rq };

/* Copy one bio's bytes, a page of the disk at a time. */
static int ram_transfer(struct bio *bio)
{
	uint64_t sector = bio->sector;
	uint8_t *buf = bio->buf;
	uint32_t left = bio->len;

	while (left) {
		uint64_t idx = sector / SECTORS_PER_PAGE;
		unsigned int off = (unsigned int)(sector % SECTORS_PER_PAGE) * SECTOR_SIZE;
		unsigned int n = PAGE_SIZE - off < left ? PAGE_SIZE - off : left;

		if (bio->op == REQ_OP_WRITE) {
			if (!pages[idx]) {
				/* NOIO: reclaim must not write to this disk to make room. */
				pages[idx] = get_zeroed_page(GFP_NOIO);
				if (!pages[idx])
					return -ENOMEM;
			}
			memcpy((uint8_t *)pages[idx] + off, buf, n);
		} else if (pages[idx]) {
			memcpy(buf, (uint8_t *)pages[idx] + off, n);
		} else {
			memset(buf, 0, n);	/* never written: zeros, and no page for it */
		}
		buf += n;
		left -= n;
		sector += n / SECTOR_SIZE;
	}
	return 0;
}

static int ram_worker(void *unused)
{
	(void)unused;
	for (;;) {
		struct bio *bio;
		int err = 0;

		/* Interruptible (a kernel thread gets no signal): an idle disk is not a task
		 * blocked on I/O, which is what vmstat's b counts. */
		wait_event_interruptible(work_wait, READ_ONCE(current_bio) != NULL);
		bio = current_bio;
		/* The slow disk: at least the delay, to the nanosecond of sched_clock. */
		for (uint64_t until = sched_clock() + (uint64_t)ramdisk_delay_ns;
		     sched_clock() < until; ) {
			set_current_state(TASK_UNINTERRUPTIBLE);
			schedule_hrtimeout(until);
		}
		if (bio->op != REQ_OP_FLUSH)
			err = ram_transfer(bio);
		unsigned long flags = spin_lock_irqsave(&ram0.queue_lock);

		current_bio = NULL;
		spin_unlock_irqrestore(&ram0.queue_lock, flags);
		bio_endio(bio, err);
		blk_run_queue(&ram0);
	}
	return 0;
}

void ramdisk_init(void)
{
	uint64_t npages = ((uint64_t)ramdisk_kib * 1024 + PAGE_SIZE - 1) / PAGE_SIZE;

	pages = vzalloc(npages * sizeof(*pages));
	if (!pages) {
		pr_err("no memory for the page table of a %lld KiB disk: no ram0\n",
		       (long long)ramdisk_kib);
		return;
	}
	strscpy(ram0.name, "ram0", sizeof(ram0.name));
	ram0.major = RAMDISK_MAJOR;
	ram0.capacity = (uint64_t)ramdisk_kib * 1024 / SECTOR_SIZE;
	ram0.can_flush = true;
	ram0.ops = &ram_ops;
	ram0.model = "RAM disk";
	worker = kthread_run(ram_worker, NULL, "ram0");
	if (!worker) {
		vfree(pages);
		return;
	}
	add_disk(&ram0);
}
