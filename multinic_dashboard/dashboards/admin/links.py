"""How the admin panels show API objects: links to an instance's and a node's page, NIC
names, addresses, and what a bare-metal port or port group carries. Display only."""

from collections.abc import Mapping
from typing import Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _


def instance_url(instance_uuid) -> str:
    return reverse("horizon:project:multinic_instances:detail", args=[instance_uuid])


def node_url(node_uuid) -> str:
    return reverse("horizon:admin:multinic_baremetal:detail", args=[node_uuid])


def link(url: str, text: str) -> str:
    return format_html('<a href="{}">{}</a>', url, text)


def instance_link(instance_uuid, name: str | None) -> str:
    return link(instance_url(instance_uuid), name or str(instance_uuid))


def node_link(node_uuid, name: str | None) -> str:
    return link(node_url(node_uuid), name or str(node_uuid))


def nic_name(vif) -> str:
    """The guest's name for the NIC: its position is the NIC order (eth0 first)."""
    return f"eth{vif.get('position')}"


def addresses(vif) -> list[str]:
    """A VIF's fixed IPs, IPv4 before IPv6 (then by subnet, as the instance pages list them)."""
    ips = sorted(vif.get("fixed_ips") or [],
                 key=lambda ip: (ip["ip_version"], str(ip["subnet_id"])))
    return [ip["ip_address"] for ip in ips]


def carrier_text(carrier: Mapping[str, Any] | None) -> str:
    """What carries a bare-metal VIF (the inventory's ``carrier``): a port (its MAC) or a
    bond (name, the mode this NIC runs with, members); '' for none."""
    if not carrier:
        return ""
    if carrier["kind"] == "port":
        return _("port %(mac)s") % {"mac": carrier["mac"]}
    return _("bond %(name)s (%(mode)s: %(members)s)") % {
        "name": carrier["name"], "mode": carrier["mode"],
        "members": ", ".join(carrier["members"])}


def carried(vif) -> str:
    """'eth1 of <instance link>' for the VIF a port or group carries, else ''."""
    if vif is None:
        return ""
    return format_html(_("{nic} of {instance}"), nic=nic_name(vif),
                       instance=instance_link(vif.get("instance_uuid"), vif.get("instance_name")))
