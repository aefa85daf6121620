/*
 * The ELF64 checker: elf_parse() reads an executable image in memory and either describes
 * what the loader must map (struct elf_info) or refuses it with -ENOEXEC and a reason a
 * student can act on ("segment file range past the end", "p_filesz > p_memsz", ...).
 *
 * It is pure (no hardware, no allocation) and built unchanged into the host tests and the
 * libFuzzer harness. Every field is read byte by byte as little-endian, so the image may be
 * unaligned; every offset is checked against the length before it is read, and every sum of
 * two file values is checked before it is formed, so no input can make it read out of bounds
 * or overflow. The limits (ELF_MAX_PHNUM, ELF_MAX_LOAD, [ELF_MIN_ADDR, ELF_LOAD_LIMIT)) are
 * in include/fs/elf.h. The rules, and what is refused on purpose:
 *  - ET_EXEC and ET_DYN without PT_INTERP (static-pie, loaded at ELF_ET_DYN_BASE) only;
 *  - PT_LOADs sorted by p_vaddr and never sharing a page, so every page has one owner and
 *    one set of rights; a segment both writable and executable is refused (W^X);
 *  - the entry point in the file part of an executable segment, and the program header
 *    table inside a segment's file part (AT_PHDR must point at real bytes: libc reads it).
 * PT_GNU_STACK's PF_X is reported, not refused (the loader keeps the stack non-executable);
 * PT_TLS, PT_NOTE, PT_GNU_RELRO and the others are ignored. docs/elf.md.
 */
#include <fs/elf.h>
#include <lib/errno.h>

#define PHDR_SIZE	56	/* sizeof(struct elf64_phdr) in the file */
#define EHDR_SIZE	64

static uint64_t rd(const uint8_t *p, unsigned int bytes)
{
	uint64_t v = 0;

	while (bytes--)
		v = v << 8 | p[bytes];
	return v;
}

static uint64_t page_down(uint64_t x) { return x & ~(ELF_PAGE_SIZE - 1); }
static uint64_t page_up(uint64_t x) { return page_down(x + ELF_PAGE_SIZE - 1); }

/* Is [off, off + size) inside [0, len)? Without forming a sum that could wrap. */
static bool in_file(uint64_t off, uint64_t size, size_t len)
{
	return off <= len && size <= len - off;
}

static int refuse(const char **why, const char *reason)
{
	if (why)
		*why = reason;
	return -ENOEXEC;
}

/* The header checks; on success the program header table is known to be inside the file. */
static const char *check_header(const uint8_t *p, size_t len, struct elf_info *out,
				uint64_t *phoff)
{
	uint16_t type;

	if (len < 4 || p[0] != 0x7f || p[1] != 'E' || p[2] != 'L' || p[3] != 'F')
		return "not an ELF file";
	if (len < EHDR_SIZE)
		return "ELF header past the end of the file";
	if (p[EI_CLASS] == ELFCLASS32)
		return "32-bit ELF";
	if (p[EI_CLASS] != ELFCLASS64)
		return "unknown ELF class";
	if (p[EI_DATA] == ELFDATA2MSB)
		return "big-endian";
	if (p[EI_DATA] != ELFDATA2LSB)
		return "unknown ELF data encoding";
	if (p[EI_VERSION] != EV_CURRENT || rd(p + 20, 4) != EV_CURRENT)
		return "unknown ELF version";
	type = rd(p + 16, 2);
	if (type == ET_REL)
		return "not executable (ET_REL)";
	if (type == ET_CORE)
		return "not executable (ET_CORE)";
	if (type != ET_EXEC && type != ET_DYN)
		return "not executable (unknown e_type)";
	if (rd(p + 18, 2) != EM_X86_64)
		return "not x86-64";
	out->type = type;
	out->entry = rd(p + 24, 8);
	*phoff = rd(p + 32, 8);
	out->phent = rd(p + 54, 2);
	out->phnum = rd(p + 56, 2);
	if (out->phent != PHDR_SIZE)
		return "e_phentsize is not 56";
	if (out->phnum == 0)
		return "no program headers";
	if (out->phnum > ELF_MAX_PHNUM)
		return "too many program headers";
	if (!in_file(*phoff, (uint64_t)out->phnum * PHDR_SIZE, len))
		return "program header table past the end of the file";
	return NULL;
}

/* One PT_LOAD: checked on its own, then against the one before it. */
static const char *add_load(struct elf_info *out, const uint8_t *ph, size_t len)
{
	struct elf_segment s = {
		.flags = rd(ph + 4, 4) & (PF_R | PF_W | PF_X),
		.offset = rd(ph + 8, 8),
		.vaddr = rd(ph + 16, 8),
		.filesz = rd(ph + 32, 8),
		.memsz = rd(ph + 40, 8),
	};
	const struct elf_segment *prev;

	if (s.filesz > s.memsz)
		return "p_filesz > p_memsz";
	if (!in_file(s.offset, s.filesz, len))
		return "segment file range past the end";
	if ((s.offset ^ s.vaddr) & (ELF_PAGE_SIZE - 1))
		return "p_offset and p_vaddr disagree modulo the page size";
	if (s.memsz == 0)
		return NULL;	/* maps nothing: allowed, and ignored */
	/* All three are below 2^47 after this, so the sums below cannot wrap. */
	if (s.vaddr > ELF_LOAD_LIMIT || s.memsz > ELF_LOAD_LIMIT ||
	    s.vaddr + out->load_bias + s.memsz > ELF_LOAD_LIMIT)
		return "segment in kernel space / address overflow";
	if (s.vaddr + out->load_bias < ELF_MIN_ADDR)
		return "segment below 64 KiB (mmap_min_addr)";
	if ((s.flags & (PF_W | PF_X)) == (PF_W | PF_X))
		return "segment both writable and executable (W^X)";
	if (out->nr_load == ELF_MAX_LOAD)
		return "too many PT_LOAD segments";
	if (out->nr_load) {
		prev = &out->load[out->nr_load - 1];
		if (s.vaddr < prev->vaddr)
			return "PT_LOAD segments not sorted by address";
		if (page_down(s.vaddr) < page_up(prev->vaddr + prev->memsz))
			return "segments overlap";
	}
	out->load[out->nr_load++] = s;
	return NULL;
}

/* The segment whose file part holds [vaddr, vaddr + size), or NULL. */
static const struct elf_segment *file_part_holding(const struct elf_info *out, uint64_t vaddr,
						   uint64_t size)
{
	for (unsigned int i = 0; i < out->nr_load; i++) {
		const struct elf_segment *s = &out->load[i];

		if (vaddr >= s->vaddr && vaddr - s->vaddr <= s->filesz &&
		    size <= s->filesz - (vaddr - s->vaddr))
			return s;
	}
	return NULL;
}

/* AT_PHDR: PT_PHDR's address if there is one, else where the PT_LOAD holding e_phoff puts it. */
static const char *find_phdr(struct elf_info *out, uint64_t phoff, bool have_pt_phdr,
			     uint64_t pt_phdr_vaddr)
{
	uint64_t size = (uint64_t)out->phnum * PHDR_SIZE;
	const struct elf_segment *s;

	if (have_pt_phdr) {
		s = file_part_holding(out, pt_phdr_vaddr, size);
		if (!s || s->offset + (pt_phdr_vaddr - s->vaddr) != phoff)
			return "PT_PHDR does not map the program header table";
		out->phdr_vaddr = pt_phdr_vaddr;
		return NULL;
	}
	for (unsigned int i = 0; i < out->nr_load; i++) {
		s = &out->load[i];
		if (phoff >= s->offset && phoff - s->offset <= s->filesz &&
		    size <= s->filesz - (phoff - s->offset)) {
			out->phdr_vaddr = s->vaddr + (phoff - s->offset);
			return NULL;
		}
	}
	return "program header table not in any PT_LOAD";
}

static const char *check_entry(const struct elf_info *out)
{
	for (unsigned int i = 0; i < out->nr_load; i++) {
		const struct elf_segment *s = &out->load[i];

		if ((s->flags & PF_X) && out->entry >= s->vaddr &&
		    out->entry - s->vaddr < s->filesz)
			return NULL;
	}
	return "entry point not in an executable segment";
}

int elf_parse(const void *image, size_t len, struct elf_info *out, const char **why)
{
	const uint8_t *p = image;
	uint64_t phoff, pt_phdr_vaddr = 0;
	bool have_pt_phdr = false;
	const char *reason;

	*out = (struct elf_info){ 0 };
	reason = check_header(p, len, out, &phoff);
	if (reason)
		return refuse(why, reason);
	out->needs_bias = out->type == ET_DYN;
	out->load_bias = out->needs_bias ? ELF_ET_DYN_BASE : 0;
	for (unsigned int i = 0; i < out->phnum; i++) {
		const uint8_t *ph = p + phoff + (uint64_t)i * PHDR_SIZE;

		switch (rd(ph, 4)) {
		case PT_INTERP:
			return refuse(why, "dynamically linked: PT_INTERP is not supported");
		case PT_LOAD:
			reason = add_load(out, ph, len);
			if (reason)
				return refuse(why, reason);
			break;
		case PT_PHDR:
			if (!have_pt_phdr)
				pt_phdr_vaddr = rd(ph + 16, 8);
			have_pt_phdr = true;
			break;
		case PT_GNU_STACK:
			out->exec_stack = rd(ph + 4, 4) & PF_X;
			break;
		case PT_TLS:
			out->has_tls = true;
			break;
		}
	}
	if (!out->nr_load)
		return refuse(why, "no PT_LOAD");
	out->lo = page_down(out->load[0].vaddr);
	out->hi = page_up(out->load[out->nr_load - 1].vaddr + out->load[out->nr_load - 1].memsz);
	reason = check_entry(out);
	if (!reason)
		reason = find_phdr(out, phoff, have_pt_phdr, pt_phdr_vaddr);
	if (reason)
		return refuse(why, reason);
	return 0;
}
