"""What an instance's guest and hypervisor get, read out of the database.

Reads an instance's VIFs, addresses and subnets once into the plain records of
:mod:`multinic_api.guest.records`, then hands them to the renderers. Works inside the
preview's rolled-back transaction too, so a launch can be shown before it is committed.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.conf import settings

from multinic_api.exceptions import Conflict
from multinic_api.guest import iso, metadata, network_model
from multinic_api.guest.records import (
    Carrier,
    InstanceRecord,
    KeyRecord,
    NetworkRecord,
    PortGroupRecord,
    PortRecord,
    SubnetRecord,
    VifRecord,
)
from multinic_api.models import VIF, Instance, Network, Subnet
from multinic_api.services import baremetal, binding
from multinic_api.services.catalog import find_flavor
from multinic_api.virt import (
    LibvirtDriver,
    RenderError,
    Spawned,
    SpawnRequest,
    VirtDriver,
    driver_for,
)


def subnet_record(subnet: Subnet) -> SubnetRecord:
    return SubnetRecord(
        id=str(subnet.id), cidr=subnet.cidr, ip_version=subnet.ip_version,
        gateway_ip=subnet.gateway_ip, enable_dhcp=subnet.enable_dhcp,
        dhcp_server=subnet.dhcp_server, dns_nameservers=tuple(subnet.dns_nameservers),
        host_routes=tuple(subnet.host_routes), ipv6_address_mode=subnet.ipv6_address_mode or None,
    )


def network_record(network: Network) -> NetworkRecord:
    return NetworkRecord(id=str(network.id), name=network.name,
                         project_id=network.project_id, mtu=network.mtu,
                         physical_network=network.physical_network or None)


def vif_record(vif: VIF) -> VifRecord:
    """A VIF whose fixed IPs (with subnets) and network are loaded
    (``VIF.objects.with_addresses``)."""
    # Allocation order within a VIF: IPv4 before IPv6, then by CIDR, as launches allocate.
    fixed_ips = sorted(vif.addresses,
                       key=lambda ip: (ip.subnet.ip_version, ip.subnet.cidr, ip.pk))
    return VifRecord(
        id=str(vif.uuid), mac=vif.mac, network=network_record(vif.network),
        fixed_ips=tuple((subnet_record(ip.subnet), ip.address) for ip in fixed_ips),
        vif_type=vif.vif_type, vnic_type=vif.vnic_type, tag=vif.tag,
        binding_host=vif.binding_host, binding_profile=dict(vif.binding_profile or {}),
    )


def instance_record(instance: Instance, flavor: dict[str, Any] | None) -> InstanceRecord:
    key = None
    if instance.public_key:
        key = KeyRecord(name=instance.key_name or "default", data=instance.public_key)
    return InstanceRecord(
        uuid=str(instance.uuid), name=instance.name, hostname=instance.hostname,
        project_id=instance.project_id, availability_zone=instance.availability_zone,
        launch_index=instance.launch_index, reservation_id=instance.reservation_id,
        metadata=dict(instance.metadata or {}), key=key,
        user_data=base64.b64decode(instance.user_data) if instance.user_data else None,
        image_ref=instance.image_ref, flavor_name=flavor["name"] if flavor else "",
    )


@dataclass
class InstanceRenderings:
    """Every rendering of one instance, computed on first use."""

    instance: InstanceRecord
    vifs: list[VifRecord]
    carriers: dict[str, Carrier]
    flavor: dict[str, Any] | None = None
    config_drive: bool = False

    @cached_property
    def network_info(self) -> list[dict[str, Any]]:
        return network_model.network_info(self.vifs)

    @cached_property
    def legacy_network_info(self) -> list[list[dict[str, Any]]]:
        return network_model.legacy_network_info(self.vifs)

    @cached_property
    def driver(self) -> VirtDriver:
        """The driver that spawns this instance: the config drive is what it writes."""
        return driver_for(self.spawn_request())

    @cached_property
    def network_data(self) -> dict[str, Any]:
        return self.driver.network_data(self.spawn_request())

    @cached_property
    def config_drive_files(self) -> dict[str, bytes]:
        return metadata.config_drive_files(self.instance, self.vifs, self.network_data)

    @cached_property
    def meta_data(self) -> dict[str, Any]:
        return metadata.meta_data(self.instance, self.vifs, metadata.new_random_seed())

    def config_drive_iso(self) -> bytes:
        return iso.build_iso(self.config_drive_files)

    def spawn_request(self) -> SpawnRequest:
        return SpawnRequest(instance=self.instance, vifs=self.vifs,
                            network_info=self.network_info,
                            instances_path=settings.MULTINIC_INSTANCES_PATH,
                            carriers=self.carriers, flavor=self.flavor,
                            config_drive=self.config_drive)

    def spawn(self, driver: VirtDriver | None = None) -> Spawned:
        """What ``driver`` (by default the instance's own) renders for its hypervisor; a 409
        when it cannot plug a NIC."""
        with _render_errors_as_conflicts():
            return (driver or self.driver).spawn(self.spawn_request())

    def domain_xml(self) -> bytes:
        """The libvirt domain; a 409 when libvirt cannot plug a NIC (one on bare metal)."""
        with _render_errors_as_conflicts():
            return LibvirtDriver().domain_xml(self.spawn_request())


@contextmanager
def _render_errors_as_conflicts() -> Iterator[None]:
    """What a driver cannot render is a conflict with the instance's state, not a bad
    request: the same request succeeds for an instance whose NICs the driver can plug."""
    try:
        yield
    except RenderError as error:
        raise Conflict(error.message) from None


def carriers_for(vifs: list[VIF]) -> dict[str, Carrier]:
    """What carries each bare-metal VIF, by VIF id: its port, or its port group with the
    mode and options it was bound with (the binding profile's local_group_information)."""
    carriers: dict[str, Carrier] = {}
    for vif in vifs:
        if vif.port_id is not None:
            carriers[str(vif.uuid)] = PortRecord(id=str(vif.port_id), mac=vif.port.mac)
        elif vif.port_group_id is not None:
            group = vif.port_group
            mode, properties = binding.bound_bond(vif, group)
            members = baremetal.in_member_order(group.ports.all())
            carriers[str(vif.uuid)] = PortGroupRecord(
                id=str(group.pk), mode=mode,
                ports=tuple(PortRecord(id=str(p.pk), mac=p.mac) for p in members),
                mac=group.mac, properties=properties)
    return carriers


def renderings_of(instance: Instance) -> InstanceRenderings:
    """Read an instance's VIFs (two queries) and wrap them for rendering."""
    vifs = list(VIF.objects.with_addresses().filter(instance=instance).order_by("position"))
    flavor = find_flavor(instance.flavor_ref) if instance.flavor_ref else None
    return InstanceRenderings(
        instance=instance_record(instance, flavor), vifs=[vif_record(v) for v in vifs],
        carriers=carriers_for(vifs), flavor=flavor, config_drive=instance.config_drive)
