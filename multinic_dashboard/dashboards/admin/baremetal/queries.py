"""Bare-metal nodes, their ports and port groups, as the admin panel shows them."""

from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import Http404

from multinic_api.exceptions import NotFound
from multinic_api.models import Instance, Node, Port, PortGroup
from multinic_api.services import baremetal

NODE_ORDER = (("name", False),)  # names are unique


def nodes() -> QuerySet[Node]:
    """Every node with its project, port and group counts, and the instances on it."""
    return (Node.objects.select_related("project")
            .annotate(port_count=Count("ports", distinct=True),
                      group_count=Count("port_groups", distinct=True))
            .prefetch_related(Prefetch("instances",
                                       queryset=Instance.objects.order_by("name", "uuid"))))


def node(node_id) -> Node:
    """A node by UUID (or name), else 404."""
    try:
        return baremetal.find_node(node_id, None, is_admin=True)
    except NotFound as error:
        raise Http404(error.message) from error


def ports(node: Node) -> QuerySet[Port]:
    """The node's ports by MAC, with their group and the VIF (and instance) each carries."""
    return (node.ports.select_related("vif__instance", "port_group__vif__instance")
            .order_by("mac"))


def port_groups(node: Node) -> QuerySet[PortGroup]:
    """The node's port groups by name, with members, the VIF carried and the launch that
    made the group, if one did."""
    return (node.port_groups.select_related("vif__instance", "instance")
            .prefetch_related("ports").order_by("name"))


def port_group(node: Node, group_id) -> PortGroup:
    """One of the node's port groups by UUID, else 404."""
    try:
        group = port_groups(node).filter(pk=group_id).first()
    except ValidationError:  # not a UUID
        group = None
    if group is None:
        raise Http404(f"Port group {group_id} not found on node {node.name}.")
    return group
