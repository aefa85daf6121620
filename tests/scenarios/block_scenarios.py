"""Disks: PCI enumeration, virtio-blk and the block layer (docs/block.md).

Each boot gets a 64 MiB raw image the host filled with labelled sectors ("teachos disk
sector N" at the start of sectors 0..127); the kernel reads one back, writes another and
flushes, and after QEMU is gone the host reads the image itself: what the kernel wrote
must be there, byte for byte, and nothing else may have changed. Then /dev/vda through the
page cache (user/blktest): its checks, a write that the image gets only at `sync` (read by
the host while QEMU runs), and a cached re-read that costs no I/O.

block-pc:           i440fx, ports 0xcf8/0xcfc, transitional device used as virtio 1.0, MSI-X
block-q35-legacy:   q35, ECAM from the MCFG, the legacy interface (disable-modern), MSI-X
block-modern-polled: modern only (disable-legacy), pci=nomsi: the queue is polled
block-readonly:     a read-only image: writes fail with EROFS, the image is unchanged
"""
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "scripts"))
import qemulib  # noqa: E402

SECTOR = 512
LABELLED = 128
IMAGE_DIR = os.path.join(ROOT, "build", "test-logs")


def check(name, ok, detail=""):
    return (name, "pass" if ok else "fail", "" if ok else detail)


def label(n):
    return f"teachos disk sector {n}".encode()


def image_path(name):
    return os.path.join(IMAGE_DIR, name + "-vda.img")


def make_image(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(64 << 20)
        for n in range(LABELLED):
            f.seek(n * SECTOR)
            f.write(label(n))
    return path


def sector(path, n):
    with open(path, "rb") as f:
        f.seek(n * SECTOR)
        return f.read(SECTOR)


def hexdump_text(out):
    """The printable column of `blk read`'s hexdump lines, joined."""
    return "".join(re.findall(r"^[0-9a-f]{8}  .{49} \|(.*)\|$", out, re.M))


def diskstats(out, disk):
    m = re.search(rf"^\s*\d+\s+\d+ {disk} (.*)$", out, re.M)
    return [int(x) for x in m.group(1).split()] if m else None


def image_bytes(path, offset, n):
    with open(path, "rb") as f:
        f.seek(offset)
        return f.read(n)


def meminfo_kb(m, field):
    found = re.search(rf"^{field}:\s+(\d+) kB", m.command("meminfo"), re.M)
    return int(found.group(1)) if found else None


def page_cache_checks(m, name, path):
    """/dev/vda through the page cache: blktest's checks, then a write that stays dirty in
    memory (the image does not have it) until sync (now it does), and a cached re-read that
    costs no I/O."""
    test = m.command("run blktest /dev/vda check disk sector 8")
    text, at = b"only in the page cache", 3 << 20
    m.command(f"run blktest /dev/vda write {at} {text.decode()}")
    dirty = meminfo_kb(m, "Dirty")
    before = image_bytes(path, at, len(text))
    m.command("sync")
    after = image_bytes(path, at, len(text))
    clean = meminfo_kb(m, "Dirty")
    reads0 = diskstats(m.command("diskstats"), "vda")
    again = m.command(f"run blktest /dev/vda read {at} {len(text)}")
    reads1 = diskstats(m.command("diskstats"), "vda")
    sums = m.command("vmstat -s")
    paged = {k: int(v) for v, k in re.findall(r"^\s*(\d+) pages paged (in|out)$", sums, re.M)}
    lines = [l.split() for l in m.command("vmstat 1 2").splitlines()
             if re.match(r"^\s*\d+(\s+\d+){16}\s*$", l)]
    return [
        check(f"{name}: blktest: /dev/vda's size, reads, writes, fsync, ENOSPC, 8 checks",
              len(re.findall(r"^blktest: .* ok$", test, re.M)) == 8 and "blktest: PASS" in test,
              test),
        check(f"{name}: a write without fsync stays in the page cache (Dirty: 4 kB, the "
              "image unchanged) until sync writes it (Dirty: 0, the image has it)",
              dirty == 4 and before == bytes(len(text)) and after == text and clean == 0,
              f"Dirty {dirty} -> {clean}, image {before!r} -> {after!r}"),
        check(f"{name}: reading cached bytes again does no I/O",
              text.decode() in again and reads0 and reads1 and reads0[0] == reads1[0],
              f"{again} reads {reads0} -> {reads1}"),
        # diskstats also has the `blk` commands' sectors (2 read, 1 written), which go
        # under the cache; the rest came through it, 2 sectors a KiB.
        check(f"{name}: vmstat -s counts the KiB paged in and out as diskstats' sectors",
              reads1 is not None and paged.get("in") == (reads1[2] - 2) // 2 and
              paged.get("out") == (reads1[6] - 1) // 2, f"{paged} {reads1}"),
        check(f"{name}: vmstat 1 2: two lines of 17 columns, the CPU columns adding to 100",
              len(lines) == 2 and all(sum(map(int, l[12:17])) == 100 for l in lines),
              str(lines)),
    ]


def run_block(modern_line, readonly=False):
    def run(m):
        name = m.spec.name
        path = image_path(name)
        m.expect(r"teachos# ")
        log = m.text()
        lspci = m.command("lspci -nn")
        lsblk = m.command("lsblk")
        read = m.command("blk read vda 42")
        write = m.command("blk write vda 77 written by the teachos kernel")
        back = m.command("blk read vda 77")
        flush = m.command("blk flush vda")
        stats = diskstats(m.command("diskstats"), "vda")
        cache = [] if readonly else page_cache_checks(m, name, path)
        m.send("poweroff\r")
        m.wait_exit()	# QEMU gone: the image is the host's to read
        got = sector(path, 77)
        want = b"teachos disk sector 77" if readonly else b"written by the teachos kernel"
        checks = [
            check(f"{name}: the driver binds the device as it should ({modern_line})",
                  re.search(modern_line, log), log[-3000:]),
            check(f"{name}: lspci names the disk as pciutils does",
                  re.search(r"^00:0\d\.0 SCSI storage controller \[0100\]: Red Hat, Inc\. Virtio "
                            r"(1\.0 )?block device \[1af4:10(01|42)\]", lspci, re.M), lspci),
            check(f"{name}: lsblk shows vda, 64M",
                  re.search(r"^vda\s+253:0\s+0\s+64M\s+%d disk" % readonly, lsblk, re.M), lsblk),
            check(f"{name}: a sector the host wrote reads back", "teachos disk sector 42"
                  in hexdump_text(read) and read.count("\n") >= 3, read),
            check(f"{name}: the host's image holds what the kernel wrote (sector 77), and "
                  "sector 76 is untouched",
                  got.startswith(want) and (readonly or got[len(want):] == bytes(SECTOR - len(want)))
                  and sector(path, 76).startswith(label(76)), repr(got[:64])),
        ]
        if readonly:
            checks.append(check(f"{name}: a write to a read-only disk fails with EROFS",
                                "blk: vda: Read-only file system" in write, write))
        else:
            checks.append(check(f"{name}: the written sector reads back",
                                "written by the teachos kernel" in hexdump_text(back), back))
            checks.append(check(f"{name}: diskstats counts 2 reads, 1 write, 1 flush, 3 sectors",
                                stats is not None and stats[0] == 2 and stats[2] == 2 and
                                stats[4] == 1 and stats[6] == 1 and stats[15] == 1 and
                                stats[8] == 0 and "blk:" not in flush, f"{stats} {flush}"))
        if not readonly:
            with open(path, "rb") as f:
                f.seek((1 << 20) + 4000)
                pattern = f.read(6000)
            checks.append(check(f"{name}: blktest's fsynced 6000 bytes are in the image",
                                pattern == bytes(ord("a") + i % 26 for i in range(6000))))
        os.remove(path)
        return checks + cache
    return run


def block_boots(BootSpec):
    specs = [
        ("block-pc", "pc", "", dict(), r"vda: virtio 1\.0, 131072 sectors.*MSI-X, flush", False),
        ("block-q35-legacy", "q35", "", dict(modern=False),
         r"PCI: ECAM \[mem 0x[0-9a-f]+-0x[0-9a-f]+\] .*\n(.*\n)*.*vda: virtio legacy, "
         r"131072 sectors.*queue of 256, MSI-X", False),
        ("block-modern-polled", "pc", "pci=nomsi", dict(legacy=False),
         r"no MSI-X: the queue is polled(.*\n)*.*vda: virtio 1\.0.*polled", False),
        ("block-readonly", "pc", "", dict(readonly=True), r"vda: virtio 1\.0.*read-only", True),
    ]
    boots = []
    for name, machine, cmdline, disk, line, ro in specs:
        path = image_path(name)
        boots.append(BootSpec(name, run_block(line, ro), cmdline, machine=machine,
                              qemu_extra=qemulib.virtio_disk(path, **disk),
                              prepare=lambda p=path: make_image(p)))
    return boots
