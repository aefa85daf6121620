/*
 * The shell's hands on an address space: `maps [PID]` prints one in /proc/PID/maps format,
 * and `vm` gives the shell (init, pid 1) a user half of its own to experiment with:
 *	vm map 400M rw		reserve anonymous memory: VSZ grows, RSS does not
 *	vm touch ADDR [LEN]	write one byte per page: each first touch is a page fault
 *	vm read ADDR		read 8 bytes (a read of an untouched page faults in a zero page)
 *	vm protect ADDR LEN r	mprotect; vm unmap ADDR LEN: munmap
 *	vm stat			VSZ, RSS, faults; vm free: destroy the space
 * `pagewalk ADDR` then shows the walk for those addresses, `vmstat -s` the fault and TLB
 * counters. A bad address is reported (the fault handler finds no VMA), not an oops: the
 * shell touches memory under a trap catcher.
 */
#include <kernel/console.h>
#include <kernel/shell.h>
#include <kernel/traps.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/fault.h>
#include <mm/mmu_context.h>
#include <mm/vma.h>
#include <sched/task.h>

static volatile uint64_t vm_addr, vm_value;

static __noinline void touch_one(void)
{
	user_access_begin();
	*(volatile uint8_t *)vm_addr = 1;
	user_access_end();
}

static __noinline void read_one(void)
{
	user_access_begin();
	vm_value = *(volatile uint64_t *)vm_addr;
	user_access_end();
}

static void print_maps(const struct mm_struct *mm)
{
	const struct vm_area_struct *vma;
	char line[128];

	for_each_vma(mm, vma) {
		vma_format_maps_line(vma, line, sizeof(line));
		console_puts(line);
	}
}

static int cmd_maps(int argc, char **argv)
{
	struct task_struct *p = current;
	struct mm_struct *mm;
	int pid;

	if (argc > 2 || (argc == 2 && kstrtoint(argv[1], 10, &pid)))
		return -EINVAL;
	if (argc == 2) {
		p = find_get_task_by_pid(pid);
		if (!p) {
			console_printf("maps: no process with pid %d\n", pid);
			return 0;
		}
	}
	mm = p->mm;
	if (!mm)
		console_printf("maps: pid %d (%s) is a kernel thread: no user address space%s\n",
			       p->pid, p->comm, p == current ? " (try `vm map 1M`)" : "");
	else
		print_maps(mm);
	if (argc == 2)
		put_task_struct(p);
	return 0;
}
SHELL_COMMAND(maps, cmd_maps, "maps [PID]", "a task's address space, as /proc/PID/maps");

/* "400M", "64K", "4096", "0x1000": bytes. */
static int parse_size(const char *s, unsigned long *out)
{
	char buf[24];
	size_t n = strlen(s);
	unsigned int shift = 0;
	unsigned long long v;

	if (!n || n >= sizeof(buf))
		return -EINVAL;
	strscpy(buf, s, sizeof(buf));
	switch (buf[n - 1]) {
	case 'K': case 'k': shift = 10; break;
	case 'M': case 'm': shift = 20; break;
	case 'G': case 'g': shift = 30; break;
	}
	if (shift)
		buf[n - 1] = 0;
	if (kstrtoull(buf, 0, &v) || v > (TASK_SIZE >> shift))
		return -EINVAL;
	*out = (unsigned long)(v << shift);
	return 0;
}

static int parse_prot(const char *s, unsigned long *prot)
{
	*prot = 0;
	for (; *s; s++) {
		if (*s == 'r')
			*prot |= VM_READ;
		else if (*s == 'w')
			*prot |= VM_WRITE;
		else if (*s == 'x')
			*prot |= VM_EXEC;
		else if (*s != '-')
			return -EINVAL;
	}
	return 0;
}

/* The shell's own address space, made on first use. */
static struct mm_struct *shell_mm(void)
{
	struct mm_struct *mm;

	if (current->mm)
		return current->mm;
	mm = mm_alloc();
	if (!mm) {
		console_printf("vm: out of memory for an address space\n");
		return NULL;
	}
	kthread_use_mm(mm);
	return mm;
}

static void vm_stat(const struct mm_struct *mm)
{
	console_printf("VSZ %lu kB, RSS %lu kB (peak %lu kB), %d VMAs, %lu minor faults, "
		       "%lu COW faults\n", mm->total_vm * 4, get_mm_rss(mm) * 4,
		       mm->hiwater_rss * 4, mm->map_count, mm->min_flt, mm->cow_flt);
	console_printf("task %d (%s): %llu minor, %llu COW, %llu unhandled faults, %llu oopses\n",
		       current->pid, current->comm, (unsigned long long)current->min_flt,
		       (unsigned long long)current->cow_flt, (unsigned long long)current->bad_flt,
		       (unsigned long long)current->oopses);
}

/* The shell only ever touches the user half: a kernel address would be real kernel memory. */
static int parse_user_addr(const char *s, unsigned long *addr)
{
	if (kstrtoul(s, 16, addr))
		return -EINVAL;
	if (*addr >= TASK_SIZE) {
		console_printf("vm: %lx is not a user address (they end at %lx)\n", *addr,
			       (unsigned long)TASK_SIZE);
		return -ERANGE;
	}
	return 0;
}

static int vm_map(struct mm_struct *mm, int argc, char **argv)
{
	unsigned long len, prot = VM_READ | VM_WRITE, addr;

	if (argc < 3 || argc > 4 || parse_size(argv[2], &len) || !len ||
	    (argc == 4 && parse_prot(argv[3], &prot)))
		return -EINVAL;
	addr = vm_mmap_anon(mm, 0, len, prot, NULL);
	if (IS_ERR_VALUE(addr)) {
		console_printf("vm: map failed: error %ld\n", (long)addr);
		return 0;
	}
	console_printf("mapped %lx-%lx (%lu pages), nothing touched yet\n", addr,
		       addr + ALIGN_UP(len, PAGE_SIZE), ALIGN_UP(len, PAGE_SIZE) / PAGE_SIZE);
	return 0;
}

/* Touch each page of [addr, addr + len) under a catcher; stops at the first bad one. */
static int vm_touch(struct mm_struct *mm, int argc, char **argv)
{
	unsigned long addr, len = PAGE_SIZE, before = mm->min_flt, pages = 0;
	struct trap_catcher tc;

	if (argc < 3 || argc > 4 || (argc == 4 && parse_size(argv[3], &len)))
		return -EINVAL;
	if (parse_user_addr(argv[2], &addr))
		return 0;
	for (uint64_t p = addr & ~(PAGE_SIZE - 1); p < addr + len; p += PAGE_SIZE, pages++) {
		vm_addr = p;
		if (trap_catch_call(&tc, touch_one)) {
			console_printf("vm: writing %llx faulted (error code %#llx): no VMA allows it\n",
				       (unsigned long long)p, (unsigned long long)tc.error_code);
			break;
		}
	}
	console_printf("touched %lu pages: %lu page faults\n", pages, mm->min_flt - before);
	vm_stat(mm);
	return 0;
}

static int vm_read(int argc, char **argv)
{
	unsigned long addr;
	struct trap_catcher tc;

	if (argc != 3)
		return -EINVAL;
	if (parse_user_addr(argv[2], &addr))
		return 0;
	vm_addr = addr;
	if (trap_catch_call(&tc, read_one))
		console_printf("vm: reading %lx faulted (error code %#llx): no VMA allows it\n",
			       addr, (unsigned long long)tc.error_code);
	else
		console_printf("%lx: %016llx\n", addr, (unsigned long long)vm_value);
	return 0;
}

static int vm_range_op(struct mm_struct *mm, int argc, char **argv)
{
	unsigned long addr, len, prot = 0;
	bool protect = strcmp(argv[1], "protect") == 0;
	int err;

	if (argc != (protect ? 5 : 4) || kstrtoul(argv[2], 16, &addr) ||
	    parse_size(argv[3], &len) || (protect && parse_prot(argv[4], &prot)))
		return -EINVAL;
	err = protect ? vm_mprotect(mm, addr, len, prot) : vm_munmap(mm, addr, len);
	if (err)
		console_printf("vm: %s failed: error %d\n", argv[1], err);
	vm_stat(mm);
	return 0;
}

static int cmd_vm(int argc, char **argv)
{
	struct mm_struct *mm;

	if (argc < 2)
		return -EINVAL;
	if (strcmp(argv[1], "free") == 0) {
		mm = current->mm;
		if (mm) {
			kthread_unuse_mm(mm);
			mm_destroy(mm);
		}
		return 0;
	}
	mm = shell_mm();
	if (!mm)
		return 0;
	if (strcmp(argv[1], "map") == 0)
		return vm_map(mm, argc, argv);
	if (strcmp(argv[1], "touch") == 0)
		return vm_touch(mm, argc, argv);
	if (strcmp(argv[1], "read") == 0)
		return vm_read(argc, argv);
	if (strcmp(argv[1], "protect") == 0 || strcmp(argv[1], "unmap") == 0)
		return vm_range_op(mm, argc, argv);
	if (strcmp(argv[1], "stat") == 0 && argc == 2) {
		vm_stat(mm);
		return 0;
	}
	return -EINVAL;
}
SHELL_COMMAND(vm, cmd_vm,
	      "vm map SIZE [rwx] | touch ADDR [LEN] | read ADDR | protect ADDR LEN rwx | "
	      "unmap ADDR LEN | stat | free",
	      "play with the shell's own user address space (demand paging, faults)");
