"""How the dashboard names things: NICs, addresses and what carries a VIF. Display only."""

from django.utils.html import format_html, format_html_join

from multinic_api.models import VIF
from multinic_api.services import baremetal, binding


def nic_name(vif: VIF) -> str:
    """The guest's name for the NIC: its position is the NIC order (eth0 first)."""
    return f"eth{vif.position}"


def addresses(vif: VIF) -> list[str]:
    """The VIF's fixed IPs, IPv4 before IPv6 (needs ``vifs_with_addresses``)."""
    ips = sorted(vif.fixed_ips.all(), key=lambda ip: (ip.subnet.ip_version, ip.subnet_id))
    return [str(ip.address) for ip in ips]


def carrier(vif: VIF) -> str:
    """What carries a bare-metal VIF: a port (its MAC) or a bond (name, mode, members)."""
    if vif.port_id is not None:
        return f"port {vif.port.mac}"
    if vif.port_group_id is not None:
        group = vif.port_group
        mode, _ = binding.bound_bond(vif, group)
        members = ", ".join(p.mac for p in baremetal.in_member_order(group.ports.all()))
        return f"bond {group.name} ({mode}: {members})"
    return ""


def nic_lines(vifs) -> str:
    """One line per NIC in NIC order: name, MAC, addresses (for a table cell)."""
    return format_html_join(
        "", '<div class="multinic-nic"><strong>{}</strong>&nbsp;<code>{}</code> {}</div>',
        ((nic_name(v), v.mac, ", ".join(addresses(v))) for v in vifs))


def link(url: str, text: str) -> str:
    return format_html('<a href="{}">{}</a>', url, text)
