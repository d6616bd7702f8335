"""Every VIF in the cloud, for the admin inventory, and the inventory's filters."""

from django.db.models import F, Q, QuerySet

from multinic_api.models import VIF
from multinic_api.services import baremetal, instances, macs

# The inventory's order: oldest instance first, its NICs in NIC order (as GET /api/vifs/).
# (instance, position) is unique, so the order is total and pages never overlap.
PAGE_ORDER = (("instance_created", False), ("instance_id", False), ("position", False))


def inventory() -> QuerySet[VIF]:
    """VIFs with all the inventory shows (instance, project, network, addresses, carrier)."""
    return (instances.vifs_with_addresses().select_related("instance__project")
            .annotate(instance_created=F("instance__created")))


def filtered(vifs: QuerySet[VIF], field: str | None, value: str | None) -> QuerySet[VIF]:
    """``vifs`` matching the filter; ``InvalidInput`` (with the reason) for an unusable MAC."""
    value = (value or "").strip()
    if not value:
        return vifs
    if field == "network":
        match = Q(network__name__iexact=value)
        if baremetal.is_uuid(value):
            match |= Q(network_id=value)
        return vifs.filter(match)
    if field == "mac":
        return vifs.filter(mac=macs.normalize_mac(value))
    # "project", the first choice and the default
    return vifs.filter(Q(instance__project__name__iexact=value) | Q(instance__project_id=value))
