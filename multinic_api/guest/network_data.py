"""``network_data.json``: the config drive's network metadata, as Nova writes it.

Rendered from ``network_info`` (Nova's model shape, see :mod:`.network_model`) plus, on bare
metal, what carries each VIF (:data:`.records.Carrier`). The structure is Nova's
``nova/virt/netutils.get_network_metadata`` and its Ironic driver's bond links, because
cloud-init, glean and Ironic's schema parse exactly that.

One deliberate difference from Nova, decided by the consumers: Nova writes
``ipv6_dhcpv6-stateful`` and ``ipv6_dhcpv6-stateless`` network types, which both Nova's and
Ironic's published network-data schemas reject (their IPv6 types are ``ipv6``,
``ipv6_dhcp`` and ``ipv6_slaac``). We write what those modes mean in the schema's words:
stateful DHCPv6 (address from a DHCPv6 server) is ``ipv6_dhcp``; stateless DHCPv6 (address
from router advertisements, options from DHCPv6) is ``ipv6_slaac`` with the address, routes
and DNS spelled out, so a guest that never asks DHCPv6 still has its name servers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import netaddr

from .records import Carrier, PortGroupRecord, PortRecord

#: VIF types a guest may see by name; everything else is shown as a plain ``phy`` link.
LINK_TYPES_PASSED_THROUGH = frozenset(
    {"bridge", "dvs", "hw_veb", "hyperv", "ovs", "tap", "vhostuser", "vif"}
)

#: ``ipv6_address_mode`` -> network type (see the module docstring).
IPV6_MODE_TYPES = {
    "slaac": "ipv6_slaac",
    "dhcpv6-stateless": "ipv6_slaac",
    "dhcpv6-stateful": "ipv6_dhcp",
}


def link_type(vif: Mapping[str, Any]) -> str:
    if vif.get("vnic_type") == "baremetal":
        return "phy"
    return vif["type"] if vif.get("type") in LINK_TYPES_PASSED_THROUGH else "phy"


def link_mtu(vif: Mapping[str, Any]) -> int | None:
    """The network's MTU, unless a DHCP server on one of its subnets hands the MTU out."""
    network = vif["network"]
    if any(subnet.get("meta", {}).get("dhcp_server") for subnet in network["subnets"]):
        return None
    return network.get("meta", {}).get("mtu")


def _link(vif: Mapping[str, Any], index: int) -> dict[str, Any]:
    return {
        "id": vif.get("devname") or f"interface{index}",
        "vif_id": vif["id"],
        "type": link_type(vif),
        "mtu": link_mtu(vif),
        "ethernet_mac_address": vif["address"],
    }


def _route(cidr: str, gateway: str) -> dict[str, str]:
    network = netaddr.IPNetwork(cidr)
    return {"network": str(network.network), "netmask": str(network.netmask), "gateway": gateway}


def _dns_services(subnet: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"type": "dns", "address": ip["address"]} for ip in subnet.get("dns", [])]


def network_type(subnet: Mapping[str, Any]) -> str:
    meta = subnet.get("meta", {})
    mode = meta.get("ipv6_address_mode")
    if mode:
        return IPV6_MODE_TYPES.get(mode, f"ipv{subnet['version']}_{mode}")
    if meta.get("dhcp_server") or meta.get("enable_dhcp"):
        return f"ipv{subnet['version']}_dhcp"
    return f"ipv{subnet['version']}"


def _network(subnet: Mapping[str, Any], link_id: str, network_id: str, index: int
             ) -> dict[str, Any]:
    kind = network_type(subnet)
    entry: dict[str, Any] = {"id": f"network{index}", "type": kind, "link": link_id}
    if kind.endswith("_dhcp"):
        entry["network_id"] = network_id
        return entry
    version = subnet["version"]
    routes = []
    gateway = (subnet.get("gateway") or {}).get("address")
    if gateway:
        any_address = "0.0.0.0" if version == 4 else "::"
        routes.append({"network": any_address, "netmask": any_address, "gateway": gateway})
    routes.extend(_route(route["cidr"], route["gateway"]["address"])
                  for route in subnet.get("routes", []))
    entry.update({
        "ip_address": subnet["ips"][0]["address"],
        "netmask": str(netaddr.IPNetwork(subnet["cidr"]).netmask),
        "routes": routes,
        "network_id": network_id,
        "services": _dns_services(subnet),
    })
    return entry


def _first_subnet(subnets: Sequence[Mapping[str, Any]], version: int
                  ) -> Mapping[str, Any] | None:
    # Nova's _get_first_network: the first subnet of the version, whether or not it has an
    # address (one without gives no network entry; a later one of that version is not tried).
    return next((s for s in subnets if s["version"] == version), None)


def _bond_option_key(option: str) -> str:
    # Nova's Ironic driver and Ironic's neutron code: keep keys already named bond*.
    return option if option.startswith("bond") else f"bond_{option}"


def _apply_carrier(link: dict[str, Any], carrier: Carrier) -> list[dict[str, Any]]:
    """Turn a VIF's link into what carries it; return member links to append at the end."""
    if isinstance(carrier, PortRecord):
        link["type"] = "phy"
        link["ethernet_mac_address"] = carrier.mac
        return []
    if not isinstance(carrier, PortGroupRecord):
        raise TypeError(f"not a carrier: {carrier!r}")
    ports, properties = _primary_first(carrier)
    link["type"] = "bond"
    link["bond_mode"] = carrier.mode
    link["bond_links"] = [port.id for port in ports]
    if carrier.mac:
        link["ethernet_mac_address"] = carrier.mac
    for option, value in properties.items():
        link[_bond_option_key(option)] = value
    return [{"id": port.id, "type": "phy", "ethernet_mac_address": port.mac}
            for port in ports]


def _primary_first(carrier: PortGroupRecord) -> tuple[list[PortRecord], dict[str, Any]]:
    """Say ``primary`` (a member port's UUID) by member order, not as ``bond_primary``.

    The kernel's ``primary`` is a guest interface name, which this document cannot know:
    cloud-init passes ``bond_primary`` through verbatim and netplan then refuses a bond whose
    primary is not one of its interfaces. Listed first, the primary port is enslaved first
    and is the one the bond starts on."""
    ports = list(carrier.ports)
    properties = dict(carrier.properties)
    primary = properties.get("primary")
    chosen = next((port for port in ports if port.id == primary), None)
    if chosen is not None:
        del properties["primary"]
        ports.remove(chosen)
        ports.insert(0, chosen)
    return ports, properties


def network_data(network_info: Sequence[Mapping[str, Any]],
                 carriers: Mapping[str, Carrier] | None = None) -> dict[str, Any]:
    """``network_data.json`` for VIFs in NIC order, with bond links for port-group carriers.

    Nova's ``get_network_metadata`` and its Ironic driver, corner cases included:

    - no VIFs at all: ``{}`` (Nova returns None and its metadata writes ``{}``);
    - a VIF without a network or subnets gets no link and takes no ``interface<N>`` number,
      and so no bond or member links either (the Ironic driver only walks the links made);
    - top-level ``services`` are the DNS servers of the subnets that produced a network
      entry (each VIF's first IPv4 and first IPv6 subnet, if that has an address), each
      once, in order of first appearance.
    """
    if not network_info:
        return {}
    carriers = carriers or {}
    links: list[dict[str, Any]] = []
    member_links: list[dict[str, Any]] = []
    networks: list[dict[str, Any]] = []
    services: list[dict[str, str]] = []
    kept = 0
    for vif in network_info:
        network = vif.get("network")
        if not network or not network.get("subnets"):
            continue
        link = _link(vif, kept)
        kept += 1
        links.append(link)
        carrier = carriers.get(vif["id"])
        if carrier is not None:
            member_links.extend(_apply_carrier(link, carrier))
        for version in (4, 6):
            subnet = _first_subnet(network["subnets"], version)
            if subnet is None or not subnet.get("ips"):
                continue
            networks.append(_network(subnet, link["id"], network["id"], len(networks)))
            # Nova: ``services += [dns ... if dns not in services]``, checked against the
            # servers before this subnet's.
            services += [service for service in _dns_services(subnet) if service not in services]
    return {"links": links + member_links, "networks": networks, "services": services}
