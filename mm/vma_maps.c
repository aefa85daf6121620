/*
 * One line of /proc/PID/maps per VMA, in Linux's exact format (fs/proc/task_mmu.c there):
 *
 *   start-end perms offset major:minor inode [padding pathname]
 *
 * Addresses in hex, at least 8 digits; perms "rwxp" with '-' for a missing right and 's' or 'p'
 * for shared or private (VM_MAYSHARE, so a shared mapping made read-only still says 's'); the
 * file offset in bytes, 8 hex digits at least (0 for anonymous memory); the device and inode of
 * the file (00:00 0 until vm_file is a real file). If the VMA has a name, the line is padded
 * with spaces to 72 characters and one more space goes before the name, so names start in
 * column 73 on 64-bit Linux; if it has none, the line ends right after the inode and its
 * space. Names: anon_name if set, else [heap] for the VMA over the brk area and [stack] for
 * the one holding start_stack, the way Linux recognises them.
 */
#include <lib/printf.h>
#include <mm/vma.h>

#define MAPS_NAME_COLUMN	72	/* Linux: 25 + sizeof(void *) * 6 - 1 */

const char *vma_name(const struct vm_area_struct *vma)
{
	const struct mm_struct *mm = vma->vm_mm;

	if (vma->anon_name)
		return vma->anon_name;
	if (!mm || vma->vm_file)
		return NULL;
	if (mm->brk && vma->vm_start <= mm->brk && vma->vm_end >= mm->start_brk)
		return "[heap]";
	if (mm->start_stack && vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

int vma_format_maps_line(const struct vm_area_struct *vma, char *buf, size_t len)
{
	unsigned long flags = vma->vm_flags;
	unsigned long offset = vma->vm_file ? vma->vm_pgoff << PAGE_SHIFT : 0;
	const char *name = vma_name(vma);
	int n;

	n = scnprintf(buf, len, "%08lx-%08lx %c%c%c%c %08lx %02x:%02x %lu ", vma->vm_start,
		      vma->vm_end, flags & VM_READ ? 'r' : '-', flags & VM_WRITE ? 'w' : '-',
		      flags & VM_EXEC ? 'x' : '-', flags & VM_MAYSHARE ? 's' : 'p', offset, 0u, 0u,
		      0ul);
	if (name)
		n += scnprintf(buf + n, len - n, "%*s %s", MAPS_NAME_COLUMN - n > 0 ?
			       MAPS_NAME_COLUMN - n : 0, "", name);
	n += scnprintf(buf + n, len - n, "\n");
	return n;
}
