"""Where the admin panels link to: an instance's detail page, a node's page; and what a
bare-metal port or port group carries. Display only."""

from django.urls import reverse
from django.utils.html import format_html

from multinic_dashboard import formatting


def instance_url(instance_id) -> str:
    return reverse("horizon:project:multinic_instances:detail", args=[instance_id])


def node_url(node_id) -> str:
    return reverse("horizon:admin:multinic_baremetal:detail", args=[node_id])


def instance_link(instance) -> str:
    return formatting.link(instance_url(instance.pk), instance.name or str(instance.pk))


def node_link(node) -> str:
    return formatting.link(node_url(node.pk), node.name)


def carried_vif(carrier):
    """The VIF a port or port group carries, or None (select_related("vif__instance"))."""
    return getattr(carrier, "vif", None)


def carried(carrier) -> str:
    """'eth1 of <instance link>' for a carrier bound to a VIF, else ''."""
    vif = carried_vif(carrier)
    if vif is None:
        return ""
    return format_html("{} of {}", formatting.nic_name(vif), instance_link(vif.instance))


def carried_through(port) -> str:
    """What a port carries: its own VIF, or its port group's ('... through bond0'), else ''
    (select_related("vif__instance", "port_group__vif__instance"))."""
    if carried_vif(port) is not None or port.port_group_id is None:
        return carried(port)
    through = carried(port.port_group)
    if not through:
        return ""
    return format_html("{} (through {})", through, port.port_group.name)
