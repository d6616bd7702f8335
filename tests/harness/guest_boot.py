"""A real Debian 12 guest booted from our config drive, as the boot tests reach it.

``tools/guest/setup.sh`` builds the guest image once per machine (cached under
~/.cache/multinic-guest); the session fixture runs it, so ``pytest -m guest_boot`` alone works
as well as ``make test``. The guest runs cloud-init on the config drive, then its report unit
(tools/guest/report.py) prints what it really has to the serial console and powers off; this
module boots it under qemu and reads that report back. Nothing is skipped when a tool is
missing: setup failing fails the tests that need it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SETUP = REPO / "tools" / "guest" / "setup.sh"
BEGIN = "===MULTINIC-REPORT-BEGIN==="
END = "===MULTINIC-REPORT-END==="
# TCG, one boot about a minute (the measurements); room for two at once on 2 cores.
BOOT_TIMEOUT = 600
CONSOLE_TAIL = 80  # lines shown when a guest fails to report


@dataclass(frozen=True)
class GuestImage:
    root: Path  # the cache entry: root.ext4, vmlinuz, initrd.img

    def command(self, iso: Path, macs: list[str]) -> list[str]:
        """qemu for one boot: the image (never written: -snapshot, as cloud-init keeps its
        state there), the ISO as the CD-ROM ds-identify finds config-2 on, and one virtio NIC
        per MAC, in order, each on a user-mode network that reaches nothing."""
        command = [
            # Ended by coreutils too, so a guest that never powers off does not outlive a
            # test run that was interrupted.
            "timeout", "--kill-after=10", str(BOOT_TIMEOUT),
            "qemu-system-x86_64", "-accel", accelerator(), "-m", "1024", "-smp", "2",
            "-nographic", "-no-reboot", "-snapshot",
            "-kernel", str(self.root / "vmlinuz"), "-initrd", str(self.root / "initrd.img"),
            # floppy: the driver probes a drive qemu does not have, for seconds, under TCG.
            "-append", "root=/dev/vda rw console=ttyS0 modprobe.blacklist=floppy",
            "-drive", f"file={self.root / 'root.ext4'},format=raw,if=virtio",
            "-cdrom", str(iso),
        ]
        for number, mac in enumerate(macs):
            command += ["-netdev", f"user,id=nic{number},restrict=on,ipv6=off",
                        "-device", f"virtio-net-pci,netdev=nic{number},mac={mac}"]
        return command


def accelerator() -> str:
    """TCG unless MULTINIC_GUEST_ACCEL says otherwise. These machines' /dev/kvm exists, opens,
    and hangs the guest's kernel (measured on them), so its presence proves nothing; a probe
    that proves KVM works would be a boot of its own, which costs what it might save."""
    return os.environ.get("MULTINIC_GUEST_ACCEL", "tcg")


@dataclass
class Boot:
    """One guest running (or done): its console, and the report it printed."""

    name: str
    process: subprocess.Popen
    console: Path
    started: float
    seconds: float | None = None

    def wait(self) -> None:
        try:
            self.process.wait(timeout=max(1.0, BOOT_TIMEOUT - (time.monotonic() -
                                                               self.started)))
        except subprocess.TimeoutExpired:
            self.stop()
        self.seconds = time.monotonic() - self.started

    def stop(self) -> None:
        """TERM, which timeout(1) passes on to qemu (a KILL would leave qemu running)."""
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def text(self) -> str:
        return self.console.read_text(errors="replace").replace("\r", "")

    def tail(self) -> str:
        lines = self.text().splitlines()[-CONSOLE_TAIL:]
        return f"--- {self.name}: last {len(lines)} console lines ---\n" + "\n".join(lines)

    def report(self) -> dict:
        """The guest's report; a failure with the console's tail when there is none whole."""
        match = re.search(rf"^{BEGIN}\n(.*)\n{END} sha256=([0-9a-f]{{64}})$", self.text(),
                          re.MULTILINE)
        if match is None:
            pytest.fail(f"{self.name}: the guest printed no report "
                        f"(qemu exit {self.process.returncode}, {self.seconds:.0f} s)\n"
                        f"{self.tail()}")
        document, digest = match.groups()
        if hashlib.sha256(document.encode()).hexdigest() != digest:
            pytest.fail(f"{self.name}: the report arrived garbled\n{self.tail()}")
        return json.loads(document)


def boot(image: GuestImage, name: str, iso: bytes, macs: list[str], workdir: Path) -> Boot:
    """Start one guest (several may run at once); ``Boot.wait`` waits for its power-off."""
    workdir.mkdir(parents=True, exist_ok=True)
    iso_path = workdir / f"{name}.iso"
    iso_path.write_bytes(iso)
    console = workdir / f"{name}.console"
    with console.open("wb") as output:
        process = subprocess.Popen(image.command(iso_path, macs), stdin=subprocess.DEVNULL,
                                   stdout=output, stderr=subprocess.STDOUT)
    return Boot(name, process, console, time.monotonic())


# --- reading the report -------------------------------------------------------------------

# The bonding driver's names for its modes (bond_mode_name(), drivers/net/bonding).
KERNEL_MODES = {
    "load balancing (round-robin)": "balance-rr",
    "fault-tolerance (active-backup)": "active-backup",
    "load balancing (xor)": "balance-xor",
    "fault-tolerance (broadcast)": "broadcast",
    "IEEE 802.3ad Dynamic link aggregation": "802.3ad",
    "transmit load balancing": "balance-tlb",
    "adaptive load balancing": "balance-alb",
}


def parse_bonding(text: str) -> dict:
    """/proc/net/bonding/<bond>: the bond's settings (first "key: value" of each key before
    the members) and each member's, in the driver's own words."""
    bond: dict = {}
    members: list[dict] = []
    for line in text.splitlines():
        key, colon, value = line.partition(":")
        if not colon:
            continue
        key, value = key.strip(), value.strip()
        if key == "Slave Interface":
            members.append({})
        target = members[-1] if members else bond
        target.setdefault(key, value)
    bond["members"] = members
    return bond


def interface_by_mac(report: dict, mac: str) -> dict:
    """The one plain interface with this MAC: not a bond, nor a bond's member (they carry
    their bond's MAC)."""
    found = [link for link in report["addr"] if link.get("address") == mac
             and "master" not in link and link["ifname"] not in report["bonding"]]
    assert len(found) == 1, (mac, [(x["ifname"], x.get("address")) for x in report["addr"]])
    return found[0]


def bonds(report: dict) -> dict[str, dict]:
    return {name: parse_bonding(text) for name, text in report["bonding"].items()}


def bond_by_members(report: dict, macs: set[str]) -> tuple[str, dict]:
    """The bond whose members' own (permanent) MACs are exactly ``macs``."""
    found = [(name, bond) for name, bond in bonds(report).items()
             if {m["Permanent HW addr"] for m in bond["members"]} == macs]
    assert len(found) == 1, (macs, report["bonding"])
    return found[0]


def link_named(report: dict, name: str) -> dict:
    return next(link for link in report["addr"] if link["ifname"] == name)


def addresses(link: dict) -> list[str]:
    """Global addresses, as address/prefix (link-local ones are the kernel's own)."""
    return sorted(f"{a['local']}/{a['prefixlen']}" for a in link["addr_info"]
                  if a.get("scope") == "global")


def routes(report: dict, family: int, dev: str) -> list[tuple[str, str | None]]:
    """(destination, gateway) of the main table's routes through ``dev``; kernel-made routes
    (a subnet's own, IPv6 link-local and multicast) are left out."""
    table = report["route4" if family == 4 else "route6"]
    return sorted((r["dst"], r.get("gateway")) for r in table
                  if r.get("dev") == dev and r.get("protocol") != "kernel"
                  and not r["dst"].startswith(("fe80:", "ff00:", "multicast")))


def nameservers(report: dict) -> list[str]:
    return re.findall(r"^nameserver\s+(\S+)", report["resolv_conf"] or "", re.MULTILINE)


@pytest.fixture(scope="session")
def guest_image() -> GuestImage:
    result = subprocess.run(["bash", str(SETUP)], capture_output=True, text=True,
                            timeout=1800)
    assert result.returncode == 0, f"{SETUP} failed:\n{result.stdout}\n{result.stderr}"
    return GuestImage(Path(result.stdout.strip().splitlines()[-1]))
