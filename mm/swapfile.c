/*
 * The swap area: one disk, cut into page-sized slots, and a map of what each slot holds.
 * swapon reads the first page, which mkswap wrote: version 1 of the "SWAPSPACE2" format,
 *   bytes 1024..1027  version (1)        1028..1031  last_page (the last usable slot)
 *   bytes 1032..1035  nr_badpages         1036..     uuid, label; bad page list at 1536
 *   the last 10 bytes of the page: "SWAPSPACE2"
 * and from then on slots 1..last_page are free to use (the listed bad ones excepted).
 * swap_map[slot] counts the PTEs that hold the slot (fork makes two), plus a bit for a
 * write of it still in flight: a slot is free when its entry is 0. Nothing keeps a copy
 * of a swapped page in memory (Linux's swap cache): a swapped-in page is private and the
 * slot's reference goes at once; so a fault that finds its slot's write pending waits for
 * it (swap_readpage) and reads the disk after. The map is under swap_lock, a spinlock
 * with interrupts off, since page-table code (under a process's mmap_lock) frees slots.
 * Slots are handed out from a moving cursor, so consecutive swap-outs land next to each
 * other on the disk, as Linux's cluster allocator arranges.
 * A failed write retires its slot (SWAP_BAD) but keeps the page in memory, on kept_pages:
 * the PTEs that hold the slot stay swap entries and their faults copy that page (so a
 * fault waiting for the write, a fork meanwhile, an mprotect meanwhile all see what they
 * would have seen from the disk); when the last holder goes, page and slot go for good.
 */
#define pr_fmt(fmt) "swap: " fmt

#include <block/blkdev.h>
#include <kernel/console.h>
#include <kernel/params.h>
#include <kernel/printk.h>
#include <kernel/ratelimit.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/mm.h>
#include <mm/page.h>
#include <mm/slab.h>
#include <mm/swap.h>
#include <mm/vmalloc.h>
#include <sched/mutex.h>
#include <sched/wait.h>

#define SWAP_COUNT_MASK	0x3fffu		/* PTEs holding the slot */
#define SWAP_WRITING	0x4000u		/* its swap-out write is in flight */
#define SWAP_BAD	0x8000u		/* never used: mkswap's bad list, or a failed write */
#define SWAP_MAGIC	"SWAPSPACE2"
#define K(pages)	((unsigned long)(pages) << (PAGE_SHIFT - 10))
#define SLOT_IN_USE(e)	((e) & (SWAP_COUNT_MASK | SWAP_WRITING))

struct swap_info {
	struct gendisk *disk;
	char path[24];			/* "/dev/vdb", as /proc/swaps names it */
	unsigned long max;		/* slots 1..max-1 exist (max = last_page + 1) */
	unsigned long pages;		/* usable slots */
	unsigned long inuse;		/* slots with a nonzero map entry (bad ones excluded) */
	unsigned long cursor;		/* where the next allocation starts looking */
	uint16_t *map;
};

struct swap_stats swap_stats;
static struct swap_info si;
static DEFINE_SPINLOCK(swap_lock);
static DECLARE_WAIT_QUEUE_HEAD(swap_write_wait);
/* Pages whose write failed, linked by page->lru, each with its slot in page->private. */
static struct list_head kept_pages = LIST_HEAD_INIT(kept_pages);
static DEFINE_RATELIMIT_STATE(write_error_rs, RATELIMIT_INTERVAL_NS, RATELIMIT_BURST);

bool swap_active(void)
{
	return READ_ONCE(si.map) != NULL;
}

unsigned long total_swap_pages(void)
{
	return si.pages;
}

unsigned long nr_free_swap_pages(void)
{
	return si.pages - READ_ONCE(si.inuse);
}

unsigned long swap_alloc_slot(void)
{
	unsigned long flags = spin_lock_irqsave(&swap_lock), slot = 0;

	for (unsigned long i = 0; si.map && si.inuse < si.pages && i < si.max; i++) {
		unsigned long s = si.cursor;

		si.cursor = si.cursor + 1 < si.max ? si.cursor + 1 : 1;
		if (!si.map[s]) {
			si.map[s] = 1 | SWAP_WRITING;
			si.inuse++;
			slot = s;
			break;
		}
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	return slot;
}

/* The page kept for retired @slot, or NULL. swap_lock held. */
static struct page *kept_page(unsigned long slot)
{
	struct page *page;

	list_for_each_entry(page, &kept_pages, lru)
		if (page->private == slot)
			return page;
	return NULL;
}

/*
 * @slot lost a holder or its pending write: a slot nothing holds any more is free again;
 * a retired one leaves the area, and its kept page is returned for the caller to put once
 * swap_lock (held here) is dropped.
 */
static struct page *slot_released(unsigned long slot)
{
	struct page *page;

	if (SLOT_IN_USE(si.map[slot]))
		return NULL;
	si.inuse--;
	if (!(si.map[slot] & SWAP_BAD))
		return NULL;
	si.pages--;		/* a hole in the area from now on */
	page = kept_page(slot);
	if (page) {
		list_del(&page->lru);
		page->private = 0;
	}
	return page;
}

static bool bad_slot(unsigned long slot)
{
	if (slot == 0 || slot >= si.max || !si.map) {
		pr_err("bad swap entry %lx\n", slot);
		return true;
	}
	return false;
}

void swap_dup(unsigned long slot)
{
	unsigned long flags = spin_lock_irqsave(&swap_lock);

	if (!bad_slot(slot)) {
		if ((si.map[slot] & SWAP_COUNT_MASK) == SWAP_COUNT_MASK)
			pr_err("slot %lu: too many references\n", slot);
		else
			si.map[slot]++;
	}
	spin_unlock_irqrestore(&swap_lock, flags);
}

void swap_free(unsigned long slot)
{
	unsigned long flags = spin_lock_irqsave(&swap_lock);
	struct page *kept = NULL;

	if (!bad_slot(slot)) {
		if (!(si.map[slot] & SWAP_COUNT_MASK)) {
			pr_err("slot %lu freed more often than taken\n", slot);
		} else {
			si.map[slot]--;
			kept = slot_released(slot);
		}
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	if (kept)
		put_page(kept);
}

static int slot_io(struct page *page, unsigned long slot, enum req_op op)
{
	struct bio bio = { .disk = si.disk, .op = op, .sector = (uint64_t)slot << (PAGE_SHIFT -
		SECTOR_SHIFT), .buf = page_address(page), .len = PAGE_SIZE };

	return submit_bio_wait(&bio);
}

int swap_writepage(struct page *page, unsigned long slot)
{
	int err = slot_io(page, slot, REQ_OP_WRITE);
	unsigned long flags = spin_lock_irqsave(&swap_lock), missed;
	struct page *gone;

	si.map[slot] &= (uint16_t)~SWAP_WRITING;
	if (err) {
		si.map[slot] |= SWAP_BAD;	/* never handed out again */
		swap_stats.write_errors++;
		if (si.map[slot] & SWAP_COUNT_MASK) {	/* held: its holders read this copy */
			get_page(page);
			page->private = slot;
			list_add(&page->lru, &kept_pages);
		}
	} else {
		swap_stats.pswpout++;
	}
	gone = slot_released(slot);	/* its process may have exited meanwhile */
	spin_unlock_irqrestore(&swap_lock, flags);
	wake_up_all(&swap_write_wait);
	if (gone)
		put_page(gone);
	if (err && __ratelimit(&write_error_rs, &missed))
		pr_err("write error %d on slot %lu: slot retired, its page kept in memory\n", err,
		       slot);
	return err;
}

static bool slot_written(unsigned long slot)
{
	return !(READ_ONCE(si.map[slot]) & SWAP_WRITING);
}

int swap_readpage(struct page *page, unsigned long slot)
{
	unsigned long flags;
	struct page *kept = NULL;
	bool retired;
	int err;

	if (bad_slot(slot))
		return -EIO;
	wait_event(swap_write_wait, slot_written(slot));
	flags = spin_lock_irqsave(&swap_lock);
	retired = si.map[slot] & SWAP_BAD;
	if (retired) {
		kept = kept_page(slot);
		if (kept)
			get_page(kept);	/* the other holders may let it go meanwhile */
	}
	spin_unlock_irqrestore(&swap_lock, flags);
	if (retired) {
		if (!kept)
			return -EIO;
		copy_page(page_address(page), page_address(kept));
		put_page(kept);
		return 0;
	}
	err = slot_io(page, slot, REQ_OP_READ);
	if (err)
		swap_stats.read_errors++;
	else
		swap_stats.pswpin++;
	return err;
}

/* ---- swapon -------------------------------------------------------------------------- */

static int read_header(struct gendisk *disk, uint8_t *hdr, unsigned long *last_page,
		       unsigned int *nr_bad)
{
	int err = blk_rw(disk, REQ_OP_READ, 0, hdr, PAGE_SIZE);
	uint32_t version;

	if (err)
		return err;
	if (memcmp(hdr + PAGE_SIZE - 10, SWAP_MAGIC, 10) != 0) {
		pr_err("%s: no swap signature (run mkswap on it first)\n", disk->name);
		return -EINVAL;
	}
	memcpy(&version, hdr + 1024, 4);
	if (version != 1) {
		pr_err("%s: swap format version %u, only version 1 is known\n", disk->name,
		       version);
		return -EINVAL;
	}
	*last_page = *(uint32_t *)(hdr + 1028);
	*nr_bad = *(uint32_t *)(hdr + 1032);
	if (*last_page < 1 || *last_page >= (disk->capacity >> (PAGE_SHIFT - SECTOR_SHIFT)) ||
	    *nr_bad > (PAGE_SIZE - 1536) / 4) {
		pr_err("%s: swap header says %lu pages (%u bad), the disk has %llu\n", disk->name,
		       *last_page, *nr_bad,
		       (unsigned long long)(disk->capacity >> (PAGE_SHIFT - SECTOR_SHIFT)));
		return -EINVAL;
	}
	return 0;
}

static int __swapon(const char *name)
{
	const char *dev = strncmp(name, "/dev/", 5) == 0 ? name + 5 : name;
	struct gendisk *disk = get_disk(dev);
	unsigned long last_page, bad_in_range = 0;
	unsigned int nr_bad;
	uint8_t *hdr;
	uint16_t *map;
	int err;

	if (!disk) {
		pr_err("%s: no such disk\n", name);
		return -ENOENT;
	}
	if (si.map || si.disk)
		return -EBUSY;	/* one area */
	if (disk->ro) {
		pr_err("%s: read-only disk\n", name);
		return -EROFS;
	}
	si.disk = disk;		/* claimed while we look at it (swapon_mutex held) */
	hdr = kmalloc(PAGE_SIZE, GFP_KERNEL);
	err = hdr ? read_header(disk, hdr, &last_page, &nr_bad) : -ENOMEM;
	map = err ? NULL : vzalloc((last_page + 1) * sizeof(*map));
	if (!err && !map)
		err = -ENOMEM;
	if (err) {
		kfree(hdr);
		si.disk = NULL;
		return err;
	}
	map[0] = SWAP_BAD;	/* the header */
	for (unsigned int i = 0; i < nr_bad; i++) {
		uint32_t b = *(uint32_t *)(hdr + 1536 + 4 * i);

		if (b && b <= last_page && !map[b]) {
			map[b] = SWAP_BAD;
			bad_in_range++;
		}
	}
	kfree(hdr);
	snprintf(si.path, sizeof(si.path), "/dev/%s", disk->name);
	si.max = last_page + 1;
	si.pages = last_page - bad_in_range;
	si.inuse = 0;
	si.cursor = 1;
	WRITE_ONCE(si.map, map);	/* in use from here on */
	pr_info("Adding %luk swap on %s.  Priority:-2 extents:1 across:%luk\n", K(si.pages),
		si.path, K(last_page));
	return 0;
}

int swapon(const char *name)
{
	static DEFINE_MUTEX(swapon_mutex);	/* one claim at a time: the check, then the disk */
	int err;

	mutex_lock(&swapon_mutex);
	err = __swapon(name);
	mutex_unlock(&swapon_mutex);
	return err;
}

/* swapon=vdb on the command line: the area is added once the disks are there. */
static char boot_swap[16];

static int set_swapon(const char *val)
{
	if (!val || !*val || strlen(val) >= sizeof(boot_swap))
		return -EINVAL;
	strscpy(boot_swap, val, sizeof(boot_swap));
	return 0;
}
KERNEL_PARAM("swapon", set_swapon, "swapon=vdb: use that disk (mkswap'ed) as swap from boot");

void swap_boot(void)
{
	if (boot_swap[0])
		swapon(boot_swap);	/* it says why if it cannot */
}

/* /proc/swaps' table (and `swapon -s`). */
int swaps_format(char *buf, size_t size)
{
	int n = scnprintf(buf, size, "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n");
	unsigned long used;

	if (!swap_active())
		return n;
	used = K(READ_ONCE(si.inuse));
	return n + scnprintf(buf + n, size - n, "%-40spartition\t%lu\t%s%lu\t%s%d\n", si.path,
			     K(si.pages), K(si.pages) < 10000000 ? "\t" : "", used,
			     used < 10000000 ? "\t" : "", -2);
}

static int cmd_swapon(int argc, char **argv)
{
	char buf[256];
	int err;

	if (argc == 1 || (argc == 2 && (!strcmp(argv[1], "-s") || !strcmp(argv[1], "--summary")))) {
		swaps_format(buf, sizeof(buf));
		console_puts(buf);
		return 0;
	}
	if (argc != 2)
		return -EINVAL;
	err = swapon(argv[1]);
	if (err)
		console_printf("swapon: %s: swapon failed: %s\n", argv[1], strerror(-err));
	return 0;
}
SHELL_COMMAND(swapon, cmd_swapon, "swapon [-s] [DEVICE]",
	      "use DEVICE (mkswap'ed) as the swap area, or list it (as util-linux swapon)");
