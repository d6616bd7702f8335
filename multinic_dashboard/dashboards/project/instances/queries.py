"""The caller's instances, for this panel's views, tables and forms."""

import netaddr
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from multinic_api.exceptions import InvalidInput
from multinic_api.models import Instance
from multinic_api.services import instances, macs
from multinic_dashboard.api import caller as api


def visible(request) -> QuerySet[Instance]:
    """Instances the caller may see (its project's; all for an admin), with their NICs."""
    caller = api.caller(request)
    return instances.instances_with_interfaces().select_related("node").filter(
        pk__in=instances.visible_instances(caller.project, caller.is_admin))


def visible_instance(request, uuid) -> Instance:
    """One of them, else 404: another project's instance is indistinguishable from none."""
    try:
        instance = visible(request).filter(pk=uuid).first()
    except ValidationError as error:  # a malformed UUID in the URL
        raise Http404(f"Instance {uuid} not found.") from error
    if instance is None:
        raise Http404(f"Instance {uuid} not found.")
    return instance


def filtered(queryset: QuerySet[Instance], field: str | None, value: str | None):
    if not value:
        return queryset
    value = value.strip()
    if field == "address":
        return queryset.filter(pk__in=matching_address(value))
    return queryset.filter(name__icontains=value)


def matching_address(value: str) -> QuerySet:
    """Instances with a NIC holding this IP address or MAC (any notation); none if neither."""
    try:
        ip = netaddr.IPAddress(value)
    except (netaddr.AddrFormatError, ValueError):
        ip = None
    if ip is not None:
        return Instance.objects.filter(vifs__fixed_ips__address=str(ip)).values("pk")
    try:
        return Instance.objects.filter(vifs__mac=macs.normalize_mac(value)).values("pk")
    except InvalidInput:
        return Instance.objects.none().values("pk")
