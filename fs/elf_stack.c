/*
 * The initial user stack of a new program, laid out as the x86-64 psABI and Linux do (a
 * static libc's _start reads it): elf_build_stack() fills a kernel buffer that stands for
 * the top of the stack VMA; the loader then copies the used part into the new address space.
 * From the top down:
 *	8 bytes of zero		the end marker, as Linux
 *	file name		AT_EXECFN points here
 *	envp strings, argv strings	(argv lowest: arg_start .. arg_end == env_start .. env_end)
 *	"x86_64"		AT_PLATFORM
 *	16 random bytes		AT_RANDOM (libc seeds its stack protector from them)
 *	padding			so that sp is 16-byte aligned
 *	auxv pairs, ending with AT_NULL
 *	NULL, envp pointers, NULL, argv pointers
 *	argc			<- sp: at _start, rsp % 16 == 0 and [rsp] = argc
 * Pure: no hardware, no allocation; the host tests check the picture. Limit: the strings
 * plus 8 bytes per pointer (argv, envp) and the file name are at most ELF_ARG_MAX, else
 * -E2BIG, so a caller can size its buffer with elf_stack_size(). docs/elf.md.
 */
#include <fs/elf.h>
#include <lib/errno.h>
#include <lib/string.h>

#define MAX_AUXV	64	/* caller's entries, AT_NULL excluded */

/* Counts @v's strings and adds their bytes (NULs included) to *@bytes; false past the limit. */
static bool count_strings(const char *const *v, uint64_t *n, uint64_t *bytes)
{
	*n = 0;
	for (; v && v[*n]; (*n)++) {
		uint64_t room = ELF_ARG_MAX - *bytes;
		size_t l = strnlen(v[*n], room);

		if (l + 1 + 8 > room)
			return false;
		*bytes += l + 1 + 8;	/* the string and its pointer */
	}
	return true;
}

static long count_auxv(const struct elf_auxv *auxv)
{
	long n = 0;

	while (auxv && auxv[n].type != AT_NULL)
		if (++n > MAX_AUXV)
			return -1;
	return n;
}

/* Bytes of the stack elf_build_stack will use, or -E2BIG / -EINVAL. */
long elf_stack_size(const struct elf_stack_args *args, uint64_t *argc, uint64_t *envc)
{
	uint64_t bytes = 0, words;
	long nauxv = count_auxv(args->auxv);
	size_t fl = args->execfn ? strnlen(args->execfn, ELF_ARG_MAX) : 0;

	if (nauxv < 0)
		return -EINVAL;
	if (fl >= ELF_ARG_MAX)
		return -E2BIG;
	bytes = fl + 1;
	if (!count_strings(args->argv, argc, &bytes) || !count_strings(args->envp, envc, &bytes))
		return -E2BIG;
	/* The pointers are counted with their strings; add argc, two NULLs, the auxv with our
	 * three and AT_NULL, the end marker, platform, random bytes and alignment. */
	words = 1 + 2 + 2 * ((uint64_t)nauxv + 4);
	bytes += 8 + (args->platform ? strnlen(args->platform, 64) + 1 : 0) + 16 + 15 + 8 * words;
	return (long)ALIGN_UP(bytes, 16);
}

/* Copies @len bytes just below *@pos (a user address), moves *@pos down; the buffer's base
 * user address is @base. */
static uint64_t push(uint8_t *buf, uint64_t base, uint64_t *pos, const void *src, size_t len)
{
	*pos -= len;
	memcpy(buf + (*pos - base), src, len);
	return *pos;
}

static void put_word(uint8_t *buf, uint64_t base, uint64_t uaddr, uint64_t v)
{
	memcpy(buf + (uaddr - base), &v, 8);
}

/* Pushes the strings of @v (in reverse, so they end up in order) and records the addresses. */
static void push_strings(uint8_t *buf, uint64_t base, uint64_t *pos, const char *const *v,
			 uint64_t n, uint64_t *addrs)
{
	while (n--)
		addrs[n] = push(buf, base, pos, v[n], strlen(v[n]) + 1);
}

int elf_build_stack(void *buf, size_t size, uint64_t top, const struct elf_stack_args *args,
		    struct elf_stack_layout *out)
{
	uint64_t argc, envc, base = top - size, pos = top, zero = 0, w;
	long need = elf_stack_size(args, &argc, &envc);
	long nauxv = count_auxv(args->auxv);
	uint64_t *ptrs;

	if (need < 0)
		return (int)need;
	if ((uint64_t)need > size || top & 15 || top < size)
		return -ENOMEM;
	*out = (struct elf_stack_layout){ .argc = argc, .envc = envc };
	push(buf, base, &pos, &zero, 8);
	out->execfn = push(buf, base, &pos, args->execfn ? args->execfn : "",
			   args->execfn ? strlen(args->execfn) + 1 : 1);
	/* The pointer tables are built at the bottom of the buffer, out of the strings' way. */
	ptrs = (uint64_t *)buf;
	out->env_end = pos;
	push_strings(buf, base, &pos, args->envp, envc, ptrs + argc);
	out->env_start = out->arg_end = pos;
	push_strings(buf, base, &pos, args->argv, argc, ptrs);
	out->arg_start = pos;
	out->platform = args->platform ?
		push(buf, base, &pos, args->platform, strlen(args->platform) + 1) : 0;
	out->random = push(buf, base, &pos, args->random, 16);

	w = 1 + argc + 1 + envc + 1 + 2 * ((uint64_t)nauxv + 4);
	pos = ALIGN_DOWN(pos - 8 * w, 16);
	out->sp = pos;
	/*
	 * The pointers move from the scratch space at the bottom up to their place at sp >= base.
	 * envp first: its place is above argv's scratch copy, and memmove allows the overlap.
	 */
	memmove(buf + (pos - base) + 8 * (argc + 2), ptrs + argc, 8 * envc);
	memmove(buf + (pos - base) + 8, ptrs, 8 * argc);
	put_word(buf, base, pos, argc);
	put_word(buf, base, pos + 8 * (1 + argc), 0);
	put_word(buf, base, pos + 8 * (2 + argc + envc), 0);
	pos += 8 * (3 + argc + envc);
	for (long i = 0; i < nauxv; i++, pos += 16) {
		put_word(buf, base, pos, args->auxv[i].type);
		put_word(buf, base, pos + 8, args->auxv[i].val);
	}
	const struct elf_auxv ours[] = {
		{ args->platform ? AT_PLATFORM : AT_IGNORE, out->platform },
		{ AT_RANDOM, out->random },
		{ AT_EXECFN, out->execfn },
		{ AT_NULL, 0 },
	};
	for (unsigned int i = 0; i < ARRAY_SIZE(ours); i++, pos += 16) {
		put_word(buf, base, pos, ours[i].type);
		put_word(buf, base, pos + 8, ours[i].val);
	}
	return 0;
}
