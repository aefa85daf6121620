"""Scenarios of the user programs in user/ (imported by scenarios.py): static musl builds
from the initramfs, run in ring 3.

user-programs: from the kernel shell's `run`: hello's argv and environment, the static PIE,
               memusage's lazy allocation (RSS flat after malloc, up by the block after
               the touch, within 1%), fork + COW (the COW fault count of `cowtest 16`
               minus that of `cowtest 0` is exactly 16), bad pointers give EFAULT, bad
               executables ENOEXEC/ENOENT/EACCES/ENOTDIR, a segfault kills only the
               program (with its one-line report), the fork bomb meets the process limit
               and is reaped, schedtest's FIFO / RR / CFS checks from user space, and
               spawntest's posix_spawn (clone with CLONE_VM | CLONE_VFORK), vfork,
               system() and pipes, and pgrptest's process groups, sessions and kill()
               to a group.
user-oom-choice: two holders and a grower that do not fit (oomtest): with oom_score_adj
               -500 / 500 the OOM killer takes the small one, with 0 / 0 the big one, as
               Linux's badness says; /proc/PID/oom_score matches the formula; the victim
               is reaped at once; the others live; MemFree comes back; choom's format.
user-init:     init=/sbin/init: user space's init is pid 1 and runs the user sh; its
               builtins, $?, "Segmentation fault", "not found"; ^C ends the foreground
               program while a background one lives on; exit restarts the shell.
"""
import re

from machine import Timeout

PROMPT = "teachos# "
USER_PROMPT = "$ "


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def vmstat_counter(m, name):
    out = m.command("vmstat -s")
    found = re.search(r"^\s*(\d+) " + re.escape(name) + r"$", out, re.M)
    return int(found.group(1)) if found else None


def run_hello(m, name):
    out = m.command("run hello one two")
    lines = [l for l in out.splitlines() if l and not l.startswith("run ")]
    want = ['argc = 3', 'argv[0] = "hello"', 'argv[1] = "one"', 'argv[2] = "two"']
    pie = m.command("run hello-pie x")
    return [
        check(f"{name}: hello prints its pid and argv from the initial stack",
              re.match(r"Hello from user space \(pid \d+\)$", lines[0] if lines else "") and
              lines[1:5] == want and re.match(r"envp: 3 strings$", lines[5] if len(lines) > 5
                                              else ""), out),
        check(f"{name}: the static PIE runs too", 'argv[1] = "x"' in pie and "argc = 2" in pie,
              pie),
    ]


def run_memusage(m, name):
    mark = len(m.log)
    m.send("run memusage 64\r")
    m.expect(r"press ENTER", since=mark)
    m.command("")
    out = m.text(mark)
    got = dict((w, (int(r), int(v))) for w, r, v in re.findall(
        r"^(started|after malloc|after touch): max RSS = (\d+) kB; vm size = (\d+) kB", out, re.M))
    if len(got) != 3:
        return [check(f"{name}: memusage reports three steps", False, out)]
    block = 64 * 1024
    (rss0, vm0), (rss1, vm1), (rss2, vm2) = got["started"], got["after malloc"], got["after touch"]
    return [
        check(f"{name}: memusage: malloc grows the vm size by the block, not the RSS (<1%)",
              vm1 - vm0 >= block and rss1 - rss0 < block / 100, out),
        check(f"{name}: memusage: touching grows the RSS by the block (within 1%)",
              abs((rss2 - rss1) - block) <= block / 100 and vm2 == vm1, out),
    ]


def run_cowtest(m, name):
    deltas, outs = {}, []
    for pages in (16, 0):
        before = vmstat_counter(m, "pgcowfault")
        out = m.command(f"run cowtest {pages}")
        after = vmstat_counter(m, "pgcowfault")
        outs.append(out)
        deltas[pages] = None if before is None or after is None else after - before
    ok = all("cowtest: PASS" in o and "FAIL" not in o for o in outs)
    return [
        check(f"{name}: cowtest: parent and child see private copies after writes", ok,
              "\n".join(outs)),
        check(f"{name}: cowtest: COW faults of 16 pages minus those of 0 pages is 16",
              None not in deltas.values() and deltas[16] - deltas[0] == 16,
              f"pgcowfault deltas {deltas}"),
    ]


def run_bad_calls(m, name):
    ef = m.command("run efault")
    bx = m.command("run badexec")
    return [
        check(f"{name}: efault: 18 calls with bad pointers, every one EFAULT",
              len(re.findall(r"\(Bad address\) ok$", ef, re.M)) == 18 and "efault: PASS" in ef
              and "FAIL" not in ef, ef),
        check(f"{name}: efault: a wild pointer to write gives EFAULT",
              re.search(r"write\(1, 0xdead0000 \(unmapped\), 16\)\s+= -1 \(Bad address\) ok", ef),
              ef),
        check(f"{name}: badexec: 4 broken files ENOEXEC, and ENOENT, EACCES, ENOTDIR",
              len(re.findall(r"Exec format error \(as expected\) ok", bx)) == 4 and
              "badexec: PASS" in bx and "FAIL" not in bx, bx),
    ]


def run_segv(m, name):
    out = m.command("run segv")
    stack = m.command("run segv stack")
    blocked = m.command("run segv blocked")
    ignored = m.command("run segv ignored")
    after = m.command("run hello")
    return [
        check(f"{name}: a NULL write kills the program with SIGSEGV and one report line",
              re.search(r"segv\[(\d+)\]: segfault at 10 ip [0-9a-f]{16} sp [0-9a-f]{16} error 6 "
                        r"in segv\[", out) and
              "run: /bin/segv: killed by signal 11 (SIGSEGV) (core dumped)" in out, out),
        check(f"{name}: a runaway recursion dies on the stack guard gap with SIGSEGV",
              "killed by signal 11 (SIGSEGV)" in stack, stack),
        check(f"{name}: a fault with SIGSEGV blocked kills (no handler runs) and is reported",
              re.search(r"segv\[\d+\]: segfault at 10 ", blocked) and "FAIL" not in blocked and
              "run: /bin/segv: killed by signal 11 (SIGSEGV)" in blocked, blocked),
        check(f"{name}: a fault with SIGSEGV ignored kills and is reported",
              re.search(r"segv\[\d+\]: segfault at 10 ", ignored) and "FAIL" not in ignored and
              "run: /bin/segv: killed by signal 11 (SIGSEGV)" in ignored, ignored),
        check(f"{name}: the kernel goes on running programs", "Hello from user space" in after,
              after),
    ]


def run_forkbomb(m, name):
    limit = re.search(r"kernel\.threads-max = (\d+)", m.command("sysctl kernel.threads-max"))
    out = m.command("run forkbomb 10")
    ps = m.command("ps")
    got = re.search(r"depth 10: 2046 forks wanted, (\d+) made, (\d+) refused \(EAGAIN (\d+), "
                    r"other (\d+)\), at most (\d+) alive at once, all reaped", out)
    if not got or not limit:
        return [check(f"{name}: forkbomb reports its counts", False, out)]
    made, refused, eagain, other, alive = map(int, got.groups())
    left = [l for l in ps.splitlines()[2:] if l.strip()]
    return [
        check(f"{name}: forkbomb: the process limit refuses forks with EAGAIN",
              refused > 0 and eagain == refused and other == 0 and made + refused < 2046, out),
        # Not `made`: it counts every fork over the run, and slots freed by reaped leaves
        # are taken again. What the limit bounds is the processes alive at one time.
        check(f"{name}: forkbomb: never more processes alive than kernel.threads-max",
              alive <= int(limit.group(1)), out),
        check(f"{name}: forkbomb: every process reaped, none left in ps",
              not any("forkbomb" in l for l in left), ps),
    ]


def run_schedtest(m, name):
    out = m.command("run schedtest")
    return [check(f"{name}: schedtest {t}", f"schedtest: {t}: PASS" in out, out)
            for t in ("fifo", "fifo-same", "rr", "cfs")]


def run_spawntest(m, name):
    out = m.command("run spawntest")
    oks = re.findall(r"^spawntest: .* ok$", out, re.M)
    return [check(f"{name}: spawntest: posix_spawn, vfork, system() and pipes, 16 checks",
                  len(oks) == 16 and "spawntest: PASS" in out and "FAIL" not in out, out)]


def run_pgrptest(m, name):
    out = m.command("run pgrptest")
    oks = re.findall(r"^pgrptest: .* ok$", out, re.M)
    return [check(f"{name}: pgrptest: process groups, sessions and kill() to a group, 17 checks",
                  len(oks) == 17 and "pgrptest: PASS" in out and "FAIL" not in out, out)]


def run_user_oom(m):
    """A 64 MiB machine and a hog without a limit: the OOM killer chooses the hog (the only
    candidate: the shell is a kernel thread) and kills it with SIGKILL (its own fault asked,
    so its memory comes back at its exit, not from the reaper), the task table naming it with most of the RAM as its RSS, and the kernel goes on running
    programs."""
    name = m.spec.name
    m.expect(re.escape(PROMPT))
    out = m.command("run hog")
    rows = {int(pid): (int(rss), comm) for pid, vm, rss, comm in
            re.findall(r"\] \[\s*(\d+)\]\s+\d+\s+\d+\s+(\d+)\s+(\d+)\s+.* (\S+)$", out, re.M)}
    killed = re.search(r"Out of memory: Killed process (\d+) \(hog\) "
                       r"total-vm:\d+kB, anon-rss:(\d+)kB, file-rss:\d+kB, shmem-rss:\d+kB, "
                       r"UID:0 pgtables:\d+kB oom_score_adj:0", out)
    total = re.search(r"of (\d+) pages$", out, re.M)
    after = m.command("run hello still")
    free = m.command("free -m")
    return [
        check(f"{name}: the hog is killed by SIGKILL, with Linux's one-line OOM verdict",
              killed and "run: /bin/hog: killed by signal 9 (SIGKILL)" in out, out[-2000:]),
        check(f"{name}: the task table shows the victim holding most of memory",
              killed and total and int(killed.group(1)) in rows and
              rows[int(killed.group(1))][0] * 2 > int(total.group(1)), out[-2000:]),
        check(f"{name}: the kernel goes on running programs", "Hello from user space" in after,
              after + free),
    ]


def meminfo_kb(m, field):
    return int(re.search(rf"^{field}:\s+(\d+) kB", m.command("cat /proc/meminfo"), re.M).group(1))


def c_div(a, b):
    """C's integer division (toward zero), as the kernel computes."""
    q = abs(a) // abs(b)
    return q if (a >= 0) == (b > 0) else -q


def oom_score(rss_kb, pte_kb, adj, total_pages):
    """Linux's /proc/PID/oom_score from the numbers /proc/PID/status shows."""
    badness = (rss_kb + pte_kb) // 4 + adj * (total_pages // 1000)
    return c_div((1000 + c_div(badness * 1000, total_pages)) * 2, 3)


def run_user_oom_choice(m):
    name = m.spec.name
    m.expect(re.escape(PROMPT))
    total_pages = meminfo_kb(m, "MemTotal") // 4
    free_before = meminfo_kb(m, "MemFree")
    avail = meminfo_kb(m, "MemAvailable") >> 10
    # Together 108%: the OOM killer must act once, when the grower has about 36% (less
    # than the big holder), and after the kill the other two fit.
    big, small, grow = avail * 42 // 100, avail * 22 // 100, avail * 44 // 100
    results = []
    # With the adjustments the small holder is the victim; without, the big one.
    for adj_big, adj_small, victim, survivor in ((-500, 500, "small", "big"),
                                                 (0, 0, "big", "small")):
        out = m.command(f"run oomtest {big} {adj_big} {small} {adj_small} {grow}")
        pids = dict(re.findall(r"^oomtest: (big|small) pid (\d+) adj", out, re.M))
        scores_ok = all(int(score) == oom_score(int(rss), int(pte), int(adj), total_pages)
                        for adj, rss, pte, score in re.findall(
                            r"^oomtest: \w+ pid \d+ adj (-?\d+) rss_kb (\d+) pte_kb (\d+) "
                            r"score (\d+)$", out, re.M)) and len(pids) == 2
        vpid = pids.get(victim, "?")
        adj_v = adj_small if victim == "small" else adj_big
        killed = re.search(rf"Out of memory: Killed process {vpid} \(oomtest\) total-vm:\d+kB, "
                           rf"anon-rss:\d+kB, file-rss:0kB, shmem-rss:0kB, UID:0 "
                           rf"pgtables:\d+kB oom_score_adj:{adj_v}$", out, re.M)
        tag = f"adj {adj_big}/{adj_small}"
        results += [
            check(f"{name}: {tag}: /proc/PID/oom_score is Linux's formula of the status numbers",
                  scores_ok, out),
            check(f"{name}: {tag}: the OOM killer kills the {victim} holder, and only it",
                  killed and len(re.findall(r"Out of memory: Killed", out)) == 1 and
                  f"oomtest: {victim} pid {vpid} killed by signal 9" in out, out),
            check(f"{name}: {tag}: the victim is reaped at once, before it runs",
                  re.search(rf"oom_reaper: reaped process {vpid} \(oomtest\), now "
                            r"anon-rss:0kB, file-rss:0kB, shmem-rss:0kB", out), out),
            check(f"{name}: {tag}: the {survivor} holder and the grower live on",
                  f"oomtest: {survivor} pid {pids.get(survivor)} survived" in out and
                  re.search(r"oomtest: grower pid \d+ exited 0", out), out),
        ]
    free_after = meminfo_kb(m, "MemFree")
    choom = m.command("choom -p 1") + m.command("choom -p 99999") + m.command("choom -n 5000 ls")
    results += [
        check(f"{name}: free memory returns to its level ({free_before} kB before, "
              f"{free_after} kB after)", free_after > free_before - 4096,
              f"{free_before} {free_after}"),
        check(f"{name}: choom shows a task's score and refuses a bad pid or value",
              "pid 1's current OOM score: 0\npid 1's current OOM score adjust value: 0" in choom
              and "choom: failed to read OOM score value: No such process" in choom and
              "choom: failed to set score adjust value: Invalid argument" in choom, choom),
        check(f"{name}: no oops, panic or warning",
              not re.search(r"Oops|Kernel panic|WARNING", m.text()), m.text()[-2000:]),
    ]
    return results


def run_user_programs(m):
    name = m.spec.name
    m.expect(re.escape(PROMPT))
    results = []
    for part in (run_hello, run_memusage, run_cowtest, run_bad_calls, run_segv, run_forkbomb,
                 run_schedtest, run_spawntest, run_pgrptest):
        try:
            results += part(m, name)
        except Timeout as e:
            results.append(check(f"{name}: {part.__name__}", False, str(e)))
            break
    text = m.text()
    results.append(check(f"{name}: no oops, panic or warning",
                         not re.search(r"Oops|Kernel panic|WARNING", text), text[-2000:]))
    return results


def run_user_init(m):
    name = m.spec.name
    cmd = lambda line: m.command(line, prompt=USER_PROMPT)
    m.expect(re.escape(USER_PROMPT))
    banner = m.text()
    checks = [check(f"{name}: user init is pid 1", "init: teachos user space, pid 1" in banner,
                    banner[-1500:])]
    cmd("cd /bin")
    checks.append(check(f"{name}: sh builtins cd and pwd", cmd("pwd").splitlines()[1:2] == ["/bin"]))
    segv = cmd("segv")
    status = cmd("echo $?")
    checks.append(check(f"{name}: a segfault is reported as bash does, $? = 139",
                        "Segmentation fault" in segv and status.splitlines()[1:2] == ["139"],
                        segv + status))
    missing = cmd("nosuch")
    status = cmd("echo $?")
    checks.append(check(f"{name}: a missing program: 'not found', $? = 127",
                        "sh: nosuch: not found" in missing and status.splitlines()[1:2] == ["127"],
                        missing + status))
    redirected = cmd("echo into a file > /tmp/echo.out")
    status = cmd("echo $?")
    content = cmd("blktest /tmp/echo.out read 0 64")	# pread of the file, whatever it is
    checks.append(check(f"{name}: a redirected builtin runs in the child, its output in the file",
                        "not found" not in redirected and
                        "into a file" not in "".join(redirected.splitlines()[1:]) and
                        status.splitlines()[1:2] == ["0"] and
                        "blktest: 12 bytes: into a file" in content,
                        redirected + status + content))
    bg = cmd("hog 4 &")
    bg_pid = re.search(r"\[(\d+)\]", bg)
    mark = len(m.log)
    m.send("hog 8\r")
    m.expect(r"hog: holding 8 MiB", since=mark)
    m.send("\x03")
    m.expect(re.escape(USER_PROMPT), since=len(m.log))
    fg = m.text(mark)
    checks.append(check(f"{name}: ^C ends the foreground program (its SIGINT handler runs)",
                        "hog: Interrupt: released 8 MiB" in fg, fg))
    mark = len(m.log)
    killed = cmd(f"kill -USR1 {bg_pid.group(1)}" if bg_pid else "echo no pid")
    try:	# its handler runs when it is next scheduled: after the prompt, maybe
        m.expect(r"hog: User defined signal 1: released 4 MiB", since=mark, timeout=10)
        released = True
    except Timeout:
        released = False
    checks.append(check(f"{name}: the background program ignored ^C and lives on until killed",
                        bg_pid is not None and released, bg + fg + killed + m.text(mark)))
    mark = len(m.log)
    m.send("exit 3\r")
    m.expect(re.escape(USER_PROMPT), since=mark)
    out = m.text(mark)
    checks.append(check(f"{name}: init reaps the shell and starts it again",
                        re.search(r"init: shell \(pid \d+\) exited with status 3", out) and
                        "init: restarting the shell" in out, out))
    checks.append(check(f"{name}: the new shell answers", cmd("echo back").splitlines()[1:2] ==
                        ["back"]))
    return checks
