"""Swap and the OOM killer without it (docs/reclaim.md).

swap: a 64 MiB machine and a 128 MiB virtio disk that scripts/mkswap-image prepared.
      Before swapon, thrash with a working set of 1.5x RAM is killed by the OOM killer;
      swapon vda adds the area (its message, /proc/swaps, free's Swap line); then the same
      thrash completes with every page's pattern intact, its passes paying major faults,
      vmstat counting pages swapped in and out; a fork of a partly swapped-out address
      space keeps the parent's copy intact; at the end no slot is left in use. A disk
      without the signature and a second swapon are refused with a message. Last, with
      dev.block.fail_writes=40 (fault injection) a fork-mode thrash still finds every page
      intact: a failed write retires its slot and keeps the page in memory; once the
      programs exit, the 40 slots are gone from the area and none is left in use.
"""
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemulib  # noqa: E402

PROMPT = "teachos# "
IMAGE = os.path.join(ROOT, "build", "test-logs", "swap-vda.img")


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def make_swap_image():
    os.makedirs(os.path.dirname(IMAGE), exist_ok=True)
    subprocess.run([os.path.join(ROOT, "scripts", "mkswap-image"), IMAGE, "128"], check=True)


def kb(text, field):
    found = re.search(rf"^\s*(\d+) {field}$", text, re.M)
    return int(found.group(1)) if found else -1


def run_swap(m):
    name = m.spec.name
    m.expect(re.escape(PROMPT))
    total_kb = int(re.search(r"^MemTotal:\s+(\d+) kB", m.command("cat /proc/meminfo"),
                             re.M).group(1))
    work = total_kb * 3 // 2 >> 10	# MiB: 1.5x RAM
    no_swap = m.command(f"run thrash {work} 1")
    refused = m.command("swapon ram0")
    added = m.command("swapon vda")
    again = m.command("swapon vda")
    swaps = m.command("cat /proc/swaps")
    before = m.command("vmstat -s")
    out = m.command(f"run thrash {work} 2")
    after = m.command("vmstat -s")
    forked = m.command(f"run thrash {work * 2 // 3} 1 fork")
    passes = [int(n) for n in re.findall(r"^thrash: pass \d: \d+ pages, (\d+) major faults",
                                         out, re.M)]
    swapped_in = kb(after, "pages swapped in") - kb(before, "pages swapped in")
    swapped_out = kb(after, "pages swapped out") - kb(before, "pages swapped out")
    majflt = kb(after, "pgmajfault") - kb(before, "pgmajfault")
    m.command("vmstat 1 2")	# a second: kswapd may still hold the last batch's address space
    free = m.command("free -k")
    used = re.search(r"^Swap:\s+(\d+)\s+(\d+)\s+(\d+)", free, re.M)
    m.command("sysctl -q dev.block.fail_writes=40")
    failing = m.command(f"run thrash {work * 2 // 3} 1 fork")
    left = m.command("sysctl -n dev.block.fail_writes")
    m.command("vmstat 1 2")
    free_after = m.command("free -k")
    used_after = re.search(r"^Swap:\s+(\d+)\s+(\d+)\s+(\d+)", free_after, re.M)
    return [
        check(f"{name}: without swap, a working set of 1.5x RAM is killed by the OOM killer",
              re.search(r"Out of memory: Killed process \d+ \(thrash\)", no_swap) and
              "run: /bin/thrash: killed by signal 9 (SIGKILL)" in no_swap, no_swap),
        check(f"{name}: swapon refuses a disk without the signature, and a second area",
              "ram0: no swap signature" in refused and
              "swapon: vda: swapon failed: Device or resource busy" in again, refused + again),
        check(f"{name}: swapon adds the area: its message, /proc/swaps, free",
              re.search(r"Adding 131068k swap on /dev/vda\.  Priority:-2 extents:1 "
                        r"across:131068k", added) and
              re.search(r"^/dev/vda\s+partition\t131068\t", swaps, re.M), added + swaps),
        check(f"{name}: with swap the same working set completes, every page's pattern intact",
              f"thrash: {work} MiB checked over 2 passes: OK" in out, out),
        check(f"{name}: its passes are paid in major faults (thrashing), counted by vmstat",
              len(passes) == 2 and min(passes) > (work << 8) // 4 and
              majflt >= sum(passes) and swapped_in >= sum(passes) and
              swapped_out >= swapped_in, f"{passes} {majflt} {swapped_in} {swapped_out}\n{out}"),
        check(f"{name}: a fork of a partly swapped-out space keeps each process's pages",
              "the parent's" in forked and "survived the child's passes: OK" in forked, forked),
        check(f"{name}: every slot is free again after the programs exit",
              used and int(used.group(1)) == 131068 and int(used.group(2)) == 0, free),
        check(f"{name}: with 40 swap writes failing, every page of parent and child is intact",
              "survived the child's passes: OK" in failing and
              "slot retired, its page kept in memory" in failing and left.split()[-1:] == ["0"],
              failing + left),
        check(f"{name}: the 40 retired slots leave the area once their holders exit",
              used_after and int(used_after.group(1)) == 131068 - 40 * 4 and
              int(used_after.group(2)) == 0, free_after),
        check(f"{name}: no oops, panic or warning",
              not re.search(r"Oops|Kernel panic|WARNING|BUG", m.text()), m.text()[-3000:]),
    ]


def swap_boots(BootSpec):
    return [BootSpec("swap", run_swap, "", mem="64M", timeout=240,
                     qemu_extra=qemulib.virtio_disk(IMAGE), prepare=make_swap_image)]
