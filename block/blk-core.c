/*
 * The block layer's core: the list of disks, each disk's request queue, and completion.
 * A bio goes on the disk's queue under queue_lock; blk_run_queue hands queued bios to the
 * driver in submission order (no merging, no reordering: the elevator Linux calls
 * "none") until the driver is full, and the driver calls it again when a completion frees
 * room. bio_endio accounts the request (count, sectors, time from submission to end) and
 * calls the submitter's end_io. A bio outside the disk, unaligned, or a write to a
 * read-only disk ends at once with -EIO, as Linux's bio checks do.
 * Fault injection, for the error paths of the disks' users (swap's write errors): sysctl
 * dev.block.fail_writes=N makes the next N writes, to any disk, end with -EIO before they
 * reach the driver, as Linux's fail_make_request does for a disk marked make-it-fail.
 */
#define pr_fmt(fmt) "block: " fmt

#include <asm/layout.h>
#include <block/blkdev.h>
#include <drivers/virtio.h>
#include <kernel/printk.h>
#include <kernel/sysctl.h>
#include <kernel/time.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <uapi/linux/stat.h>
#include <mm/slab.h>
#include <sched/completion.h>

static struct list_head disks = LIST_HEAD_INIT(disks);
static DEFINE_SPINLOCK(disks_lock);

int add_disk(struct gendisk *disk)
{
	unsigned long flags;

	if (get_disk(disk->name))
		return -EEXIST;
	spin_lock_init(&disk->queue_lock);
	INIT_LIST_HEAD(&disk->queue);
	memset(&disk->stats, 0, sizeof(disk->stats));
	bdev_init_mapping(disk);
	flags = spin_lock_irqsave(&disks_lock);
	list_add_tail(&disk->node, &disks);
	spin_unlock_irqrestore(&disks_lock, flags);
	pr_info("%s: %llu sectors (%llu MiB)%s\n", disk->name,
		(unsigned long long)disk->capacity,
		(unsigned long long)(disk->capacity >> (20 - SECTOR_SHIFT)),
		disk->ro ? ", read-only" : "");
	return 0;
}

struct gendisk *get_disk(const char *name)
{
	unsigned long flags = spin_lock_irqsave(&disks_lock);
	struct gendisk *d, *found = NULL;

	list_for_each_entry(d, &disks, node)
		if (!strcmp(d->name, name)) {
			found = d;
			break;
		}
	spin_unlock_irqrestore(&disks_lock, flags);
	return found;	/* disks are never freed while the kernel runs */
}

struct gendisk *get_disk_by_devt(unsigned long dev)
{
	struct gendisk *d;

	list_for_each_entry(d, &disks, node)	/* added at boot, never removed */
		if (MKDEV(d->major, d->minor) == dev)
			return d;
	return NULL;
}

void for_each_disk(void (*fn)(struct gendisk *disk, void *arg), void *arg)
{
	struct gendisk *d;

	/* Disks are added at boot and not removed: walking without the lock held is safe. */
	list_for_each_entry(d, &disks, node)
		fn(d, arg);
}

static int64_t fail_writes;	/* writes still to fail */
static DEFINE_SPINLOCK(fail_lock);
SYSCTL(fail_writes, "dev.block.fail_writes", &fail_writes, 1, 0, 1000000, NULL);

static bool should_fail(const struct bio *bio)
{
	unsigned long flags;
	bool fail;

	if (bio->op != REQ_OP_WRITE || !READ_ONCE(fail_writes))
		return false;
	flags = spin_lock_irqsave(&fail_lock);
	fail = fail_writes > 0;
	if (fail)
		fail_writes--;
	spin_unlock_irqrestore(&fail_lock, flags);
	return fail;
}

static int bio_check(const struct bio *bio)
{
	const struct gendisk *d = bio->disk;
	uint64_t n = bio->len >> SECTOR_SHIFT;

	if (bio->op == REQ_OP_FLUSH)
		return 0;
	if (bio->len % SECTOR_SIZE || !bio->len || bio->sector > d->capacity ||
	    n > d->capacity - bio->sector)
		return -EIO;
	if (bio->op == REQ_OP_WRITE && d->ro)
		return -EROFS;
	return should_fail(bio) ? -EIO : 0;
}

void bio_endio(struct bio *bio, int status)
{
	struct gendisk *d = bio->disk;
	unsigned long flags = spin_lock_irqsave(&d->queue_lock);
	int dir = bio->op == REQ_OP_WRITE;

	bio->status = status;
	if (bio->op == REQ_OP_FLUSH) {
		d->stats.flushes++;
	} else {
		d->stats.ios[dir]++;
		d->stats.sectors[dir] += bio->len >> SECTOR_SHIFT;
		d->stats.ticks_ns[dir] += ktime_get_ns() - bio->start_ns;
	}
	d->stats.in_flight--;
	spin_unlock_irqrestore(&d->queue_lock, flags);
	if (bio->end_io)
		bio->end_io(bio);
}

void blk_run_queue(struct gendisk *d)
{
	unsigned long flags = spin_lock_irqsave(&d->queue_lock);

	while (!list_empty(&d->queue)) {
		struct bio *bio = list_first_entry(&d->queue, struct bio, queue);
		int r = d->ops->queue_rq(d, bio);

		if (r == -EBUSY)
			break;
		list_del(&bio->queue);
		d->queued--;
		if (r < 0) {
			/* bio_endio takes the lock itself. */
			spin_unlock_irqrestore(&d->queue_lock, flags);
			bio_endio(bio, r);
			flags = spin_lock_irqsave(&d->queue_lock);
		}
	}
	spin_unlock_irqrestore(&d->queue_lock, flags);
}

void submit_bio(struct bio *bio)
{
	struct gendisk *d = bio->disk;
	unsigned long flags;
	int err = bio_check(bio);

	bio->start_ns = ktime_get_ns();
	bio->status = err;
	if (err) {	/* refused before it became an I/O: not counted, as Linux */
		if (bio->end_io)
			bio->end_io(bio);
		return;
	}
	flags = spin_lock_irqsave(&d->queue_lock);
	d->stats.in_flight++;
	list_add_tail(&bio->queue, &d->queue);
	d->queued++;
	spin_unlock_irqrestore(&d->queue_lock, flags);
	blk_run_queue(d);
}

static void end_sync(struct bio *bio)
{
	complete(bio->private);
}

int submit_bio_wait(struct bio *bio)
{
	struct completion done;

	init_completion(&done);
	bio->private = &done;
	bio->end_io = end_sync;
	submit_bio(bio);
	wait_for_completion(&done);
	return bio->status;
}

int blk_rw(struct gendisk *disk, enum req_op op, uint64_t sector, void *buf, size_t len)
{
	struct bio bio = { .disk = disk, .op = op, .sector = sector, .len = (uint32_t)len };
	void *bounce = NULL;
	int err;

	if (len > (1u << 20))
		return -EINVAL;
	if (len) {
		bounce = kmalloc(len, GFP_KERNEL);	/* direct-map: the device can DMA to it */
		if (!bounce)
			return -ENOMEM;
		if (op == REQ_OP_WRITE)
			memcpy(bounce, buf, len);
	}
	bio.buf = bounce;
	err = submit_bio_wait(&bio);
	if (!err && op == REQ_OP_READ)
		memcpy(buf, bounce, len);
	kfree(bounce);
	return err;
}

void block_init(void)
{
	virtio_blk_init();
	ramdisk_init();
	writeback_init();	/* the flusher thread, for every disk's dirty pages */
}
