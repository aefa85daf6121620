# teachos: a Linux-style x86_64 teaching kernel.
#   make            build the kernel (build/teachos.elf)
#   make iso        one ISO that boots on BIOS and UEFI (build/teachos.iso)
#   make run        boot it in QEMU, serial console on this terminal (Ctrl-A X quits)
#   make debug      boot it in QEMU stopped for GDB, and start GDB attached
#   make test       host unit tests, kernel tests and boot scenarios; ends "N passed, N failed"
#   make bench      print boot figures (guest instructions under -icount)
#   make UBSAN=1    a kernel with the undefined-behaviour sanitizer (its own build directory)
#   make CC=clang   build with clang; CROSS_COMPILE=x86_64-elf- selects a cross toolchain
#   make compile_commands.json   for editors (uses bear)

CROSS_COMPILE ?=
CC := $(if $(filter default,$(origin CC)),$(CROSS_COMPILE)gcc,$(CC))
LD := $(if $(filter default,$(origin LD)),$(CROSS_COMPILE)ld,$(LD))
NM ?= $(CROSS_COMPILE)nm
PYTHON ?= python3
UBSAN ?=
QEMU ?= qemu-system-x86_64
MEM ?= 256M
CMDLINE ?=

cc_name := $(if $(findstring clang,$(shell $(CC) --version 2>/dev/null | head -n 1)),clang,gcc)
B ?= build$(if $(filter clang,$(cc_name)),-clang)$(if $(UBSAN),-ubsan)

# -fno-optimize-sibling-calls: a tail call would drop its caller from every backtrace.
# -fno-strict-aliasing, as Linux: lists reach their containers through container_of, and
# with type-based alias analysis GCC 12 kept a list head's next pointer in a register
# across the list_del that changed it (kmem_cache_free_empty looped on a stale value).
CFLAGS := -std=gnu11 -ffreestanding -nostdlib -mno-red-zone -mcmodel=kernel \
	-mgeneral-regs-only -fno-pic -fno-pie -fno-omit-frame-pointer \
	-fno-asynchronous-unwind-tables -fno-common -fno-optimize-sibling-calls -fstack-protector-strong \
	-mstack-protector-guard=global -O2 -fno-strict-aliasing -g -Wall -Wextra -Werror -Iinclude \
	-MMD -MP -DBUILD_COMPILER='"$(shell $(CC) --version | head -n 1)"'
ifneq ($(UBSAN),)
CFLAGS += -fsanitize=undefined -DCONFIG_UBSAN
endif
ASFLAGS := -Iinclude -D__ASSEMBLER__ -MMD -MP
LDFLAGS := -nostdlib -z max-page-size=4096 -z noexecstack -T linker.ld

SRCS := $(wildcard boot/*.S kernel/*.c kernel/*.S drivers/*.c drivers/*/*.c lib/*.c lib/*.S mm/*.c sched/*.c sched/*.S \
	tests/kernel/*.c tests/kernel/*.S fs/*.c block/*.c)
OBJS := $(patsubst %,$(B)/%.o,$(basename $(SRCS)))
# The console font, from Debian's console-setup-linux, compiled in by scripts/psf2c.
FONT ?= /usr/share/consolefonts/Lat15-Terminus16.psf.gz
OBJS += $(B)/console_font.o
# The names of Linux's x86_64 system calls, for the log of unimplemented ones.
SYSCALL_HDR ?= /usr/include/x86_64-linux-gnu/asm/unistd_64.h
OBJS += $(B)/syscall_names.o
OBJS += $(B)/tests/kernel/elf/image.o
KERNEL := $(B)/teachos.elf
ISO := $(B)/teachos.iso

FORCE:
.PHONY: all iso run debug test test-host soak bench clean tools compile_commands.json fuzz \
	fuzz-syscalls
all: $(KERNEL)

# V=1 shows the full commands.
Q := $(if $(V),,@)
quiet = $(if $(V),,@printf '  %-7s %s\n' $(1) $(2);)

$(B)/%.o: %.c Makefile
	@mkdir -p $(dir $@)
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -c $< -o $@

$(B)/%.o: %.S Makefile
	@mkdir -p $(dir $@)
	$(call quiet,AS,$<)$(CC) $(ASFLAGS) -c $< -o $@

$(FONT):
	@scripts/ensure-tools build

$(B)/console_font.c: $(FONT) scripts/psf2c scripts/psf.py
	@mkdir -p $(dir $@)
	$(call quiet,PSF2C,$<)$(PYTHON) scripts/psf2c $< > $@.tmp && mv $@.tmp $@

$(B)/console_font.o: $(B)/console_font.c Makefile
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -c $< -o $@

$(B)/syscall_names.c: $(SYSCALL_HDR) scripts/gen-syscall-names
	@mkdir -p $(dir $@)
	$(call quiet,GEN,$@)$(PYTHON) scripts/gen-syscall-names $< > $@.tmp && mv $@.tmp $@

$(B)/syscall_names.o: $(B)/syscall_names.c Makefile
	$(call quiet,CC,$<)$(CC) $(CFLAGS) -c $< -o $@
# ---- the ELF loader's kernel test program: tests/kernel/elf/prog.S linked as ET_EXEC and
# as a static-pie, embedded by image.S for tests/kernel/test_elf.c ----
ELF_PROG_LDFLAGS := -static -nostdlib -z noexecstack -z max-page-size=4096

$(B)/tests/kernel/elf/prog.o: tests/kernel/elf/prog.S Makefile
	@mkdir -p $(dir $@)
	$(call quiet,AS,$<)$(CC) -c $< -o $@

$(B)/tests/kernel/elf/prog.exec: $(B)/tests/kernel/elf/prog.o
	$(call quiet,LD,$@)$(LD) $(ELF_PROG_LDFLAGS) -Ttext=0x400000 $< -o $@

$(B)/tests/kernel/elf/prog.pie: $(B)/tests/kernel/elf/prog.o
	$(call quiet,LD,$@)$(LD) $(ELF_PROG_LDFLAGS) -pie --no-dynamic-linker $< -o $@

$(B)/tests/kernel/elf/image.o: tests/kernel/elf/image.S $(B)/tests/kernel/elf/prog.exec \
		$(B)/tests/kernel/elf/prog.pie Makefile
	$(call quiet,AS,$<)$(CC) $(ASFLAGS) -DELF_TEST_EXEC='"$(B)/tests/kernel/elf/prog.exec"' \
		-DELF_TEST_PIE='"$(B)/tests/kernel/elf/prog.pie"' -c $< -o $@
# ---- end of the ELF test program ----

# Files that must not be instrumented: the canary setter and the UBSAN runtime itself.
$(B)/kernel/stackprotector.o: CFLAGS += -fno-stack-protector
$(B)/kernel/ubsan.o: CFLAGS += -fno-sanitize=all

# The symbol table is linked into the kernel it describes: link once with an empty
# table, generate the table from that link, and link again with it. The .ksyms section
# is the last thing in .rodata, after all code, so adding it moves no function: the
# check proves that the final kernel's table is the one it contains.
$(KERNEL): $(OBJS) linker.ld scripts/gen-ksyms
	$(call quiet,LD,$@)scripts/gen-ksyms $(NM) > $(B)/ksyms0.c
	$(Q)$(CC) $(CFLAGS) -c $(B)/ksyms0.c -o $(B)/ksyms0.o
	$(Q)$(LD) $(LDFLAGS) -o $(B)/pass1.elf $(OBJS) $(B)/ksyms0.o
	$(Q)scripts/gen-ksyms $(NM) $(B)/pass1.elf > $(B)/ksyms.c
	$(Q)$(CC) $(CFLAGS) -c $(B)/ksyms.c -o $(B)/ksyms.o
	$(Q)$(LD) $(LDFLAGS) -o $@ $(OBJS) $(B)/ksyms.o
	@scripts/gen-ksyms $(NM) $@ | cmp -s - $(B)/ksyms.c || \
		{ echo "ksyms: symbol table does not match the final link" >&2; rm -f $@; exit 1; }

# The initramfs: rootfs/ of the repository plus INITRAMFS_EXTRA, a list of SRC:DEST pairs
# (DEST a path in the archive, "bin/init"; user/Makefile.inc adds the user programs there),
# staged in $(B)/initramfs/ and packed by scripts/mkcpio (sorted, mtime 0, uid/gid 0).
INITRAMFS_EXTRA ?=
-include user/Makefile.inc
ROOTFS_FILES := $(shell find rootfs -type f -o -type l 2>/dev/null)
initramfs_src = $(firstword $(subst :, ,$(1)))
initramfs_dest = $(word 2,$(subst :, ,$(1)))

# The list itself is a prerequisite: a changed INITRAMFS_EXTRA rewrites this file, and
# so repacks the archive even when every file in it is older than the last one.
$(B)/initramfs.list: FORCE
	@mkdir -p $(B) && echo '$(sort $(INITRAMFS_EXTRA))' | cmp -s - $@ || \
		echo '$(sort $(INITRAMFS_EXTRA))' > $@

$(B)/initramfs.cpio: $(ROOTFS_FILES) $(foreach p,$(INITRAMFS_EXTRA),$(call initramfs_src,$(p))) \
		$(B)/initramfs.list scripts/mkcpio Makefile
	$(Q)rm -rf $(B)/initramfs && mkdir -p $(B)/initramfs && cp -a rootfs/. $(B)/initramfs/
	$(Q)$(foreach p,$(INITRAMFS_EXTRA),install -D $(call initramfs_src,$(p)) \
		$(B)/initramfs/$(call initramfs_dest,$(p)) &&) true
	$(call quiet,CPIO,$@)$(PYTHON) scripts/mkcpio $@ $(B)/initramfs

$(ISO): $(KERNEL) iso/grub.cfg $(B)/initramfs.cpio
	@command -v grub-mkrescue >/dev/null || scripts/ensure-tools build
	$(Q)rm -rf $(B)/isodir && mkdir -p $(B)/isodir/boot/grub
	$(Q)cp $(KERNEL) $(B)/isodir/boot/teachos.elf
	$(Q)cp $(B)/initramfs.cpio $(B)/isodir/boot/initramfs.cpio
	$(Q)cp iso/grub.cfg $(B)/isodir/boot/grub/grub.cfg
	$(call quiet,ISO,$@)grub-mkrescue -o $@ $(B)/isodir 2>$(B)/grub-mkrescue.log || \
		{ cat $(B)/grub-mkrescue.log >&2; exit 1; }

iso: $(ISO)

# make run CMDLINE="loglevel=8" MEM=1G FIRMWARE=uefi SMP=4; DISK=... another image for vda
# (the default, $(B)/disk.img, is made empty once and keeps what the kernel writes).
# vdb is a 64 MiB swap area (mkswap'ed by scripts/mkswap-image): `swapon vdb` in the
# shell, or CMDLINE=swapon=vdb, uses it. SWAP= another image, SWAP= (empty) none.
DISK ?= $(B)/disk.img
SWAP ?= $(B)/swap.img
$(B)/disk.img:
	@mkdir -p $(dir $@)
	$(call quiet,DISK,$@)truncate -s 64M $@
$(B)/swap.img: scripts/mkswap-image
	@mkdir -p $(dir $@)
	$(call quiet,MKSWAP,$@)scripts/mkswap-image $@ 64
run: $(ISO) $(B)/disk.img $(if $(SWAP),$(SWAP))
	@scripts/ensure-tools run
	scripts/qemu --iso $(ISO) --mem $(MEM) --cmdline "$(CMDLINE)" --disk $(DISK) \
		$(if $(SWAP),--swap $(SWAP)) $(if $(FIRMWARE),--firmware $(FIRMWARE)) \
		$(if $(SMP),--smp $(SMP))

debug: $(ISO)
	@scripts/ensure-tools run
	scripts/qemu --iso $(ISO) --mem $(MEM) --cmdline "$(CMDLINE)" --gdb & \
		sleep 1; gdb -q -x scripts/gdbinit $(KERNEL); kill %1 2>/dev/null || true

HOST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 -fno-strict-aliasing -fsanitize=address,undefined \
	-fno-sanitize-recover=all -fno-builtin -Iinclude -Itests/host -DHOSTED_TEST
# The pure cores: code that touches no hardware, built unchanged for the host.
HOST_SRCS := lib/string.c lib/vsnprintf.c lib/args.c lib/getopt.c lib/cpulist.c lib/ktap.c lib/rbtree.c lib/radix_tree.c mm/filemap.c kernel/multiboot2.c kernel/memmap.c \
	kernel/ksyms.c mm/memblock.c $(wildcard mm/page_alloc*.c mm/buddyinfo.c) mm/pgtable.c \
	mm/vma.c mm/vma_gap.c mm/vma_maps.c mm/vmap_area.c \
	$(filter-out mm/slab_shell.c mm/slab_demo.c mm/slab_shrinker.c,$(wildcard mm/slab*.c)) mm/kmalloc.c \
	sched/rt.c sched/fair.c sched/idle.c sched/tables.c drivers/video/vt.c drivers/input/keymap.c \
	drivers/acpi/tables.c drivers/acpi/madt.c drivers/acpi/fadt.c \
	$(filter-out fs/console.c fs/initramfs_boot.c fs/fs_shell.c fs/binfmt_elf.c fs/exec.c \
		fs/process_files.c fs/pipe.c fs/sys_%.c fs/proc%.c,$(wildcard fs/*.c)) \
	$(wildcard tests/host/*.c)

$(B)/host/unit-tests: $(HOST_SRCS) $(wildcard include/*/*.h tests/host/*.h)
	@mkdir -p $(dir $@)
	$(or $(HOSTCC),cc) $(HOST_CFLAGS) $(HOST_SRCS) -lcriterion -o $@

# mm/tlb.c against a model CPU with a PCID-tagged TLB: its own binary, because it supplies
# the CR3/CR4/invlpg primitives that the main one's page-table tests stub differently.
TLB_TEST_SRCS := mm/tlb.c tests/host/tlb/test_tlb_pcid.c

$(B)/host/tlb-tests: $(TLB_TEST_SRCS) $(wildcard include/*/*.h)
	@mkdir -p $(dir $@)
	$(or $(HOSTCC),cc) $(HOST_CFLAGS) $(TLB_TEST_SRCS) -lcriterion -o $@

# Both run even when the first fails, so each reports.
test-host: $(B)/host/unit-tests $(B)/host/tlb-tests
	$(B)/host/unit-tests; s=$$?; $(B)/host/tlb-tests && exit $$s

# libFuzzer harnesses (clang): make fuzz runs the cpio reader's and the ELF checker's for
# FUZZ_RUNS inputs each; build/fuzz/fuzz_cpio -runs=N (or fuzz_elf) runs one by hand.
FUZZ_CC ?= clang
FUZZ_RUNS ?= 1000000
FUZZ_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 -fsanitize=fuzzer,address,undefined \
	-fno-sanitize-recover=all -fno-builtin -Iinclude -DHOSTED_TEST
FUZZ_CPIO_SRCS := fs/cpio.c lib/string.c tests/fuzz/fuzz_cpio.c
FUZZ_ELF_SRCS := tests/fuzz/fuzz_elf.c fs/elf_parse.c fs/elf_stack.c lib/string.c

build/fuzz/fuzz_cpio: $(FUZZ_CPIO_SRCS) $(wildcard include/*/*.h)
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_CPIO_SRCS) -o $@

build/fuzz/fuzz_elf: $(FUZZ_ELF_SRCS) $(wildcard include/*/*.h)
	@mkdir -p $(dir $@)
	$(call quiet,FUZZCC,$@)$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_ELF_SRCS) -o $@

# Seeds: the real archive, and real executables (musl static, static-pie, the loader
# test's hand-linked pair): mutations of a valid image reach far more of the checks.
FUZZ_ELF_SEEDS := $(B)/user/hello $(B)/user/hello-pie $(B)/tests/kernel/elf/prog.exec \
	$(B)/tests/kernel/elf/prog.pie
fuzz: build/fuzz/fuzz_cpio build/fuzz/fuzz_elf $(B)/initramfs.cpio $(FUZZ_ELF_SEEDS)
	@mkdir -p build/fuzz/corpus-cpio build/fuzz/corpus-elf
	cp $(B)/initramfs.cpio build/fuzz/corpus-cpio/initramfs.cpio
	cp $(FUZZ_ELF_SEEDS) build/fuzz/corpus-elf/
	build/fuzz/fuzz_cpio -runs=$(FUZZ_RUNS) -max_len=4096 build/fuzz/corpus-cpio
	build/fuzz/fuzz_elf -runs=$(FUZZ_RUNS) -max_len=65536 build/fuzz/corpus-elf

test:
	@scripts/ensure-tools test
	$(PYTHON) tests/run

# The long runs: the randomized model checks with 10 million operations each.
soak: $(B)/host/unit-tests
	TEST_ITERS=10000000 $(B)/host/unit-tests

# The long run of user/fuzz against the kernel: FUZZ_CALLS calls, a random seed unless
# FUZZ_SEED is given (scripts/fuzz-syscalls; make test runs a short one, user-fuzz).
FUZZ_CALLS ?= 1000000
fuzz-syscalls: $(ISO)
	@scripts/ensure-tools test
	$(PYTHON) scripts/fuzz-syscalls --iso $(ISO) --calls $(FUZZ_CALLS) \
		$(if $(FUZZ_SEED),--seed $(FUZZ_SEED))

bench: $(ISO)
	@scripts/ensure-tools bench
	$(PYTHON) scripts/bench --iso $(ISO)

compile_commands.json:
	bear --output $@ -- $(MAKE) -B $(KERNEL) $(B)/host/unit-tests

clean:
	rm -rf build build-*

-include $(OBJS:.o=.d)
