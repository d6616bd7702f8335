"""How the admin panels link API objects: to an instance's and a node's page, and the VIF a
port or port group carries. Display only; NICs, addresses and carriers are named by
``multinic_dashboard.formatting``, as on the project side."""


from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from multinic_dashboard import formatting


def instance_url(instance_uuid) -> str:
    return reverse("horizon:project:multinic_instances:detail", args=[instance_uuid])


def node_url(node_uuid) -> str:
    return reverse("horizon:admin:multinic_baremetal:detail", args=[node_uuid])


def instance_link(instance_uuid, name: str | None) -> str:
    """A link to the instance; a port made ahead of its instance says it is attached to
    none."""
    if instance_uuid is None:
        return _("none yet (a port not attached)")
    return formatting.link(instance_url(instance_uuid), name or str(instance_uuid))


def node_link(node_uuid, name: str | None) -> str:
    return formatting.link(node_url(node_uuid), name or str(node_uuid))


def carried(vif) -> str:
    """'eth1 of <instance link>' for the VIF a port or group carries, else ''."""
    if vif is None:
        return ""
    return format_html(_("{nic} of {instance}"), nic=formatting.nic_name(vif),
                       instance=instance_link(vif.get("instance_uuid"), vif.get("instance_name")))
