/*
 * The shell's `vmallocinfo`: every area of the vmalloc range, one line each, in the layout
 * of Linux's /proc/vmallocinfo:
 *   0xffffc90000000000-0xffffc90000005000   20480 create_task+0x4f/0x170 pages=4 vmalloc
 * the range (the guard page included, so 16 KiB of stack shows as 20480 bytes), the
 * caller as symbol+offset/size, pages=N for vmalloc, phys= for ioremap, the kind, and
 * "vpages" when the page array is itself vmalloc'd. Areas freed but not yet purged show as
 * "unpurged vm_area", as Linux shows its purge list. Linux hides the addresses from
 * non-root readers (%pK); here there is only root.
 * The lines are copied under the area lock, then printed without it.
 */
#include <kernel/console.h>
#include <kernel/ksyms.h>
#include <kernel/shell.h>
#include <lib/errno.h>
#include <lib/printf.h>
#include <mm/slab.h>
#include "vmalloc_internal.h"

void vmallocinfo_format(char *buf, size_t size, const struct vm_info *i)
{
	char sym[KSYM_NAME_LEN];
	int n = scnprintf(buf, size, "0x%016llx-0x%016llx %7llu", (unsigned long long)i->start,
			  (unsigned long long)i->end, (unsigned long long)(i->end - i->start));

	if (i->lazy) {
		scnprintf(buf + n, size - n, " unpurged vm_area\n");
		return;
	}
	if (i->caller) {
		sprint_symbol(sym, sizeof(sym), (uint64_t)i->caller);
		n += scnprintf(buf + n, size - n, " %s", sym);
	}
	if (i->nr_pages)
		n += scnprintf(buf + n, size - n, " pages=%u", i->nr_pages);
	if (i->phys_addr)
		n += scnprintf(buf + n, size - n, " phys=0x%016llx",
			       (unsigned long long)i->phys_addr);
	if (i->flags & VM_IOREMAP)
		n += scnprintf(buf + n, size - n, " ioremap");
	if (i->flags & VM_ALLOC)
		n += scnprintf(buf + n, size - n, " vmalloc");
	if (i->flags & VM_MAP)
		n += scnprintf(buf + n, size - n, " vmap");
	if (i->flags & VM_PAGES_VMALLOC)
		n += scnprintf(buf + n, size - n, " vpages");
	scnprintf(buf + n, size - n, "\n");
}

void vmallocinfo_show(void)
{
	unsigned int n = vmap_collect(NULL, 0), max = n + 16;
	struct vm_info *areas = kcalloc(max, sizeof(*areas), GFP_KERNEL);
	char line[256];

	if (!areas) {
		console_printf("vmallocinfo: no memory for %u lines\n", max);
		return;
	}
	n = MIN(vmap_collect(areas, max), max);
	for (unsigned int i = 0; i < n; i++) {
		vmallocinfo_format(line, sizeof(line), &areas[i]);
		console_puts(line);
	}
	kfree(areas);
}

static int cmd_vmallocinfo(int argc, char **argv)
{
	(void)argv;
	if (argc != 1)
		return -EINVAL;
	vmallocinfo_show();
	return 0;
}
SHELL_COMMAND(vmallocinfo, cmd_vmallocinfo, "vmallocinfo",
	      "the areas of the vmalloc range (as /proc/vmallocinfo)");
