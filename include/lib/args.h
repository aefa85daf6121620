/*
 * Splitting a command line into arguments (lib/args.c): used for the kernel command
 * line and for shell command lines. Pure code, unit-tested on the host.
 */
#ifndef LIB_ARGS_H
#define LIB_ARGS_H

#include <kernel/compiler.h>

/*
 * Take the next argument from @s (modified in place: separators become NULs, quotes
 * are removed). Arguments are separated by spaces, tabs or newlines; double quotes group
 * words ("a b" or key="a b"). For "key=value" sets *val to value, else *val = NULL.
 * Returns the rest of the line, and *param = NULL when there are no more arguments.
 */
char *next_arg(char *s, char **param, char **val);

/* Split @s into at most @max words (shell style, quotes honoured). Returns the count. */
int split_args(char *s, char **argv, int max);

#endif
