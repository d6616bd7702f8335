#!/usr/bin/env python
"""Time per call of the guest renderers for an 8-NIC instance (no database).

    python bench/render.py [--calls N] [--json FILE]

Each NIC has an IPv4 and an IPv6 subnet, DNS and a host route; two of the NICs are bonds
of two ports each, so network_data.json carries 12 links. Three operations are timed
round-robin, N times each:

- ``network_data.json + meta_data.json``: from ``network_info`` to both JSON documents
  (the renderers, then ``json.dumps``); target <= 1 ms;
- ``config drive ISO``: every file for every metadata version, then the ISO 9660 image
  (pycdlib, Joliet + Rock Ridge); target <= 20 ms;
- ``network_info``: the records to Nova's model (for reference; no target).
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

from tqdm import tqdm

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "multinic_site.settings")

from multinic_api.guest import iso, metadata, network_data, network_model  # noqa: E402
from multinic_api.guest.records import (  # noqa: E402
    InstanceRecord,
    KeyRecord,
    NetworkRecord,
    PortGroupRecord,
    PortRecord,
    SubnetRecord,
    VifRecord,
)

NICS = 8
TARGETS_MS = {"network_data.json + meta_data.json": 1.0, "config drive ISO": 20.0}


def eight_nic_instance():
    vifs, carriers = [], {}
    for n in range(NICS):
        network = NetworkRecord(id=f"00000000-0000-4000-8000-{n:012x}", name=f"net{n}",
                                project_id="0123456789abcdef0123456789abcdef", mtu=9000)
        route = {"destination": "172.16.0.0/12", "nexthop": f"10.{n}.0.254"}
        v4 = SubnetRecord(id=f"v4-{n}", cidr=f"10.{n}.0.0/24", ip_version=4,
                          gateway_ip=f"10.{n}.0.1", host_routes=(route,),
                          dns_nameservers=("192.0.2.53", f"10.{n}.0.53"))
        v6 = SubnetRecord(id=f"v6-{n}", cidr=f"2001:db8:{n}::/64", ip_version=6,
                          gateway_ip=f"2001:db8:{n}::1", ipv6_address_mode="slaac",
                          enable_dhcp=True)
        mac = f"fa:16:3e:00:00:{n:02x}"
        vif = VifRecord(id=f"10000000-0000-4000-8000-{n:012x}", mac=mac, network=network,
                        fixed_ips=((v4, f"10.{n}.0.10"),
                                   (v6, f"2001:db8:{n}::f816:3eff:fe00:{n:x}")),
                        tag=f"nic{n}" if n % 2 else None)
        vifs.append(vif)
        if n < 2:
            carriers[vif.id] = PortGroupRecord(
                id=f"20000000-0000-4000-8000-{n:012x}", mode="802.3ad", mac=mac,
                properties={"miimon": 100, "lacp_rate": "fast", "xmit_hash_policy": "layer3+4"},
                ports=[PortRecord(f"30000000-0000-4000-8000-{n:06x}{p:06x}",
                                  f"52:54:00:00:{n:02x}:{p:02x}") for p in range(2)])
    instance = InstanceRecord(uuid="40000000-0000-4000-8000-000000000000", name="bench",
                              hostname="bench", project_id="0123456789abcdef0123456789abcdef",
                              metadata={"role": "bench"},
                              key=KeyRecord("bench", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBench"),
                              user_data=b"#cloud-config\n" * 20)
    return instance, vifs, carriers


def operations():
    instance, vifs, carriers = eight_nic_instance()
    info = network_model.network_info(vifs)
    seed = metadata.new_random_seed()

    def documents():
        nd = network_data.network_data(info, carriers)
        md = metadata.meta_data(instance, vifs, seed)
        return json.dumps(nd), json.dumps(md)

    def drive():
        nd = network_data.network_data(info, carriers)
        return iso.build_iso(metadata.config_drive_files(instance, vifs, nd, seed))

    return {
        "network_info": lambda: network_model.network_info(vifs),
        "network_data.json + meta_data.json": documents,
        "config drive ISO": drive,
    }


def run(calls: int) -> list[dict]:
    ops = operations()
    for op in ops.values():  # warm up imports and caches
        op()
    timings = {name: [] for name in ops}
    for _ in tqdm(range(calls), desc="rendering", unit="round", leave=False):
        for name, op in ops.items():
            start = time.perf_counter()
            op()
            timings[name].append((time.perf_counter() - start) * 1000)
    rows = []
    for name, values in timings.items():
        values.sort()
        target = TARGETS_MS.get(name)
        median = statistics.median(values)
        rows.append({"operation": name, "median": median,
                     "p90": values[int(len(values) * 0.9) - 1 if len(values) > 1 else 0],
                     "target": target, "ok": target is None or median <= target})
    return rows


def print_table(rows: list[dict], calls: int) -> None:
    print(f"\nGuest rendering, {NICS}-NIC instance (2 bonds), {calls} calls each")
    print("| operation | median ms | p90 ms | target ms | within |")
    print("|---|---|---|---|---|")
    for row in rows:
        target = f"{row['target']:g}" if row["target"] is not None else "-"
        verdict = "-" if row["target"] is None else ("yes" if row["ok"] else "NO")
        print(f"| {row['operation']} | {row['median']:.3f} | {row['p90']:.3f} | {target} | "
              f"{verdict} |")


def summary_rows(rows: list[dict]) -> list[dict]:
    """The rows this benchmark adds to the combined table (see bench/report.py)."""
    return [{"benchmark": "rendering", "measure": f"{row['operation']}, {NICS} NICs, median",
             "value": f"{row['median']:.3f} ms",
             **({"target": f"<= {row['target']:g} ms", "ok": row["ok"]}
                if row["target"] is not None else {})}
            for row in rows]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    import django

    django.setup()
    rows = run(args.calls)
    print_table(rows, args.calls)
    if args.json:
        args.json.write_text(json.dumps({"results": rows, "rows": summary_rows(rows)}, indent=1))
    return 0 if all(row["ok"] for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
