/*
 * hello: the first user program. It prints one line with its process id, then its
 * arguments and how many environment strings it was given. Everything it prints comes
 * from the initial stack the kernel built (argc, argv[], envp[]) and from one system call,
 * getpid. Built twice: as a static ET_EXEC (hello) and as a static PIE (hello-pie), which
 * the ELF loader must place at a base address of its choosing. See docs/user.md.
 */
#include <stdio.h>
#include <unistd.h>

int main(int argc, char **argv, char **envp)
{
	int envc = 0;

	while (envp[envc])
		envc++;
	printf("Hello from user space (pid %d)\n", (int)getpid());
	printf("argc = %d\n", argc);
	for (int i = 0; i < argc; i++)
		printf("argv[%d] = \"%s\"\n", i, argv[i]);
	printf("envp: %d strings\n", envc);
	return 0;
}
