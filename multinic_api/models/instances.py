import uuid

from django.db import models

from multinic_api.guest import network_model

from .querysets import InstanceQuerySet, VIFQuerySet


class Instance(models.Model):
    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=255)
    hostname = models.CharField(max_length=63)
    project = models.ForeignKey("Project", on_delete=models.PROTECT, related_name="instances")
    availability_zone = models.CharField(max_length=255, default="nova")
    metadata = models.JSONField(default=dict, blank=True)
    key_name = models.CharField(max_length=255, null=True, blank=True)
    public_key = models.TextField(null=True, blank=True)
    # Base64 text, as Nova keeps it; decoded only when the config drive is written.
    user_data = models.TextField(null=True, blank=True)
    config_drive = models.BooleanField(default=False)
    # What the Nova-compatible API was asked to boot; the manager boots nothing itself.
    image_ref = models.CharField(max_length=255, blank=True, default="")
    flavor_ref = models.CharField(max_length=255, blank=True, default="")
    # Nova's: the instances one launch request made share a reservation ("r-" and eight
    # random characters), and each has its 0-based place among them.
    reservation_id = models.CharField(max_length=255, db_index=True, default="")
    launch_index = models.PositiveIntegerField(default=0)
    # The bare-metal node it runs on; its VIFs are then carried by the node's ports.
    node = models.ForeignKey("Node", on_delete=models.PROTECT, null=True, blank=True,
                             related_name="instances")
    created = models.DateTimeField(auto_now_add=True)

    objects = InstanceQuerySet.as_manager()

    #: The VIFs in NIC order, each with its ``addresses``: set by
    #: ``Instance.objects.with_interfaces()`` and by a launch (not a database column).
    interfaces: list["VIF"]

    class Meta:
        ordering = ["-created", "uuid"]

    def __str__(self) -> str:
        return f"{self.name} ({self.uuid})"


class VIF(models.Model):
    """A virtual interface: one NIC of an instance, on one network, at one position; or a
    port made ahead of its instance (Neutron's pre-created port), with its MAC and addresses
    already allocated, no instance and no position until one is attached to it."""

    class VnicType(models.TextChoices):
        NORMAL = "normal", "normal"
        BAREMETAL = "baremetal", "baremetal"

    uuid = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    mac = models.CharField("MAC address", max_length=17)  # normalised by services.macs
    network = models.ForeignKey("Network", on_delete=models.PROTECT, related_name="vifs")
    # Whose port it is: its instance's project once attached (attaching checks they agree),
    # its creator's before, when there is no instance to say.
    project = models.ForeignKey("Project", on_delete=models.PROTECT, related_name="vifs")
    instance = models.ForeignKey(Instance, on_delete=models.CASCADE, related_name="vifs",
                                 null=True, blank=True)
    position = models.PositiveSmallIntegerField(null=True, blank=True,
                                                help_text="NIC order: 0 is eth0")
    # Neutron's port name and description, which only the networking face shows.
    name = models.CharField(max_length=255, blank=True, default="")
    description = models.CharField(max_length=255, blank=True, default="")
    # Made as a port of its own, not by a launch or an attach: deleting the instance, or
    # detaching it, gives it back unattached with its MAC and addresses, as Nova leaves a
    # port it did not create.
    preserve_on_delete = models.BooleanField(default=False)
    tag = models.CharField(max_length=255, null=True, blank=True, help_text="device role tag")
    vif_type = models.CharField(max_length=32, default="bridge")
    vnic_type = models.CharField(max_length=16, choices=VnicType.choices, default=VnicType.NORMAL)
    # Bare-metal binding: binding:host_id as Ironic sets it for a node's port (the node's
    # uuid; which node an instance runs on is Instance.node), the carrier, and in the profile
    # Neutron's local_link_information / local_group_information (the bond mode and options
    # this NIC runs with). One-to-one, so the database itself refuses to bind one carrier to
    # two VIFs.
    binding_host = models.CharField(max_length=255, null=True, blank=True)
    binding_profile = models.JSONField(default=dict, blank=True)
    port = models.OneToOneField("Port", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="vif")
    port_group = models.OneToOneField("PortGroup", on_delete=models.PROTECT, null=True,
                                      blank=True, related_name="vif")
    created = models.DateTimeField(auto_now_add=True)

    objects = VIFQuerySet.as_manager()

    #: The fixed IPs with their subnets: set by ``VIF.objects.with_addresses()`` and by a
    #: launch or attach (not a database column).
    addresses: list["FixedIP"]

    class Meta:
        ordering = ["instance", "position"]
        verbose_name = "VIF"
        constraints = [
            # VIF rows are deleted, never soft-deleted, so every row is live.
            models.UniqueConstraint(fields=["mac"], name="vif_unique_mac"),
            models.UniqueConstraint(fields=["instance", "position"], name="vif_unique_position"),
            # An attached NIC has a place in its instance's NIC order; a free port has none.
            models.CheckConstraint(
                condition=models.Q(instance__isnull=True, position__isnull=True)
                | models.Q(instance__isnull=False, position__isnull=False),
                name="vif_position_iff_instance",
            ),
            models.CheckConstraint(
                condition=models.Q(port__isnull=True) | models.Q(port_group__isnull=True),
                name="vif_one_carrier",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.mac} ({self.uuid})"

    def save(self, *args, **kwargs) -> None:
        # An instance's NIC is its instance's project's, unless told (bulk_create does not
        # come here: the services name the project themselves).
        if self.project_id is None and self.instance is not None:
            self.project_id = self.instance.project_id
        super().save(*args, **kwargs)

    @property
    def devname(self) -> str:
        """The host-side device name, as the guest renderers name it (one rule for both)."""
        return network_model.devname(str(self.uuid))


class FixedIP(models.Model):
    """One address of one subnet, held by one VIF."""

    # PROTECT, so no cascade can drop an address without the allocator returning it to
    # the subnet's free ranges: deletion goes through services.instances.
    vif = models.ForeignKey(VIF, on_delete=models.PROTECT, related_name="fixed_ips")
    subnet = models.ForeignKey("Subnet", on_delete=models.PROTECT, related_name="fixed_ips")
    address = models.GenericIPAddressField()

    class Meta:
        ordering = ["vif", "subnet__ip_version", "id"]
        verbose_name = "fixed IP"
        constraints = [
            models.UniqueConstraint(
                fields=["subnet", "address"], name="fixedip_unique_address_per_subnet"
            ),
        ]

    def __str__(self) -> str:
        return str(self.address)
