"""Django admin registrations. Deleting instances and VIFs goes through the services, so the
admin frees MACs and addresses exactly as the API does."""

from django.contrib import admin

from multinic_api.models import (
    VIF,
    AllocationPool,
    FixedIP,
    Instance,
    Keypair,
    Network,
    Node,
    Port,
    PortGroup,
    Project,
    Subnet,
)
from multinic_api.services import instances


class ReleasingDeleteMixin:
    """Fixed IPs protect their VIF from a plain cascade; these admins delete through the
    services, which release the addresses first, so the protection is not in the way."""

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, _protected = super().get_deleted_objects(objs, request)
        # Fixed IPs cannot be deleted on their own in the admin, but releasing them is
        # exactly what the service does here.
        return deleted, model_count, perms_needed - {FixedIP._meta.verbose_name}, []


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ("name", "id")
    search_fields = ("name", "id")


class ReadOnlyInline(admin.TabularInline):
    """Rows that only the services create (they allocate or build free ranges)."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class SubnetInline(ReadOnlyInline):
    model = Subnet
    fields = ("name", "cidr", "gateway_ip", "enable_dhcp", "ipv6_address_mode")
    readonly_fields = fields
    show_change_link = True


@admin.register(Network)
class NetworkAdmin(admin.ModelAdmin):
    list_display = ("name", "id", "project", "shared", "mtu", "physical_network", "vif_type")
    list_filter = ("shared", "vif_type", "project")
    search_fields = ("name", "id")
    inlines = [SubnetInline]


class AllocationPoolInline(ReadOnlyInline):
    model = AllocationPool
    readonly_fields = ("start", "end")


@admin.register(Subnet)
class SubnetAdmin(admin.ModelAdmin):
    list_display = ("name", "cidr", "network", "ip_version", "gateway_ip", "enable_dhcp")
    list_filter = ("ip_version", "enable_dhcp", "ipv6_address_mode")
    search_fields = ("name", "cidr", "id")
    inlines = [AllocationPoolInline]
    # Address plan fields are fixed once addresses may have been handed out from them.
    readonly_fields = (
        "network", "cidr", "ip_version", "gateway_ip", "dhcp_server", "ipv6_address_mode",
    )

    def has_add_permission(self, request):
        return False


class FixedIPInline(ReadOnlyInline):
    model = FixedIP
    readonly_fields = ("subnet", "address")


class VIFInline(ReadOnlyInline):
    model = VIF
    fields = ("position", "mac", "network", "tag", "vnic_type")
    readonly_fields = fields
    show_change_link = True


@admin.register(Instance)
class InstanceAdmin(ReleasingDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "uuid", "project", "availability_zone", "created")
    list_filter = ("project", "availability_zone")
    search_fields = ("name", "hostname", "uuid", "reservation_id")
    # What the launch set: which request made it, and its place among that request's.
    readonly_fields = ("uuid", "reservation_id", "launch_index", "created")
    inlines = [VIFInline]

    def has_add_permission(self, request):
        return False  # a launch allocates MACs and addresses: use the API or the dashboard

    def delete_model(self, request, obj):
        instances.delete_instance(obj)

    def delete_queryset(self, request, queryset):
        for instance in queryset:
            instances.delete_instance(instance)


@admin.register(VIF)
class VIFAdmin(ReleasingDeleteMixin, admin.ModelAdmin):
    list_display = ("mac", "uuid", "instance", "position", "network", "tag", "vnic_type")
    list_filter = ("vnic_type", "network")
    search_fields = ("mac", "uuid", "instance__name")
    # The carrier and binding are the binding service's (its rules and the node's lock).
    readonly_fields = ("uuid", "mac", "project", "instance", "network", "position",
                       "preserve_on_delete", "vif_type",
                       "vnic_type", "port", "port_group", "binding_host", "binding_profile",
                       "created")
    inlines = [FixedIPInline]

    def has_add_permission(self, request):
        return False

    def delete_model(self, request, obj):
        instances.delete_port(obj)

    def delete_queryset(self, request, queryset):
        for vif in queryset:
            instances.delete_port(vif)


@admin.register(FixedIP)
class FixedIPAdmin(admin.ModelAdmin):
    list_display = ("address", "subnet", "vif")
    search_fields = ("address",)
    list_filter = ("subnet__ip_version",)
    readonly_fields = ("vif", "subnet", "address")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # detach the interface instead, which frees the address


@admin.register(Keypair)
class KeypairAdmin(admin.ModelAdmin):
    """Keys are imported through the API (where they are checked); here they are shown."""

    list_display = ("name", "user_id", "type", "fingerprint", "created")
    list_filter = ("type",)
    search_fields = ("name", "user_id", "fingerprint")
    readonly_fields = ("user_id", "name", "type", "public_key", "fingerprint", "created")

    def has_add_permission(self, request):
        return False


class ShownOnlyAdmin(admin.ModelAdmin):
    """Bare metal is changed through the API (/api/nodes/, /api/ports/, /api/portgroups/),
    where the rules that span rows are checked under the node's lock; here it is shown."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Node)
class NodeAdmin(ShownOnlyAdmin):
    list_display = ("name", "uuid", "project", "created")
    list_filter = ("project",)
    search_fields = ("name", "uuid")


@admin.register(Port)
class PortAdmin(ShownOnlyAdmin):
    list_display = ("mac", "uuid", "node", "physical_network", "pxe_enabled", "port_group")
    list_filter = ("node", "physical_network", "pxe_enabled")
    search_fields = ("mac", "uuid")


@admin.register(PortGroup)
class PortGroupAdmin(ShownOnlyAdmin):
    list_display = ("name", "uuid", "node", "mode", "mac", "instance")
    list_filter = ("node", "mode")
    search_fields = ("name", "uuid", "mac")
