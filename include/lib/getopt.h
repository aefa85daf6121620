/*
 * Option parsing for shell commands, as getopt_long(3) does it for the tools the shell
 * imitates: bundled short options ("-fp"), an option's argument attached or in the next
 * word ("-n5", "-n 5"), long options with a unique prefix ("--fi" for "--fifo") and
 * "--name=value", and "--" ending the options. Parsing stops at the first word that is
 * not an option, as getopt does with a leading '+' (POSIXLY_CORRECT): what follows is a
 * command or operands, never reordered. No global state: a struct getopt per parse.
 * Errors are returned, not printed; getopt_error() formats glibc's message for one.
 */
#ifndef LIB_GETOPT_H
#define LIB_GETOPT_H

#include <kernel/compiler.h>

struct longopt {
	const char *name;	/* without the "--" */
	bool has_arg;		/* takes a required argument */
	int val;		/* what getopt_next returns for it */
};

enum getopt_err {
	GETOPT_OK,
	GETOPT_UNKNOWN,		/* -x or --xyz that the command does not have */
	GETOPT_NEED_ARG,	/* -n or --name at the end, without its argument */
	GETOPT_NO_ARG,		/* --name=value for an option that takes none */
	GETOPT_AMBIGUOUS,	/* --x is a prefix of two long options */
};

struct getopt {
	int optind;		/* the next word to look at; start at 1 (GETOPT_INIT) */
	char *optarg;		/* the argument of the option just returned */
	int optopt;		/* the short option of an error, 0 for a long one */
	const char *badword;	/* the word of a long-option error, "--xyz" or "--xyz=v" */
	enum getopt_err err;
	int pos;		/* in a bundle "-abc": the index of the next letter, or 0 */
};

#define GETOPT_INIT { .optind = 1 }

/*
 * The next option of argv[1..argc-1]: its letter (from @shortopts, where "n:" means -n takes
 * an argument) or the val of a long option from @longopts (ended by a NULL name; may be
 * NULL); '?' on an error (g->err says which); -1 at the first operand, after "--", or at
 * the end, with g->optind at the first operand.
 */
int getopt_next(struct getopt *g, int argc, char **argv, const char *shortopts,
		const struct longopt *longopts);

/* glibc's message for the error getopt_next just returned, e.g. "chrt: invalid option -- 'x'". */
int getopt_error(const struct getopt *g, const char *prog, char *buf, size_t size);

#endif
