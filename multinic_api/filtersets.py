"""Query filters for the list endpoints (django-filter)."""

import django_filters

from multinic_api.models import VIF, Instance, Network, Subnet
from multinic_api.services import macs


class NetworkFilterSet(django_filters.FilterSet):
    class Meta:
        model = Network
        fields = {"name": ["exact"], "shared": ["exact"], "project": ["exact"]}


class SubnetFilterSet(django_filters.FilterSet):
    network_id = django_filters.UUIDFilter(field_name="network_id")

    class Meta:
        model = Subnet
        fields = ["network_id", "ip_version", "cidr", "name"]


class InstanceFilterSet(django_filters.FilterSet):
    project_id = django_filters.CharFilter(field_name="project_id")

    class Meta:
        model = Instance
        fields = ["name", "project_id"]


class VIFFilterSet(django_filters.FilterSet):
    project_id = django_filters.CharFilter(field_name="instance__project_id")
    network_id = django_filters.UUIDFilter(field_name="network_id")
    instance_uuid = django_filters.UUIDFilter(field_name="instance_id")
    mac = django_filters.CharFilter(method="filter_mac", help_text="any MAC notation")

    class Meta:
        model = VIF
        fields = ["project_id", "network_id", "instance_uuid", "mac", "vnic_type"]

    def filter_mac(self, queryset, name, value):
        return queryset.filter(mac=macs.normalize_mac(value))
