"""Request and response shapes of the REST API. Validation of meaning (addresses, MACs,
tenancy) is the services' job; these only check shape and types."""

import base64
import binascii

from django.conf import settings
from rest_framework import serializers

from multinic_api.models import VIF, FixedIP, Instance, Keypair, Network, Subnet


class StrictCharField(serializers.CharField):
    """A string, and only a string: 5 or true is not silently turned into "5" or "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, so a typo ("nic" for "nics") is a 400, not ignored."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            unknown = sorted(set(data) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: ["Unknown field."] for name in unknown}
                )
        return super().to_internal_value(data)


# --- networks and subnets -----------------------------------------------------------------

class NetworkSerializer(serializers.ModelSerializer):
    project_id = StrictCharField(read_only=True)
    subnets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta:
        model = Network
        fields = ["id", "name", "project_id", "shared", "mtu", "physical_network", "subnets",
                  "created"]
        read_only_fields = fields


class NetworkCreateSerializer(StrictSerializer):
    name = StrictCharField(max_length=255, allow_blank=True, default="")
    shared = serializers.BooleanField(default=False, help_text="admin only")
    mtu = serializers.IntegerField(default=1500, min_value=68, max_value=65535)
    physical_network = StrictCharField(
        max_length=64, required=False, allow_null=True, help_text="admin only"
    )
    project_id = StrictCharField(
        max_length=64, required=False, help_text="admin only: create it for this project"
    )


class AllocationPoolSerializer(StrictSerializer):
    start = StrictCharField(max_length=64)
    end = StrictCharField(max_length=64)


class HostRouteSerializer(StrictSerializer):
    destination = StrictCharField(max_length=64)
    nexthop = StrictCharField(max_length=64)


class SubnetSerializer(serializers.ModelSerializer):
    network_id = serializers.UUIDField(read_only=True)
    allocation_pools = serializers.SerializerMethodField()

    class Meta:
        model = Subnet
        fields = ["id", "network_id", "name", "cidr", "ip_version", "gateway_ip",
                  "allocation_pools", "dns_nameservers", "host_routes", "enable_dhcp",
                  "dhcp_server", "ipv6_address_mode", "created"]
        read_only_fields = fields

    def get_allocation_pools(self, subnet) -> list[dict[str, str]]:
        return [{"start": p.start, "end": p.end} for p in subnet.allocation_pools.all()]


class SubnetCreateSerializer(StrictSerializer):
    network_id = serializers.UUIDField()
    name = StrictCharField(max_length=255, allow_blank=True, default="")
    cidr = StrictCharField(max_length=64)
    gateway_ip = StrictCharField(
        max_length=64, required=False, allow_null=True,
        help_text="omit for the first usable address; null for no gateway",
    )
    allocation_pools = AllocationPoolSerializer(many=True, required=False, max_length=64)
    dns_nameservers = serializers.ListField(
        child=StrictCharField(max_length=64), required=False, max_length=16
    )
    host_routes = HostRouteSerializer(many=True, required=False, max_length=64)
    enable_dhcp = serializers.BooleanField(default=True)
    dhcp_server = StrictCharField(max_length=64, required=False, allow_null=True)
    ipv6_address_mode = serializers.ChoiceField(
        choices=Subnet.IPv6AddressMode.choices, required=False, allow_null=True
    )


# --- instances and interfaces ---------------------------------------------------------------

class FixedIPSerializer(serializers.ModelSerializer):
    subnet_id = serializers.UUIDField(read_only=True)
    ip_address = StrictCharField(source="address", read_only=True)
    ip_version = serializers.IntegerField(source="subnet.ip_version", read_only=True)

    class Meta:
        model = FixedIP
        fields = ["subnet_id", "ip_address", "ip_version"]


class VIFSerializer(serializers.ModelSerializer):
    instance_uuid = serializers.UUIDField(source="instance_id", read_only=True)
    network_id = serializers.UUIDField(read_only=True)
    project_id = StrictCharField(source="instance.project_id", read_only=True)
    devname = StrictCharField(read_only=True)
    fixed_ips = FixedIPSerializer(many=True, read_only=True)

    class Meta:
        model = VIF
        fields = ["uuid", "mac", "instance_uuid", "project_id", "network_id", "position",
                  "devname", "tag", "vif_type", "vnic_type", "fixed_ips", "created"]
        read_only_fields = fields


class InstanceSerializer(serializers.ModelSerializer):
    project_id = StrictCharField(read_only=True)
    interfaces = VIFSerializer(source="vifs", many=True, read_only=True)

    class Meta:
        model = Instance
        fields = ["uuid", "name", "hostname", "project_id", "availability_zone", "metadata",
                  "key_name", "config_drive", "launch_index", "created", "interfaces"]
        read_only_fields = fields


class InstancePreviewSerializer(InstanceSerializer):
    """A launch that was not committed, with what its guest would be handed."""

    network_info = serializers.ListField(child=serializers.DictField(), read_only=True,
                                         help_text="Nova's network model, one VIF per NIC")
    network_data = serializers.DictField(read_only=True, help_text="network_data.json")
    meta_data = serializers.DictField(read_only=True, help_text="meta_data.json (latest)")

    class Meta(InstanceSerializer.Meta):
        fields = [*InstanceSerializer.Meta.fields, "network_info", "network_data", "meta_data"]
        read_only_fields = fields


class NicRequestSerializer(StrictSerializer):
    network_id = serializers.UUIDField()
    fixed_ips = serializers.ListField(
        child=StrictCharField(max_length=64), required=False, max_length=8,
        help_text="at most one address per subnet of the network; others get the next free",
    )
    tag = StrictCharField(max_length=60, required=False, allow_null=True,
                                help_text="device role tag, shown to the guest")
    mac = StrictCharField(max_length=64, required=False, allow_null=True,
                                help_text="admin only; generated when omitted")


class InterfaceAttachSerializer(NicRequestSerializer):
    pass


class LaunchSerializer(StrictSerializer):
    name = StrictCharField(max_length=255)
    hostname = StrictCharField(max_length=255, required=False)
    availability_zone = StrictCharField(max_length=255, default="nova")
    metadata = serializers.DictField(
        child=StrictCharField(max_length=255, allow_blank=True), required=False
    )
    key_name = StrictCharField(max_length=255, required=False, allow_null=True)
    public_key = StrictCharField(max_length=16384, required=False, allow_null=True)
    user_data = StrictCharField(
        max_length=87384, required=False, allow_null=True,
        help_text="base64, at most 65535 bytes decoded (Nova's limit)",
    )
    config_drive = serializers.BooleanField(default=False)
    nics = NicRequestSerializer(
        many=True, max_length=settings.MULTINIC_MAX_NICS_PER_LAUNCH,
        help_text="in NIC order: the first is eth0. The same network may appear twice.",
    )

    def validate_user_data(self, value):
        if value is None:
            return value
        try:
            decoded = base64.b64decode(value, validate=True)
        except (binascii.Error, ValueError):
            raise serializers.ValidationError("user_data must be base64-encoded") from None
        if len(decoded) > 65535:
            raise serializers.ValidationError("user_data may be at most 65535 bytes decoded")
        return value


class KeypairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Keypair
        fields = ["name", "type", "public_key", "fingerprint", "created"]
        read_only_fields = fields


class KeypairImportSerializer(StrictSerializer):
    name = StrictCharField(max_length=255)
    public_key = StrictCharField(max_length=16384, help_text="an OpenSSH public key line")
