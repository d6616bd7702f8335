"""What a caller may see, and what every view of a row loads with it.

Each model filtered by caller has ``objects.restrict(scope)`` (in NetBox's way: one method
per model, so the rule of whose a row is lives here and not in each face); the row loaders
(``with_addresses``, ``with_interfaces``) are here so that every service that shows a VIF or
an instance reads the same rows in the same number of queries.

The loaders put the rows in plain list attributes, ``instance.interfaces`` (the VIFs in NIC
order) and ``vif.addresses`` (the fixed IPs with their subnets), which is what every renderer
reads. A launch or an attach sets the same attributes on the rows it has just written, so it
answers without reading them back; ``instance.vifs.all()`` would ask the database again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Prefetch, Q

if TYPE_CHECKING:  # scope.py reaches the models through the services: the type only
    from multinic_api.scope import Scope


class NetworkQuerySet(models.QuerySet):
    def restrict(self, scope: Scope) -> NetworkQuerySet:
        """Networks the caller may attach to: its project's and shared ones; admins may use
        any. A caller in no project sees the shared ones only."""
        if scope.is_admin:
            return self.all()
        if scope.project is None:
            return self.filter(shared=True)
        return self.filter(Q(project=scope.project) | Q(shared=True))


class InstanceQuerySet(models.QuerySet):
    def restrict(self, scope: Scope) -> InstanceQuerySet:
        """The caller's project's instances; all for an admin; none for a caller in no
        project."""
        if scope.is_admin:
            return self.all()
        if scope.project is None:
            return self.none()
        return self.filter(project=scope.project)

    def with_interfaces(self) -> InstanceQuerySet:
        """Instances with ``interfaces``: their VIFs in NIC order, each loaded as
        :meth:`VIFQuerySet.with_addresses` loads it."""
        vifs = _related_model(self, "vifs").objects.with_addresses().order_by("position")
        return self.prefetch_related(Prefetch("vifs", queryset=vifs, to_attr="interfaces"))


class VIFQuerySet(models.QuerySet):
    def restrict(self, scope: Scope) -> VIFQuerySet:
        """The caller's project's interfaces, attached or not (a port made ahead of its
        instance is its project's); all for an admin; none for a caller in no project."""
        if scope.is_admin:
            return self.all()
        if scope.project is None:
            return self.none()
        return self.filter(project=scope.project)

    def with_addresses(self) -> VIFQuerySet:
        """VIFs with what every view of them shows: instance, network, carrier, a port
        group's member ports, and ``addresses``: the fixed IPs with their subnets."""
        fixed_ips = _related_model(self, "fixed_ips").objects.select_related("subnet")
        return self.select_related("instance", "network", "port", "port_group").prefetch_related(
            Prefetch("fixed_ips", queryset=fixed_ips, to_attr="addresses"),
            "port_group__ports",
        )


class NodeQuerySet(models.QuerySet):
    def restrict(self, scope: Scope) -> NodeQuerySet:
        """Nodes a caller may see and launch onto: admins all, tenants their project's."""
        if scope.is_admin:
            return self.all()
        if scope.project is None:
            return self.none()
        return self.filter(project=scope.project)


def _related_model(queryset: models.QuerySet, relation: str) -> type[models.Model]:
    """The model at the other end of ``relation``, read from the model this queryset is
    for: the querysets are defined before the models they load."""
    return queryset.model._meta.get_field(relation).related_model
