/*
 * Block devices: disks read and written in 512-byte sectors. A driver registers a
 * struct gendisk ("vda", "ram0") with add_disk(); work reaches it as struct bio requests
 * (one operation on one contiguous, physically contiguous kernel buffer) through the
 * disk's request queue:
 *
 *   submit_bio(bio)        queue it (any context that may take a spinlock)
 *     -> blk_run_queue     hand queued bios to ops->queue_rq in order, until the driver
 *                          says it is full (-EBUSY: it calls blk_run_queue again when a
 *                          request completes and frees room)
 *   bio_endio(bio, err)    the driver's completion (often in its interrupt handler):
 *                          the disk's statistics, then bio->end_io
 *   submit_bio_wait(bio)   submit and sleep until it completed: its status
 *
 * block/blk-core.c is the core, block/ramdisk.c a RAM disk with a per-request delay,
 * drivers/block/virtio_blk.c the virtio disk, block/blk_shell.c lsblk and blk.
 * block/bdev.c puts the page cache above each disk: /dev/vda is read and written through
 * it. Not here yet: request merging and I/O schedulers, partitions. docs/block.md.
 */
#ifndef BLOCK_BLKDEV_H
#define BLOCK_BLKDEV_H

#include <kernel/compiler.h>
#include <kernel/spinlock.h>
#include <lib/list.h>
#include <mm/pagemap.h>

#define SECTOR_SHIFT	9
#define SECTOR_SIZE	512

enum req_op { REQ_OP_READ, REQ_OP_WRITE, REQ_OP_FLUSH };

struct gendisk;

struct bio {
	struct gendisk *disk;
	enum req_op op;
	uint64_t sector;		/* the first sector */
	void *buf;			/* direct-map memory (kmalloc, pages): DMA-able */
	uint32_t len;			/* bytes, a multiple of 512; 0 for a flush */
	int status;			/* 0, or -EIO ... once ended */
	void (*end_io)(struct bio *bio);	/* may run in an interrupt handler */
	void *private;
	uint64_t start_ns;		/* when submitted: the statistics' service time */
	struct list_head queue;		/* on the disk's queue until the driver takes it */
};

struct block_device_operations {
	/*
	 * Take @bio (called with the queue lock held, interrupts off: no sleeping). 0: the
	 * driver has it and will bio_endio it; -EBUSY: full, keep it queued; another
	 * negative errno: end it with that error.
	 */
	int (*queue_rq)(struct gendisk *disk, struct bio *bio);
};

/* What iostat and /proc/diskstats count, per direction (0 read, 1 write). */
struct disk_stats {
	uint64_t ios[2], sectors[2], ticks_ns[2];
	uint64_t flushes;
	unsigned int in_flight;
};

struct gendisk {
	char name[16];			/* "vda", "ram0" */
	unsigned int major, minor;	/* Linux's: virtblk 253 (dynamic there), ram 1 */
	uint64_t capacity;		/* sectors */
	bool ro, can_flush;
	const struct block_device_operations *ops;
	void *private_data;		/* the driver's */
	const char *model;		/* what lsblk's -o MODEL would say */

	spinlock_t queue_lock;		/* the queue and the statistics */
	struct list_head queue;		/* bios submitted, not yet taken by the driver */
	unsigned int queued;
	struct disk_stats stats;
	struct list_head node;		/* on the list of disks */
	struct address_space mapping;	/* its pages in the page cache (block/bdev.c) */
};

void block_init(void);	/* the block drivers: virtio-blk (PCI), the RAM disk */
int add_disk(struct gendisk *disk);		/* 0, -EEXIST (the name is taken) */
struct gendisk *get_disk(const char *name);	/* NULL if none */
struct gendisk *get_disk_by_devt(unsigned long dev);	/* by MKDEV(major, minor) */
void for_each_disk(void (*fn)(struct gendisk *disk, void *arg), void *arg);

void submit_bio(struct bio *bio);
void blk_run_queue(struct gendisk *disk);
void bio_endio(struct bio *bio, int status);
int submit_bio_wait(struct bio *bio);
void ramdisk_init(void);
/* The block device files (block/bdev.c): /dev/NAME for each disk, read and written
 * through the page cache; fsync writes the dirty pages back. */
int bdev_make_nodes(void);
void bdev_init_mapping(struct gendisk *disk);	/* add_disk's */
int bdev_sync_all(void);			/* sync(2): every disk's dirty pages */	/* block/ramdisk.c: ram0, ramdisk_size= KiB */
/* One synchronous transfer of @len bytes at @sector through a bounce buffer: 0 or -errno. */
int blk_rw(struct gendisk *disk, enum req_op op, uint64_t sector, void *buf, size_t len);

#endif
