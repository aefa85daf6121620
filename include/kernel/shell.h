/*
 * The kernel shell's command table. Any file adds a command with
 *	SHELL_COMMAND(name, function, "usage", "one-line help");
 * the linker gathers them (section .shell_cmds.NAME, sorted by name) and the shell
 * finds them there. A command returns 0, or -EINVAL for bad arguments, in which
 * case the shell prints its usage line.
 */
#ifndef KERNEL_SHELL_H
#define KERNEL_SHELL_H

#include <kernel/compiler.h>

struct shell_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *help;
};

#define SHELL_COMMAND(cname, cfn, cusage, chelp)                                       \
	static const struct shell_cmd __shell_cmd_##cname __used                       \
		__section(".shell_cmds." #cname) __aligned(8) = { #cname, cfn, cusage, chelp }

/* Run one command line as if typed (used by tests). Returns the command's result. */
int shell_execute(char *line);
/*
 * Run the command argv[0] with its arguments, already split (argv[argc] is NULL): what
 * chrt and nice do to run "a command" with other scheduling attributes.
 */
int shell_exec_argv(int argc, char **argv);
bool shell_has_command(const char *name);

#endif
