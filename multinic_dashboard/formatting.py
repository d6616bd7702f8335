"""How the dashboard names things: NICs, addresses, what carries a VIF, times. Display only,
over the API's objects (``multinic_dashboard.api.multinic``): the panels run where the API's
models are not installed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _


def nic_name(vif: Any) -> str | None:
    """The guest's name for the NIC: its position is the NIC order (eth0 first). A port made
    ahead of its instance has none yet (None: a table shows its empty value)."""
    position = vif.get("position")
    return None if position is None else f"eth{position}"


def addresses(vif: Any) -> list[str]:
    """The VIF's fixed IPs, IPv4 before IPv6 (then by subnet, as the guest is handed them)."""
    ordered = sorted(vif.get("fixed_ips") or [],
                     key=lambda ip: (ip["ip_version"], str(ip["subnet_id"])))
    return [ip["ip_address"] for ip in ordered]


def carrier_text(carrier: Mapping[str, Any] | None) -> str:
    """What carries a bare-metal VIF (a VIF's ``carrier``): a port (its MAC) or a bond (name,
    the mode this NIC runs with, members); "" on a virtual machine."""
    if not carrier:
        return ""
    if carrier["kind"] == "port":
        return _("port %(mac)s") % {"mac": carrier["mac"]}
    return _("bond %(name)s (%(mode)s: %(members)s)") % {
        "name": carrier["name"], "mode": carrier["mode"],
        "members": ", ".join(carrier["members"])}


def carrier(vif: Any) -> str:
    """``carrier_text`` of a VIF."""
    return carrier_text(vif.get("carrier"))


def nic_lines(vifs: Iterable[Any]) -> SafeString:
    """One line per NIC in NIC order: name, MAC, addresses (for a table cell)."""
    return format_html_join(
        "", '<div class="multinic-nic"><strong>{}</strong>&nbsp;<code>{}</code> {}</div>',
        ((nic_name(v), v.mac, ", ".join(addresses(v))) for v in vifs))


def timestamp(value: str | None) -> str | None:
    """An API time (ISO 8601) as the dashboard shows times: ``2024-05-01 12:34:56``, in the
    site's time zone. None stays None (Horizon then shows the column's ``empty_value``)."""
    if not value:
        return None
    when = parse_datetime(value)
    if when is None:
        return value
    if timezone.is_aware(when):
        when = timezone.localtime(when)
    return when.strftime("%Y-%m-%d %H:%M:%S")


def link(url: str, text: str) -> str:
    return format_html('<a href="{}">{}</a>', url, text)
