"""The caller's networks, for this panel's views, tables and forms.

Who may use a network is the instances service's rule (``usable_networks``: the project's own
and shared ones, all for an admin). Who may change one is the subnets service's, which the REST
API applies too (``may_change``: only the network's project, or an admin; a shared network is
usable by everyone but changed by its owner alone).
"""

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, Q, QuerySet

from multinic_api.exceptions import Forbidden, NotFound
from multinic_api.models import Network, Subnet
from multinic_api.services import instances, subnets
from multinic_dashboard.api import caller as api


def usable(request) -> QuerySet[Network]:
    """Networks the caller may use, with their project and subnets (IPv4 first)."""
    caller = api.caller(request)
    return instances.usable_networks(caller.project, caller.is_admin).select_related(
        "project").prefetch_related(
        Prefetch("subnets", queryset=Subnet.objects.order_by("ip_version", "cidr", "id")))


def owns(request, network: Network) -> bool:
    """May the caller change this network (add or delete subnets, delete it)?"""
    caller = api.caller(request)
    return subnets.may_change(network, caller.project, caller.is_admin)


def changeable_network(request, network_id) -> Network:
    """A network the caller may change. Another project's private network is indistinguishable
    from none (NotFound); a shared one it may only use (Forbidden)."""
    try:
        network = usable(request).filter(pk=network_id).first()
    except ValidationError:  # not a UUID
        network = None
    if network is None:
        raise NotFound(f"Network {network_id} not found.")
    if not owns(request, network):
        raise Forbidden(f"Network {network.name or network.pk} belongs to another project; only "
                        "its project or an administrator may change it.")
    return network


def filtered(queryset: QuerySet[Network], field: str | None, value: str | None,
             is_admin: bool = False):
    """The table's server-side filter: by name (the default), subnet, physical network."""
    value = (value or "").strip()
    if not value:
        return queryset
    if field == "subnet":
        matching = Subnet.objects.filter(Q(cidr__icontains=value) | Q(name__icontains=value))
        return queryset.filter(pk__in=matching.values("network_id"))
    if field == "physical_network":
        return queryset.filter(physical_network__icontains=value)
    if field == "project":  # administrators only: a tenant is not told whose a network is
        return queryset.filter(project__name__icontains=value) if is_admin else queryset.none()
    return queryset.filter(name__icontains=value)
