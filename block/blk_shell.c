/*
 * The shell's block commands: lsblk (util-linux's default columns), diskstats (the
 * /proc/diskstats line of each disk), and blk, which reads and writes sectors directly:
 *   blk read DEV SECTOR [COUNT]    the sectors as `hexdump -C` shows them
 *   blk write DEV SECTOR TEXT...   the words joined by spaces, zero-padded to a sector
 *   blk flush DEV                  the device's write cache to the medium
 * blk goes straight to the disk, under the page cache: what it writes is on the device
 * when the command returns (up to the device's own write cache, which flush empties), and
 * it does not see what a program wrote to /dev/vda until that is synced. sync writes every
 * disk's dirty pages back, as sync(1).
 */
#include <block/blkdev.h>
#include <kernel/console.h>
#include <kernel/shell.h>
#include <lib/ctype.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <lib/string.h>
#include <mm/slab.h>

#define BLK_MAX_SECTORS	64

/* lsblk's SIZE: 16M, 64M, 1.5G: the largest unit that leaves at least 1, one decimal. */
static void format_size(char *buf, size_t n, uint64_t bytes)
{
	static const char units[] = "BKMGTP";
	unsigned int u = 0;
	uint64_t whole = bytes, tenth = 0;

	while (whole >= 1024 && u < 5) {
		tenth = (whole % 1024) * 10 / 1024;
		whole /= 1024;
		u++;
	}
	if (tenth)
		snprintf(buf, n, "%llu.%llu%c", (unsigned long long)whole,
			 (unsigned long long)tenth, units[u]);
	else
		snprintf(buf, n, "%llu%c", (unsigned long long)whole, units[u]);
}

struct lsblk_widths {
	int name, majmin, size;
	bool print;
};

static void lsblk_row(struct gendisk *d, void *arg)
{
	struct lsblk_widths *w = arg;
	char majmin[16], size[16];
	int n;

	snprintf(majmin, sizeof(majmin), "%u:%u", d->major, d->minor);
	format_size(size, sizeof(size), d->capacity << SECTOR_SHIFT);
	if (!w->print) {
		if ((n = (int)strlen(d->name)) > w->name)
			w->name = n;
		if ((n = (int)strlen(majmin)) > w->majmin)
			w->majmin = n;
		if ((n = (int)strlen(size)) > w->size)
			w->size = n;
		return;
	}
	/* util-linux: names left, MAJ:MIN right-aligned at the colon's column, SIZE right. */
	console_printf("%-*s %*s  0 %*s %2d disk \n", w->name, d->name, w->majmin, majmin,
		       w->size, size, d->ro);
}

static int cmd_lsblk(int argc, char **argv)
{
	struct lsblk_widths w = { 4, 7, 4, false };

	(void)argv;
	if (argc > 1)
		return -EINVAL;
	for_each_disk(lsblk_row, &w);
	w.print = true;
	console_printf("%-*s %*s RM %*s RO TYPE MOUNTPOINTS\n", w.name, "NAME", w.majmin,
		       "MAJ:MIN", w.size, "SIZE");
	for_each_disk(lsblk_row, &w);
	return 0;
}
SHELL_COMMAND(lsblk, cmd_lsblk, "lsblk", "block devices (as util-linux lsblk)");

static void diskstats_row(struct gendisk *d, void *arg)
{
	const struct disk_stats *s = &d->stats;

	(void)arg;
	/* Linux's 17 fields after the name: reads (done, merged, sectors, ms), writes (the
	 * same), in flight, ms busy, weighted ms, discards (4 fields), flushes, flush ms. */
	console_printf("%4u %7u %s %llu 0 %llu %llu %llu 0 %llu %llu %u %llu %llu 0 0 0 0 %llu 0\n",
		       d->major, d->minor, d->name, (unsigned long long)s->ios[0],
		       (unsigned long long)s->sectors[0],
		       (unsigned long long)(s->ticks_ns[0] / 1000000),
		       (unsigned long long)s->ios[1], (unsigned long long)s->sectors[1],
		       (unsigned long long)(s->ticks_ns[1] / 1000000), s->in_flight,
		       (unsigned long long)((s->ticks_ns[0] + s->ticks_ns[1]) / 1000000),
		       (unsigned long long)((s->ticks_ns[0] + s->ticks_ns[1]) / 1000000),
		       (unsigned long long)s->flushes);
}

static int cmd_diskstats(int argc, char **argv)
{
	(void)argv;
	if (argc > 1)
		return -EINVAL;
	for_each_disk(diskstats_row, NULL);
	return 0;
}
SHELL_COMMAND(diskstats, cmd_diskstats, "diskstats",
	      "I/O counts per disk (as /proc/diskstats)");

/* `hexdump -C`: offset, 16 bytes in two groups of 8, the printable ones; a line equal to
 * the one before is a single "*". */
static void hexdump(const uint8_t *p, size_t len, uint64_t base)
{
	bool starred = false;

	for (size_t off = 0; off < len; off += 16) {
		if (off && !memcmp(p + off, p + off - 16, 16)) {
			if (!starred)
				console_printf("*\n");
			starred = true;
			continue;
		}
		starred = false;
		console_printf("%08llx ", (unsigned long long)(base + off));
		for (int i = 0; i < 16; i++)
			console_printf("%s %02x", i == 8 ? " " : "", p[off + i]);
		console_printf("  |");
		for (int i = 0; i < 16; i++)
			console_printf("%c", isprint(p[off + i]) ? p[off + i] : '.');
		console_printf("|\n");
	}
	console_printf("%08llx\n", (unsigned long long)(base + len));
}

static int cmd_blk(int argc, char **argv)
{
	struct gendisk *d;
	unsigned long long sector = 0, count = 1;
	uint8_t *buf;
	int err;

	if (argc < 3)
		return -EINVAL;
	d = get_disk(argv[2]);
	if (!d) {
		console_printf("blk: %s: no such disk (lsblk lists them)\n", argv[2]);
		return 1;
	}
	if (!strcmp(argv[1], "flush") && argc == 3) {
		err = blk_rw(d, REQ_OP_FLUSH, 0, NULL, 0);
		goto out;
	}
	if (argc < 4 || kstrtoull(argv[3], 0, &sector) ||
	    (!strcmp(argv[1], "read") && argc == 5 && kstrtoull(argv[4], 0, &count)) ||
	    !count || count > BLK_MAX_SECTORS)
		return -EINVAL;
	buf = kzalloc(count * SECTOR_SIZE, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	if (!strcmp(argv[1], "read") && argc <= 5) {
		err = blk_rw(d, REQ_OP_READ, sector, buf, count * SECTOR_SIZE);
		if (!err)
			hexdump(buf, count * SECTOR_SIZE, sector * SECTOR_SIZE);
	} else if (!strcmp(argv[1], "write") && argc >= 5) {
		size_t n = 0;

		/* The text and its NUL in the first sector, the rest zero. */
		for (int i = 4; i < argc; i++)
			n += scnprintf((char *)buf + n, SECTOR_SIZE - n, "%s%s", i > 4 ? " " : "",
				       argv[i]);
		err = blk_rw(d, REQ_OP_WRITE, sector, buf, SECTOR_SIZE);
	} else {
		kfree(buf);
		return -EINVAL;
	}
	kfree(buf);
out:
	if (err)
		console_printf("blk: %s: %s\n", d->name, strerror(-err));
	return err ? 1 : 0;
}
SHELL_COMMAND(blk, cmd_blk, "blk read DEV SECTOR [COUNT] | blk write DEV SECTOR TEXT... | "
	      "blk flush DEV", "read, write or flush sectors of a disk, bypassing any cache");

static int cmd_sync(int argc, char **argv)
{
	int err;

	(void)argv;
	if (argc > 1)
		return -EINVAL;
	err = bdev_sync_all();
	if (err)
		console_printf("sync: %s\n", strerror(-err));
	return err ? 1 : 0;
}
SHELL_COMMAND(sync, cmd_sync, "sync", "write every disk's dirty cached pages back (as sync)");
