/*
 * /dev/null and /dev/zero, the two devices that need no hardware: null reads as end of file
 * and swallows writes, zero reads as zero bytes and swallows writes. Both may be seeked to
 * anywhere (the position means nothing), as on Linux. /dev/console is fs/console.c.
 */
#include <fs/fs.h>
#include <lib/errno.h>

static ssize_t null_read(struct file *f, void *buf, size_t count, loff_t *pos)
{
	(void)f, (void)buf, (void)count, (void)pos;
	return 0;
}

static ssize_t sink_write(struct file *f, const void *buf, size_t count, loff_t *pos)
{
	(void)f, (void)buf, (void)pos;
	return (ssize_t)count;
}

static ssize_t zero_read(struct file *f, void *buf, size_t count, loff_t *pos)
{
	(void)f, (void)pos;
	memset(buf, 0, count);
	return (ssize_t)count;
}

static loff_t noop_llseek(struct file *f, loff_t offset, int whence)
{
	(void)f, (void)offset, (void)whence;
	return 0;
}

const struct file_operations null_fops = {
	.read = null_read, .write = sink_write, .llseek = noop_llseek,
};

const struct file_operations zero_fops = {
	.read = zero_read, .write = sink_write, .llseek = noop_llseek,
};
