/*
 * libFuzzer harness for fs/elf_parse.c and fs/elf_stack.c: `make build/fuzz/fuzz_elf`, then
 * `build/fuzz/fuzz_elf -max_total_time=60` (ASan and UBSan on). Every input is an ELF image;
 * an accepted one must keep the promises of struct elf_info (checked here, a broken promise
 * aborts), and its auxv values go through elf_build_stack as the loader would use them.
 * Seeds: any static binary is a good corpus (e.g. a directory with /bin/true's relatives).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <fs/elf.h>
#include <lib/errno.h>

static void check(bool ok)
{
	if (!ok)
		abort();
}

static void check_info(const struct elf_info *info, size_t len)
{
	uint64_t b = info->load_bias;

	check(info->nr_load >= 1 && info->nr_load <= ELF_MAX_LOAD);
	check(info->lo + b >= ELF_MIN_ADDR && info->hi + b <= ELF_LOAD_LIMIT);
	for (unsigned int i = 0; i < info->nr_load; i++) {
		const struct elf_segment *s = &info->load[i];

		check(s->filesz <= s->memsz && s->offset <= len && s->filesz <= len - s->offset);
		check((s->flags & (PF_W | PF_X)) != (PF_W | PF_X));
		check(s->vaddr >= info->lo && s->vaddr + s->memsz <= info->hi);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct elf_info info;
	const char *why = NULL;
	uint8_t *copy = malloc(size ? size : 1);	/* exactly @size: ASan sees one byte past */
	int err;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	err = elf_parse(copy, size, &info, &why);
	check(err == 0 || (err == -ENOEXEC && why));
	if (!err) {
		const struct elf_auxv auxv[] = {
			{ AT_PHDR, info.phdr_vaddr + info.load_bias }, { AT_PHNUM, info.phnum },
			{ AT_ENTRY, info.entry + info.load_bias }, { AT_NULL, 0 },
		};
		const char *argv[] = { "fuzz", NULL };
		const uint8_t random[16] = { 0 };
		struct elf_stack_args args = { argv, NULL, "fuzz", "x86_64", random, auxv };
		struct elf_stack_layout lay;
		uint64_t argc, envc;
		long need = elf_stack_size(&args, &argc, &envc);
		void *buf;

		check_info(&info, size);
		check(need > 0);
		buf = malloc(need);
		check(buf && elf_build_stack(buf, need, ELF_STACK_TOP, &args, &lay) == 0);
		check(lay.sp % 16 == 0);
		free(buf);
	}
	free(copy);
	return 0;
}
