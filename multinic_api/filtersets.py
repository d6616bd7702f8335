"""Query filters for the list endpoints (django-filter)."""

import django_filters
from django.db.models import Q
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import PermissionDenied

from multinic_api.api.tenancy import request_scope
from multinic_api.models import VIF, Instance, Network, Subnet
from multinic_api.services import baremetal, instances, macs


@extend_schema_field(OpenApiTypes.BOOL)
class CheckedBooleanFilter(django_filters.TypedChoiceFilter):
    """``true`` or ``false``, else a 400. django-filter's BooleanFilter reads anything but
    its few spellings of true and false ("shared=yes", "shared=null") as no filter at all,
    so a typo listed everything."""

    def __init__(self, **kwargs):
        super().__init__(choices=[("true", "true"), ("false", "false")],
                         coerce=lambda value: value == "true", **kwargs)


class CheckedFilterSet(django_filters.FilterSet):
    """A typed filter (a UUID, a choice, true or false) given with no value, as in
    ``?network_id=``, is a 400: django-filter reads it as no filter at all, so a client whose
    value went missing got every row. (An empty text filter stays "no filter".)"""

    TYPED = (django_filters.UUIDFilter, django_filters.ChoiceFilter,
             django_filters.TypedChoiceFilter, django_filters.BooleanFilter,
             django_filters.NumberFilter)

    def is_valid(self):
        if self.is_bound:
            for name, declared in self.filters.items():
                if isinstance(declared, self.TYPED) and self.data.get(name, None) == "":
                    self.form.add_error(name, "Give a value, or leave the parameter out.")
        return super().is_valid()


class NetworkFilterSet(CheckedFilterSet):
    shared = CheckedBooleanFilter()
    subnet = django_filters.CharFilter(
        method="filter_subnet", help_text="networks with a subnet whose CIDR or name contains "
                                          "this (case-insensitive)")
    project_name = django_filters.CharFilter(
        method="filter_project_name", help_text="admin only: networks of projects whose name "
                                                "contains this (case-insensitive)")

    class Meta:
        model = Network
        fields = {"name": ["exact", "icontains"], "shared": ["exact"], "project": ["exact"],
                  "physical_network": ["exact", "icontains"]}

    def filter_subnet(self, queryset, name, value):
        matching = Subnet.objects.filter(Q(cidr__icontains=value) | Q(name__icontains=value))
        return queryset.filter(pk__in=matching.values("network_id"))

    def filter_project_name(self, queryset, name, value):
        # Whose a shared network is stays with administrators: a tenant could otherwise learn
        # it by guessing names.
        if not request_scope(self.request).is_admin:
            raise PermissionDenied("Only an administrator may filter networks by project name.")
        return queryset.filter(project__name__icontains=value)


class UUIDInFilter(django_filters.BaseInFilter, django_filters.UUIDFilter):
    """Comma-separated UUIDs."""


class SubnetFilterSet(CheckedFilterSet):
    network_id = django_filters.UUIDFilter(field_name="network_id")
    network_id__in = UUIDInFilter(field_name="network_id",
                                  help_text="subnets of any of these networks (comma-separated)")

    class Meta:
        model = Subnet
        fields = ["network_id", "ip_version", "cidr", "name"]


class InstanceFilterSet(CheckedFilterSet):
    project_id = django_filters.CharFilter(field_name="project_id")
    name__icontains = django_filters.CharFilter(field_name="name", lookup_expr="icontains")
    address = django_filters.CharFilter(
        method="filter_address", help_text="instances with a NIC holding this IP address or "
                                           "MAC, in any notation")

    class Meta:
        model = Instance
        fields = ["name", "project_id"]

    def filter_address(self, queryset, name, value):
        return queryset.filter(pk__in=instances.holding_address(value).values("pk"))


class VIFFilterSet(CheckedFilterSet):
    project_id = django_filters.CharFilter(field_name="project_id")
    network_id = django_filters.UUIDFilter(field_name="network_id")
    instance_uuid = django_filters.UUIDFilter(field_name="instance_id")
    mac = django_filters.CharFilter(method="filter_mac", help_text="any MAC notation")
    # What a person types in the admin inventory's filter box: a name or an ID.
    project = django_filters.CharFilter(
        method="filter_project", help_text="a project's ID, or its name in any case")
    network = django_filters.CharFilter(
        method="filter_network", help_text="a network's ID, or its name in any case")
    node = django_filters.CharFilter(
        method="filter_node", help_text="a bare-metal node's UUID or name: the NICs of the "
                                        "instances on it")

    class Meta:
        model = VIF
        fields = ["project_id", "network_id", "instance_uuid", "mac", "vnic_type"]

    def filter_mac(self, queryset, name, value):
        return queryset.filter(mac=macs.normalize_mac(value))

    # (A value with a NUL character never gets here: the filter's form field refuses it.)
    def filter_project(self, queryset, name, value):
        return queryset.filter(Q(project_id=value)
                               | Q(project__name__iexact=value))

    def filter_network(self, queryset, name, value):
        match = Q(network__name__iexact=value)
        if baremetal.is_uuid(value):
            match |= Q(network_id=value)
        return queryset.filter(match)

    def filter_node(self, queryset, name, value):
        match = Q(instance__node__name=value)
        if baremetal.is_uuid(value):
            match |= Q(instance__node_id=value)
        return queryset.filter(match)
