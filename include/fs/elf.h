/*
 * ELF64 executables: the file format's structures and constants (System V gABI, x86-64
 * psABI), the checks of fs/elf_parse.c, the initial user stack of fs/elf_stack.c and the
 * loader of fs/binfmt_elf.c. docs/elf.md explains the format and the loader for students.
 *
 * elf_parse() and elf_build_stack() are pure: they read and write only the buffers they are
 * given, so the same files build into the kernel and into the host tests and the fuzzer.
 * Only what this kernel runs is accepted: little-endian x86-64, ET_EXEC or static-pie ET_DYN
 * (no PT_INTERP), at most ELF_MAX_LOAD PT_LOAD segments, sorted, not sharing a page, each
 * inside [ELF_MIN_ADDR, ELF_LOAD_LIMIT) once the load bias is added.
 */
#ifndef FS_ELF_H
#define FS_ELF_H

#include <kernel/compiler.h>

/* ---- the file format ---- */

#define EI_NIDENT	16
#define EI_CLASS	4
#define EI_DATA		5
#define EI_VERSION	6
#define ELFCLASS32	1
#define ELFCLASS64	2
#define ELFDATA2LSB	1	/* little-endian */
#define ELFDATA2MSB	2
#define EV_CURRENT	1

#define ET_NONE		0
#define ET_REL		1	/* an object file (.o) */
#define ET_EXEC		2	/* an executable at fixed addresses */
#define ET_DYN		3	/* position independent: a shared object, or a static-pie */
#define ET_CORE		4

#define EM_386		3
#define EM_X86_64	62

#define PT_NULL		0
#define PT_LOAD		1
#define PT_DYNAMIC	2
#define PT_INTERP	3
#define PT_NOTE		4
#define PT_SHLIB	5
#define PT_PHDR		6
#define PT_TLS		7
#define PT_GNU_EH_FRAME	0x6474e550
#define PT_GNU_STACK	0x6474e551
#define PT_GNU_RELRO	0x6474e552
#define PT_GNU_PROPERTY	0x6474e553

#define PF_X		0x1
#define PF_W		0x2
#define PF_R		0x4

/* The file header, at offset 0. Fields in the file are little-endian and may be unaligned. */
struct elf64_hdr {
	unsigned char e_ident[EI_NIDENT];	/* "\177ELF", class, data, version ... */
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;	/* virtual address of the first instruction */
	uint64_t e_phoff;	/* file offset of the program header table */
	uint64_t e_shoff;	/* file offset of the section header table (unused here) */
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;	/* bytes per program header: 56 */
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

/* One program header: a segment, what the loader reads (sections are for the linker). */
struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;	/* PF_R | PF_W | PF_X */
	uint64_t p_offset;	/* where its bytes are in the file */
	uint64_t p_vaddr;	/* where they go in memory */
	uint64_t p_paddr;
	uint64_t p_filesz;	/* bytes from the file */
	uint64_t p_memsz;	/* bytes in memory: the rest, up to p_memsz, is zero (.bss) */
	uint64_t p_align;
};

/* The auxiliary vector's keys (include/uapi/linux/auxvec.h numbers, the ABI). */
#define AT_NULL		0
#define AT_IGNORE	1
#define AT_EXECFD	2
#define AT_PHDR		3
#define AT_PHENT	4
#define AT_PHNUM	5
#define AT_PAGESZ	6
#define AT_BASE		7
#define AT_FLAGS	8
#define AT_ENTRY	9
#define AT_NOTELF	10
#define AT_UID		11
#define AT_EUID		12
#define AT_GID		13
#define AT_EGID		14
#define AT_PLATFORM	15
#define AT_HWCAP	16
#define AT_CLKTCK	17
#define AT_SECURE	23
#define AT_BASE_PLATFORM 24
#define AT_RANDOM	25
#define AT_HWCAP2	26
#define AT_EXECFN	31

/* ---- what this kernel accepts ---- */

#define ELF_PAGE_SIZE	4096ull
#define ELF_MAX_PHNUM	64		/* program headers; more is "too many" */
#define ELF_MAX_LOAD	16		/* PT_LOAD segments (a static binary has 2 to 5) */
#define ELF_ET_DYN_BASE	0x555555554000ull	/* where a static-pie goes: Linux's address */
#define ELF_MIN_ADDR	0x10000ull	/* mmap_min_addr: nothing below 64 KiB (NULL stays bad) */
#define ELF_STACK_TOP	0x7ffffffff000ull	/* TASK_SIZE: the stack VMA ends here */
#define ELF_STACK_SIZE	(8ull << 20)	/* the stack VMA: 8 MiB, demand paged */
#define ELF_STACK_GAP	(1ull << 20)	/* no VMA in this much below the stack */
/* Segments must end at or below this, so the stack and its gap always fit above them. */
#define ELF_LOAD_LIMIT	(ELF_STACK_TOP - ELF_STACK_SIZE - ELF_STACK_GAP)
#define ELF_ARG_MAX	(128u << 10)	/* argv + envp strings, NULs included: else -E2BIG */

struct elf_segment {
	uint64_t vaddr;		/* unbiased p_vaddr */
	uint64_t memsz;
	uint64_t offset;	/* in the file */
	uint64_t filesz;	/* <= memsz; [offset, offset + filesz) is inside the file */
	uint32_t flags;		/* PF_R | PF_W | PF_X, never both W and X */
};

/*
 * What elf_parse found. Addresses are the file's (unbiased): add load_bias to get the
 * place in memory. Invariants of an accepted image, tested on the host: nr_load >= 1; the
 * segments are sorted and their page-rounded ranges do not overlap; lo and hi are page
 * aligned and contain them all; lo + load_bias >= ELF_MIN_ADDR and hi + load_bias <=
 * ELF_LOAD_LIMIT; entry lies in the file part of an executable segment; phdr_vaddr ..
 * + phnum * phent lies in the file part of a segment.
 */
struct elf_info {
	uint16_t type;		/* ET_EXEC or ET_DYN */
	bool needs_bias;	/* ET_DYN: load at load_bias (ELF_ET_DYN_BASE) */
	uint64_t load_bias;	/* 0 for ET_EXEC */
	uint64_t entry;		/* e_entry */
	uint64_t phdr_vaddr;	/* the program header table in memory (for AT_PHDR) */
	uint16_t phent;		/* e_phentsize */
	uint16_t phnum;		/* e_phnum */
	uint64_t lo, hi;	/* page-rounded extent of all PT_LOADs */
	unsigned int nr_load;
	struct elf_segment load[ELF_MAX_LOAD];
	bool exec_stack;	/* PT_GNU_STACK asked for PF_X (the loader refuses to honour it) */
	bool has_tls;		/* PT_TLS present: the C library sets TLS up itself */
};

/*
 * Check the ELF64 image [@image, @image + @len) and describe it in @out. Returns 0, or
 * -ENOEXEC with a one-line reason in *@why (a string literal; @why may be NULL). Never reads
 * outside the image, whatever its contents; no alignment of @image is required.
 */
int elf_parse(const void *image, size_t len, struct elf_info *out, const char **why);

/* ---- the initial stack ---- */

struct elf_auxv {
	uint64_t type;		/* AT_* */
	uint64_t val;
};

/* What elf_build_stack puts on the stack; the AT_RANDOM/PLATFORM/EXECFN values it fills. */
struct elf_stack_args {
	const char *const *argv;	/* NULL-terminated; may be NULL (argc 0) */
	const char *const *envp;	/* NULL-terminated; may be NULL */
	const char *execfn;		/* the file name, for AT_EXECFN */
	const char *platform;		/* for AT_PLATFORM, "x86_64" */
	const uint8_t *random;		/* 16 bytes for AT_RANDOM */
	const struct elf_auxv *auxv;	/* ends with AT_NULL; the three above are added */
};

/* Where the pieces went, as user addresses (for mm->arg_start and friends). */
struct elf_stack_layout {
	uint64_t sp;			/* rsp at entry: 16-byte aligned, [sp] = argc */
	uint64_t arg_start, arg_end;	/* the argv strings */
	uint64_t env_start, env_end;	/* the envp strings */
	uint64_t execfn, platform, random;
	uint64_t argc, envc;
};

/*
 * Lay out the initial stack into @buf, whose last byte is the byte below the user address
 * @top (so @buf's byte i is at @top - @size + i), from the top down: the file name, the argv
 * and envp strings, the platform string, 16 random bytes, then (16-byte aligned) argc, argv
 * pointers, NULL, envp pointers, NULL, the auxv pairs. Returns 0, -E2BIG (the strings are
 * more than ELF_ARG_MAX) or -ENOMEM (@buf is too small). @top must be 16-byte aligned, @buf
 * 8-byte aligned (it holds the pointer tables while they are built).
 */
int elf_build_stack(void *buf, size_t size, uint64_t top, const struct elf_stack_args *args,
		    struct elf_stack_layout *out);
/* The bytes elf_build_stack needs for @args (a multiple of 16), or -E2BIG / -EINVAL; the
 * string counts go to *@argc and *@envc. */
long elf_stack_size(const struct elf_stack_args *args, uint64_t *argc, uint64_t *envc);

/* ---- the loader (fs/binfmt_elf.c) ---- */

struct mm_struct;

struct elf_load_result {
	uint64_t entry;		/* where the program starts (bias added) */
	uint64_t sp;		/* rsp at entry */
	uint64_t start_brk;	/* page after the highest segment: the heap starts here */
	uint64_t load_bias;	/* 0, or ELF_ET_DYN_BASE for a static-pie */
	uint64_t start_stack;	/* = sp, as Linux's mm->start_stack */
	uint64_t arg_start, arg_end, env_start, env_end;
};

/*
 * Fill the empty user address space @mm (from mm_alloc, not loaded on any CPU) with the
 * ELF64 executable @image, @len bytes, and its initial stack. @argv and @envp end with
 * NULL (either may be NULL); @filename is AT_EXECFN. Returns 0, or -ENOEXEC (a malformed or
 * unsupported image, the reason logged), -E2BIG, -ENOMEM; on an error every VMA it made is
 * gone again. Sets mm->start_code, end_code, start_data, end_data, start_brk, brk and
 * start_stack on success.
 */
int load_elf_binary(struct mm_struct *mm, const void *image, size_t len, const char *const argv[],
		    const char *const envp[], const char *filename, struct elf_load_result *out);

#endif
