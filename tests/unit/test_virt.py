"""The virt driver handoff: a libvirt domain with one ``<interface>`` per VIF in NIC
order that libvirt's own schema accepts, the bare-metal config drive with its bonds, and the
choice between the two."""

from __future__ import annotations

import json
import posixpath
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from multinic_api.guest import iso, network_model
from multinic_api.guest.records import (
    InstanceRecord,
    NetworkRecord,
    PortGroupRecord,
    PortRecord,
    SubnetRecord,
    VifRecord,
)
from multinic_api.virt import RenderError, SpawnRequest, driver_for
from multinic_api.virt.baremetal import BaremetalDriver
from multinic_api.virt.libvirt import LibvirtDriver

# --- records -------------------------------------------------------------------------------

PROJECT = "2b4d6f8a0c1e4a3b5c7d9e0f1a2b3c4d"
TENANT = NetworkRecord(id="a81c3e5f-7b9d-4f1a-8c2e-4d6f8a0b2c4e", name="tenant",
                       project_id=PROJECT, mtu=1450)
OVERLAY = NetworkRecord(id="c93e5a7b-1d3f-4b5c-9e7a-0b2d4f6a8c0e", name="overlay",
                        project_id=PROJECT)  # MTU unknown
TENANT_V4 = SubnetRecord(id="e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b", cidr="192.0.2.0/24",
                         ip_version=4, gateway_ip="192.0.2.1")
OVERLAY_V4 = SubnetRecord(id="f2a3b4c5-d6e7-4f8a-9b0c-1d2e3f4a5b6c", cidr="198.51.100.0/24",
                          ip_version=4, gateway_ip="198.51.100.1")
INSTANCE = InstanceRecord(uuid="5d7f9b1d-3e5a-4c7e-9a1c-3e5f7a9c1e3a", name="vm 1",
                          hostname="vm-1", project_id=PROJECT)


def vif(vif_id: str, mac: str, network: NetworkRecord, subnet: SubnetRecord, address: str,
        vif_type: str = "bridge", vnic_type: str = "normal") -> VifRecord:
    return VifRecord(id=vif_id, mac=mac, network=network, fixed_ips=((subnet, address),),
                     vif_type=vif_type, vnic_type=vnic_type)


INSTANCES_PATH = "/var/lib/multinic/instances"


def request(vifs, carriers=None, config_drive=False,
            instances_path=INSTANCES_PATH) -> SpawnRequest:
    return SpawnRequest(instance=INSTANCE, vifs=tuple(vifs),
                        network_info=network_model.network_info(vifs),
                        instances_path=instances_path,
                        carriers=dict(carriers or {}), config_drive=config_drive)


#: Three NICs: a Linux-bridge VIF and a host-plugged tap on the tenant network (MTU known),
#: an OVS VIF on the overlay (MTU unknown).
THREE_NICS = (
    vif("1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "fa:16:3e:5c:00:01", TENANT, TENANT_V4,
        "192.0.2.11", "bridge"),
    vif("2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e", "fa:16:3e:5c:00:02", OVERLAY, OVERLAY_V4,
        "198.51.100.12", "ovs"),
    vif("3c4d5e6f-7a8b-4c9d-8e1f-2a3b4c5d6e7f", "fa:16:3e:5c:00:03", TENANT, TENANT_V4,
        "192.0.2.13", "tap"),
)


def devname(vif_id: str) -> str:
    return ("tap" + vif_id)[:14]


def domain(req: SpawnRequest) -> ET.Element:
    return ET.fromstring(LibvirtDriver().domain_xml(req))


def cdroms(root: ET.Element) -> list[ET.Element]:
    return root.findall("./devices/disk[@device='cdrom']")


# --- the domain ----------------------------------------------------------------------------


def test_one_interface_per_vif_in_nic_order():
    interfaces = domain(request(THREE_NICS)).findall("./devices/interface")
    assert [i.get("type") for i in interfaces] == ["bridge", "bridge", "ethernet"]
    for interface, v in zip(interfaces, THREE_NICS, strict=True):
        assert interface.find("mac").get("address") == v.mac
        assert interface.find("target").get("dev") == devname(v.id)
        assert interface.find("model").get("type") == "virtio"


def test_bridge_vif_plugs_into_its_network_s_linux_bridge():
    bridge = domain(request(THREE_NICS)).findall("./devices/interface")[0]
    # Neutron's linuxbridge agent names a network's bridge "brq" + its id, cut to 14.
    assert bridge.find("source").get("bridge") == ("brq" + TENANT.id)[:14]
    assert bridge.find("virtualport") is None


def test_ovs_vif_plugs_into_br_int_with_its_port_id():
    ovs = domain(request(THREE_NICS)).findall("./devices/interface")[1]
    assert ovs.find("source").get("bridge") == "br-int"
    virtualport = ovs.find("virtualport")
    assert virtualport.get("type") == "openvswitch"
    assert virtualport.find("parameters").get("interfaceid") == THREE_NICS[1].id


def test_tap_vif_is_an_ethernet_device_libvirt_only_opens():
    tap = domain(request(THREE_NICS)).findall("./devices/interface")[2]
    assert tap.find("source") is None and tap.find("virtualport") is None
    assert tap.find("target").get("dev") == devname(THREE_NICS[2].id)


def test_mtu_only_when_the_network_has_one():
    interfaces = domain(request(THREE_NICS)).findall("./devices/interface")
    sizes = [None if i.find("mtu") is None else int(i.find("mtu").get("size"))
             for i in interfaces]
    assert sizes == [v.network.mtu for v in THREE_NICS]
    assert sizes == [1450, None, 1450]


def test_cdrom_only_with_a_config_drive(tmp_path):
    instances_path = str(tmp_path / "instances")
    assert cdroms(domain(request(THREE_NICS, instances_path=instances_path))) == []
    root = domain(request(THREE_NICS, config_drive=True, instances_path=instances_path))
    [cdrom] = cdroms(root)
    instance_dir = posixpath.join(str(tmp_path / "instances"), INSTANCE.uuid)
    assert cdrom.find("source").get("file") == posixpath.join(instance_dir, "disk.config")
    assert cdrom.find("readonly") is not None
    [disk] = root.findall("./devices/disk[@device='disk']")
    assert disk.find("source").get("file") == posixpath.join(instance_dir, "disk")


@pytest.mark.parametrize("vif_type", ["hw_veb", "macvtap"])
def test_a_vif_libvirt_cannot_plug_is_a_conflict_naming_it(vif_type):
    odd = vif("4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a", "fa:16:3e:5c:00:04", TENANT, TENANT_V4,
              "192.0.2.14", vif_type)
    with pytest.raises(RenderError, match=odd.id):
        LibvirtDriver().domain_xml(request([THREE_NICS[0], odd]))


def test_a_vhost_user_vif_without_a_socket_is_a_conflict_naming_it():
    """Nova refuses it too (VifDetailsMissingVhostuserSockPath): there is nothing to open."""
    odd = vif("4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f7a", "fa:16:3e:5c:00:04", TENANT, TENANT_V4,
              "192.0.2.14", "vhostuser")
    req = request([odd])
    del req.network_info[0]["details"]["vhostuser_socket"]
    with pytest.raises(RenderError, match=f"{odd.id} is vhost-user but its details name no socket"):
        LibvirtDriver().domain_xml(req)


def test_a_bare_metal_vif_is_a_conflict_for_libvirt():
    metal = vif("5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b", "fa:16:3e:5c:00:05", TENANT, TENANT_V4,
                "192.0.2.15", "other", vnic_type="baremetal")
    with pytest.raises(RenderError, match=metal.id):
        LibvirtDriver().spawn(request([metal]))


# --- libvirt's own schema ---------------------------------------------------------------------


def _virt_xml_validate(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["virt-xml-validate", str(path), "domain"], capture_output=True,
                          text=True, timeout=60)


@pytest.mark.guest_tools
@pytest.mark.parametrize("config_drive", [False, True], ids=["no-drive", "config-drive"])
def test_virt_xml_validate_accepts_the_domain(guest_tools, tmp_path, config_drive):
    path = tmp_path / "domain.xml"
    path.write_bytes(LibvirtDriver().domain_xml(request(THREE_NICS, config_drive=config_drive)))
    result = _virt_xml_validate(path)
    assert result.returncode == 0, result.stdout + result.stderr


def _bogus_element(root: ET.Element) -> None:
    ET.SubElement(root, "whizbang")


def _short_mac(root: ET.Element) -> None:
    root.find("./devices/interface/mac").set("address", "fa:16:3e:5c:00")


@pytest.mark.guest_tools
@pytest.mark.parametrize("break_it", [_bogus_element, _short_mac],
                         ids=["bogus-element", "five-byte-mac"])
def test_virt_xml_validate_rejects_a_broken_domain(guest_tools, tmp_path, break_it):
    root = domain(request(THREE_NICS, config_drive=True))
    break_it(root)
    path = tmp_path / "domain.xml"
    path.write_bytes(ET.tostring(root))
    result = _virt_xml_validate(path)
    assert result.returncode != 0, result.stdout
    assert "fails to validate" in result.stdout + result.stderr


# --- the choice of driver, and what each spawn hands over -------------------------------------

PORTS = (PortRecord(id="6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c", mac="fa:16:3e:5c:10:01"),
         PortRecord(id="7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d", mac="fa:16:3e:5c:10:02"))
PORT_GROUP = PortGroupRecord(id="8b9c0d1e-2f3a-4b4c-9d5e-6f7a8b9c0d1e", mode="802.3ad",
                             ports=PORTS, mac=PORTS[0].mac,
                             properties={"miimon": 100, "xmit_hash_policy": "layer3+4"})
METAL = vif("9c0d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f", "fa:16:3e:5c:00:06", TENANT, TENANT_V4,
            "192.0.2.16", "other", vnic_type="baremetal")


@pytest.mark.parametrize(("vnic_types", "driver"), [
    (["normal", "normal"], LibvirtDriver),
    (["normal", "baremetal"], BaremetalDriver),
    (["baremetal"], BaremetalDriver),
    (["direct"], LibvirtDriver),
])
def test_driver_for_picks_bare_metal_when_any_vif_is_on_a_node(vnic_types, driver):
    vifs = [vif(f"{n:08x}-0d1e-4f2a-9b3c-4d5e6f7a8b9c", f"fa:16:3e:5c:20:{n:02x}", TENANT,
                TENANT_V4, f"192.0.2.{100 + n}", "other", vnic_type=vnic_type)
            for n, vnic_type in enumerate(vnic_types)]
    assert type(driver_for(request(vifs))) is driver


def _network_data(image: bytes) -> dict:
    return json.loads(iso.read_iso(image)["openstack/latest/network_data.json"])


def test_bare_metal_spawn_hands_over_a_config_drive_with_the_bond():
    spawned = BaremetalDriver().spawn(request([METAL], {METAL.id: PORT_GROUP}))
    assert spawned.driver == "baremetal"
    assert [a.name for a in spawned.artifacts] == ["configdrive.iso"]
    files = iso.read_iso(spawned.get("configdrive.iso").data)
    assert json.loads(files["openstack/latest/meta_data.json"])["uuid"] == INSTANCE.uuid
    links = json.loads(files["openstack/latest/network_data.json"])["links"]
    bond, *members = links
    assert (bond["vif_id"], bond["type"], bond["bond_mode"]) == (METAL.id, "bond", "802.3ad")
    assert bond["bond_links"] == [p.id for p in PORTS]
    assert bond["ethernet_mac_address"] == PORT_GROUP.mac
    assert (bond["bond_miimon"], bond["bond_xmit_hash_policy"]) == (100, "layer3+4")
    assert members == [{"id": p.id, "type": "phy", "ethernet_mac_address": p.mac}
                       for p in PORTS]


def test_bare_metal_spawn_with_a_single_port_gives_a_phy_link_with_its_mac():
    spawned = BaremetalDriver().spawn(request([METAL], {METAL.id: PORTS[1]}))
    [link] = _network_data(spawned.get("configdrive.iso").data)["links"]
    assert (link["type"], link["ethernet_mac_address"]) == ("phy", PORTS[1].mac)


def test_libvirt_spawn_without_a_drive_hands_over_the_domain_only():
    spawned = LibvirtDriver().spawn(request(THREE_NICS))
    assert spawned.driver == "libvirt"
    assert [a.name for a in spawned.artifacts] == ["domain.xml"]
    root = ET.fromstring(spawned.get("domain.xml").data)
    assert root.find("uuid").text == INSTANCE.uuid
    assert len(root.findall("./devices/interface")) == len(THREE_NICS)
    assert cdroms(root) == []


def test_libvirt_spawn_config_drive_ignores_carriers():
    """A VM's NICs are its VIFs: a port group given for one must not turn it into a bond."""
    spawned = LibvirtDriver().spawn(request(THREE_NICS, {THREE_NICS[0].id: PORT_GROUP},
                                            config_drive=True))
    assert [a.name for a in spawned.artifacts] == ["domain.xml", "disk.config"]
    assert len(cdroms(ET.fromstring(spawned.get("domain.xml").data))) == 1
    links = _network_data(spawned.get("disk.config").data)["links"]
    assert [link["type"] for link in links] == ["bridge", "ovs", "tap"]
    assert [link["vif_id"] for link in links] == [v.id for v in THREE_NICS]
    assert [link["ethernet_mac_address"] for link in links] == [v.mac for v in THREE_NICS]
    assert not any(key.startswith("bond") for link in links for key in link)


@pytest.mark.guest_tools
def test_a_name_with_line_breaks_still_gives_a_valid_domain(tmp_path):
    named = InstanceRecord(uuid=INSTANCE.uuid, name="two\nlines\r\n\tname", hostname="vm-1",
                           project_id=PROJECT)
    vifs = THREE_NICS[:1]
    spawn = SpawnRequest(instance=named, vifs=vifs, network_info=network_model.network_info(vifs),
                         instances_path=INSTANCES_PATH)
    xml = LibvirtDriver().domain_xml(spawn)
    assert ET.fromstring(xml).findtext("title") == "two lines name"
    path = tmp_path / "domain.xml"
    path.write_bytes(xml)
    result = subprocess.run(["virt-xml-validate", str(path), "domain"], capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stdout + result.stderr
