/*
 * Block device files: /dev/vda, /dev/ram0, one per disk, made at boot. Reads and writes
 * go through the disk's page cache (mm/filemap.c): page N of the device is sectors
 * 8N..8N+7, read in with one bio when first needed, and a write only dirties the page;
 * fsync (and sync) write the dirty pages back, then flush the device's write cache. So a
 * second read of the same bytes does no I/O (diskstats shows it), and a write reaches the
 * disk at fsync, or when the flusher (to come) writes it back.
 * The position may be anywhere in the device; a read stops at its end, a write past it is
 * -ENOSPC; lseek's SEEK_END is the device's size.
 */
#define pr_fmt(fmt) "block: " fmt

#include <block/blkdev.h>
#include <fs/fs.h>
#include <kernel/printk.h>
#include <lib/errno.h>
#include <lib/printf.h>

static int bdev_page_io(struct address_space *mapping, struct page *page, enum req_op op)
{
	struct gendisk *d = mapping->host;
	uint64_t sector = (uint64_t)page->index * (PAGE_SIZE / SECTOR_SIZE);
	uint64_t left = d->capacity - sector;
	uint32_t len = left < PAGE_SIZE / SECTOR_SIZE ? (uint32_t)left * SECTOR_SIZE : PAGE_SIZE;
	struct bio bio = { .disk = d, .op = op, .sector = sector, .buf = page_address(page),
			   .len = len };

	if (op == REQ_OP_READ && len < PAGE_SIZE)	/* the device ends inside this page */
		memset((char *)page_address(page) + len, 0, PAGE_SIZE - len);
	return submit_bio_wait(&bio);
}

static int bdev_readpage(struct address_space *mapping, struct page *page)
{
	return bdev_page_io(mapping, page, REQ_OP_READ);
}

static int bdev_writepage(struct address_space *mapping, struct page *page)
{
	return bdev_page_io(mapping, page, REQ_OP_WRITE);
}

static int bdev_flush(struct address_space *mapping)
{
	struct gendisk *d = mapping->host;
	struct bio bio = { .disk = d, .op = REQ_OP_FLUSH };

	return d->can_flush ? submit_bio_wait(&bio) : 0;
}

static const struct address_space_operations bdev_aops = {
	.readpage = bdev_readpage, .writepage = bdev_writepage, .flush = bdev_flush,
};

void bdev_init_mapping(struct gendisk *disk)
{
	address_space_init(&disk->mapping, &bdev_aops, disk, disk->capacity << SECTOR_SHIFT);
	disk->mapping.is_bdev = true;
}

static struct gendisk *file_disk(struct file *f)
{
	return get_disk_by_devt(f->f_inode->i_rdev);	/* disks are never removed */
}

static ssize_t bdev_read(struct file *f, void *buf, size_t count, loff_t *pos)
{
	return filemap_read(&file_disk(f)->mapping, buf, count, pos);
}

static ssize_t bdev_write(struct file *f, const void *buf, size_t count, loff_t *pos)
{
	struct gendisk *d = file_disk(f);

	if (d->ro)
		return -EROFS;
	return filemap_write(&d->mapping, buf, count, pos);
}

static loff_t bdev_llseek(struct file *f, loff_t offset, int whence)
{
	loff_t size = (loff_t)file_disk(f)->mapping.size, base;

	switch (whence) {
	case SEEK_SET: base = 0; break;
	case SEEK_CUR: base = f->f_pos; break;
	case SEEK_END: base = size; break;
	default: return -EINVAL;
	}
	/* Anywhere from 0 to the end, as Linux's block devices. */
	if (__builtin_add_overflow(base, offset, &base) || base < 0 || base > size)
		return -EINVAL;
	f->f_pos = base;
	return base;
}

static int bdev_fsync(struct file *f)
{
	return filemap_write_and_wait(&file_disk(f)->mapping);
}

static const struct file_operations bdev_fops = {
	.read = bdev_read, .write = bdev_write, .llseek = bdev_llseek, .fsync = bdev_fsync,
};

static int make_node_err;

static void make_node(struct gendisk *d, void *arg)
{
	char path[32];
	int err;

	(void)arg;
	snprintf(path, sizeof(path), "/dev/%s", d->name);
	err = vfs_mknod(path, S_IFBLK | 0660, MKDEV(d->major, d->minor), &bdev_fops);
	if (err && !make_node_err)
		make_node_err = err;
}

int bdev_make_nodes(void)
{
	for_each_disk(make_node, NULL);
	return make_node_err;
}

static int sync_err;

static void sync_disk(struct gendisk *d, void *arg)
{
	int err = filemap_write_and_wait(&d->mapping);

	(void)arg;
	if (err && !sync_err)
		sync_err = err;
}

int bdev_sync_all(void)
{
	sync_err = 0;
	for_each_disk(sync_disk, NULL);
	return sync_err;
}
