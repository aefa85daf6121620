/*
 * Kernel-wide odds and ends: the version banner, power control, and the early
 * setup steps kmain calls in order (kernel/main.c).
 */
#ifndef KERNEL_KERNEL_H
#define KERNEL_KERNEL_H

#include <kernel/compiler.h>

extern const char kernel_version[];	/* "teachos 0.1.0 (gcc ...)" */

void machine_restart(void) __noreturn;	/* kernel/reboot.c */
void machine_halt(void) __noreturn;
void machine_power_off(void) __noreturn;	/* ACPI S5, else halt */
void qemu_exit(int status);		/* isa-debug-exit: QEMU exits with (status << 1) | 1 */

void boot_stack_protector_init(void);	/* kernel/stackprotector.c */
extern bool stack_canary_from_rdrand;
void shell_run(void) __noreturn;	/* kernel/shell.c */
int ktest_run(const char *filter);	/* kernel/ktest.c: failures, or -1 if none matched */
void crash_run(const char *kind);	/* kernel/crash.c */
void kmain(uint32_t magic, uint64_t info_phys) __noreturn;	/* kernel/main.c */

#endif
