"""libvirt: a domain XML with one ``<interface>`` per VIF in NIC order.

Each VIF type gets the ``<interface>`` Nova's libvirt VIF driver writes for it
(``nova/virt/libvirt/vif.py`` with ``designer.py`` and ``config.py``):

- ``bridge``: ``type="bridge"`` on the network's Linux bridge (os-vif's ``VIFBridge``);
- ``ovs``: ``type="bridge"`` on the integration bridge with an ``openvswitch`` virtualport
  carrying the port id: libvirt adds the tap to OVS (``_set_config_VIFOpenVSwitch`` for a VIF
  whose details ask neither os-vif to make the tap nor to create the port);
- ``vhostuser``: ``type="vhostuser"``, a unix socket source (path and QEMU's mode from the
  VIF's details), the target named ``vhu...`` when OVS plugs it; no ``<mtu>``, which Nova
  writes only for bridge and ethernet interfaces (OVS sets a DPDK port's MTU);
- ``tap`` and other host-plugged types: ``type="ethernet"``, a tap the network backend made,
  so ``managed="no"`` for ``tap`` (``get_config_tap``).

A vhost-user backend reads the guest's memory, so a domain with one shares its memory
(memfd); Nova gets the same from the huge pages it demands of such flavors. The config
drive, when the instance has one, is attached read-only as a SATA CD-ROM, as Nova does.

A VIF libvirt cannot plug (bound to a bare-metal port, of a type this driver does not make,
vhost-user without a socket) is a :class:`~multinic_api.virt.driver.RenderError`.
"""

from __future__ import annotations

import posixpath
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from multinic_api.guest import iso, network_model

from .driver import Artifact, RenderError, Spawned, SpawnRequest, VirtDriver

BRIDGED_TYPES = frozenset({"bridge", "ovs"})
#: VIF types that need a device this driver does not make (PCI passthrough, macvtap, vDPA).
UNSUPPORTED_TYPES = frozenset({"hw_veb", "hostdev_physical", "vdpa", "macvtap"})
DEFAULT_FLAVOR = {"ram": 512, "vcpus": 1}


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    if text is not None:
        element.text = text
    return element


def interface_element(vif: Mapping[str, Any]) -> ET.Element:
    """The ``<interface>`` for one VIF of ``network_info``."""
    vif_type = vif.get("type")
    if vif.get("vnic_type") == "baremetal":
        raise RenderError(f"VIF {vif['id']} is bound to a bare-metal port; libvirt cannot plug it")
    if vif_type in UNSUPPORTED_TYPES:
        raise RenderError(f"The libvirt driver cannot plug VIF {vif['id']} of type {vif_type}")
    if vif_type == "vhostuser":
        return _vhostuser_interface(vif)
    bridged = vif_type in BRIDGED_TYPES
    interface = ET.Element("interface", {"type": "bridge" if bridged else "ethernet"})
    _sub(interface, "mac", address=vif["address"])
    if bridged:
        _sub(interface, "source", bridge=vif["network"]["bridge"])
        if vif_type == "ovs":
            virtualport = _sub(interface, "virtualport", type="openvswitch")
            _sub(virtualport, "parameters",
                 interfaceid=vif.get("ovs_interfaceid") or vif["id"])
    if vif_type == "tap":
        _sub(interface, "target", dev=vif["devname"], managed="no")
    else:
        _sub(interface, "target", dev=vif["devname"])
    _sub(interface, "model", type="virtio")
    mtu = vif["network"].get("meta", {}).get("mtu")
    if mtu:
        _sub(interface, "mtu", size=str(mtu))
    return interface


def _vhostuser_interface(vif: Mapping[str, Any]) -> ET.Element:
    details = vif.get("details") or {}
    path = details.get("vhostuser_socket")
    if not path:  # Nova's VifDetailsMissingVhostuserSockPath
        raise RenderError(f"VIF {vif['id']} is vhost-user but its details name no socket")
    interface = ET.Element("interface", {"type": "vhostuser"})
    _sub(interface, "mac", address=vif["address"])
    # Nova's default mode is "server" (QEMU makes the socket) when the details name none.
    _sub(interface, "source", type="unix", path=path,
         mode=details.get("vhostuser_mode") or "server")
    # os-vif names an OVS-plugged vhost-user port after its socket; other backends keep the
    # VIF's devname.
    target = (network_model.vhostuser_name(vif["id"]) if details.get("vhostuser_ovs_plug")
              else vif["devname"])
    _sub(interface, "target", dev=target)
    _sub(interface, "model", type="virtio")
    return interface


class LibvirtDriver(VirtDriver):
    name = "libvirt"

    def instance_dir(self, request: SpawnRequest) -> str:
        return posixpath.join(request.instances_path, request.instance.uuid)

    def domain(self, request: SpawnRequest) -> ET.Element:
        flavor = request.flavor or DEFAULT_FLAVOR
        instance_dir = self.instance_dir(request)
        domain = ET.Element("domain", {"type": "kvm"})
        _sub(domain, "name", f"instance-{request.instance.uuid}")
        _sub(domain, "uuid", request.instance.uuid)
        # libvirt's schema allows no line breaks in a title; instance names may hold them.
        _sub(domain, "title", " ".join(request.instance.name.split()) or "-")
        _sub(domain, "memory", str(flavor["ram"]), unit="MiB")
        if any(vif.get("type") == "vhostuser" for vif in request.network_info):
            backing = _sub(domain, "memoryBacking")
            _sub(backing, "source", type="memfd")
            _sub(backing, "access", mode="shared")
        _sub(domain, "vcpu", str(flavor["vcpus"]))
        os_ = _sub(domain, "os")
        _sub(os_, "type", "hvm", arch="x86_64", machine="q35")
        _sub(os_, "boot", dev="hd")
        features = _sub(domain, "features")
        _sub(features, "acpi")
        _sub(features, "apic")
        _sub(domain, "cpu", mode="host-model")
        _sub(domain, "clock", offset="utc")
        _sub(domain, "on_poweroff", "destroy")
        _sub(domain, "on_reboot", "restart")
        _sub(domain, "on_crash", "destroy")
        devices = _sub(domain, "devices")
        disk = _sub(devices, "disk", type="file", device="disk")
        _sub(disk, "driver", name="qemu", type="qcow2", cache="none")
        _sub(disk, "source", file=posixpath.join(instance_dir, "disk"))
        _sub(disk, "target", dev="vda", bus="virtio")
        if request.config_drive:
            cdrom = _sub(devices, "disk", type="file", device="cdrom")
            _sub(cdrom, "driver", name="qemu", type="raw")
            _sub(cdrom, "source", file=posixpath.join(instance_dir, "disk.config"))
            _sub(cdrom, "target", dev="sda", bus="sata")
            _sub(cdrom, "readonly")
        for vif in request.network_info:
            devices.append(interface_element(vif))
        _sub(devices, "serial", type="pty")
        _sub(devices, "console", type="pty")
        return domain

    def domain_xml(self, request: SpawnRequest) -> bytes:
        domain = self.domain(request)
        ET.indent(domain)
        return ET.tostring(domain, encoding="utf-8", xml_declaration=False) + b"\n"

    def spawn(self, request: SpawnRequest) -> Spawned:
        artifacts = [Artifact("domain.xml", "application/xml", self.domain_xml(request))]
        if request.config_drive:
            image = iso.build_iso(self.config_drive_files(request))
            artifacts.append(Artifact("disk.config", "application/x-iso9660-image", image))
        return Spawned(self.name, tuple(artifacts))
