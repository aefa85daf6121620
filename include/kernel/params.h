/*
 * Kernel command-line parameters (kernel/params.c). A subsystem declares the ones
 * it understands with KERNEL_PARAM("name", setter); the setter gets the text after
 * '=' (or NULL for a bare word) and returns 0 or -EINVAL, in which case the value
 * is reported as invalid and ignored. Unknown parameters are listed once.
 * A parameter that only turns a bool on needs no setter: KERNEL_PARAM_FLAG("nofb", nofb,
 * NULL, ...) accepts the bare word, KERNEL_PARAM_FLAG("acpi", acpi_off, "off", ...) only
 * "acpi=off".
 */
#ifndef KERNEL_PARAMS_H
#define KERNEL_PARAMS_H

#include <kernel/compiler.h>

struct kernel_param {
	const char *name;
	int (*set)(const char *val);
	const char *usage;	/* what a valid value looks like, for the error message */
	bool *flag;		/* instead of set: made true by the one value accepted, */
	const char *flag_value;	/* this (NULL: the bare word) */
};

#define KERNEL_PARAM(pname, setter, use)                                              \
	static const struct kernel_param __param_##setter __used                      \
		__section(".kernel_params") __aligned(8) = { pname, setter, use, NULL, NULL }

#define KERNEL_PARAM_FLAG(pname, var, value, use)                                     \
	static const struct kernel_param __param_##var __used                         \
		__section(".kernel_params") __aligned(8) = { pname, NULL, use, &var, value }

#define CMDLINE_MAX 1024

extern char saved_command_line[CMDLINE_MAX];	/* as the boot loader gave it */
extern char *init_args;		/* what follows a bare "--": init's arguments, or NULL */

/* Copy and parse the boot command line. Returns the number of problems reported. */
int parse_kernel_cmdline(const char *cmdline);

/*
 * Parse @line (modified) against @params[0..n); the core of the above, for tests. With
 * @rest, a bare "--" stops the parse and *@rest points at the words after it.
 */
int parse_params(char *line, const struct kernel_param *params, size_t n, char **rest);

#endif
