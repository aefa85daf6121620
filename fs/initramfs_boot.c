/*
 * The file system at boot: the empty root with /dev and /tmp (fs/super.c), the devices in
 * /dev, then the initramfs. GRUB loads the archive as a multiboot2 module whose command line
 * is "initramfs" (iso/grub.cfg: module2 /boot/initramfs.cpio initramfs); mm_init reserved
 * every module's pages in memblock, so nothing was allocated over it. They stay reserved for
 * good: the unpacked files point into the archive instead of copying it (fs/initramfs.c), so
 * the archive is the files' storage. Without the module the boot goes on with the empty root;
 * a corrupt archive is reported with the offset, and what came before it stays unpacked.
 * docs/fs.md, "the initramfs".
 */
#define pr_fmt(fmt) "initramfs: " fmt

#include <asm/layout.h>
#include <block/blkdev.h>
#include <fs/fs.h>
#include <fs/proc.h>
#include <kernel/bootinfo.h>
#include <kernel/printk.h>
#include <lib/errno.h>

int devices_init(void)
{
	int ret = vfs_mknod_chr("/dev/console", 0600, MKDEV(5, 1), &console_fops);

	if (ret == 0)
		ret = vfs_mknod_chr("/dev/null", 0666, MKDEV(1, 3), &null_fops);
	if (ret == 0)
		ret = vfs_mknod_chr("/dev/zero", 0666, MKDEV(1, 5), &zero_fops);
	if (ret == 0)
		ret = bdev_make_nodes();	/* /dev/vda, /dev/ram0 ... (block/bdev.c) */
	return ret;
}

static const struct boot_module *find_initramfs(void)
{
	for (unsigned int i = 0; i < boot_info.nr_modules; i++) {
		const struct boot_module *m = &boot_info.modules[i];

		if (m->cmdline && strcmp(m->cmdline, "initramfs") == 0)
			return m;
	}
	return NULL;
}

void initramfs_boot(void)
{
	const struct boot_module *m;
	struct initramfs_stats st;
	const char *why = NULL;
	size_t bad = 0;
	int ret;

	ret = vfs_init();
	if (ret == 0)
		ret = devices_init();
	if (ret == 0)
		ret = proc_init();
	if (ret) {
		pr_err("cannot make the root file system: error %d\n", -ret);
		return;
	}
	m = find_initramfs();
	if (!m) {
		pr_warn("no multiboot2 module named 'initramfs': the root has only /dev and /tmp\n");
		return;
	}
	ret = unpack_initramfs(__va(m->start), m->end - m->start, &st, &bad, &why);
	if (ret) {
		pr_err("corrupt archive [0x%llx-0x%llx) at offset %zu: %s (error %d); "
		       "%u files unpacked before it\n",
		       (unsigned long long)m->start, (unsigned long long)m->end, bad,
		       why ? why : "?", -ret, st.files);
		return;
	}
	pr_info("%u files, %zu bytes unpacked (%u directories, %u symlinks, %u skipped) "
		"from [0x%llx-0x%llx)\n", st.files, st.bytes, st.dirs, st.symlinks,
		st.others + st.failed, (unsigned long long)m->start, (unsigned long long)m->end);
}
