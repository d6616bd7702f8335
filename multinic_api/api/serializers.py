"""Request and response shapes of the REST API. Validation of meaning (addresses, MACs,
tenancy) is the services' job; these only check shape and types."""

from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from multinic_api.api import presenters
from multinic_api.models import (
    VIF,
    FixedIP,
    Instance,
    Keypair,
    Network,
    Node,
    Port,
    PortGroup,
    Subnet,
    VifType,
)
from multinic_api.services import baremetal, instances, limits, subnets


class StrictCharField(serializers.CharField):
    """A string, and only a string: 5 or true is not silently turned into "5" or "True"."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """true or false, and only that: "f", "no", "off", 0 are not read as false (the body is
    JSON, which has booleans, and the schema says boolean)."""

    def to_internal_value(self, data):
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class StrictIntegerField(serializers.IntegerField):
    """An integer, and only an integer: "3", 3.0 and true are refused, not read as 3 or 1.
    ``min_value`` and ``max_value`` are shown in the schema but, like :class:`ServiceLimit`,
    checked by the services, with the message every other face gives for the same value."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators
                           if not isinstance(v, MinValueValidator | MaxValueValidator)]

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return data


class ServiceLimit(MaxLengthValidator):
    """A limit the services enforce (:mod:`multinic_api.services.limits`), shown in the schema
    (maxLength, maxItems or maxProperties) and not checked here: the service refuses it, with
    the message every other face (Nova's, the dashboard's) gives for the same value."""

    def __call__(self, value) -> None:
        return None


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
    project_name = serializers.SerializerMethodField(
        help_text="the owning project's name, for administrators and for the project itself; "
                  "null otherwise (whose a shared network is stays with administrators)")
    subnets = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    may_change = serializers.SerializerMethodField(
        help_text="whether the caller may change it (add or delete subnets, delete it): its "
                  "project's members and administrators; a shared network is usable by all")

    class Meta:
        model = Network
        fields = ["id", "name", "project_id", "project_name", "shared", "mtu",
                  "physical_network", "vif_type", "subnets", "may_change", "created"]
        read_only_fields = fields

    def get_may_change(self, network) -> bool:
        scope = self.context.get("scope")
        return scope is not None and subnets.may_change(network, scope.project, scope.is_admin)

    def get_project_name(self, network) -> str | None:
        scope = self.context.get("scope")  # the caller's (tenancy.Scope), given by the views
        if scope is None:
            return None
        if scope.is_admin or (scope.project is not None
                              and network.project_id == scope.project.pk):
            return network.project.name
        return None


class NetworkCreateSerializer(StrictSerializer):
    name = StrictCharField(allow_blank=True, default="", validators=[ServiceLimit(limits.NAME)])
    shared = StrictBooleanField(default=False, help_text="admin only")
    mtu = serializers.IntegerField(default=1500, min_value=68, max_value=65535)
    physical_network = StrictCharField(
        required=False, allow_null=True, help_text="admin only",
        validators=[ServiceLimit(limits.PHYSICAL_NETWORK)],
    )
    project_id = StrictCharField(
        max_length=64, required=False, help_text="admin only: create it for this project"
    )
    vif_type = serializers.ChoiceField(
        choices=VifType.choices, required=False,
        help_text="admin only: how hosts plug its NICs; left out, the operator's default "
                  "(MULTINIC_DEFAULT_VIF_TYPE)")


class NetworkUpdateSerializer(StrictSerializer):
    vif_type = serializers.ChoiceField(
        choices=VifType.choices, required=False,
        help_text="admin only: how hosts plug NICs attached from now on; NICs already on the "
                  "network keep the type they were plugged with")


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
    name = StrictCharField(allow_blank=True, default="", validators=[ServiceLimit(limits.NAME)])
    cidr = StrictCharField(max_length=64)
    gateway_ip = StrictCharField(
        max_length=64, required=False, allow_null=True,
        help_text="omit for the first usable address; null for no gateway",
    )
    allocation_pools = AllocationPoolSerializer(
        many=True, required=False, validators=[ServiceLimit(limits.ALLOCATION_POOLS)])
    dns_nameservers = serializers.ListField(
        child=StrictCharField(max_length=64), required=False,
        validators=[ServiceLimit(limits.DNS_NAMESERVERS)],
    )
    host_routes = HostRouteSerializer(many=True, required=False,
                                      validators=[ServiceLimit(limits.HOST_ROUTES)])
    enable_dhcp = StrictBooleanField(default=True)
    dhcp_server = StrictCharField(max_length=64, required=False, allow_null=True)
    ipv6_address_mode = serializers.ChoiceField(
        choices=Subnet.IPv6AddressMode.choices, required=False, allow_null=True
    )

    def to_internal_value(self, data):
        # The services' counts before each item is read: a list of thousands is refused at once.
        if isinstance(data, dict):
            subnets.check_list_sizes(**{
                field: data[field] for field in ("allocation_pools", "dns_nameservers",
                                                 "host_routes")
                if isinstance(data.get(field), list)})
        return super().to_internal_value(data)


# --- instances and interfaces ---------------------------------------------------------------

class FixedIPSerializer(serializers.ModelSerializer):
    subnet_id = serializers.UUIDField(read_only=True)
    ip_address = StrictCharField(source="address", read_only=True)
    ip_version = serializers.IntegerField(source="subnet.ip_version", read_only=True)

    class Meta:
        model = FixedIP
        fields = ["subnet_id", "ip_address", "ip_version"]


class CarrierSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=["port", "bond"])
    uuid = serializers.UUIDField(help_text="the port's, or the port group's")
    mac = serializers.CharField(help_text="the port's MAC, or the port group's (may be null)",
                                allow_null=True)
    name = serializers.CharField(required=False, help_text="bond: the port group's name")
    mode = serializers.CharField(required=False, help_text="bond: the mode this NIC runs with")
    properties = serializers.DictField(required=False,
                                       help_text="bond: the options this NIC runs with")
    members = serializers.ListField(child=serializers.CharField(), required=False,
                                    help_text="bond: the member ports' MACs, in member order")


class VIFSerializer(serializers.ModelSerializer):
    instance_uuid = serializers.UUIDField(source="instance_id", read_only=True, allow_null=True,
                                          help_text="null for a port not attached yet")
    network_id = serializers.UUIDField(read_only=True)
    network_name = StrictCharField(source="network.name", read_only=True)
    project_id = StrictCharField(read_only=True)
    devname = StrictCharField(read_only=True)
    fixed_ips = FixedIPSerializer(source="addresses", many=True, read_only=True)

    class Meta:
        model = VIF
        fields = ["uuid", "mac", "instance_uuid", "project_id", "network_id", "position",
                  "devname", "tag", "vif_type", "vnic_type", "fixed_ips", "port_uuid",
                  "port_group_uuid", "carrier", "binding_host", "binding_profile",
                  "network_name", "created"]
        read_only_fields = fields

    port_uuid = serializers.UUIDField(source="port_id", read_only=True, allow_null=True,
                                      help_text="bare metal: the port carrying this NIC")
    port_group_uuid = serializers.UUIDField(
        source="port_group_id", read_only=True, allow_null=True,
        help_text="bare metal: the port group (bond) carrying this NIC")
    binding_profile = serializers.DictField(
        read_only=True, help_text="bare metal: local_link_information and "
        "local_group_information (the bond mode and options this NIC runs with)")
    carrier = serializers.SerializerMethodField(
        help_text="bare metal: what carries this NIC, a port or a bond; null on a VM")

    @extend_schema_field(CarrierSerializer(allow_null=True))
    def get_carrier(self, vif) -> dict | None:
        return presenters.carrier(vif)


class VIFInventorySerializer(VIFSerializer):
    """A VIF in the admin inventory: with the names of its instance and project beside the
    network's and what carries it, so that a listing needs no further lookups."""

    instance_name = StrictCharField(source="instance.name", read_only=True, allow_null=True)
    project_name = StrictCharField(source="project.name", read_only=True)

    class Meta(VIFSerializer.Meta):
        fields = [*VIFSerializer.Meta.fields, "instance_name", "project_name"]
        read_only_fields = fields


class InstanceSerializer(serializers.ModelSerializer):
    project_id = StrictCharField(read_only=True)
    project_name = StrictCharField(source="project.name", read_only=True)
    node_uuid = serializers.UUIDField(source="node_id", read_only=True, allow_null=True)
    node_name = StrictCharField(source="node.name", read_only=True, allow_null=True,
                                help_text="bare metal: the node's name")
    interfaces = VIFSerializer(many=True, read_only=True)

    class Meta:
        model = Instance
        fields = ["uuid", "name", "hostname", "project_id", "project_name", "availability_zone",
                  "metadata", "key_name", "config_drive", "reservation_id", "launch_index",
                  "node_uuid",
                  "node_name", "created", "interfaces"]
        read_only_fields = fields


class InstanceWithWarningsSerializer(InstanceSerializer):
    """An instance as its launch answers it: with what works but is likely not what was
    meant."""

    warnings = serializers.ListField(
        child=serializers.CharField(), read_only=True,
        help_text="e.g. a bond with one member, or updelay not a multiple of miimon")

    class Meta(InstanceSerializer.Meta):
        fields = [*InstanceSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class InstancePreviewSerializer(InstanceWithWarningsSerializer):
    """A launch that was not committed, with what its guest would be handed."""

    network_info = serializers.ListField(child=serializers.DictField(), read_only=True,
                                         help_text="Nova's network model, one VIF per NIC")
    network_data = serializers.DictField(read_only=True, help_text="network_data.json")
    meta_data = serializers.DictField(read_only=True, help_text="meta_data.json (latest)")

    class Meta(InstanceWithWarningsSerializer.Meta):
        fields = [*InstanceWithWarningsSerializer.Meta.fields, "network_info", "network_data",
                  "meta_data"]
        read_only_fields = fields


class BondRequestSerializer(StrictSerializer):
    port_group = StrictCharField(
        max_length=255, required=False,
        help_text="an existing port group of the node (UUID or name) to carry this NIC; "
                  "mode and properties then override its own for this instance")
    ports = serializers.ListField(
        child=StrictCharField(max_length=64), required=False,
        validators=[ServiceLimit(limits.BOND_MEMBERS)],
        help_text="or: ports of the node (UUIDs or MACs) to bond into a new group for this "
                  "NIC; it is removed when the NIC is")
    mode = StrictCharField(max_length=16, required=False, allow_null=True,
                           help_text="a bonding mode name; see /api/bonding/modes/. Default: "
                                     "the group's, else active-backup")
    properties = serializers.DictField(
        required=False, allow_null=True,
        help_text="bonding options by kernel name, e.g. {\"miimon\": 100, \"lacp_rate\": "
                  "\"fast\"}. Default: the group's, else {\"miimon\": 100}")
    name = StrictCharField(max_length=255, required=False, allow_null=True,
                           help_text="name of a new group; default bond-<instance>-nic<N>")

    def validate(self, attrs):
        if ("port_group" in attrs) == ("ports" in attrs):
            raise serializers.ValidationError(
                "A bond names either an existing port_group or the ports for a new one")
        if "port_group" in attrs and attrs.get("name"):
            raise serializers.ValidationError("name is for a new bond of ports only")
        return attrs


class NicRequestSerializer(StrictSerializer):
    network_id = serializers.UUIDField()
    fixed_ips = serializers.ListField(
        child=StrictCharField(max_length=64), required=False,
        validators=[ServiceLimit(limits.FIXED_IPS_PER_NIC)],
        help_text="at most one address per subnet of the network; others get the next free",
    )
    tag = StrictCharField(required=False, allow_null=True, validators=[ServiceLimit(limits.TAG)],
                          help_text="device role tag, shown to the guest")
    mac = StrictCharField(max_length=64, required=False, allow_null=True,
                                help_text="admin only; generated when omitted")
    port = StrictCharField(max_length=64, required=False, allow_null=True,
                           help_text="bare metal: the node's port (UUID or MAC) to carry it")
    bond = BondRequestSerializer(required=False, allow_null=True,
                                 help_text="bare metal: the bond to carry it")

    def validate(self, attrs):
        if attrs.get("port") and attrs.get("bond"):
            raise serializers.ValidationError("A NIC is carried by a port or a bond, not both")
        return attrs


class VIFWithWarningsSerializer(VIFSerializer):
    """A VIF as its attach answers it: with what works but is likely not what was meant."""

    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(VIFSerializer.Meta):
        fields = [*VIFSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class LaunchSerializer(StrictSerializer):
    """A launch: the NICs in order, and what goes into the config drive. The sizes and counts
    shown are checked by the launch itself, with the messages the Nova API and the dashboard
    give for the same values."""

    name = StrictCharField(validators=[ServiceLimit(limits.NAME)])
    hostname = StrictCharField(required=False, validators=[ServiceLimit(limits.NAME)])
    availability_zone = StrictCharField(default="nova", validators=[ServiceLimit(limits.NAME)])
    metadata = serializers.DictField(
        child=StrictCharField(allow_blank=True, validators=[ServiceLimit(limits.METADATA_VALUE)]),
        required=False, validators=[ServiceLimit(limits.METADATA_ITEMS)],
        help_text=f"keys of 1 to {limits.METADATA_KEY} characters",
    )
    key_name = StrictCharField(required=False, allow_null=True, trim_whitespace=False,
                               validators=[ServiceLimit(limits.KEYPAIR_NAME)])
    public_key = StrictCharField(required=False, allow_null=True,
                                 validators=[ServiceLimit(limits.PUBLIC_KEY)])
    user_data = StrictCharField(
        required=False, allow_null=True, validators=[ServiceLimit(limits.USER_DATA)],
        help_text=f"base64, at most {limits.USER_DATA} characters so encoded (Nova's limit)",
    )
    config_drive = StrictBooleanField(default=False)
    node = StrictCharField(
        max_length=255, required=False, allow_null=True,
        help_text="a bare-metal node (UUID or name) to launch onto: each NIC is then carried "
                  "by one of its free ports or port groups and takes that MAC")
    nodes = serializers.ListField(
        child=StrictCharField(max_length=255), required=False,
        validators=[ServiceLimit(limits.INSTANCES_PER_LAUNCH)],
        help_text="bare metal, several instances: nodes (UUIDs or names) to launch onto, one "
                  "instance per node in this order; `count` defaults to their number. Each "
                  "node's NICs are carried by its best free ports and port groups")
    count = StrictIntegerField(
        required=False, min_value=1, max_value=limits.INSTANCES_PER_LAUNCH,
        help_text="launch this many instances alike, named <name>-1, <name>-2, ... (Nova's "
                  "max_count); the answer is then the list of them and their reservation_id")
    min_count = StrictIntegerField(
        required=False, min_value=1, max_value=limits.INSTANCES_PER_LAUNCH,
        help_text="with count: launch as many as the addresses (and nodes) allow, at least "
                  "this many, or none (a 409 that says how many could be made). Default: "
                  "count")
    nics = NicRequestSerializer(
        many=True, validators=[ServiceLimit(limits.max_nics())],
        help_text="in NIC order: the first is eth0. The same network may appear twice.",
    )

    def to_internal_value(self, data):
        # The NIC count before each NIC is read: thousands of them are refused at once.
        if isinstance(data, dict) and isinstance(data.get("nics"), list):
            instances.check_nic_count(len(data["nics"]))
        return super().to_internal_value(data)

    def validate(self, attrs):
        if attrs.get("node") is not None and "nodes" in attrs:
            raise serializers.ValidationError("Name one node (node) or several (nodes), not both")
        if "min_count" in attrs and "count" not in attrs and "nodes" not in attrs:
            raise serializers.ValidationError({"min_count": ["min_count needs count."]})
        return attrs

    @staticmethod
    def is_bulk(attrs) -> bool:
        """Whether the body asks for several instances at once (``count`` or ``nodes``): the
        answer is then a list, whatever its length."""
        return "count" in attrs or "nodes" in attrs


class BulkLaunchSerializer(serializers.Serializer):
    """What a launch with ``count`` (or ``nodes``) answers: the instances it made."""

    reservation_id = serializers.CharField(read_only=True,
                                           help_text="shared by the instances of one launch")
    instances = InstanceSerializer(many=True, read_only=True,
                                   help_text="in launch_index order")
    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)


class InstanceRenderingsSerializer(InstanceSerializer):
    """One instance of a bulk preview, with what its guest would be handed."""

    network_info = serializers.ListField(child=serializers.DictField(), read_only=True)
    network_data = serializers.DictField(read_only=True)
    meta_data = serializers.DictField(read_only=True)

    class Meta(InstanceSerializer.Meta):
        fields = [*InstanceSerializer.Meta.fields, "network_info", "network_data", "meta_data"]
        read_only_fields = fields


class BulkPreviewSerializer(BulkLaunchSerializer):
    """A bulk launch that was not committed: each instance with what its guest would get."""

    instances = InstanceRenderingsSerializer(many=True, read_only=True)


class KeypairSerializer(serializers.ModelSerializer):
    class Meta:
        model = Keypair
        fields = ["name", "type", "public_key", "fingerprint", "created"]
        read_only_fields = fields


class KeypairImportSerializer(StrictSerializer):
    # Not trimmed: "laptop\n" is refused, as by Nova, not stored as "laptop".
    name = StrictCharField(trim_whitespace=False, validators=[ServiceLimit(limits.KEYPAIR_NAME)])
    public_key = StrictCharField(validators=[ServiceLimit(limits.PUBLIC_KEY)],
                                 help_text="an OpenSSH public key line")


# --- bare metal -----------------------------------------------------------------------------

class NodeInstanceSerializer(serializers.Serializer):
    uuid = serializers.UUIDField()
    name = serializers.CharField()


class NodeSerializer(serializers.ModelSerializer):
    project_id = StrictCharField(read_only=True, allow_null=True)
    project_name = serializers.SerializerMethodField(
        help_text="the project's name, for display; null with project_id")
    ports = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    port_groups = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    instances = serializers.SerializerMethodField(
        help_text="the instances running on the node, by name")

    class Meta:
        model = Node
        fields = ["uuid", "name", "project_id", "project_name", "properties", "ports",
                  "port_groups", "instances", "created"]
        read_only_fields = fields

    def get_project_name(self, node) -> str | None:
        return node.project.name if node.project_id else None

    @extend_schema_field(NodeInstanceSerializer(many=True))
    def get_instances(self, node) -> list[dict]:
        # Sorted here, not by the query, so that a prefetched list is used as it is.
        running = sorted(node.instances.all(), key=lambda i: (i.name, str(i.uuid)))
        return [{"uuid": str(i.uuid), "name": i.name} for i in running]


class NodeWriteSerializer(StrictSerializer):
    name = StrictCharField(max_length=255)
    project_id = StrictCharField(max_length=64, required=False, allow_null=True,
                                 help_text="the project whose users may launch onto it; "
                                           "null: administrators only")
    properties = serializers.DictField(required=False)


class LocalLinkConnectionSerializer(StrictSerializer):
    """Ironic's: empty (no link known), or switch_id and port_id together. The pair is
    checked in ``validate``, not by requiring both fields, which a PATCH (partial) skips: a
    PATCH and a POST refuse the same bodies."""

    switch_id = StrictCharField(max_length=64, required=False,
                                help_text="the switch's MAC address; with port_id")
    port_id = StrictCharField(max_length=255, required=False,
                              help_text="the switch port, e.g. Ethernet1/1; with switch_id")
    switch_info = StrictCharField(max_length=255, required=False)

    def validate(self, attrs):
        if attrs and not {"switch_id", "port_id"} <= set(attrs):
            raise serializers.ValidationError(
                "local_link_connection is empty, or has both switch_id and port_id")
        return attrs


class PortSerializer(serializers.ModelSerializer):
    node_uuid = serializers.UUIDField(source="node_id", read_only=True)
    port_group_uuid = serializers.UUIDField(source="port_group_id", read_only=True,
                                            allow_null=True)
    vif_uuid = serializers.SerializerMethodField(help_text="the VIF this port carries")

    class Meta:
        model = Port
        fields = ["uuid", "node_uuid", "mac", "physical_network", "pxe_enabled",
                  "port_group_uuid", "local_link_connection", "vif_uuid", "created"]
        read_only_fields = fields

    def get_vif_uuid(self, port) -> str | None:
        vif = getattr(port, "vif", None)
        return str(vif.uuid) if vif is not None else None


class PortWriteSerializer(StrictSerializer):
    node_uuid = serializers.UUIDField()
    mac = StrictCharField(max_length=64)
    physical_network = StrictCharField(max_length=64, required=False, allow_blank=True,
                                       allow_null=True)
    pxe_enabled = StrictBooleanField(required=False)
    port_group_uuid = serializers.UUIDField(required=False, allow_null=True)
    local_link_connection = LocalLinkConnectionSerializer(required=False, allow_null=True)


class PortGroupSerializer(serializers.ModelSerializer):
    node_uuid = serializers.UUIDField(source="node_id", read_only=True)
    ports = serializers.SerializerMethodField(
        help_text="member port UUIDs, in member order (their creation order)")
    physical_network = serializers.SerializerMethodField(help_text="the members' one network")
    instance_uuid = serializers.UUIDField(
        source="instance_id", read_only=True, allow_null=True,
        help_text="set when a launch made this bond for one NIC; it goes with that NIC")
    vif_uuid = serializers.SerializerMethodField(help_text="the VIF this group carries")

    class Meta:
        model = PortGroup
        fields = ["uuid", "node_uuid", "name", "mac", "mode", "properties",
                  "standalone_ports_supported", "ports", "physical_network", "instance_uuid",
                  "vif_uuid", "created"]
        read_only_fields = fields

    def get_ports(self, group) -> list[str]:
        return [str(p.pk) for p in baremetal.in_member_order(group.ports.all())]

    def get_physical_network(self, group) -> str:
        return baremetal.physical_network_of(group.ports.all())

    def get_vif_uuid(self, group) -> str | None:
        vif = getattr(group, "vif", None)
        return str(vif.uuid) if vif is not None else None


class PortGroupWithWarningsSerializer(PortGroupSerializer):
    """A port group as its create or change answers it: with what the bonding rules accept
    but is likely not what was meant."""

    warnings = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta(PortGroupSerializer.Meta):
        fields = [*PortGroupSerializer.Meta.fields, "warnings"]
        read_only_fields = fields


class PortGroupWriteSerializer(StrictSerializer):
    node_uuid = serializers.UUIDField()
    name = StrictCharField(max_length=255)
    mac = StrictCharField(max_length=64, required=False, allow_null=True,
                          help_text="optional; may equal one member's MAC")
    mode = StrictCharField(max_length=16, required=False,
                           help_text="a bonding mode name; default active-backup")
    properties = serializers.DictField(required=False, help_text="bonding options by kernel "
                                       "name; see /api/bonding/modes/")
    standalone_ports_supported = StrictBooleanField(
        required=False, help_text="default true; false: the members work only bonded (the "
        "switch has no fallback to single links), so none of them may have PXE enabled")
    ports = serializers.ListField(child=serializers.UUIDField(), required=False,
                                  validators=[ServiceLimit(limits.BOND_MEMBERS)],
                                  help_text="member ports (UUIDs) of the same node")


class BondingOptionSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=["integer", "choice", "member", "ipv4_list"])
    help = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    default = serializers.JSONField(allow_null=True)
    unit = serializers.CharField(allow_null=True)
    minimum = serializers.IntegerField(allow_null=True)
    maximum = serializers.IntegerField(allow_null=True)
    requires = serializers.ListField(child=serializers.CharField())


class BondingModeSerializer(serializers.Serializer):
    name = serializers.CharField()
    summary = serializers.CharField()
    switch = serializers.ChoiceField(choices=["lacp", "static", "none"])
    switch_help = serializers.CharField(help_text="what the switch needs for this mode")
    default = serializers.BooleanField()
    options = BondingOptionSerializer(many=True, help_text="exactly the options allowed")
