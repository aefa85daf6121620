"""Running the teachos ISO in QEMU: shared by `make run`, `make debug`, the test
harness (tests/run) and `make bench`.

The ISO is built once. A run's kernel command line travels on a tiny FAT disk
image holding /teachos.cfg, which iso/grub.cfg sources when GRUB finds it, so one
ISO serves every test. The machine is QEMU's default `pc`, with an isa-debug-exit
device at port 0xf4 through which the kernel tests report their status; `q35`
is the other machine type the tests boot.
"""
import os
import re
import shutil
import subprocess

OVMF = "/usr/share/ovmf/OVMF.fd"
DEBUG_EXIT_PORT = "0xf4"


def make_cfg_disk(path, cmdline, timeout=0):
    """Write a 1.44 MB FAT image at `path` telling GRUB the command line."""
    cfg = path + ".cfg"
    # Inside GRUB's double quotes, \ " and $ must be escaped to stay literal.
    quoted = re.sub(r'([\\"$])', r"\\\1", cmdline)
    with open(cfg, "w") as f:
        f.write(f"set timeout={timeout}\nset kcmdline=\"{quoted}\"\n")
    if os.path.exists(path):
        os.remove(path)
    subprocess.run(["mformat", "-C", "-f", "1440", "-i", path, "::"], check=True)
    subprocess.run(["mcopy", "-i", path, cfg, "::/teachos.cfg"], check=True)
    os.remove(cfg)
    return path


def qemu_command(iso, cfg_disk=None, mem="256M", cpu="max", smp=1, firmware="bios",
                 icount=False, machine="pc", monitor=None, extra=(), no_reboot=True):
    """The QEMU command line for one boot. @machine is pc (i440fx) or q35; @monitor, a
    Unix socket path for QEMU's human monitor (sendkey, screendump); the caller's @extra
    says where the serial port goes ("-serial stdio", or "-serial none" for no UART)."""
    cmd = ["qemu-system-x86_64", "-machine", machine, "-m", mem, "-cpu", cpu,
           "-smp", str(smp), "-display", "none",
           "-boot", "d", "-cdrom", iso,
           "-device", f"isa-debug-exit,iobase={DEBUG_EXIT_PORT},iosize=0x04"]
    if cfg_disk:
        cmd += ["-drive", f"file={cfg_disk},format=raw,if=ide,index=0"]
    if no_reboot:
        cmd += ["-no-reboot"]
    if firmware == "uefi":
        cmd += ["-bios", OVMF]
    if icount:
        cmd += ["-icount", "shift=0"]
    if monitor:
        cmd += ["-monitor", f"unix:{monitor},server=on,wait=off"]
    cmd += list(extra)
    return cmd


def virtio_disk(path, name="vda", legacy=True, modern=True, readonly=False):
    """QEMU arguments for a raw disk image @path as a virtio-blk PCI device: transitional
    (both interfaces) unless @legacy or @modern is turned off."""
    dev = f"virtio-blk-pci,drive={name}"
    if not legacy:
        dev += ",disable-legacy=on"
    if not modern:
        dev += ",disable-modern=on"
    drive = f"file={path},format=raw,if=none,id={name}" + (",readonly=on" if readonly else "")
    return ["-drive", drive, "-device", dev]


def make_disk_image(path, mib=64):
    """An empty (sparse) raw disk image of @mib MiB, unless one is there already."""
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.truncate(mib << 20)
    return path


def have_ovmf():
    return os.path.exists(OVMF)


def qemu_available():
    return shutil.which("qemu-system-x86_64") is not None
