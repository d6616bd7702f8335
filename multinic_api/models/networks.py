import uuid

import netaddr
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from multinic_api.fields import IPKeyField

from .querysets import NetworkQuerySet


class VifType(models.TextChoices):
    """How compute hosts plug a network's NICs: Neutron's ``binding:vif_type`` for the
    backends operators run (the values are Nova's ``nova.network.model.VIF_TYPE_*``)."""

    BRIDGE = "bridge", "Linux bridge"
    OVS = "ovs", "Open vSwitch"
    VHOSTUSER = "vhostuser", "vhost-user (OVS-DPDK)"
    TAP = "tap", "tap (made by the network backend)"


def default_vif_type() -> str:
    """The operator's default for new networks (``MULTINIC_DEFAULT_VIF_TYPE``)."""
    return settings.MULTINIC_DEFAULT_VIF_TYPE


class Network(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255, blank=True)
    project = models.ForeignKey("Project", on_delete=models.PROTECT, related_name="networks")
    shared = models.BooleanField(default=False)
    # 68 is the IPv4 minimum (RFC 791); 65535 the most an IP packet can carry.
    mtu = models.PositiveIntegerField(
        default=1500, validators=[MinValueValidator(68), MaxValueValidator(65535)]
    )
    physical_network = models.CharField(max_length=64, null=True, blank=True)
    # Set by administrators only. A VIF takes its network's type when it is created (as a
    # Neutron port is bound once): a NIC already plugged keeps the type it was plugged with.
    vif_type = models.CharField(max_length=32, choices=VifType.choices,
                                default=default_vif_type)
    created = models.DateTimeField(auto_now_add=True)

    objects = NetworkQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name or str(self.id)


class Subnet(models.Model):
    class IPv6AddressMode(models.TextChoices):
        SLAAC = "slaac", "SLAAC"
        DHCPV6_STATEFUL = "dhcpv6-stateful", "DHCPv6 stateful"
        DHCPV6_STATELESS = "dhcpv6-stateless", "DHCPv6 stateless"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    network = models.ForeignKey(Network, on_delete=models.PROTECT, related_name="subnets")
    name = models.CharField(max_length=255, blank=True)
    cidr = models.CharField(max_length=43)  # normalised by services.subnets
    ip_version = models.PositiveSmallIntegerField(choices=[(4, "IPv4"), (6, "IPv6")])
    gateway_ip = models.GenericIPAddressField(null=True, blank=True)
    enable_dhcp = models.BooleanField(default=True)
    dhcp_server = models.GenericIPAddressField(null=True, blank=True)
    dns_nameservers = models.JSONField(default=list, blank=True)
    # [{"destination": "192.168.0.0/24", "nexthop": "10.0.0.254"}, ...] as Neutron writes them
    host_routes = models.JSONField(default=list, blank=True)
    ipv6_address_mode = models.CharField(
        max_length=16, choices=IPv6AddressMode.choices, null=True, blank=True
    )
    # What the router advertises (Neutron's ipv6_ra_mode): kept and shown, never used here.
    ipv6_ra_mode = models.CharField(
        max_length=16, choices=IPv6AddressMode.choices, null=True, blank=True
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["network", "ip_version", "cidr"]

    def __str__(self) -> str:
        return f"{self.name or self.id} ({self.cidr})"

    @property
    def ip_network(self) -> netaddr.IPNetwork:
        return netaddr.IPNetwork(self.cidr)

    @property
    def address_from_mac(self) -> bool:
        """SLAAC and DHCPv6-stateless subnets derive each address from the MAC (EUI-64)."""
        return self.ipv6_address_mode in (
            self.IPv6AddressMode.SLAAC,
            self.IPv6AddressMode.DHCPV6_STATELESS,
        )


class AllocationPool(models.Model):
    """An inclusive range of a subnet that addresses are handed out from."""

    subnet = models.ForeignKey(Subnet, on_delete=models.CASCADE, related_name="allocation_pools")
    start = models.GenericIPAddressField()
    end = models.GenericIPAddressField()

    class Meta:
        ordering = ["subnet", "id"]

    def __str__(self) -> str:
        return f"{self.start} - {self.end}"


class FreeRange(models.Model):
    """An inclusive run of unallocated, unreserved addresses of a subnet's pools.

    The allocator's working set: see ``multinic_api.services.ipam`` for why it exists.
    """

    subnet = models.ForeignKey(Subnet, on_delete=models.CASCADE, related_name="free_ranges")
    first = IPKeyField()
    last = IPKeyField()

    class Meta:
        constraints = [
            # Also the index behind "lowest free range" and "range at or before X" lookups.
            models.UniqueConstraint(fields=["subnet", "first"], name="freerange_unique_first"),
            models.CheckConstraint(
                condition=models.Q(first__lte=models.F("last")), name="freerange_first_le_last"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first}..{self.last}"
