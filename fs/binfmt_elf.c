/*
 * The ELF loader: load_elf_binary() turns a checked ELF64 image (fs/elf_parse.c) into the
 * user half of a fresh address space, ready for execve to switch to and jump into:
 *  - each PT_LOAD becomes an anonymous private VMA with the segment's rights (page rounded);
 *    its file bytes are copied into frames mapped now, so a read-only segment is complete
 *    before the program runs; the rest up to p_memsz (.bss) is zero: the tail of the last
 *    file page because the frame was zeroed when it was mapped, whole pages beyond it because
 *    they are demand-zero pages the fault handler maps at the first touch;
 *  - a static-pie (ET_DYN) is placed at ELF_ET_DYN_BASE; start_brk is the page after the
 *    highest segment;
 *  - the stack is an 8 MiB VM_GROWSDOWN VMA ending at ELF_STACK_TOP (TASK_SIZE); nothing is
 *    mapped in the 1 MiB below it (segments end below ELF_LOAD_LIMIT, and get_unmapped_area
 *    keeps stack_guard_gap free), so a runaway stack faults instead of running into data.
 *    Its top pages hold argc, argv, envp and the auxiliary vector (fs/elf_stack.c).
 * The loader writes through the direct map into frames it maps itself (do_anonymous_page),
 * so the target mm is never loaded, no SMAP window is opened and no fault can be taken.
 * W^X: the parser refuses a segment that is both writable and executable; an executable
 * stack asked for with PT_GNU_STACK is logged and not given (nearly always it is an assembly
 * file without .note.GNU-stack, not a program that runs code on its stack).
 * On an error every VMA made so far is unmapped again (the mm must come in empty). A refused
 * image is logged with the reason, rate limited.
 * docs/elf.md.
 */
#define pr_fmt(fmt) "binfmt_elf: " fmt

#include <asm/cpufeature.h>
#include <asm/x86.h>
#include <fs/elf.h>
#include <kernel/printk.h>
#include <kernel/ratelimit.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/memory.h>
#include <mm/oom.h>
#include <mm/mmu_context.h>
#include <mm/pgtable.h>
#include <mm/slab.h>
#include <mm/vma.h>

_Static_assert(ELF_STACK_TOP == TASK_SIZE, "the stack ends at the top of user space");
_Static_assert(ELF_PAGE_SIZE == PAGE_SIZE, "one page size");

/* Refusals are rate limited, so a program that execs garbage in a loop cannot flood the log. */
static DEFINE_RATELIMIT_STATE(elf_log_rs, RATELIMIT_INTERVAL_NS, RATELIMIT_BURST);

static void log_refusal(const char *filename, const char *why)
{
	unsigned long suppressed;

	if (!__ratelimit(&elf_log_rs, &suppressed))
		return;
	if (suppressed)
		pr_info("%lu refusals not logged\n", suppressed);
	pr_info("%s: not loaded: %s\n", filename ? filename : "?", why);
}

/* 16 bytes for AT_RANDOM: RDRAND when the CPU has it, else the TSC through a mixer. */
static void elf_random_bytes(uint8_t out[16])
{
	uint64_t v[2];

	for (int i = 0; i < 2; i++) {
		bool ok = false;

		for (int tries = 0; boot_cpu.rdrand && !ok && tries < 10; tries++)
			__asm__ volatile("rdrand %0; setc %1" : "=r"(v[i]), "=qm"(ok));
		if (!ok) {	/* splitmix64 of the TSC: unpredictable enough without RDRAND */
			uint64_t z = rdtsc() + 0x9e3779b97f4a7c15ull * (i + 1);

			z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
			z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
			v[i] = z ^ (z >> 31);
		}
	}
	memcpy(out, v, 16);
}

/*
 * The frame behind user page @addr of @mm (mapped now, zeroed, if it was not), as a kernel
 * pointer to the start of the page; or NULL with *@err set (-ENOMEM, -EFAULT: no VMA).
 */
static uint8_t *user_page_frame(struct mm_struct *mm, uint64_t addr, int *err)
{
	struct vm_area_struct *vma;
	unsigned long flags;
	uint64_t pa = 0;
	pteval_t prot;

	addr &= ~(PAGE_SIZE - 1);
	flags = local_irq_save();	/* as in the fault handler, which also calls it */
	mmap_write_lock(mm);
	vma = vma_lookup(mm, addr);
	*err = vma ? 0 : -EFAULT;
	if (vma && !follow_pte(mm->pgd, addr, &pa, &prot)) {
		*err = do_anonymous_page(vma, addr);
		if (!*err && !follow_pte(mm->pgd, addr, &pa, &prot))
			*err = -EFAULT;
	}
	mmap_write_unlock(mm);
	local_irq_restore(flags);
	return *err ? NULL : __va(pa & PTE_ADDR_MASK);
}

/* Copy @len bytes from @src to user address @dst of @mm, mapping the pages it needs. */
static int copy_to_mm(struct mm_struct *mm, uint64_t dst, const void *src, uint64_t len)
{
	const uint8_t *s = src;
	int err, tries = 0;

	while (len) {
		uint64_t off = dst & (PAGE_SIZE - 1), n = MIN(len, PAGE_SIZE - off);
		uint8_t *page = user_page_frame(mm, dst, &err);

		/* The frame is allocated under the lock, without reclaim: make room unlocked. */
		if (!page && err == -ENOMEM && ++tries <= 8 &&
		    pagefault_out_of_memory(true))	/* exec runs in process context */
			continue;
		if (!page)
			return err;
		memcpy(page + off, s, n);
		dst += n;
		s += n;
		len -= n;
	}
	return 0;
}

static unsigned long segment_vm_flags(uint32_t pf)
{
	return (pf & PF_R ? VM_READ : 0) | (pf & PF_W ? VM_WRITE : 0) | (pf & PF_X ? VM_EXEC : 0);
}

/* Map an anonymous VMA exactly at [start, start + len) or fail. */
static int map_fixed(struct mm_struct *mm, uint64_t start, uint64_t len, unsigned long vm_flags)
{
	unsigned long addr = vm_mmap_anon(mm, start, len, vm_flags, NULL);

	if (IS_ERR_VALUE(addr))
		return (int)(long)addr;
	if (addr != start) {
		vm_munmap(mm, addr, len);
		return -ENOMEM;	/* the place is taken: cannot happen in an empty mm */
	}
	return 0;
}

static int map_segment(struct mm_struct *mm, const struct elf_segment *s, uint64_t bias,
		       const uint8_t *image)
{
	uint64_t start = ALIGN_DOWN(s->vaddr + bias, PAGE_SIZE);
	uint64_t end = ALIGN_UP(s->vaddr + bias + s->memsz, PAGE_SIZE);
	int err = map_fixed(mm, start, end - start, segment_vm_flags(s->flags));

	if (err)
		return err;
	return copy_to_mm(mm, s->vaddr + bias, image + s->offset, s->filesz);
}

/* mm->start_code & co, for /proc/PID/stat and maps; and where brk starts. */
static void set_mm_layout(struct mm_struct *mm, const struct elf_info *info)
{
	uint64_t bias = info->load_bias;

	for (unsigned int i = 0; i < info->nr_load; i++) {
		const struct elf_segment *s = &info->load[i];
		uint64_t start = s->vaddr + bias, end = start + s->memsz;

		if ((s->flags & PF_X) && !mm->start_code) {
			mm->start_code = start;
			mm->end_code = start + s->filesz;
		}
		if (s->flags & PF_W) {
			if (!mm->start_data)
				mm->start_data = start;
			mm->end_data = end;
		}
	}
	mm->start_brk = mm->brk = info->hi + bias;
}

/* AT_HWCAP on x86: the feature bits of CPUID leaf 1 in EDX, as Linux reports them. */
static uint64_t elf_hwcap(void)
{
	uint32_t a, b, c, d;

	cpuid(1, &a, &b, &c, &d);
	return d;
}

static int setup_stack(struct mm_struct *mm, const struct elf_info *info,
		       const char *const argv[], const char *const envp[], const char *filename,
		       struct elf_stack_layout *lay)
{
	uint64_t bias = info->load_bias, argc, envc;
	uint8_t random[16];
	const struct elf_auxv auxv[] = {
		{ AT_PHDR, info->phdr_vaddr + bias },
		{ AT_PHENT, info->phent },
		{ AT_PHNUM, info->phnum },
		{ AT_PAGESZ, PAGE_SIZE },
		{ AT_BASE, 0 },		/* no interpreter */
		{ AT_FLAGS, 0 },
		{ AT_ENTRY, info->entry + bias },
		{ AT_UID, 0 }, { AT_EUID, 0 }, { AT_GID, 0 }, { AT_EGID, 0 },
		{ AT_HWCAP, elf_hwcap() },
		{ AT_CLKTCK, 100 },	/* USER_HZ: times() and /proc count in 1/100 s */
		{ AT_SECURE, 0 },
		{ AT_HWCAP2, 0 },
		{ AT_NULL, 0 },
	};
	const struct elf_stack_args args = {
		.argv = argv, .envp = envp, .execfn = filename ? filename : "",
		.platform = "x86_64", .random = random, .auxv = auxv,
	};
	long size = elf_stack_size(&args, &argc, &envc);
	void *buf;
	int err;

	if (size < 0)
		return (int)size;
	err = map_fixed(mm, ELF_STACK_TOP - ELF_STACK_SIZE, ELF_STACK_SIZE,
			VM_READ | VM_WRITE | VM_GROWSDOWN);
	if (err)
		return err;
	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	elf_random_bytes(random);
	err = elf_build_stack(buf, size, ELF_STACK_TOP, &args, lay);
	if (!err)
		err = copy_to_mm(mm, lay->sp, (uint8_t *)buf + (lay->sp - (ELF_STACK_TOP - size)),
				 ELF_STACK_TOP - lay->sp);
	memset(random, 0, sizeof(random));
	kfree(buf);
	return err;
}

int load_elf_binary(struct mm_struct *mm, const void *image, size_t len, const char *const argv[],
		    const char *const envp[], const char *filename, struct elf_load_result *out)
{
	struct elf_stack_layout lay;
	struct elf_info *info;
	const char *why = "?";
	int err;

	if (mm->map_count)
		return -EINVAL;	/* the undo below assumes it made every VMA there is */
	info = kmalloc(sizeof(*info), GFP_KERNEL);
	if (!info)
		return -ENOMEM;
	err = elf_parse(image, len, info, &why);
	if (err) {
		log_refusal(filename, why);
		goto out;
	}
	if (info->exec_stack)
		pr_warn("%s: PT_GNU_STACK asks for an executable stack: not given (W^X)\n",
			filename ? filename : "?");
	for (unsigned int i = 0; i < info->nr_load && !err; i++)
		err = map_segment(mm, &info->load[i], info->load_bias, image);
	if (!err)
		err = setup_stack(mm, info, argv, envp, filename, &lay);
	if (err) {
		vm_munmap(mm, 0, TASK_SIZE);
		goto out;
	}
	set_mm_layout(mm, info);
	mm->start_stack = lay.sp;
	*out = (struct elf_load_result){
		.entry = info->entry + info->load_bias,
		.sp = lay.sp,
		.start_brk = mm->start_brk,
		.load_bias = info->load_bias,
		.start_stack = lay.sp,
		.arg_start = lay.arg_start, .arg_end = lay.arg_end,
		.env_start = lay.env_start, .env_end = lay.env_end,
	};
out:
	kfree(info);
	return err;
}
