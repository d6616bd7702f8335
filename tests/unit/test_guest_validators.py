"""network_data.json through the real pipeline, checked by the tools guests run.

Every case builds plain records, renders them with ``network_model.network_info`` and
``network_data.network_data`` (with bare-metal carriers where the case has them), and hands
the document to every validator in ``tools/validators``: Ironic's JSON schema, Debian 12's
cloud-init 22.4.2 (``convert_net_json`` plus its netplan and ENI renderers), netplan 0.106's
``generate`` and glean 1.25.1 for debian, centos and networkd. Besides "all accepted", each
case checks the document against what its inputs say it must hold, and checks the netplan
YAML cloud-init wrote from it: the guest must end up with the addresses, routes and bonds the
records describe.
"""

from __future__ import annotations

import copy
import itertools
import subprocess
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import netaddr
import pytest
import yaml

from multinic_api.guest import network_data, network_model
from multinic_api.guest.records import (
    NetworkRecord,
    PortGroupRecord,
    PortRecord,
    SubnetRecord,
    VifRecord,
)

pytestmark = pytest.mark.guest_tools

# --- record factories ------------------------------------------------------------------------

PROJECT = "9a3f1c2e5b7d4e6f8a0b1c2d3e4f5a6b"
_NAMESPACE = uuid.UUID("5a0f3e1c-7b2d-4c8e-9f1a-2b3c4d5e6f70")
_MACS = itertools.count(0x10)
#: RFC 5737 documentation ranges cut into /26s, so a case can have many IPv4 subnets.
_V4_BLOCKS = [block for net in ("192.0.2.0/24", "198.51.100.0/24", "203.0.113.0/24")
              for block in netaddr.IPNetwork(net).subnet(26)]


def uid(name: str) -> str:
    """A stable, realistic UUID per name (VIF ids must differ in their first 11 characters,
    which random-looking UUIDs do)."""
    return str(uuid.uuid5(_NAMESPACE, name))


def next_mac() -> str:
    """A fresh unicast MAC in Neutron's default fa:16:3e prefix."""
    n = next(_MACS)
    return f"fa:16:3e:{n >> 16 & 0xff:02x}:{n >> 8 & 0xff:02x}:{n & 0xff:02x}"


def network(name: str, mtu: int | None = 1500) -> NetworkRecord:
    return NetworkRecord(id=uid(f"network-{name}"), name=name, project_id=PROJECT, mtu=mtu)


def subnet4(k: int, *, dhcp: bool = False, dhcp_server: bool = False,
            dns: Sequence[str] = (), routes: Sequence[tuple[str, str]] = ()) -> SubnetRecord:
    """IPv4 subnet number ``k``; ``routes`` are (destination, nexthop) host routes."""
    cidr = _V4_BLOCKS[k]
    return SubnetRecord(
        id=uid(f"subnet4-{k}"), cidr=str(cidr), ip_version=4, gateway_ip=str(cidr[1]),
        enable_dhcp=dhcp or dhcp_server, dhcp_server=str(cidr[2]) if dhcp_server else None,
        dns_nameservers=tuple(dns),
        host_routes=tuple({"destination": d, "nexthop": h} for d, h in routes))


def subnet6(k: int, *, mode: str | None = None, dhcp: bool = False, dhcp_server: bool = False,
            dns: Sequence[str] = (), routes: Sequence[tuple[str, str]] = ()) -> SubnetRecord:
    """IPv6 subnet number ``k`` (RFC 3849): 2001:db8:k::/64."""
    cidr = netaddr.IPNetwork(f"2001:db8:{k:x}::/64")
    return SubnetRecord(
        id=uid(f"subnet6-{k}"), cidr=str(cidr), ip_version=6, gateway_ip=str(cidr[1]),
        enable_dhcp=dhcp or dhcp_server or mode is not None,
        dhcp_server=str(cidr[2]) if dhcp_server else None, ipv6_address_mode=mode,
        dns_nameservers=tuple(dns),
        host_routes=tuple({"destination": d, "nexthop": h} for d, h in routes))


def vif(name: str, net: NetworkRecord, *subnets: SubnetRecord, host: int = 10,
        vif_type: str = "bridge", vnic_type: str = "normal") -> VifRecord:
    """A VIF with address number ``host`` on each of ``subnets``."""
    return VifRecord(id=uid(f"vif-{name}"), mac=next_mac(), network=net,
                     fixed_ips=tuple((s, str(netaddr.IPNetwork(s.cidr)[host])) for s in subnets),
                     vif_type=vif_type, vnic_type=vnic_type)


def ports(name: str, count: int = 2) -> tuple[PortRecord, ...]:
    return tuple(PortRecord(id=uid(f"port-{name}-{i}"), mac=next_mac()) for i in range(count))


def bond(name: str, mode: str, with_mac: bool = True, **properties) -> PortGroupRecord:
    """A port group of two ports; its MAC, when it has one, is its first port's (Ironic's
    usual enrolment)."""
    members = ports(name)
    return PortGroupRecord(id=uid(f"portgroup-{name}"), mode=mode, ports=members,
                           mac=members[0].mac if with_mac else None, properties=properties)


# --- cases ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    vifs: tuple[VifRecord, ...]
    #: Expected, written from the contract: VIF links in NIC order, then bond members.
    link_types: tuple[str, ...]
    network_types: tuple[str, ...]
    carriers: Mapping[str, PortRecord | PortGroupRecord] = field(default_factory=dict)

    def render(self) -> dict:
        info = network_model.network_info(self.vifs)
        return network_data.network_data(info, self.carriers)


def case(vifs, link_types, network_types, carriers=None):
    return Case(tuple(vifs), tuple(link_types), tuple(network_types), dict(carriers or {}))


def _one(vif_type: str):
    return case([vif(f"type-{vif_type}", network("typed"), subnet4(0), vif_type=vif_type)],
                [vif_type if vif_type != "whizbang" else "phy"], ["ipv4"])


def _bonded(mode: str, **properties):
    v = vif(f"bond-{mode}", network("bonded", mtu=9000), subnet4(0, dns=["192.0.2.53"]))
    return case([v], ["bond", "phy", "phy"], ["ipv4"], {v.id: bond(mode, mode, **properties)})


def _bond_without_mac():
    """The bond keeps the VIF's MAC (Nova sets the port group's only when it has one)."""
    v = vif("bond-nomac", network("nomac"), subnet4(0))
    carrier = bond("nomac", "active-backup", with_mac=False, miimon=100)
    return case([v], ["bond", "phy", "phy"], ["ipv4"], {v.id: carrier})


def _two_bonds_and_a_plain_vif():
    first = vif("storage", network("storage", mtu=9000), subnet4(1))
    second = vif("tenant", network("tenant"), subnet4(2), subnet6(2))
    plain = vif("mgmt", network("mgmt"), subnet4(3, dhcp_server=True))
    carriers = {first.id: bond("storage", "802.3ad", miimon=100, lacp_rate="fast",
                               xmit_hash_policy="layer3+4"),
                second.id: bond("tenant", "active-backup", miimon=100, updelay=200,
                                downdelay=200)}
    return case([first, second, plain], ["bond", "bond", "bridge", "phy", "phy", "phy", "phy"],
                ["ipv4", "ipv4", "ipv6", "ipv4_dhcp"], carriers)


def _single_port():
    v = vif("single-port", network("provisioning"), subnet4(0), vnic_type="baremetal")
    return case([v], ["phy"], ["ipv4"], {v.id: ports("single", 1)[0]})


def _nic_without_subnet_between_two():
    """The middle NIC's network has no subnet: no link, and the third NIC's link follows the
    first's, as Nova's get_network_metadata numbers them."""
    nics = [vif("before-bare", network("before"), subnet4(0, dns=["192.0.2.53"])),
            vif("bare", network("bare")),
            vif("after-bare", network("after"), subnet4(1, dns=["198.51.100.53"]))]
    return case(nics, ["bridge", "bridge"], ["ipv4", "ipv4"])


def _bonded_nic_without_subnet():
    """Bare metal: a bond and a single port carry NICs whose networks have no subnet; neither
    gets a link, and the bond's members none either (Nova's Ironic driver)."""
    bonded = vif("bm-bare-bond", network("bm-bare"), vnic_type="baremetal")
    single = vif("bm-bare-port", network("bm-bare"), vnic_type="baremetal")
    used = vif("bm-used", network("bm-used"), subnet4(2), vnic_type="baremetal")
    carriers = {bonded.id: bond("bm-bare", "802.3ad", miimon=100),
                single.id: ports("bm-bare-single", 1)[0],
                used.id: bond("bm-used", "active-backup", miimon=100)}
    return case([bonded, single, used], ["bond", "phy", "phy"], ["ipv4"], carriers)


def _dns_of_further_subnets():
    """Second subnets of each version make no network entry, so their DNS is not collected
    (Nova's get_network_metadata)."""
    v = vif("dns-further", network("dns-further"), subnet4(0, dns=["192.0.2.53"]),
            subnet4(1, dns=["198.51.100.53"]), subnet6(1, dns=["2001:db8:1::53"]),
            subnet6(2, dns=["2001:db8:2::53"]))
    return case([v], ["bridge"], ["ipv4", "ipv6"])


_SHARED = network("shared")
_DUAL = network("dual")

CASES = [
    pytest.param(case([vif("solo", network("solo"), subnet4(0, dns=["192.0.2.53"]))],
                      ["bridge"], ["ipv4"]), id="one-nic"),
    pytest.param(case([vif("dual", _DUAL, subnet4(0), subnet6(1))], ["bridge"],
                      ["ipv4", "ipv6"]), id="ipv4-and-ipv6-on-one-nic"),
    pytest.param(case([vif(f"nic{i}", network(f"net{i}"), subnet4(i)) for i in range(4)],
                      ["bridge"] * 4, ["ipv4"] * 4), id="four-nics"),
    pytest.param(case([vif("twice-a", _SHARED, subnet4(0), host=10),
                       vif("twice-b", _SHARED, subnet4(0), host=11)],
                      ["bridge", "bridge"], ["ipv4", "ipv4"]), id="same-network-twice"),
    pytest.param(case([vif("dhcp", network("dhcp", mtu=1450), subnet4(0, dhcp_server=True))],
                      ["bridge"], ["ipv4_dhcp"]), id="dhcp-with-dhcp-server"),
    pytest.param(case([vif("ovn", network("ovn", mtu=1442), subnet4(0, dhcp=True))],
                      ["bridge"], ["ipv4_dhcp"]), id="dhcp-without-dhcp-server"),
    pytest.param(case([vif("slaac", _DUAL, subnet4(0), subnet6(1, mode="slaac"))],
                      ["bridge"], ["ipv4", "ipv6_slaac"]), id="ipv6-slaac"),
    # DHCPv6 beside DHCP for IPv4, as Neutron networks usually run it; beside static IPv4,
    # glean breaks (GLEAN_BUG_CASES).
    pytest.param(case([vif("stateful", _DUAL, subnet4(0, dhcp_server=True),
                           subnet6(1, mode="dhcpv6-stateful", dhcp_server=True))],
                      ["bridge"], ["ipv4_dhcp", "ipv6_dhcp"]), id="ipv6-dhcpv6-stateful"),
    pytest.param(case([vif("stateless", _DUAL, subnet4(0),
                           subnet6(1, mode="dhcpv6-stateless", dns=["2001:db8:1::53"]))],
                      ["bridge"], ["ipv4", "ipv6_slaac"]), id="ipv6-dhcpv6-stateless"),
    pytest.param(case([vif("static6", _DUAL, subnet4(0), subnet6(1, dns=["2001:db8:1::53"]))],
                      ["bridge"], ["ipv4", "ipv6"]), id="ipv6-static"),
    pytest.param(case([vif("dhcp6", _DUAL, subnet4(0, dhcp=True), subnet6(1, dhcp=True))],
                      ["bridge"], ["ipv4_dhcp", "ipv6_dhcp"]), id="ipv6-dhcp-without-mode"),
    pytest.param(case([vif("routed", network("routed"),
                           subnet4(0, routes=[("198.51.100.0/24", "192.0.2.62"),
                                              ("203.0.113.128/25", "192.0.2.61")]),
                           subnet6(1, routes=[("2001:db8:ff::/48", "2001:db8:1::fe")]))],
                      ["bridge"], ["ipv4", "ipv6"]), id="host-routes"),
    pytest.param(case([vif("dns-a", network("dns-a"),
                           subnet4(0, dns=["192.0.2.53", "198.51.100.53"]),
                           subnet6(1, dns=["2001:db8:1::53"])),
                       vif("dns-b", network("dns-b"),
                           subnet4(4, dns=["198.51.100.53", "203.0.113.53"]))],
                      ["bridge", "bridge"], ["ipv4", "ipv6", "ipv4"]), id="dns-shared"),
    *[pytest.param(_one(t), id=f"vif-type-{t}")
      for t in ("bridge", "dvs", "hw_veb", "hyperv", "ovs", "tap", "vhostuser", "vif",
                "whizbang")],
    pytest.param(_bonded("balance-rr", miimon=100), id="bond-balance-rr"),
    pytest.param(_bonded("active-backup", miimon=100, updelay=200, downdelay=200),
                 id="bond-active-backup"),
    pytest.param(_bonded("balance-xor", miimon=100, xmit_hash_policy="layer2+3"),
                 id="bond-balance-xor"),
    pytest.param(_bonded("broadcast", miimon=100), id="bond-broadcast"),
    pytest.param(_bonded("802.3ad", miimon=100, lacp_rate="fast", xmit_hash_policy="layer3+4"),
                 id="bond-802.3ad"),
    pytest.param(_bonded("balance-tlb", miimon=100, xmit_hash_policy="layer2"),
                 id="bond-balance-tlb"),
    pytest.param(_bonded("balance-alb", miimon=100), id="bond-balance-alb"),
    pytest.param(_bond_without_mac(), id="bond-port-group-without-mac"),
    pytest.param(_single_port(), id="single-port-carrier"),
    pytest.param(_two_bonds_and_a_plain_vif(), id="two-bonds-and-a-plain-vif"),
    pytest.param(_nic_without_subnet_between_two(), id="nic-without-subnet"),
    pytest.param(_bonded_nic_without_subnet(), id="carried-nics-without-subnet"),
    pytest.param(_dns_of_further_subnets(), id="dns-of-further-subnets"),
    pytest.param(case([vif("only-bare", network("only-bare"))], [], []),
                 id="every-nic-without-subnet"),
]


#: Documents Nova writes the same way that glean 1.25.1 cannot turn into a configuration,
#: with the validator that fails and how. Everything else must accept them.
GLEAN_BUG_CASES = [
    # glean's ifcfg writer only appends IPv6 settings to the file its IPv4 writer made
    # (cmd.py _write_rh_v6_interface: ``assert (config_file in files)``).
    pytest.param(case([vif("v6only", network("v6only"), subnet6(1, dns=["2001:db8:1::53"]))],
                      ["bridge"], ["ipv6"]), {"glean centos": "AssertionError"},
                 id="ipv6-only"),
    # glean merges each network into its link dict (``link.update(network)``), so the
    # ipv6_dhcp entry inherits the IPv4 routes, and its networkd writer reads 0.0.0.0 as an
    # IPv6 netmask.
    pytest.param(case([vif("static4-dhcp6", _DUAL, subnet4(0),
                           subnet6(1, mode="dhcpv6-stateful", dhcp_server=True))],
                      ["bridge"], ["ipv4", "ipv6_dhcp"]),
                 {"glean networkd": "SyntaxError: Bad Netmask"}, id="static-ipv4-and-dhcpv6"),
]


# --- what the inputs say the document must hold -----------------------------------------------


def linked(vifs: Sequence[VifRecord]) -> list[VifRecord]:
    """The VIFs that get a link: those with a subnet (Nova skips the others)."""
    return [v for v in vifs if v.fixed_ips]


def expected_networks(vifs: Sequence[VifRecord]):
    """(vif, subnet, address) per network entry: per VIF, its first IPv4 then first IPv6
    subnet."""
    out = []
    for v in vifs:
        for version in (4, 6):
            first = next(((s, a) for s, a in v.fixed_ips if s.ip_version == version), None)
            if first:
                out.append((v, *first))
    return out


def expected_dns(vifs: Sequence[VifRecord]) -> list[str]:
    """The DNS servers of the subnets that made a network entry, each once, as Nova collects
    them."""
    seen: list[str] = []
    for _v, s, _address in expected_networks(vifs):
        seen.extend(d for d in s.dns_nameservers if d not in seen)
    return seen


def expected_route(destination: str, gateway: str) -> dict:
    cidr = netaddr.IPNetwork(destination)
    return {"network": str(cidr.network), "netmask": str(cidr.netmask), "gateway": gateway}


def check_document(doc: dict, c: Case) -> None:
    links = doc["links"]
    assert [link["type"] for link in links] == list(c.link_types)
    assert [n["type"] for n in doc["networks"]] == list(c.network_types)

    # One link per VIF with a subnet, in NIC order, named by the device name.
    vifs = linked(c.vifs)
    for link, v in zip(links, vifs, strict=False):
        assert link["id"] == "tap" + v.id[:11] and link["vif_id"] == v.id
        dhcp_served = any(s.dhcp_server for s, _ in v.fixed_ips)
        assert link["mtu"] == (None if dhcp_served else v.network.mtu)
        carrier = c.carriers.get(v.id)
        if isinstance(carrier, PortRecord):
            assert link["ethernet_mac_address"] == carrier.mac
        elif isinstance(carrier, PortGroupRecord):
            assert link["bond_mode"] == carrier.mode
            assert link["bond_links"] == [p.id for p in carrier.ports]
            assert link["ethernet_mac_address"] == (carrier.mac or v.mac)
            for option, value in carrier.properties.items():
                assert link[f"bond_{option}"] == value
        else:
            assert link["ethernet_mac_address"] == v.mac
    members = [p for v in vifs if isinstance(c.carriers.get(v.id), PortGroupRecord)
               for p in c.carriers[v.id].ports]
    assert [{"id": p.id, "type": "phy", "ethernet_mac_address": p.mac} for p in members] \
        == links[len(vifs):]

    # Networks: numbered across links, each on its VIF's link, static ones fully spelled out.
    wanted = expected_networks(c.vifs)
    assert len(doc["networks"]) == len(wanted)
    for index, (entry, (v, s, address)) in enumerate(zip(doc["networks"], wanted, strict=True)):
        assert entry["id"] == f"network{index}"
        assert entry["link"] == "tap" + v.id[:11]
        assert entry["network_id"] == v.network.id
        if entry["type"].endswith("_dhcp"):
            assert set(entry) == {"id", "type", "link", "network_id"}
            continue
        assert entry["ip_address"] == address
        assert entry["netmask"] == str(netaddr.IPNetwork(s.cidr).netmask)
        any_address = "0.0.0.0" if s.ip_version == 4 else "::"
        assert entry["routes"] == [
            {"network": any_address, "netmask": any_address, "gateway": s.gateway_ip},
            *(expected_route(r["destination"], r["nexthop"]) for r in s.host_routes)]
        assert entry["services"] == [{"type": "dns", "address": d} for d in s.dns_nameservers]

    assert doc["services"] == [{"type": "dns", "address": d} for d in expected_dns(c.vifs)]


# --- what cloud-init made of it ----------------------------------------------------------------

#: Kernel bonding option -> netplan ``parameters`` key (netplan's bonds ``parameters``).
NETPLAN_BOND_KEYS = {"miimon": "mii-monitor-interval", "lacp_rate": "lacp-rate",
                     "xmit_hash_policy": "transmit-hash-policy", "updelay": "up-delay",
                     "downdelay": "down-delay"}


def cloud_init_netplan(workdir: Path) -> dict:
    [path] = (workdir / "out").glob("ci-*-netplan/etc/netplan/50-cloud-init.yaml")
    return yaml.safe_load(path.read_text())["network"]


def check_netplan(netplan: dict, c: Case) -> None:
    devices = {**netplan.get("ethernets", {}), **netplan.get("bonds", {})}
    addresses = {a for d in devices.values() for a in d.get("addresses", [])}
    routes = [(r["to"], r["via"]) for d in devices.values() for r in d.get("routes", [])]
    wanted = list(zip(expected_networks(c.vifs), c.network_types, strict=True))
    static = {f"{a}/{netaddr.IPNetwork(s.cidr).prefixlen}"
              for (_v, s, a), kind in wanted if kind in ("ipv4", "ipv6")}
    assert addresses == static
    for (_v, s, _a), kind in wanted:
        if kind in ("ipv4", "ipv6"):
            default = "0.0.0.0/0" if s.ip_version == 4 else "::/0"
            assert (default, s.gateway_ip) in routes
            for r in s.host_routes:
                assert (r["destination"], r["nexthop"]) in routes
    assert sum(bool(d.get("dhcp4")) for d in devices.values()) \
        == c.network_types.count("ipv4_dhcp")

    # Bonds: cloud-init names them bond0, bond1, ... in link order.
    groups = [(v, c.carriers[v.id]) for v in linked(c.vifs)
              if isinstance(c.carriers.get(v.id), PortGroupRecord)]
    bonds = netplan.get("bonds", {})
    assert sorted(bonds) == [f"bond{i}" for i in range(len(groups))]
    for i, (v, group) in enumerate(groups):
        rendered = bonds[f"bond{i}"]
        assert rendered["parameters"]["mode"] == group.mode
        assert rendered["macaddress"] == (group.mac or v.mac)
        assert len(rendered["interfaces"]) == len(group.ports)
        for member in rendered["interfaces"]:
            assert netplan["ethernets"][member]["match"]["macaddress"] in \
                {p.mac for p in group.ports}
        for option, value in group.properties.items():
            assert str(rendered["parameters"][NETPLAN_BOND_KEYS[option]]) == str(value)


# --- the validators' verdicts -------------------------------------------------------------

VALIDATORS = ("ironic schema", "cloud-init netplan", "cloud-init eni", "netplan generate",
              "glean debian", "glean centos", "glean networkd")


def validate(guest_tools, doc: dict, workdir: Path) -> subprocess.CompletedProcess:
    workdir.mkdir(parents=True, exist_ok=True)
    return guest_tools.validate_network_data(doc, workdir)


def verdicts(stdout: str) -> dict[str, bool]:
    """Which validators reported success, from validate_network_data.sh's report."""
    sections: dict[str, list[str]] = {}
    for chunk in stdout.split("=== ")[1:]:
        head, _, body = chunk.partition("\n")
        sections.setdefault(head.split(".")[0], []).append(body)

    def every(step: str, text: str) -> bool:
        return bool(sections.get(step)) and all(text in body for body in sections[step])

    return {
        "ironic schema": every("1", "OK (Ironic network-data-schema)"),
        "cloud-init netplan": every("2", "ok: netplan ->"),
        "cloud-init eni": every("2", "ok: eni ->"),
        "netplan generate": every("3", "ok: "),
        **{f"glean {d}": every("4", f"ok: {d} ->") for d in ("debian", "centos", "networkd")},
    }


# --- tests -------------------------------------------------------------------------------------


@pytest.mark.parametrize("c", CASES)
def test_every_validator_accepts_the_document(guest_tools, tmp_path, c):
    doc = c.render()
    check_document(doc, c)
    result = validate(guest_tools, doc, tmp_path)
    assert result.returncode == 0, f"validators rejected it:\n{result.stdout}\n{result.stderr}"
    assert all(verdicts(result.stdout).values()), result.stdout
    check_netplan(cloud_init_netplan(tmp_path), c)


@pytest.mark.parametrize(("c", "glean_bugs"), GLEAN_BUG_CASES)
def test_only_glean_s_known_bugs_reject_the_document(guest_tools, tmp_path, c, glean_bugs):
    """If glean is fixed (or upgraded), this fails: move the case to CASES."""
    doc = c.render()
    check_document(doc, c)
    result = validate(guest_tools, doc, tmp_path)
    assert result.returncode != 0
    assert verdicts(result.stdout) == {name: name not in glean_bugs for name in VALIDATORS}, \
        result.stdout
    for symptom in glean_bugs.values():
        assert symptom in result.stdout
    check_netplan(cloud_init_netplan(tmp_path), c)


def test_nova_s_document_for_no_nics_is_taken_by_every_guest_tool(guest_tools, tmp_path):
    """``{}``, as Nova's metadata_for_config_drive writes it for an instance without NICs:
    cloud-init, netplan and glean configure no interface from it. Ironic's schema requires
    the three lists, but no node gets this document: a bare-metal instance has a NIC (and
    Nova's Ironic driver cannot build a drive without one)."""
    doc = network_data.network_data(network_model.network_info([]))
    assert doc == {}
    result = validate(guest_tools, doc, tmp_path)
    assert verdicts(result.stdout) == {name: name != "ironic schema" for name in VALIDATORS}, \
        result.stdout + result.stderr
    assert "'links' is a required property" in result.stdout
    assert cloud_init_netplan(tmp_path) == {"version": 2}


def _bonded_document():
    c = _bonded("802.3ad", miimon=100, lacp_rate="fast", xmit_hash_policy="layer3+4")
    return c.render()


def _dangling_bond_link(doc):
    doc["links"][0]["bond_links"][1] = uid("no-such-port")


def _numeric_bond_mode(doc):
    doc["links"][0]["bond_mode"] = "4"  # the kernel's number for 802.3ad


#: Ironic's schema does not follow references; cloud-init and glean look the link up (and
#: netplan never gets a file).
_ONLY_THE_SCHEMA_ACCEPTS = {name: name == "ironic schema" for name in VALIDATORS}
#: Modes by name only: Ironic's schema enum and netplan's parser reject "4"; cloud-init and
#: glean pass it on.
_ALL_BUT_SCHEMA_AND_NETPLAN_ACCEPT = {name: name not in ("ironic schema", "netplan generate")
                                      for name in VALIDATORS}


@pytest.mark.parametrize(("break_it", "accepted_by"), [
    (_dangling_bond_link, _ONLY_THE_SCHEMA_ACCEPTS),
    (_numeric_bond_mode, _ALL_BUT_SCHEMA_AND_NETPLAN_ACCEPT),
], ids=["bond-link-to-nowhere", "numeric-bond-mode"])
def test_the_harness_rejects_a_broken_document(guest_tools, tmp_path, break_it, accepted_by):
    good = _bonded_document()
    accepted = validate(guest_tools, good, tmp_path / "good")
    assert accepted.returncode == 0, accepted.stdout
    bad = copy.deepcopy(good)
    break_it(bad)
    assert bad != good
    rejected = validate(guest_tools, bad, tmp_path / "bad")
    assert rejected.returncode != 0, rejected.stdout
    assert verdicts(rejected.stdout) == accepted_by, rejected.stdout + rejected.stderr
