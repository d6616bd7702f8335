#!/usr/bin/python3
"""What this guest really has, printed to the serial console as one JSON document between
markers, then power off. Installed into the boot test's guest image as
/usr/local/sbin/multinic-report and run by multinic-report.service after cloud-init's last
stage; tests/guest_boot.py reads it back. Raw facts only: the test does the judging."""

import glob
import hashlib
import json
import os
import socket
import subprocess

BEGIN = "===MULTINIC-REPORT-BEGIN==="
END = "===MULTINIC-REPORT-END==="


def run(*command: str) -> str:
    return subprocess.run(command, capture_output=True, text=True, check=False).stdout


def run_json(*command: str):
    output = run(*command)
    return json.loads(output) if output.strip() else []


def read(path: str) -> str | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as file:
            return file.read()
    except OSError:
        return None


def files(pattern: str) -> dict[str, str | None]:
    return {path: read(path) for path in sorted(glob.glob(pattern))}


def report() -> dict:
    return {
        "addr": run_json("ip", "-j", "addr"),
        "link": run_json("ip", "-j", "-d", "link"),
        "route4": run_json("ip", "-j", "route"),
        "route6": run_json("ip", "-6", "-j", "route"),
        # Raw: the test parses the bonding driver's own words.
        "bonding": {os.path.basename(p): text for p, text in files("/proc/net/bonding/*").items()},
        "mtu": {name: int(read(f"/sys/class/net/{name}/mtu") or 0)
                for name in sorted(os.listdir("/sys/class/net"))},
        "resolv_conf": read("/etc/resolv.conf"),
        "hostname": socket.gethostname(),
        # Where cloud-init put the key: the default user's file and root's (Debian's cloud.cfg
        # disables root logins by a command= prefix there).
        "authorized_keys": {**files("/root/.ssh/authorized_keys"),
                            **files("/home/*/.ssh/authorized_keys")},
        # For the reader of a failure: what cloud-init wrote and what it said went wrong.
        "cloud_init_result": read("/run/cloud-init/result.json"),
        "network_config": files("/etc/network/interfaces.d/*"),
        "cloud_init_warnings": [line for line in (read("/var/log/cloud-init.log") or "")
                                .splitlines() if "[WARNING]" in line or "[ERROR]" in line],
        "failed_units": run("systemctl", "--failed", "--plain", "--no-legend"),
    }


def main() -> None:
    # Kernel messages go to the same console: keep them out of the document.
    subprocess.run(["dmesg", "-n", "1"], check=False)
    document = json.dumps(report(), sort_keys=True)
    digest = hashlib.sha256(document.encode()).hexdigest()
    # One line, and its digest: the test knows the document arrived whole.
    print(f"\n{BEGIN}\n{document}\n{END} sha256={digest}", flush=True)
    subprocess.run(["systemctl", "poweroff", "--no-block"], check=False)


if __name__ == "__main__":
    main()
