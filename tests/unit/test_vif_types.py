"""The VIF type per network: for each type an operator can give a network, the VIF in
``network_info``, its libvirt ``<interface>`` and its ``network_data.json`` link, each a
literal document checked against Nova's documented behaviour (its network model's VIF types,
``_get_eth_link`` and its tests' vector F; Nova's ``nova/network/neutron.py``,
``os_vif_util.py`` and ``virt/libvirt/vif.py``; Neutron's ML2 OVS and linuxbridge mechanism
drivers).

The VIF id is the one Nova's own libvirt VIF tests use (``dc065497-3c8d-...``), so that the
vhost-user ``<interface>`` can be compared with the literal in Nova's
``test_config_os_vif_vhostuser``: ``vhudc065497-3c`` for the socket and the target.
"""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest

from multinic_api.guest import network_data, network_model
from multinic_api.guest.records import InstanceRecord, NetworkRecord, SubnetRecord, VifRecord
from multinic_api.virt import SpawnRequest
from multinic_api.virt.libvirt import LibvirtDriver, interface_element

PROJECT = "2b4d6f8a0c1e4a3b5c7d9e0f1a2b3c4d"
NET = NetworkRecord(id="a81c3e5f-7b9d-4f1a-8c2e-4d6f8a0b2c4e", name="tenant",
                    project_id=PROJECT, mtu=1450)
V4 = SubnetRecord(id="e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b", cidr="192.0.2.0/24",
                  ip_version=4, gateway_ip="192.0.2.1", dns_nameservers=("192.0.2.53",))
VIF_ID = "dc065497-3c8d-4f44-8fb4-e1d33c16a536"
MAC = "fa:16:3e:62:e2:aa"


def record(vif_type: str) -> VifRecord:
    return VifRecord(id=VIF_ID, mac=MAC, network=NET, fixed_ips=((V4, "192.0.2.10"),),
                     vif_type=vif_type)


SUBNET = {
    "cidr": "192.0.2.0/24",
    "dns": [{"address": "192.0.2.53", "type": "dns", "version": 4, "meta": {}}],
    "gateway": {"address": "192.0.2.1", "type": "gateway", "version": 4, "meta": {}},
    "ips": [{"address": "192.0.2.10", "type": "fixed", "version": 4, "meta": {},
             "floating_ips": []}],
    "routes": [],
    "version": 4,
    "meta": {"enable_dhcp": False},
}
META = {"injected": False, "tenant_id": PROJECT, "mtu": 1450, "physical_network": None,
        "tunneled": True}


def expected_vif(vif_type, bridge, details, ovs_interfaceid, network_meta=META) -> dict:
    return {
        "id": VIF_ID, "address": MAC,
        "network": {"id": NET.id, "bridge": bridge, "label": "tenant", "subnets": [SUBNET],
                    "meta": network_meta},
        "type": vif_type, "details": details,
        # Nova's _build_vif_model: "tap" + port id, cut to 14, whatever the type.
        "devname": "tapdc065497-3c",
        "ovs_interfaceid": ovs_interfaceid,
        "qbh_params": None, "qbg_params": None, "active": True, "vnic_type": "normal",
        "profile": {}, "preserve_on_delete": False, "delegate_create": False, "meta": {},
    }


# Per type: the network_info VIF, the <interface>, the network_data.json link.
CASES = {
    # Neutron's linuxbridge driver: details {port_filter, connectivity}; Nova (up to
    # 2025.1): bridge "brq" + network id cut to 14, should_create_bridge; os-vif's VIFBridge
    # -> <interface type="bridge"> on that bridge, target the devname, and the MTU.
    "bridge": (
        expected_vif("bridge", "brqa81c3e5f-7b", {"port_filter": False, "connectivity": "l2"},
                     None, {**META, "should_create_bridge": True}),
        """<interface type="bridge">
             <mac address="fa:16:3e:62:e2:aa"/>
             <source bridge="brqa81c3e5f-7b"/>
             <target dev="tapdc065497-3c"/>
             <model type="virtio"/>
             <mtu size="1450"/>
           </interface>""",
        {"id": "tapdc065497-3c", "vif_id": VIF_ID, "type": "bridge", "mtu": 1450,
         "ethernet_mac_address": MAC},
    ),
    # Neutron's OVS driver on the kernel datapath without hybrid plugging; Nova: bridge from
    # the details, ovs_interfaceid the port id; no ovs_create_tap and delegate_create false,
    # so _set_config_VIFOpenVSwitch has libvirt plug it: type bridge + openvswitch virtualport.
    "ovs": (
        expected_vif("ovs", "br-int",
                     {"port_filter": False, "connectivity": "l2", "ovs_hybrid_plug": False,
                      "datapath_type": "system", "bridge_name": "br-int"},
                     VIF_ID),
        """<interface type="bridge">
             <mac address="fa:16:3e:62:e2:aa"/>
             <source bridge="br-int"/>
             <virtualport type="openvswitch">
               <parameters interfaceid="dc065497-3c8d-4f44-8fb4-e1d33c16a536"/>
             </virtualport>
             <target dev="tapdc065497-3c"/>
             <model type="virtio"/>
             <mtu size="1450"/>
           </interface>""",
        {"id": "tapdc065497-3c", "vif_id": VIF_ID, "type": "ovs", "mtu": 1450,
         "ethernet_mac_address": MAC},
    ),
    # Neutron's OVS driver on OVS-DPDK (dpdkvhostuserclient: QEMU is the server), socket
    # <vhostuser_socket_dir>/vhu + port id cut to 14; Nova: bridge br-int and ovs_interfaceid
    # for vhostuser_ovs_plug, os-vif names the port vhu...; the <interface> as in Nova's
    # test_config_os_vif_vhostuser (there mode "client"), with no <mtu> (config.py writes it
    # only for bridge and ethernet).
    "vhostuser": (
        expected_vif("vhostuser", "br-int",
                     {"port_filter": False, "ovs_hybrid_plug": False,
                      "vhostuser_mode": "server", "vhostuser_ovs_plug": True,
                      "vhostuser_socket": "/var/run/openvswitch/vhudc065497-3c",
                      "datapath_type": "netdev", "bridge_name": "br-int"},
                     VIF_ID),
        """<interface type="vhostuser">
             <mac address="fa:16:3e:62:e2:aa"/>
             <source type="unix" path="/var/run/openvswitch/vhudc065497-3c" mode="server"/>
             <target dev="vhudc065497-3c"/>
             <model type="virtio"/>
           </interface>""",
        {"id": "tapdc065497-3c", "vif_id": VIF_ID, "type": "vhostuser", "mtu": 1450,
         "ethernet_mac_address": MAC},
    ),
    # A tap the backend makes: no bridge in Nova's model; get_config_tap: an ethernet
    # interface on the devname that libvirt does not manage, with the MTU.
    "tap": (
        expected_vif("tap", None, {"port_filter": False, "connectivity": "l2"}, None),
        """<interface type="ethernet">
             <mac address="fa:16:3e:62:e2:aa"/>
             <target dev="tapdc065497-3c" managed="no"/>
             <model type="virtio"/>
             <mtu size="1450"/>
           </interface>""",
        {"id": "tapdc065497-3c", "vif_id": VIF_ID, "type": "tap", "mtu": 1450,
         "ethernet_mac_address": MAC},
    ),
}


def canonical(xml: str | bytes) -> str:
    """C14N without the indentation: attribute order and whitespace between elements do not
    matter to libvirt, so not to the comparison either."""
    return ET.canonicalize(xml, strip_text=True)


@pytest.mark.parametrize("vif_type", CASES)
def test_network_info_vif_per_type(vif_type):
    expected, _interface, _link = CASES[vif_type]
    assert network_model.network_info([record(vif_type)]) == [expected]


@pytest.mark.parametrize("vif_type", CASES)
def test_libvirt_interface_per_type(vif_type):
    vif, expected, _link = CASES[vif_type]
    assert canonical(ET.tostring(interface_element(vif))) == canonical(expected)


@pytest.mark.parametrize("vif_type", CASES)
def test_network_data_link_per_type(vif_type):
    """Nova's _get_eth_link passes each of these types through to the guest (Vector F)."""
    vif, _interface, expected = CASES[vif_type]
    assert network_data.network_data([vif])["links"] == [expected]


def test_a_bare_metal_vif_on_an_ovs_network_stays_a_phy_link_with_no_bridge():
    """Bare-metal NICs are the node's ports whatever the network's type (Neutron binds them
    as ``other``): Nova writes no bridge for them and the guest sees ``phy``."""
    metal = VifRecord(id=VIF_ID, mac=MAC, network=NET, fixed_ips=((V4, "192.0.2.10"),),
                      vif_type="other", vnic_type="baremetal")
    [vif] = network_model.network_info([metal])
    assert (vif["network"]["bridge"], vif["ovs_interfaceid"]) == (None, None)
    assert vif["details"] == {"port_filter": False, "connectivity": "l2"}
    assert network_data.network_data([vif])["links"] == [
        {"id": "tapdc065497-3c", "vif_id": VIF_ID, "type": "phy", "mtu": 1450,
         "ethernet_mac_address": MAC}]


# --- the whole domain -------------------------------------------------------------------------

INSTANCE = InstanceRecord(uuid="5d7f9b1d-3e5a-4c7e-9a1c-3e5f7a9c1e3a", name="vm",
                          hostname="vm", project_id=PROJECT)


def spawn_request(vif_types) -> SpawnRequest:
    vifs = tuple(VifRecord(id=f"{n:08x}-3c8d-4f44-8fb4-e1d33c16a536",
                           mac=f"fa:16:3e:62:e2:{n:02x}", network=NET,
                           fixed_ips=((V4, f"192.0.2.{10 + n}"),), vif_type=vif_type)
                 for n, vif_type in enumerate(vif_types))
    return SpawnRequest(instance=INSTANCE, vifs=vifs,
                        network_info=network_model.network_info(vifs),
                        instances_path="/var/lib/multinic/instances")


def memory_backing(root: ET.Element) -> str | None:
    backing = root.find("memoryBacking")
    return None if backing is None else canonical(ET.tostring(backing))


def test_a_domain_with_a_vhost_user_nic_shares_its_memory():
    """The vhost-user backend (OVS-DPDK) reads the guest's memory: without shared memory the
    interface passes no traffic. Nova gets it from the huge pages such flavors must ask for;
    flavors here have none, so memfd."""
    root = ET.fromstring(LibvirtDriver().domain_xml(spawn_request(["ovs", "vhostuser"])))
    assert memory_backing(root) == canonical(
        '<memoryBacking><source type="memfd"/><access mode="shared"/></memoryBacking>')
    assert [i.get("type") for i in root.findall("./devices/interface")] == [
        "bridge", "vhostuser"]


def test_a_domain_without_vhost_user_keeps_private_memory():
    root = ET.fromstring(LibvirtDriver().domain_xml(spawn_request(["bridge", "ovs", "tap"])))
    assert memory_backing(root) is None


@pytest.mark.guest_tools
def test_virt_xml_validate_accepts_a_domain_with_every_type(guest_tools, tmp_path):
    path = tmp_path / "domain.xml"
    path.write_bytes(LibvirtDriver().domain_xml(spawn_request(list(CASES))))
    result = subprocess.run(["virt-xml-validate", str(path), "domain"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.guest_tools
def test_virt_xml_validate_refuses_a_vhost_user_interface_without_its_socket(guest_tools,
                                                                            tmp_path):
    """The schema check above can fail: libvirt's schema requires the unix socket source."""
    root = ET.fromstring(LibvirtDriver().domain_xml(spawn_request(["vhostuser"])))
    interface = root.find("./devices/interface")
    interface.remove(interface.find("source"))
    path = tmp_path / "domain.xml"
    path.write_bytes(ET.tostring(root))
    result = subprocess.run(["virt-xml-validate", str(path), "domain"], capture_output=True,
                            text=True, timeout=60)
    assert result.returncode != 0, result.stdout
    assert "fails to validate" in result.stdout + result.stderr
