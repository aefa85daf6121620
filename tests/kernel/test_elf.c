/*
 * The ELF loader (fs/binfmt_elf.c) in the running kernel. The test program
 * tests/kernel/elf/prog.S is linked at build time as ET_EXEC (at 0x400000) and as a
 * static-pie and embedded (tests/kernel/elf/image.S). Each test loads one into a fresh mm
 * and reads the result back, through the VMAs and, with the mm borrowed by kthread_use_mm,
 * through user addresses inside user_access_begin/end: segments mapped with their rights,
 * the entry point's bytes the file's, .data right and .bss zero, the stack VMA with nothing
 * in the gap below it, argc/argv/envp/auxv where _start will look; a cut or corrupted copy
 * refused with -ENOEXEC and nothing left mapped; 300 randomly mutated copies (twice) either
 * refused or loaded, never a crash; and no page leaked once the mm is destroyed.
 * The program is never run: there is no ring 3 yet.
 */
#include <asm/x86.h>
#include <fs/elf.h>
#include <kernel/ktest.h>
#include <lib/errno.h>
#include <lib/string.h>
#include <mm/fault.h>
#include <mm/gfp.h>
#include <mm/mmu_context.h>
#include <mm/mmzone.h>
#include <mm/slab.h>
#include <mm/vma.h>
#include <sched/task.h>

extern const uint8_t elf_test_exec[], elf_test_exec_end[], elf_test_pie[], elf_test_pie_end[];

static const char *const test_argv[] = { "/bin/prog", "hello", "world", NULL };
static const char *const test_envp[] = { "HOME=/", "TERM=vt100", NULL };

struct image {
	const uint8_t *p;
	size_t len;
};

static struct image exec_image(void)
{
	return (struct image){ elf_test_exec, elf_test_exec_end - elf_test_exec };
}

static struct image pie_image(void)
{
	return (struct image){ elf_test_pie, elf_test_pie_end - elf_test_pie };
}

/* Reads from the borrowed mm; the pages not touched yet fault in as for a program. */
static void read_user(void *dst, uint64_t uaddr, size_t len)
{
	user_access_begin();
	memcpy(dst, (const void *)uaddr, len);
	user_access_end();
}

static uint64_t user_word(uint64_t uaddr)
{
	uint64_t v;

	read_user(&v, uaddr, 8);
	return v;
}

static bool user_streq(uint64_t uaddr, const char *s)
{
	char buf[64];
	size_t n = strlen(s) + 1;

	if (n > sizeof(buf))
		return false;
	read_user(buf, uaddr, n);
	return memcmp(buf, s, n) == 0;
}

static struct mm_struct *load(struct ktest *t, struct image img, struct elf_load_result *res,
			      int *err)
{
	struct mm_struct *mm = mm_alloc();

	if (!mm) {
		ktest_fail(t, __FILE__, __LINE__, "mm_alloc failed");
		return NULL;
	}
	*err = load_elf_binary(mm, img.p, img.len, test_argv, test_envp, "/bin/prog", res);
	return mm;
}

static unsigned long free_pages_now(void)
{
	drain_all_pages();
	return nr_free_pages();
}

static unsigned long vm_flags_of(uint32_t pf)
{
	return (pf & PF_R ? VM_READ : 0) | (pf & PF_W ? VM_WRITE : 0) | (pf & PF_X ? VM_EXEC : 0);
}

/* Every PT_LOAD is one VMA of its page-rounded range with its rights. */
static void check_segments(struct ktest *t, struct mm_struct *mm, const struct elf_info *info)
{
	for (unsigned int i = 0; i < info->nr_load; i++) {
		const struct elf_segment *s = &info->load[i];
		uint64_t start = ALIGN_DOWN(s->vaddr + info->load_bias, PAGE_SIZE);
		uint64_t end = ALIGN_UP(s->vaddr + info->load_bias + s->memsz, PAGE_SIZE);
		struct vm_area_struct *vma = vma_lookup(mm, start);

		if (!KTEST_EXPECT_TRUE(t, vma != NULL))
			continue;
		KTEST_EXPECT_EQ(t, vma->vm_start, start);
		KTEST_EXPECT_EQ(t, vma->vm_end, end);
		KTEST_EXPECT_EQ(t, vma->vm_flags & VM_ACCESS_FLAGS, vm_flags_of(s->flags));
	}
}

static void test_exec_segments_and_bytes(struct ktest *t)
{
	struct image img = exec_image();
	struct elf_load_result res;
	struct elf_info info;
	const struct elf_segment *data = NULL, *code = NULL;
	uint8_t buf[16];
	struct mm_struct *mm;
	int err;

	KTEST_ASSERT_EQ(t, elf_parse(img.p, img.len, &info, NULL), 0);
	KTEST_EXPECT_EQ(t, info.type, ET_EXEC);
	mm = load(t, img, &res, &err);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	KTEST_EXPECT_EQ(t, err, 0);
	if (err)
		goto out;
	KTEST_EXPECT_EQ(t, res.entry, info.entry);
	KTEST_EXPECT_EQ(t, res.load_bias, 0);
	KTEST_EXPECT_EQ(t, res.start_brk, info.hi);
	KTEST_EXPECT_EQ(t, mm->map_count, info.nr_load + 1);	/* and the stack */
	check_segments(t, mm, &info);
	for (unsigned int i = 0; i < info.nr_load; i++) {
		if (info.load[i].flags & PF_X)
			code = &info.load[i];
		if (info.load[i].flags & PF_W)
			data = &info.load[i];
	}
	KTEST_ASSERT_TRUE(t, code && data);
	kthread_use_mm(mm);
	read_user(buf, res.entry, sizeof(buf));
	KTEST_EXPECT_TRUE(t, memcmp(buf, img.p + code->offset + (info.entry - code->vaddr),
				    MIN(sizeof(buf), code->filesz)) == 0);
	KTEST_EXPECT_EQ(t, user_word(data->vaddr), 0x1122334455667788ull);	/* data_word */
	/* .bss: from the end of the file bytes (inside the last file page) to p_memsz */
	uint64_t nonzero = 0;

	for (uint64_t a = data->vaddr + data->filesz; a + 8 <= data->vaddr + data->memsz; a += 8)
		nonzero += user_word(a) != 0;
	KTEST_EXPECT_EQ(t, nonzero, 0);
	kthread_unuse_mm(mm);
out:
	mm_destroy(mm);
}

static void test_stack_and_auxv(struct ktest *t)
{
	struct image img = exec_image();
	struct elf_load_result res;
	struct vm_area_struct *stack;
	uint64_t sp, p, type = ~0ull, val, seen = 0;
	struct elf_info info;
	struct mm_struct *mm;
	int err;

	KTEST_ASSERT_EQ(t, elf_parse(img.p, img.len, &info, NULL), 0);
	mm = load(t, img, &res, &err);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	KTEST_EXPECT_EQ(t, err, 0);
	if (err)
		goto out;
	stack = vma_lookup(mm, ELF_STACK_TOP - 1);
	if (KTEST_EXPECT_TRUE(t, stack != NULL)) {
		KTEST_EXPECT_EQ(t, stack->vm_end, ELF_STACK_TOP);
		KTEST_EXPECT_EQ(t, stack->vm_start, ELF_STACK_TOP - ELF_STACK_SIZE);
		KTEST_EXPECT_TRUE(t, stack->vm_flags & VM_GROWSDOWN);
		KTEST_EXPECT_EQ(t, stack->vm_flags & VM_ACCESS_FLAGS, VM_READ | VM_WRITE);
		/* the guard gap: no VMA in the MiB below */
		KTEST_EXPECT_TRUE(t, !find_vma_intersection(mm, stack->vm_start - ELF_STACK_GAP,
							    stack->vm_start));
	}
	sp = res.sp;
	KTEST_EXPECT_EQ(t, sp % 16, 0);
	KTEST_EXPECT_EQ(t, res.start_stack, sp);
	KTEST_EXPECT_TRUE(t, sp < ELF_STACK_TOP && sp > ELF_STACK_TOP - PAGE_SIZE);
	kthread_use_mm(mm);
	KTEST_EXPECT_EQ(t, user_word(sp), 3);	/* argc */
	for (int i = 0; i < 3; i++)
		KTEST_EXPECT_TRUE(t, user_streq(user_word(sp + 8 + 8 * i), test_argv[i]));
	KTEST_EXPECT_EQ(t, user_word(sp + 8 * 4), 0);
	for (int i = 0; i < 2; i++)
		KTEST_EXPECT_TRUE(t, user_streq(user_word(sp + 8 * (5 + i)), test_envp[i]));
	KTEST_EXPECT_EQ(t, user_word(sp + 8 * 7), 0);
	KTEST_EXPECT_EQ(t, user_word(sp + 8), res.arg_start);
	KTEST_EXPECT_EQ(t, user_word(sp + 8 * 5), res.env_start);
	for (p = sp + 8 * 8; p < ELF_STACK_TOP; p += 16) {
		type = user_word(p);
		val = user_word(p + 8);
		if (type == AT_NULL)
			break;
		if (type < 64)
			seen |= 1ull << type;
		if (type == AT_ENTRY)
			KTEST_EXPECT_EQ(t, val, info.entry);
		if (type == AT_PHNUM)
			KTEST_EXPECT_EQ(t, val, info.phnum);
		if (type == AT_PHENT)
			KTEST_EXPECT_EQ(t, val, 56);
		if (type == AT_PAGESZ)
			KTEST_EXPECT_EQ(t, val, PAGE_SIZE);
		if (type == AT_PHDR)	/* points at the file's program headers */
			KTEST_EXPECT_EQ(t, user_word(val), *(const uint64_t *)(img.p + 64));
		if (type == AT_EXECFN)
			KTEST_EXPECT_TRUE(t, user_streq(val, "/bin/prog"));
		if (type == AT_PLATFORM)
			KTEST_EXPECT_TRUE(t, user_streq(val, "x86_64"));
		if (type == AT_RANDOM)
			KTEST_EXPECT_TRUE(t, val > sp && val + 16 <= ELF_STACK_TOP);
	}
	KTEST_EXPECT_EQ(t, type, AT_NULL);
	KTEST_EXPECT_EQ(t, seen & (1ull << AT_PHDR | 1ull << AT_ENTRY | 1ull << AT_RANDOM |
				   1ull << AT_HWCAP | 1ull << AT_EXECFN | 1ull << AT_PLATFORM),
			1ull << AT_PHDR | 1ull << AT_ENTRY | 1ull << AT_RANDOM | 1ull << AT_HWCAP |
			1ull << AT_EXECFN | 1ull << AT_PLATFORM);
	kthread_unuse_mm(mm);
out:
	mm_destroy(mm);
}

static void test_static_pie_bias(struct ktest *t)
{
	struct image img = pie_image();
	struct elf_load_result res;
	struct elf_info info;
	struct mm_struct *mm;
	uint8_t buf[8];
	int err;

	KTEST_ASSERT_EQ(t, elf_parse(img.p, img.len, &info, NULL), 0);
	KTEST_EXPECT_EQ(t, info.type, ET_DYN);
	mm = load(t, img, &res, &err);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	KTEST_EXPECT_EQ(t, err, 0);
	if (!err) {
		KTEST_EXPECT_EQ(t, res.load_bias, ELF_ET_DYN_BASE);
		KTEST_EXPECT_EQ(t, res.entry, ELF_ET_DYN_BASE + info.entry);
		KTEST_EXPECT_EQ(t, res.start_brk, ELF_ET_DYN_BASE + info.hi);
		check_segments(t, mm, &info);
		kthread_use_mm(mm);
		read_user(buf, res.entry, sizeof(buf));
		kthread_unuse_mm(mm);
		KTEST_EXPECT_EQ(t, buf[0], 0xb8);	/* mov $60, %eax */
	}
	mm_destroy(mm);
}

/* Refused images leave the mm empty; the reason is logged. */
static void test_bad_images_refused(struct ktest *t)
{
	struct image img = exec_image();
	struct elf_load_result res;
	struct mm_struct *mm;
	uint8_t *copy = kmalloc(img.len, GFP_KERNEL);
	uint64_t seq = 0;
	int err;

	KTEST_ASSERT_TRUE(t, copy != NULL);
	mm = load(t, (struct image){ img.p, img.len / 2 }, &res, &err);
	if (mm) {
		KTEST_EXPECT_EQ(t, err, -ENOEXEC);
		KTEST_EXPECT_EQ(t, mm->map_count, 0);
		mm_destroy(mm);
	}
	memcpy(copy, img.p, img.len);
	copy[18] = EM_386;	/* e_machine */
	mm = load(t, (struct image){ copy, img.len }, &res, &err);
	if (mm) {
		KTEST_EXPECT_EQ(t, err, -ENOEXEC);
		KTEST_EXPECT_EQ(t, mm->map_count, 0);
		mm_destroy(mm);
	}
	KTEST_EXPECT_TRUE(t, ktest_logged(seq, "/bin/prog: not loaded", "not x86-64"));
	memset(copy, 0xff, 64);
	mm = load(t, (struct image){ copy, img.len }, &res, &err);
	if (mm) {
		KTEST_EXPECT_EQ(t, err, -ENOEXEC);
		mm_destroy(mm);
	}
	kfree(copy);
}

/* An error after the segments are mapped (arguments too big) unmaps them again. */
static void test_e2big_undoes_everything(struct ktest *t)
{
	struct image img = exec_image();
	struct elf_load_result res;
	struct mm_struct *mm = mm_alloc();
	char *big = kmalloc(ELF_ARG_MAX, GFP_KERNEL);
	const char *argv[] = { big, NULL };
	int err;

	if (!mm || !big) {
		kfree(big);
		if (mm)
			mm_destroy(mm);
		KTEST_SKIP(t, "no memory");
	}
	memset(big, 'a', ELF_ARG_MAX - 1);
	big[ELF_ARG_MAX - 1] = 0;
	err = load_elf_binary(mm, img.p, img.len, argv, NULL, "/bin/prog", &res);
	KTEST_EXPECT_EQ(t, err, -E2BIG);
	KTEST_EXPECT_EQ(t, mm->map_count, 0);
	KTEST_EXPECT_EQ(t, get_mm_rss(mm), 0);
	mm_destroy(mm);
	kfree(big);
}

static void test_no_pages_leak(struct ktest *t)
{
	struct elf_load_result res;
	unsigned long before, after;
	struct mm_struct *mm;
	int err;

	/* once first, so the slabs of the caches it uses exist before counting */
	mm = load(t, exec_image(), &res, &err);
	KTEST_ASSERT_TRUE(t, mm != NULL);
	mm_destroy(mm);
	before = free_pages_now();
	for (int i = 0; i < 4; i++) {
		mm = load(t, i & 1 ? pie_image() : exec_image(), &res, &err);
		KTEST_ASSERT_TRUE(t, mm != NULL);
		KTEST_EXPECT_EQ(t, err, 0);
		KTEST_EXPECT_TRUE(t, get_mm_rss(mm) > 0);
		mm_destroy(mm);
	}
	after = free_pages_now();
	KTEST_EXPECT_EQ(t, after, before);
}

/* xorshift64: a fixed sequence per seed, printed so a failure can be replayed. */
static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/*
 * Mutated copies of both images, most mutations in the headers: each is refused with
 * -ENOEXEC or loaded, never anything else, the kernel stays up, and a loaded one has only
 * VMAs in user space; all the memory comes back.
 */
/* One round of @n mutated loads from seed @seed; returns the number loaded. */
static unsigned long mutation_round(struct ktest *t, uint8_t *copy, uint64_t seed, int n)
{
	struct elf_load_result res;
	struct vm_area_struct *vma;
	unsigned long loaded = 0;
	uint64_t s = seed;

	for (int i = 0; i < n; i++) {
		struct image img = i & 1 ? pie_image() : exec_image();
		struct mm_struct *mm;
		int err;

		memcpy(copy, img.p, img.len);
		if (next_rand(&s) % 8 == 0)
			img.len = next_rand(&s) % (img.len + 1);
		for (unsigned int k = next_rand(&s) % 4 + 1; k-- && img.len;) {
			size_t span = next_rand(&s) % 4 ? MIN(img.len, 512) : img.len;
			size_t at = next_rand(&s) % span;

			copy[at] ^= 1u << (next_rand(&s) % 8);
		}
		img.p = copy;
		mm = load(t, img, &res, &err);
		if (!mm)
			return loaded;
		if (!KTEST_EXPECT_TRUE(t, err == 0 || err == -ENOEXEC))
			ktest_diag(t, "mutation %d: error %d", i, err);
		if (err)
			KTEST_EXPECT_EQ(t, mm->map_count, 0);
		for_each_vma(mm, vma)
			KTEST_EXPECT_TRUE(t, vma->vm_start >= ELF_MIN_ADDR &&
					     vma->vm_end <= ELF_STACK_TOP);
		loaded += !err;
		mm_destroy(mm);
	}
	return loaded;
}

/*
 * Mutated copies of both images, most mutations in the headers: each is refused with
 * -ENOEXEC or loaded, never anything else, the kernel stays up, and a loaded one has only
 * VMAs in user space. The same round twice: the first lets the slab caches grow to what
 * the round needs, the second must give back every page it takes.
 */
static void test_mutated_images(struct ktest *t)
{
	uint64_t seed = rdtsc() | 1;
	size_t cap = MAX(exec_image().len, pie_image().len);
	uint8_t *copy = kmalloc(cap, GFP_KERNEL);
	unsigned long before, loaded;

	KTEST_ASSERT_TRUE(t, copy != NULL);
	ktest_diag(t, "seed %llu", (unsigned long long)seed);
	mutation_round(t, copy, seed, 300);
	before = free_pages_now();
	loaded = mutation_round(t, copy, seed, 300);
	KTEST_EXPECT_EQ(t, free_pages_now(), before);
	kfree(copy);
	ktest_diag(t, "%lu of 300 loaded, the others refused", loaded);
}

static const struct ktest_case elf_cases[] = {
	KTEST_CASE(test_exec_segments_and_bytes),
	KTEST_CASE(test_stack_and_auxv),
	KTEST_CASE(test_static_pie_bias),
	KTEST_CASE(test_bad_images_refused),
	KTEST_CASE(test_e2big_undoes_everything),
	KTEST_CASE(test_no_pages_leak),
	KTEST_CASE(test_mutated_images),
	{}
};
KTEST_SUITE(elf, elf_cases);
