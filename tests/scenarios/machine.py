"""One QEMU boot under test: start it, read its serial port as it comes, wait for
patterns, type into the shell, and wait for QEMU to exit. Used by tests/run.

The serial log is kept raw (with GRUB's escape sequences and CR LF) in `log`;
`text()` gives it cleaned: no escape sequences, no CRs.
"""
import os
import re
import socket
import subprocess
import threading
import time

import qemulib

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
TIMESTAMP = re.compile(r"^\[\s*\d+\.\d{6}\] ", re.M)


class Timeout(Exception):
    pass


class Machine:
    def __init__(self, spec, iso, log_dir):
        self.spec = spec
        self.log = ""
        self.returncode = None
        self.commands_sent = 0
        self._lock = threading.Condition()
        base = os.path.join(log_dir, spec.name)
        self.log_path = base + ".log"
        self.disk = qemulib.make_cfg_disk(base + ".img", spec.cmdline)
        if getattr(spec, "prepare", None):
            spec.prepare()
        self.monitor_path = base + ".mon"
        self._monitor = None
        cmd = qemulib.qemu_command(iso, self.disk, mem=spec.mem, cpu=spec.cpu,
                                   smp=getattr(spec, "smp", 1),
                                   firmware=spec.firmware, icount=spec.icount,
                                   machine=spec.machine, monitor=self.monitor_path,
                                   no_reboot=getattr(spec, "no_reboot", True),
                                   extra=["-serial", "stdio" if spec.serial else "none"] +
                                   list(getattr(spec, "qemu_extra", ())))
        self.started = time.monotonic()
        self.deadline = self.started + spec.timeout
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            chunk = self.proc.stdout.read1(4096)
            if not chunk:
                break
            with self._lock:
                self.log += chunk.decode("utf-8", "replace")
                self._lock.notify_all()
        self.proc.wait()
        with self._lock:
            self.returncode = self.proc.returncode
            self._lock.notify_all()

    def text(self, since=0):
        """The log from offset @since, without escape sequences and carriage returns."""
        with self._lock:
            raw = self.log[since:]
        return ANSI.sub("", raw).replace("\r", "")

    def kernel_lines(self):
        """Lines the kernel printed through printk, without their timestamps."""
        return [TIMESTAMP.sub("", l) for l in self.text().splitlines() if TIMESTAMP.match(l)]

    def expect(self, pattern, since=0, timeout=None):
        """Wait until @pattern (a regex) appears in the log after offset @since; returns
        (match, length of the log when it matched). Raises Timeout at the boot's deadline."""
        end = min(self.deadline, time.monotonic() + timeout) if timeout else self.deadline
        rx = re.compile(pattern, re.M)
        with self._lock:
            while True:
                m = rx.search(ANSI.sub("", self.log[since:]).replace("\r", ""))
                if m:
                    return m, len(self.log)
                if self.returncode is not None:
                    raise Timeout(f"QEMU exited ({self.returncode}) before /{pattern}/ appeared")
                left = end - time.monotonic()
                if left <= 0:
                    raise Timeout(f"no /{pattern}/ after {time.monotonic() - self.started:.0f} s")
                self._lock.wait(min(left, 0.5))

    def send(self, text):
        self.proc.stdin.write(text.encode())
        self.proc.stdin.flush()

    def command(self, line, prompt="teachos# ", enter="\r"):
        """Type @line (and Enter) at the shell and return what it printed before the next
        prompt. Each call must produce exactly one prompt, or the next call sees a stale one."""
        mark = len(self.log)
        self.commands_sent += 1
        self.send(line + enter)
        m, _ = self.expect(re.escape(prompt), since=mark)
        out = self.text(mark)
        return out[:out.rfind(prompt)]

    def wait_exit(self):
        """Wait for QEMU to exit by itself; returns its status, or raises Timeout."""
        with self._lock:
            while self.returncode is None:
                left = self.deadline - time.monotonic()
                if left <= 0:
                    raise Timeout(f"QEMU still running after {self.spec.timeout} s")
                self._lock.wait(min(left, 0.5))
            return self.returncode

    def monitor(self, line, timeout=30):
        """Run one command in QEMU's human monitor (sendkey, screendump ...) and return
        what it answered."""
        if self._monitor is None:
            end = time.monotonic() + 10
            while True:
                try:
                    self._monitor = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                    self._monitor.connect(self.monitor_path)
                    break
                except OSError:
                    self._monitor.close()
                    self._monitor = None
                    if time.monotonic() > end:
                        raise
                    time.sleep(0.1)
            self._monitor.settimeout(timeout)
            self._monitor_read()	# the banner and the first prompt
        self._monitor.sendall(line.encode() + b"\n")
        out = ANSI.sub("", self._monitor_read()).replace("\r", "")
        # The monitor echoes the command first; what follows is its answer.
        return out.split("\n", 1)[1] if "\n" in out else ""

    def _monitor_read(self):
        buf = b""
        while not buf.endswith(b"(qemu) "):
            chunk = self._monitor.recv(4096)
            if not chunk:
                break
            buf += chunk
        return buf.decode("utf-8", "replace")[:-len("(qemu) ")]

    def stop(self):
        if self._monitor is not None:
            self._monitor.close()
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self._reader.join(timeout=5)
        with open(self.log_path, "w") as f:
            f.write(self.log)

    def remove_files(self):
        for p in (self.log_path, self.disk, self.monitor_path):
            if os.path.exists(p):
                os.remove(p)
