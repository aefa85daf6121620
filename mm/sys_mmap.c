/*
 * The memory system calls of a process: brk, mmap, munmap, mprotect and madvise, on
 * anonymous memory (files come with the page cache). They check the arguments as Linux
 * does, then use the address-space calls of mm/mmap.c; every page appears at its first
 * touch (mm/fault.c), except with MAP_POPULATE, which touches each page at once.
 * The heap: exec sets mm->start_brk just above the program; brk(addr) grows or shrinks
 * one anonymous VMA [start_brk, brk) that maps shows as [heap].
 * MAP_SHARED anonymous memory is a shmem object (mm/shmem.c) that fork shares, so the
 * pages first touched after a fork are shared too.
 */
#include <asm/uaccess.h>
#include <kernel/process.h>
#include <lib/errno.h>
#include <mm/memory.h>
#include <mm/mmu_context.h>
#include <mm/vma.h>

#define PROT_READ	0x1
#define PROT_WRITE	0x2
#define PROT_EXEC	0x4
#define MAP_SHARED	0x01
#define MAP_PRIVATE	0x02
#define MAP_TYPE	0x0f
#define MAP_FIXED	0x10
#define MAP_ANONYMOUS	0x20
#define MAP_GROWSDOWN	0x0100
#define MAP_DENYWRITE	0x0800
#define MAP_EXECUTABLE	0x1000
#define MAP_NORESERVE	0x4000
#define MAP_POPULATE	0x8000
#define MAP_STACK	0x20000
#define MAP_FIXED_NOREPLACE 0x100000
#define MADV_NORMAL	0
#define MADV_RANDOM	1
#define MADV_SEQUENTIAL	2
#define MADV_WILLNEED	3
#define MADV_DONTNEED	4

/* Fault in every page of [addr, addr + len), writing where the mapping allows. */
static void populate(unsigned long addr, unsigned long len, bool write)
{
	for (unsigned long va = addr; va < addr + len; va += PAGE_SIZE) {
		uint8_t byte;

		if (write ? clear_user((void __user *)va, 1) : copy_from_user(&byte, (void __user *)va, 1))
			break;	/* out of memory: the rest stays lazy */
	}
}

/* mmap(addr, len, prot, flags, fd, offset) */
long __x64_sys_mmap(const struct pt_regs *regs)
{
	unsigned long addr = regs->rdi, len = regs->rsi, prot = regs->rdx, flags = regs->r10;
	struct mm_struct *mm = current->mm;
	unsigned long vm_flags, got;

	if (!(flags & MAP_ANONYMOUS))
		return -ENODEV;		/* file mappings need the page cache */
	if (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC))
		return -EINVAL;
	if ((flags & MAP_TYPE) != MAP_SHARED && (flags & MAP_TYPE) != MAP_PRIVATE)
		return -EINVAL;
	if (!len || len > TASK_SIZE || (addr & (PAGE_SIZE - 1)) || (regs->r9 & (PAGE_SIZE - 1)))
		return -EINVAL;
	len = ALIGN_UP(len, PAGE_SIZE);
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) &&
	    (addr < PAGE_SIZE || addr > TASK_SIZE - len))
		return -EINVAL;		/* page 0 stays unmapped: NULL must always fault */
	if ((flags & MAP_FIXED_NOREPLACE) && find_vma_intersection(mm, addr, addr + len))
		return -EEXIST;
	if (flags & MAP_FIXED)
		vm_munmap(mm, addr, len);
	vm_flags = prot;
	if ((flags & MAP_TYPE) == MAP_SHARED)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	if (flags & MAP_NORESERVE)
		vm_flags |= VM_NORESERVE;
	else if (!(vm_flags & VM_SHARED) && (vm_flags & VM_WRITE))
		vm_flags |= VM_ACCOUNT;
	got = vm_mmap_anon(mm, addr, len, vm_flags, NULL);
	if (IS_ERR_VALUE(got))
		return (long)got;
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && got != addr) {
		vm_munmap(mm, got, len);
		return -ENOMEM;
	}
	if ((flags & MAP_POPULATE) && (prot & (PROT_READ | PROT_WRITE)))
		populate(got, len, prot & PROT_WRITE);
	return (long)got;
}

long __x64_sys_munmap(const struct pt_regs *regs)
{
	unsigned long addr = regs->rdi, len = regs->rsi;

	if ((addr & (PAGE_SIZE - 1)) || !len || len > TASK_SIZE || addr > TASK_SIZE - len)
		return -EINVAL;
	return vm_munmap(current->mm, addr, ALIGN_UP(len, PAGE_SIZE));
}

long __x64_sys_mprotect(const struct pt_regs *regs)
{
	unsigned long addr = regs->rdi, len = regs->rsi, prot = regs->rdx;

	if ((addr & (PAGE_SIZE - 1)) || (prot & ~(unsigned long)(PROT_READ | PROT_WRITE | PROT_EXEC)))
		return -EINVAL;
	if (!len)
		return 0;
	if (len > TASK_SIZE || addr > TASK_SIZE - len)
		return -ENOMEM;
	return vm_mprotect(current->mm, addr, len, prot);
}

/* madvise(addr, len, advice): DONTNEED drops the pages (they read back as zeros). */
long __x64_sys_madvise(const struct pt_regs *regs)
{
	unsigned long addr = regs->rdi, len = ALIGN_UP(regs->rsi, PAGE_SIZE);
	struct mm_struct *mm = current->mm;
	int err;

	if ((addr & (PAGE_SIZE - 1)) || len > TASK_SIZE || addr > TASK_SIZE - len)
		return -EINVAL;
	switch (regs->rdx) {
	case MADV_NORMAL:
	case MADV_RANDOM:
	case MADV_SEQUENTIAL:
	case MADV_WILLNEED:
		return 0;		/* hints about I/O: nothing to do without a page cache */
	case MADV_DONTNEED:
		mmap_write_lock(mm);
		err = find_vma_intersection(mm, addr, addr + len) ?
			zap_vma_range(mm, addr, addr + len) : -ENOMEM;
		mmap_write_unlock(mm);
		return err;
	}
	return -EINVAL;
}

/* brk(addr): the new end of the heap, or the current one when @addr cannot be had. */
long __x64_sys_brk(const struct pt_regs *regs)
{
	struct mm_struct *mm = current->mm;
	unsigned long want = regs->rdi, old_end = ALIGN_UP(mm->brk, PAGE_SIZE), new_end;

	if (want < mm->start_brk || want > TASK_SIZE)
		return (long)mm->brk;
	new_end = ALIGN_UP(want, PAGE_SIZE);
	if (new_end < old_end) {
		vm_munmap(mm, new_end, old_end - new_end);
	} else if (new_end > old_end) {
		unsigned long got;

		if (find_vma_intersection(mm, old_end, new_end + PAGE_SIZE))
			return (long)mm->brk;	/* would run into the next mapping (and its gap) */
		got = vm_mmap_anon(mm, old_end, new_end - old_end,
				   VM_READ | VM_WRITE | VM_ACCOUNT, NULL);
		if (got != old_end) {
			if (!IS_ERR_VALUE(got))
				vm_munmap(mm, got, new_end - old_end);
			return (long)mm->brk;
		}
	}
	mm->brk = want;
	return (long)want;
}
