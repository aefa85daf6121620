/*
 * Host unit tests of fs/elf_parse.c and fs/elf_stack.c (Criterion, ASan/UBSan).
 *
 * A small valid ET_EXEC image is built by hand (three PT_LOADs: the headers read-only, code
 * read-execute, data read-write with .bss beyond the file, and a PT_GNU_STACK); each refusal
 * case breaks one thing in it and asserts the exact reason. A static-pie (ET_DYN with
 * PT_PHDR) checks the load bias. The random test mutates bytes of the valid image and cuts it
 * short; each try lives in a heap block of exactly its length, so ASan reports any read past
 * the end, and every accepted result must satisfy the invariants of struct elf_info. The
 * stack tests build the initial stack and read it back as _start would.
 * Seed: TEST_SEED or the clock, printed; TEST_ITERS sets the random tries (default 200000).
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fs/elf.h>
#include <lib/errno.h>

#include "rng.h"

#define IMG_LEN		0x2010
#define BASE		0x400000ull

struct img {
	uint8_t *p;
	size_t len;
	struct elf64_hdr *eh;
	struct elf64_phdr *ph;
};

static void set_ph(struct elf64_phdr *ph, uint32_t type, uint32_t flags, uint64_t off,
		   uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	*ph = (struct elf64_phdr){ .p_type = type, .p_flags = flags, .p_offset = off,
				   .p_vaddr = vaddr, .p_paddr = vaddr, .p_filesz = filesz,
				   .p_memsz = memsz, .p_align = 0x1000 };
}

/* The valid image: headers at 0x400000 (R), code at 0x401000 (RX), data at 0x402000 (RW). */
static struct img make_exec(void)
{
	struct img m = { .len = IMG_LEN };

	m.p = calloc(1, IMG_LEN);
	cr_assert_not_null(m.p);
	m.eh = (struct elf64_hdr *)m.p;
	m.ph = (struct elf64_phdr *)(m.p + 64);
	memcpy(m.eh->e_ident, "\177ELF\2\1\1", 7);
	m.eh->e_type = ET_EXEC;
	m.eh->e_machine = EM_X86_64;
	m.eh->e_version = EV_CURRENT;
	m.eh->e_entry = BASE + 0x1000;
	m.eh->e_phoff = 64;
	m.eh->e_ehsize = 64;
	m.eh->e_phentsize = 56;
	m.eh->e_phnum = 4;
	set_ph(&m.ph[0], PT_LOAD, PF_R, 0, BASE, 0x1000, 0x1000);
	set_ph(&m.ph[1], PT_LOAD, PF_R | PF_X, 0x1000, BASE + 0x1000, 0x10, 0x10);
	set_ph(&m.ph[2], PT_LOAD, PF_R | PF_W, 0x2000, BASE + 0x2000, 0x10, 0x3000);
	set_ph(&m.ph[3], PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	memset(m.p + 0x1000, 0x90, 0x10);
	memset(m.p + 0x2000, 0xaa, 0x10);
	return m;
}

/* The same, position independent: segments at 0, 0x1000, 0x2000, a PT_PHDR first. */
static struct img make_pie(void)
{
	struct img m = make_exec();

	m.eh->e_type = ET_DYN;
	m.eh->e_entry = 0x1000;
	m.eh->e_phnum = 5;
	set_ph(&m.ph[0], PT_PHDR, PF_R, 64, 64, 5 * 56, 5 * 56);
	set_ph(&m.ph[1], PT_LOAD, PF_R, 0, 0, 0x1000, 0x1000);
	set_ph(&m.ph[2], PT_LOAD, PF_R | PF_X, 0x1000, 0x1000, 0x10, 0x10);
	set_ph(&m.ph[3], PT_LOAD, PF_R | PF_W, 0x2000, 0x2000, 0x10, 0x3000);
	set_ph(&m.ph[4], PT_GNU_STACK, PF_R | PF_W, 0, 0, 0, 0);
	return m;
}

static const char *parse(struct img *m, struct elf_info *info)
{
	const char *why = NULL;
	int err = elf_parse(m->p, m->len, info, &why);

	cr_assert(err == 0 || err == -ENOEXEC, "elf_parse returned %d", err);
	cr_assert((err == 0) == (why == NULL), "a reason exactly when refused (%d, %s)", err,
		  why ? why : "-");
	return why;
}

static void expect_refused(struct img *m, const char *reason)
{
	struct elf_info info;
	const char *why = parse(m, &info);

	cr_expect(why && strcmp(why, reason) == 0, "expected \"%s\", got \"%s\"", reason,
		  why ? why : "(accepted)");
	free(m->p);
}

Test(elf_parse, accepts_static_exec)
{
	struct img m = make_exec();
	struct elf_info info;

	cr_assert_null(parse(&m, &info));
	cr_expect_eq(info.type, ET_EXEC);
	cr_expect(!info.needs_bias);
	cr_expect_eq(info.load_bias, 0);
	cr_expect_eq(info.entry, BASE + 0x1000);
	cr_expect_eq(info.nr_load, 3);
	cr_expect_eq(info.phdr_vaddr, BASE + 64);
	cr_expect_eq(info.phent, 56);
	cr_expect_eq(info.phnum, 4);
	cr_expect_eq(info.lo, BASE);
	cr_expect_eq(info.hi, BASE + 0x5000);
	cr_expect_eq(info.load[1].flags, PF_R | PF_X);
	cr_expect_eq(info.load[2].vaddr, BASE + 0x2000);
	cr_expect_eq(info.load[2].memsz, 0x3000);
	cr_expect_eq(info.load[2].offset, 0x2000);
	cr_expect_eq(info.load[2].filesz, 0x10);
	cr_expect(!info.exec_stack);
	cr_expect(!info.has_tls);
	free(m.p);
}

Test(elf_parse, static_pie_gets_the_bias)
{
	struct img m = make_pie();
	struct elf_info info;

	cr_assert_null(parse(&m, &info));
	cr_expect_eq(info.type, ET_DYN);
	cr_expect(info.needs_bias);
	cr_expect_eq(info.load_bias, ELF_ET_DYN_BASE);
	cr_expect_eq(info.entry, 0x1000);
	cr_expect_eq(info.phdr_vaddr, 64);
	cr_expect_eq(info.phnum, 5);
	cr_expect_eq(info.lo, 0);
	cr_expect_eq(info.hi, 0x5000);
	free(m.p);
}

Test(elf_parse, tls_and_exec_stack_are_reported)
{
	struct img m = make_exec();
	struct elf_info info;

	m.ph[3].p_flags = PF_R | PF_W | PF_X;
	cr_assert_null(parse(&m, &info));
	cr_expect(info.exec_stack);
	set_ph(&m.ph[3], PT_TLS, PF_R, 0x2000, BASE + 0x2000, 8, 16);
	cr_assert_null(parse(&m, &info));
	cr_expect(info.has_tls);
	cr_expect(!info.exec_stack);
	free(m.p);
}

Test(elf_parse, zero_size_load_is_ignored)
{
	struct img m = make_exec();
	struct elf_info info;

	set_ph(&m.ph[3], PT_LOAD, PF_R, 0, 0, 0, 0);
	cr_assert_null(parse(&m, &info));
	cr_expect_eq(info.nr_load, 3);
	free(m.p);
}

/* One broken image per reason; each starts from the valid one. */
Test(elf_parse, refusals)
{
	struct img m;

	m = make_exec(); m.p[1] = 'X'; expect_refused(&m, "not an ELF file");
	m = make_exec(); m.len = 3; expect_refused(&m, "not an ELF file");
	m = make_exec(); m.len = 63; expect_refused(&m, "ELF header past the end of the file");
	m = make_exec(); m.p[EI_CLASS] = ELFCLASS32; expect_refused(&m, "32-bit ELF");
	m = make_exec(); m.p[EI_CLASS] = 7; expect_refused(&m, "unknown ELF class");
	m = make_exec(); m.p[EI_DATA] = ELFDATA2MSB; expect_refused(&m, "big-endian");
	m = make_exec(); m.p[EI_DATA] = 0; expect_refused(&m, "unknown ELF data encoding");
	m = make_exec(); m.eh->e_version = 2; expect_refused(&m, "unknown ELF version");
	m = make_exec(); m.eh->e_type = ET_REL; expect_refused(&m, "not executable (ET_REL)");
	m = make_exec(); m.eh->e_type = ET_CORE; expect_refused(&m, "not executable (ET_CORE)");
	m = make_exec(); m.eh->e_type = 9; expect_refused(&m, "not executable (unknown e_type)");
	m = make_exec(); m.eh->e_machine = EM_386; expect_refused(&m, "not x86-64");
	m = make_exec(); m.eh->e_phentsize = 32; expect_refused(&m, "e_phentsize is not 56");
	m = make_exec(); m.eh->e_phnum = 0; expect_refused(&m, "no program headers");
	m = make_exec(); m.eh->e_phnum = 65; expect_refused(&m, "too many program headers");
	m = make_exec(); m.eh->e_phoff = IMG_LEN - 100;
	expect_refused(&m, "program header table past the end of the file");
	m = make_exec(); m.eh->e_phoff = ~0ull - 8;
	expect_refused(&m, "program header table past the end of the file");
	m = make_exec(); m.ph[3].p_type = PT_INTERP;
	expect_refused(&m, "dynamically linked: PT_INTERP is not supported");
	m = make_exec(); m.ph[2].p_filesz = 0x11; m.len = 0x2010;
	expect_refused(&m, "segment file range past the end");
	m = make_exec(); m.ph[2].p_offset = ~0ull - 0xfff;
	expect_refused(&m, "segment file range past the end");
	m = make_exec(); m.ph[2].p_filesz = 0x4000; m.ph[2].p_memsz = 0x10;
	expect_refused(&m, "p_filesz > p_memsz");
	m = make_exec(); m.ph[2].p_vaddr += 8;
	expect_refused(&m, "p_offset and p_vaddr disagree modulo the page size");
	m = make_exec(); m.ph[2].p_vaddr = BASE + 0x1000; m.ph[2].p_offset = 0x1000;
	expect_refused(&m, "segments overlap");
	m = make_exec(); m.ph[2].p_vaddr = BASE; m.ph[2].p_offset = 0;
	expect_refused(&m, "PT_LOAD segments not sorted by address");
	m = make_exec(); m.ph[2].p_vaddr = 0xffff800000000000ull + 0x2000;
	expect_refused(&m, "segment in kernel space / address overflow");
	m = make_exec(); m.ph[2].p_memsz = ~0ull;
	expect_refused(&m, "segment in kernel space / address overflow");
	m = make_exec(); m.ph[2].p_vaddr = ELF_LOAD_LIMIT - 0x1000;
	expect_refused(&m, "segment in kernel space / address overflow");
	m = make_exec(); m.ph[0].p_vaddr = 0;
	expect_refused(&m, "segment below 64 KiB (mmap_min_addr)");
	m = make_exec(); m.ph[2].p_flags = PF_R | PF_W | PF_X;
	expect_refused(&m, "segment both writable and executable (W^X)");
	m = make_exec(); m.ph[0].p_type = m.ph[1].p_type = m.ph[2].p_type = PT_NOTE;
	expect_refused(&m, "no PT_LOAD");
	m = make_exec(); m.eh->e_entry = BASE + 0x2000;
	expect_refused(&m, "entry point not in an executable segment");
	m = make_exec(); m.eh->e_entry = BASE + 0x1010;	/* just past the code's file bytes */
	expect_refused(&m, "entry point not in an executable segment");
	m = make_exec(); m.ph[0].p_offset = 0x1000; m.ph[0].p_filesz = 0x10;
	m.ph[0].p_memsz = 0x10; expect_refused(&m, "program header table not in any PT_LOAD");
	m = make_pie(); m.ph[0].p_vaddr = 128;
	expect_refused(&m, "PT_PHDR does not map the program header table");
	m = make_pie(); m.ph[0].p_vaddr = 0x2000;
	expect_refused(&m, "PT_PHDR does not map the program header table");
}

Test(elf_parse, too_many_loads)
{
	uint8_t *p = calloc(1, 0x1000);
	struct img m = { .p = p, .len = 0x1000, .eh = (void *)p, .ph = (void *)(p + 64) };

	cr_assert_not_null(p);
	memcpy(m.eh->e_ident, "\177ELF\2\1\1", 7);
	m.eh->e_type = ET_EXEC;
	m.eh->e_machine = EM_X86_64;
	m.eh->e_version = EV_CURRENT;
	m.eh->e_entry = BASE + 64;
	m.eh->e_phoff = 64;
	m.eh->e_phentsize = 56;
	m.eh->e_phnum = ELF_MAX_LOAD + 1;
	for (unsigned int i = 0; i <= ELF_MAX_LOAD; i++)
		set_ph(&m.ph[i], PT_LOAD, PF_R | PF_X, 0, BASE + 0x1000 * i, 0x1000, 0x1000);
	expect_refused(&m, "too many PT_LOAD segments");
}

/* ---- random mutations ---- */

static void check_invariants(const struct elf_info *info, size_t len, unsigned long long seed)
{
	uint64_t b = info->load_bias;

	cr_assert(info->nr_load >= 1 && info->nr_load <= ELF_MAX_LOAD, "seed %llu", seed);
	cr_assert(info->type == ET_EXEC || info->type == ET_DYN, "seed %llu", seed);
	cr_assert_eq(info->needs_bias, info->type == ET_DYN, "seed %llu", seed);
	cr_assert(info->lo % ELF_PAGE_SIZE == 0 && info->hi % ELF_PAGE_SIZE == 0);
	cr_assert(info->lo + b >= ELF_MIN_ADDR && info->hi + b <= ELF_LOAD_LIMIT, "seed %llu",
		  seed);
	bool entry_ok = false, phdr_ok = false;

	for (unsigned int i = 0; i < info->nr_load; i++) {
		const struct elf_segment *s = &info->load[i];

		cr_assert(s->filesz <= s->memsz && s->memsz > 0, "seed %llu", seed);
		cr_assert(s->offset <= len && s->filesz <= len - s->offset, "seed %llu", seed);
		cr_assert((s->flags & (PF_W | PF_X)) != (PF_W | PF_X), "seed %llu", seed);
		cr_assert(s->vaddr >= info->lo && s->vaddr + s->memsz <= info->hi);
		if (i)
			cr_assert(s->vaddr >= ALIGN_UP((s - 1)->vaddr + (s - 1)->memsz, 4096),
				  "seed %llu: overlap", seed);
		if ((s->flags & PF_X) && info->entry >= s->vaddr &&
		    info->entry < s->vaddr + s->filesz)
			entry_ok = true;
		if (info->phdr_vaddr >= s->vaddr &&
		    info->phdr_vaddr + (uint64_t)info->phnum * 56 <= s->vaddr + s->filesz)
			phdr_ok = true;
	}
	cr_assert(entry_ok && phdr_ok, "seed %llu", seed);
}

Test(elf_parse, random_mutations_stay_in_bounds)
{
	unsigned long long seed = test_seed("elf_parse mutations");
	unsigned long iters = test_iters(200000), accepted = 0;
	struct img base = make_pie(), exec = make_exec();

	for (unsigned long n = 0; n < iters; n++) {
		struct img *from = n & 1 ? &base : &exec;
		size_t len = rnd_below(4) ? from->len : rnd_below(from->len + 1);
		uint8_t *p = malloc(len ? len : 1);
		struct elf_info info;
		const char *why;

		cr_assert_not_null(p);
		memcpy(p, from->p, len);
		for (unsigned int k = rnd_below(6) + 1; k-- && len;) {
			/* mostly the headers, where the meaning is */
			size_t hdrs = MIN(len, 64 + 5 * 56);
			size_t at = rnd_below(4) ? rnd_below(hdrs) : rnd_below(len);

			switch (rnd_below(3)) {
			case 0: p[at] ^= 1u << rnd_below(8); break;
			case 1: p[at] = rnd(); break;
			default: p[at] = rnd_below(2) ? 0 : 0xff; break;
			}
		}
		why = NULL;
		if (elf_parse(p, len, &info, &why) == 0) {
			accepted++;
			check_invariants(&info, len, seed);
		} else {
			cr_assert_not_null(why, "seed %llu", seed);
		}
		free(p);
	}
	cr_log_info("elf_parse mutations: %lu of %lu accepted\n", accepted, iters);
	cr_expect(accepted > 0, "some mutations keep the image valid (seed %llu)", seed);
	free(base.p);
	free(exec.p);
}

/* ---- the initial stack ---- */

#define TOP 0x7ffffffff000ull

static uint64_t word_at(const uint8_t *buf, size_t size, uint64_t uaddr)
{
	uint64_t v;

	cr_assert(uaddr >= TOP - size && uaddr + 8 <= TOP, "address %#lx outside the stack",
		  (unsigned long)uaddr);
	memcpy(&v, buf + (uaddr - (TOP - size)), 8);
	return v;
}

static const char *str_at(const uint8_t *buf, size_t size, uint64_t uaddr)
{
	cr_assert(uaddr >= TOP - size && uaddr < TOP);
	return (const char *)buf + (uaddr - (TOP - size));
}

Test(elf_stack, layout_reads_back_as_start_sees_it)
{
	const char *argv[] = { "/bin/prog", "-x", "", "last arg", NULL };
	const char *envp[] = { "HOME=/", "TERM=linux", NULL };
	const uint8_t random[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };
	const struct elf_auxv auxv[] = {
		{ AT_PHDR, 0x400040 }, { AT_PHNUM, 4 }, { AT_PAGESZ, 4096 }, { AT_ENTRY, 0x401000 },
		{ AT_NULL, 0 },
	};
	struct elf_stack_args args = { argv, envp, "/bin/prog", "x86_64", random, auxv };
	struct elf_stack_layout lay;
	uint64_t argc, envc, sp, p, type, val, seen = 0;
	long need = elf_stack_size(&args, &argc, &envc);
	size_t size = 4096;
	uint8_t *buf = malloc(size);

	cr_assert(need > 0 && need % 16 == 0 && (size_t)need <= size);
	cr_assert_eq(argc, 4);
	cr_assert_eq(envc, 2);
	cr_assert_eq(elf_build_stack(buf, size, TOP, &args, &lay), 0);
	sp = lay.sp;
	cr_expect_eq(sp % 16, 0, "rsp %% 16 == 0 at entry");
	cr_expect(TOP - sp <= (uint64_t)need);
	cr_expect_eq(word_at(buf, size, sp), 4, "[sp] = argc");
	for (int i = 0; i < 4; i++)
		cr_expect_str_eq(str_at(buf, size, word_at(buf, size, sp + 8 + 8 * i)), argv[i]);
	cr_expect_eq(word_at(buf, size, sp + 8 * 5), 0, "argv ends with NULL");
	for (int i = 0; i < 2; i++)
		cr_expect_str_eq(str_at(buf, size, word_at(buf, size, sp + 8 * (6 + i))), envp[i]);
	cr_expect_eq(word_at(buf, size, sp + 8 * 8), 0, "envp ends with NULL");
	cr_expect_eq(word_at(buf, size, sp + 8), lay.arg_start);
	cr_expect_eq(lay.arg_end, lay.env_start);
	cr_expect_eq(word_at(buf, size, sp + 8 * 6), lay.env_start);
	cr_expect(lay.env_end <= lay.execfn && lay.execfn < TOP - 8);
	cr_expect_eq(word_at(buf, size, TOP - 8), 0, "the end marker");
	for (p = sp + 8 * 9;; p += 16) {
		type = word_at(buf, size, p);
		val = word_at(buf, size, p + 8);
		if (type == AT_NULL)
			break;
		cr_assert(type < 64);
		seen |= 1ull << type;
		switch (type) {
		case AT_PHDR: cr_expect_eq(val, 0x400040); break;
		case AT_PHNUM: cr_expect_eq(val, 4); break;
		case AT_PAGESZ: cr_expect_eq(val, 4096); break;
		case AT_ENTRY: cr_expect_eq(val, 0x401000); break;
		case AT_PLATFORM: cr_expect_str_eq(str_at(buf, size, val), "x86_64"); break;
		case AT_EXECFN: cr_expect_str_eq(str_at(buf, size, val), "/bin/prog"); break;
		case AT_RANDOM:
			cr_expect_eq(val, lay.random);
			cr_expect(memcmp(str_at(buf, size, val), random, 16) == 0);
			break;
		default: cr_expect_fail("unexpected auxv type %lu", (unsigned long)type);
		}
	}
	cr_expect_eq(seen, 1ull << AT_PHDR | 1ull << AT_PHNUM | 1ull << AT_PAGESZ |
		     1ull << AT_ENTRY | 1ull << AT_PLATFORM | 1ull << AT_EXECFN |
		     1ull << AT_RANDOM);
	cr_expect(p + 16 <= lay.random, "the vector stays below the random bytes");
	free(buf);
}

Test(elf_stack, alignment_for_every_count)
{
	static const char *strs[] = { "a", "bb", "ccc", "dddd", "eeeee", "f", "g", "h", NULL };
	const uint8_t random[16] = { 0 };
	const struct elf_auxv auxv[] = { { AT_PAGESZ, 4096 }, { AT_NULL, 0 } };

	for (int na = 0; na <= 8; na++) {
		for (int ne = 0; ne <= 8; ne++) {
			const char *argv[9], *envp[9];
			struct elf_stack_layout lay;
			uint64_t argc, envc;
			size_t size;
			uint8_t *buf;

			memcpy(argv, strs + 8 - na, sizeof(char *) * (na + 1));
			memcpy(envp, strs + 8 - ne, sizeof(char *) * (ne + 1));
			struct elf_stack_args args = { argv, envp, "p", na & 1 ? "x86_64" : NULL,
						       random, auxv };
			/* exactly the size asked for: ASan catches any write outside */
			size = elf_stack_size(&args, &argc, &envc);
			buf = malloc(size);
			cr_assert_eq(elf_build_stack(buf, size, TOP, &args, &lay), 0);
			cr_expect_eq(lay.sp % 16, 0);
			cr_expect_eq(word_at(buf, size, lay.sp), (uint64_t)na);
			for (int i = 0; i < na; i++)
				cr_expect_str_eq(str_at(buf, size, word_at(buf, size,
						 lay.sp + 8 + 8 * i)), argv[i]);
			for (int i = 0; i < ne; i++)
				cr_expect_str_eq(str_at(buf, size, word_at(buf, size,
						 lay.sp + 8 * (2 + na + i))), envp[i]);
			cr_expect_eq(elf_build_stack(buf, size - 16, TOP, &args, &lay), -ENOMEM);
			free(buf);
		}
	}
}

Test(elf_stack, too_big_is_e2big)
{
	size_t n = ELF_ARG_MAX / 2;
	char *big = malloc(n + 1);
	const char *argv[] = { big, big, NULL };
	const uint8_t random[16] = { 0 };
	struct elf_stack_args args = { argv, NULL, "p", "x86_64", random, NULL };
	uint64_t argc, envc;

	memset(big, 'x', n);
	big[n] = 0;
	cr_expect_eq(elf_stack_size(&args, &argc, &envc), -E2BIG);
	argv[1] = NULL;
	cr_expect_gt(elf_stack_size(&args, &argc, &envc), (long)n);
	free(big);
}
