/*
 * The system calls teachos implements, by their Linux x86_64 numbers: one line each,
 * X(number, name). Only macros, no includes: kernel/syscall.c expands them into the
 * dispatch table, include/kernel/syscalls.h into the handlers' prototypes, and
 * user/fuzz.c into the list of numbers that must not answer -ENOSYS.
 */
#ifndef KERNEL_SYSCALL_LIST_H
#define KERNEL_SYSCALL_LIST_H

#define SYSCALLS_PROCESS(X)						\
	X(39, getpid) X(110, getppid) X(186, gettid)			\
	X(60, exit) X(231, exit_group) X(61, wait4)			\
	X(57, fork) X(58, vfork) X(56, clone)		\
	X(218, set_tid_address) X(158, arch_prctl)			\
	X(102, getuid) X(107, geteuid) X(104, getgid) X(108, getegid)	\
	X(63, uname) X(318, getrandom) X(98, getrusage)			\
	X(13, rt_sigaction) X(14, rt_sigprocmask) X(15, rt_sigreturn)	\
	X(62, kill) X(234, tgkill)					\
	X(109, setpgid) X(121, getpgid) X(111, getpgrp)			\
	X(112, setsid) X(124, getsid)

#define SYSCALLS_MM(X)							\
	X(12, brk) X(9, mmap) X(11, munmap) X(10, mprotect) X(28, madvise)

#define SYSCALLS_SCHED(X)						\
	X(24, sched_yield) X(144, sched_setscheduler)			\
	X(145, sched_getscheduler) X(142, sched_setparam)		\
	X(143, sched_getparam) X(146, sched_get_priority_max)		\
	X(147, sched_get_priority_min) X(148, sched_rr_get_interval)	\
	X(141, setpriority) X(140, getpriority)				\
	X(203, sched_setaffinity) X(204, sched_getaffinity) X(309, getcpu)	\
	X(35, nanosleep) X(230, clock_nanosleep) X(228, clock_gettime)	\
	X(96, gettimeofday) X(201, time)

#define SYSCALLS_FS(X)							\
	X(0, read) X(1, write) X(17, pread64) X(18, pwrite64)		\
	X(19, readv) X(20, writev) X(8, lseek) X(16, ioctl)		\
	X(2, open) X(257, openat) X(3, close) X(72, fcntl)		\
	X(32, dup) X(33, dup2) X(292, dup3)				\
	X(4, stat) X(5, fstat) X(6, lstat) X(262, newfstatat)		\
	X(21, access) X(269, faccessat) X(217, getdents64)		\
	X(89, readlink) X(267, readlinkat)				\
	X(83, mkdir) X(258, mkdirat) X(84, rmdir)			\
	X(87, unlink) X(263, unlinkat)					\
	X(79, getcwd) X(80, chdir) X(59, execve)			\
	X(22, pipe) X(293, pipe2)					\
	X(74, fsync) X(75, fdatasync) X(162, sync)

#define SYSCALLS(X) SYSCALLS_PROCESS(X) SYSCALLS_MM(X) SYSCALLS_SCHED(X) SYSCALLS_FS(X)

#endif
