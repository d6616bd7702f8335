"""The guest and hypervisor views of an instance, through the HTTP API.

network_info (both shapes), the config drive (listing, files, ISO), the libvirt domain XML
and the launch preview, checked against the database rows a real launch wrote.
"""

import base64
import json
import uuid
import xml.etree.ElementTree as ET

import netaddr
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from multinic_api.guest.iso import read_iso
from multinic_api.models import VIF, FixedIP, FreeRange, Instance, Subnet
from multinic_api.services import subnets
from tests.harness.errors import assert_error
from tests.harness.helpers import assert_subnet_consistent

pytestmark = pytest.mark.django_db

OPENSTACK_VERSIONS = ["2012-08-10", "2013-04-04", "2013-10-17", "2015-10-15", "2016-06-30",
                      "2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "2025-04-04",
                      "latest"]
PUBLIC_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHkWq0k5m6C4d9oQK2b0v3B8w0Jx3 alice@laptop"
USER_DATA = b"#cloud-config\nruncmd:\n  - [touch, /tmp/multinic]\n\x00\xff binary tail"
# As the network_data.py docstring says: what each IPv6 address mode is called in network_data.
IPV6_MODE_TYPES = {"slaac": "ipv6_slaac", "dhcpv6-stateless": "ipv6_slaac",
                   "dhcpv6-stateful": "ipv6_dhcp"}


# --- helpers ----------------------------------------------------------------------------------

def nic(network, tag=None, fixed_ips=None):
    entry = {"network_id": str(network.id)}
    if tag is not None:
        entry["tag"] = tag
    if fixed_ips is not None:
        entry["fixed_ips"] = fixed_ips
    return entry


def launch(client, nics, name="vm", **extra):
    response = client.post("/api/instances/", {"name": name, "nics": nics, **extra},
                           format="json")
    assert response.status_code == 201, response.content
    return response.json()


def vifs_of(instance_uuid):
    return list(VIF.objects.filter(instance_id=instance_uuid).order_by("position"))


def fixed_ips_of(vif, subnet=None):
    rows = FixedIP.objects.filter(vif=vif)
    if subnet is not None:
        rows = rows.filter(subnet=subnet)
    return sorted(rows.values_list("address", flat=True))


def url(instance_uuid, tail):
    return f"/api/instances/{instance_uuid}/{tail}"


def expected_network_type(subnet: Subnet) -> str:
    if subnet.ipv6_address_mode:
        return IPV6_MODE_TYPES[subnet.ipv6_address_mode]
    if subnet.enable_dhcp or subnet.dhcp_server:
        return f"ipv{subnet.ip_version}_dhcp"
    return f"ipv{subnet.ip_version}"


def expected_networks(vifs):
    """network_data's networks, from the rows: per VIF, v4 then v6."""
    expected = []
    for vif in vifs:
        for version in (4, 6):
            ips = list(FixedIP.objects.filter(vif=vif, subnet__ip_version=version)
                       .select_related("subnet").order_by("subnet__cidr", "id"))
            if not ips:
                continue
            subnet, address = ips[0].subnet, ips[0].address
            entry = {"id": f"network{len(expected)}", "type": expected_network_type(subnet),
                     "link": vif.devname, "network_id": str(vif.network_id)}
            if not entry["type"].endswith("_dhcp"):
                net = netaddr.IPNetwork(subnet.cidr)
                any_ = "0.0.0.0" if version == 4 else "::"
                routes = []
                if subnet.gateway_ip:
                    routes.append({"network": any_, "netmask": any_,
                                   "gateway": subnet.gateway_ip})
                for route in subnet.host_routes:
                    dest = netaddr.IPNetwork(route["destination"])
                    routes.append({"network": str(dest.network), "netmask": str(dest.netmask),
                                   "gateway": route["nexthop"]})
                entry.update(ip_address=address, netmask=str(net.netmask), routes=routes,
                             services=[{"type": "dns", "address": a}
                                       for a in subnet.dns_nameservers])
            expected.append(entry)
    return expected


@pytest.fixture
def static_net(cloud):
    """Alice's network without DHCP, so network_data spells addresses, routes and DNS out."""
    network = subnets.create_network(cloud.project_a, "static", mtu=9000)
    subnets.create_subnet(network, "172.16.5.0/24", name="static-v4", enable_dhcp=False,
                          dns_nameservers=["172.16.5.53", "9.9.9.9"],
                          host_routes=[{"destination": "10.99.0.0/16",
                                        "nexthop": "172.16.5.254"}])
    subnets.create_subnet(network, "2001:db8:5::/64", name="static-v6", enable_dhcp=False,
                          ipv6_address_mode="dhcpv6-stateless",
                          dns_nameservers=["2001:db8:5::53"])
    return network


@pytest.fixture
def web(cloud):
    """Alice's 3-NIC instance: net_a, shared, net_a again with a tag."""
    return launch(cloud.a, [nic(cloud.net_a), nic(cloud.shared), nic(cloud.net_a, tag="db")],
                  name="web")


# --- network_info -----------------------------------------------------------------------------

def test_network_info_is_one_model_vif_per_nic_in_order(cloud, web):
    response = cloud.a.get(url(web["uuid"], "network_info/"))
    assert response.status_code == 200, response.content
    info = response.json()
    vifs = vifs_of(web["uuid"])
    assert len(vifs) == 3 and len(info) == 3
    assert [item["id"] for item in info] == [str(v.uuid) for v in vifs]
    assert [item["network"]["id"] for item in info] == [
        str(cloud.net_a.id), str(cloud.shared.id), str(cloud.net_a.id)]
    for item, vif in zip(info, vifs, strict=True):
        network = vif.network
        assert item["address"] == vif.mac
        assert item["devname"] == ("tap" + str(vif.uuid))[:14]
        assert len(item["devname"]) == 14
        assert item["vnic_type"] == "normal"
        assert item["type"] == vif.vif_type
        assert item["active"] is True
        assert isinstance(item["details"], dict) and isinstance(item["profile"], dict)
        assert item["network"]["label"] == network.name
        meta = item["network"]["meta"]
        assert meta["mtu"] == network.mtu
        assert meta["physical_network"] == network.physical_network
        assert meta["tenant_id"] == network.project_id
        # every subnet the VIF has an address on, with exactly those addresses
        rows = {s.cidr: s for s in Subnet.objects.filter(fixed_ips__vif=vif).distinct()}
        assert {s["cidr"] for s in item["network"]["subnets"]} == set(rows)
        for shown in item["network"]["subnets"]:
            row = rows[shown["cidr"]]
            assert shown["version"] == row.ip_version
            assert sorted(ip["address"] for ip in shown["ips"]) == fixed_ips_of(vif, row)
            for ip in shown["ips"]:
                assert ip["type"] == "fixed" and ip["version"] == row.ip_version
                assert ip["floating_ips"] == []
            assert shown["gateway"]["address"] == row.gateway_ip
            assert shown["gateway"]["type"] == "gateway"
            assert [d["address"] for d in shown["dns"]] == list(row.dns_nameservers)
            assert [r["cidr"] for r in shown["routes"]] == [
                r["destination"] for r in row.host_routes]
            assert shown["meta"]["enable_dhcp"] == row.enable_dhcp
            assert shown["meta"].get("dhcp_server") == row.dhcp_server
            assert shown["meta"].get("ipv6_address_mode") == row.ipv6_address_mode
    # the two net_a NICs really are distinct VIFs with distinct addresses
    assert info[0]["address"] != info[2]["address"]
    assert set(fixed_ips_of(vifs[0])).isdisjoint(fixed_ips_of(vifs[2]))
    # the SLAAC subnet's address is the MAC's EUI-64 one
    v6 = next(s for s in info[0]["network"]["subnets"] if s["version"] == 6)
    assert v6["meta"]["ipv6_address_mode"] == "slaac"
    eui = netaddr.EUI(vifs[0].mac).ipv6(netaddr.IPNetwork(cloud.sub_a6.cidr).network)
    assert v6["ips"][0]["address"] == str(eui)


def test_network_info_legacy_shape_pairs(cloud, web):
    response = cloud.a.get(url(web["uuid"], "network_info/?shape=legacy"))
    assert response.status_code == 200, response.content
    pairs = response.json()
    vifs = vifs_of(web["uuid"])
    assert len(pairs) == len(vifs) == 3
    for pair, vif in zip(pairs, vifs, strict=True):
        assert isinstance(pair, list) and len(pair) == 2
        network, info = pair
        assert network["id"] == str(vif.network_id)
        assert info["label"] == vif.network.name
        assert info["mac"] == vif.mac
        assert info["vif_uuid"] == str(vif.uuid)
        v4 = FixedIP.objects.filter(vif=vif, subnet__ip_version=4).select_related("subnet")
        assert sorted((ip["ip"], ip["netmask"]) for ip in info["ips"]) == sorted(
            (row.address, str(netaddr.IPNetwork(row.subnet.cidr).netmask)) for row in v4)
        assert all(ip["enabled"] == "1" for ip in info["ips"])
        v6 = FixedIP.objects.filter(vif=vif, subnet__ip_version=6)
        assert sorted(ip["ip"] for ip in info.get("ip6s", [])) == sorted(
            v6.values_list("address", flat=True))
        subnet4 = Subnet.objects.get(fixed_ips__vif=vif, ip_version=4)
        assert info["gateway"] == subnet4.gateway_ip
        assert network["cidr"] == subnet4.cidr
    # net_a's NICs have an IPv6 address (and gateway6); the shared NIC has none
    assert [bool(p[1].get("ip6s")) for p in pairs] == [True, False, True]
    assert pairs[0][1]["gateway6"] == cloud.sub_a6.gateway_ip
    assert pairs[1][1]["broadcast"] == "192.0.2.7"


@pytest.mark.parametrize("shape", ["nova", "", "LEGACY", "model;drop"])
def test_network_info_unknown_shape_is_400(cloud, web, shape):
    body = assert_error(cloud.a.get(url(web["uuid"], f"network_info/?shape={shape}")), 400,
                        code="bad_request")
    assert "shape" in body["detail"]


def test_network_info_default_shape_is_model(cloud, web):
    default = cloud.a.get(url(web["uuid"], "network_info/")).json()
    model = cloud.a.get(url(web["uuid"], "network_info/?shape=model")).json()
    assert default == model
    assert all(isinstance(item, dict) for item in model)


# --- config drive -----------------------------------------------------------------------------

@pytest.fixture
def keyed(cloud, static_net):
    """Alice's instance with metadata, a key, user data and a static NIC, two NICs tagged."""
    return launch(cloud.a, [nic(static_net, tag="mgmt"), nic(cloud.net_a),
                            nic(cloud.shared, tag="public")],
                  name="Keyed Box", metadata={"role": "db", "tier": "2"}, key_name="alice-key",
                  public_key=PUBLIC_KEY, user_data=base64.b64encode(USER_DATA).decode(),
                  config_drive=True)


def listing(client, instance_uuid):
    response = client.get(url(instance_uuid, "config_drive/"))
    assert response.status_code == 200, response.content
    return response.json()


def test_config_drive_listing_has_every_version_and_no_user_data_unless_given(cloud, web):
    drive = listing(cloud.a, web["uuid"])
    assert drive["label"] == "config-2"
    paths = [f["path"] for f in drive["files"]]
    assert len(paths) == len(set(paths))
    assert "ec2/latest/meta-data.json" in paths
    for version in OPENSTACK_VERSIONS:
        assert f"openstack/{version}/meta_data.json" in paths
        has_network_data = version == "latest" or version >= "2015-10-15"
        assert (f"openstack/{version}/network_data.json" in paths) is has_network_data
    assert not [p for p in paths if "user_data" in p or "user-data" in p]
    versions = {p.split("/")[1] for p in paths if p.startswith("openstack/")}
    assert versions == set(OPENSTACK_VERSIONS)


def test_config_drive_every_listed_file_is_served_with_its_size_and_type(cloud, keyed):
    drive = listing(cloud.a, keyed["uuid"])
    paths = [f["path"] for f in drive["files"]]
    for version in OPENSTACK_VERSIONS:
        assert f"openstack/{version}/user_data" in paths
    for entry in drive["files"]:
        assert entry["url"].endswith(f"/api/instances/{keyed['uuid']}/config_drive/"
                                     f"{entry['path']}")
        response = cloud.a.get(entry["url"])
        assert response.status_code == 200, (entry["path"], response.content)
        # meta_data.json differs per request (random_seed), but a fixed-size seed keeps its
        # length: every file's length is the listed size
        assert len(response.content) == entry["size"], entry["path"]
        assert response["Content-Type"].split(";")[0] == entry["content_type"]
        if entry["path"].endswith(".json"):
            assert entry["content_type"] == "application/json"
            json.loads(response.content)
        if entry["path"].endswith("/user_data"):
            assert response.content == USER_DATA
    # network_data.json is the same document in every version that has it
    bodies = {cloud.a.get(e["url"]).content for e in drive["files"]
              if e["path"].endswith("/network_data.json")}
    assert len(bodies) == 1


def test_config_drive_network_data_matches_the_rows(cloud, keyed):
    response = cloud.a.get(url(keyed["uuid"], "config_drive/openstack/latest/network_data.json"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    data = json.loads(response.content)
    vifs = vifs_of(keyed["uuid"])
    assert [link["ethernet_mac_address"] for link in data["links"]] == [v.mac for v in vifs]
    assert [link["vif_id"] for link in data["links"]] == [str(v.uuid) for v in vifs]
    assert [link["id"] for link in data["links"]] == [v.devname for v in vifs]
    assert [link["mtu"] for link in data["links"]] == [v.network.mtu for v in vifs]
    assert [link["type"] for link in data["links"]] == ["bridge"] * 3
    assert data["networks"] == expected_networks(vifs)
    # every address network_data spells out is one of the rows' addresses for that link
    by_link = {v.devname: fixed_ips_of(v) for v in vifs}
    spelled = [n for n in data["networks"] if "ip_address" in n]
    assert len(spelled) >= 3  # static v4 and v6, net_a's SLAAC
    for network in spelled:
        assert network["ip_address"] in by_link[network["link"]]
    static = [n for n in data["networks"] if n["link"] == vifs[0].devname]
    assert [n["type"] for n in static] == ["ipv4", "ipv6_slaac"]
    assert static[1]["netmask"] == "ffff:ffff:ffff:ffff::"
    assert static[0]["routes"][0] == {"network": "0.0.0.0", "netmask": "0.0.0.0",
                                      "gateway": "172.16.5.1"}
    assert data["services"] == [{"type": "dns", "address": a}
                                for a in ["172.16.5.53", "9.9.9.9", "2001:db8:5::53"]]


@pytest.mark.parametrize(("v4", "v6", "types"), [
    ({"enable_dhcp": False}, {"enable_dhcp": False}, ["ipv4", "ipv6"]),
    ({}, {"ipv6_address_mode": "slaac"}, ["ipv4_dhcp", "ipv6_slaac"]),
    ({"enable_dhcp": False, "dns_nameservers": ["10.50.0.53"]},
     {"ipv6_address_mode": "dhcpv6-stateless", "dns_nameservers": ["2001:db8:50::53"]},
     ["ipv4", "ipv6_slaac"]),
    ({"dhcp_server": "10.50.0.2"}, {"ipv6_address_mode": "dhcpv6-stateful"},
     ["ipv4_dhcp", "ipv6_dhcp"]),
    ({"enable_dhcp": False, "gateway_ip": None}, {}, ["ipv4", "ipv6_dhcp"]),
])
def test_network_data_types_follow_the_subnets(cloud, v4, v6, types):
    network = subnets.create_network(cloud.project_a, "modes", mtu=1450)
    subnets.create_subnet(network, "10.50.0.0/24", **v4)
    subnets.create_subnet(network, "2001:db8:50::/64", **v6)
    mine = launch(cloud.a, [nic(network), nic(cloud.net_a)])
    data = json.loads(cloud.a.get(
        url(mine["uuid"], "config_drive/openstack/latest/network_data.json")).content)
    vifs = vifs_of(mine["uuid"])
    assert [n["type"] for n in data["networks"][:2]] == types
    assert data["networks"] == expected_networks(vifs)
    first = Subnet.objects.filter(network=network)
    mtu = None if any(s.dhcp_server for s in first) else network.mtu
    assert data["links"][0]["mtu"] == mtu
    assert data["links"][1]["mtu"] == cloud.net_a.mtu
    dns = [a for s in first.order_by("ip_version") for a in s.dns_nameservers]
    assert data["services"] == [{"type": "dns", "address": a} for a in dns]


def test_config_drive_meta_data(cloud, keyed):
    response = cloud.a.get(url(keyed["uuid"], "config_drive/openstack/latest/meta_data.json"))
    assert response.status_code == 200
    meta = json.loads(response.content)
    row = Instance.objects.get(pk=keyed["uuid"])
    vifs = vifs_of(keyed["uuid"])
    assert meta["uuid"] == str(row.uuid)
    assert meta["name"] == "Keyed Box" == row.name
    assert meta["hostname"] == row.hostname == "keyed-box"
    assert meta["project_id"] == cloud.project_a.pk
    assert meta["launch_index"] == row.launch_index
    assert meta["availability_zone"] == row.availability_zone
    assert meta["meta"] == {"role": "db", "tier": "2"}
    assert meta["public_keys"] == {"alice-key": PUBLIC_KEY}
    assert meta["keys"] == [{"name": "alice-key", "type": "ssh", "data": PUBLIC_KEY}]
    tagged = [v for v in vifs if v.tag]
    assert len(tagged) == 2
    assert meta["devices"] == [{"type": "nic", "mac": v.mac, "tags": [v.tag]} for v in tagged]
    assert len(base64.b64decode(meta["random_seed"], validate=True)) == 512
    again = json.loads(cloud.a.get(
        url(keyed["uuid"], "config_drive/openstack/latest/meta_data.json")).content)
    assert again["random_seed"] != meta["random_seed"]
    assert {k: v for k, v in again.items() if k != "random_seed"} == {
        k: v for k, v in meta.items() if k != "random_seed"}
    # the oldest version has no seed, no project and no devices (Nova's version rules)
    oldest = json.loads(cloud.a.get(
        url(keyed["uuid"], "config_drive/openstack/2012-08-10/meta_data.json")).content)
    assert oldest["uuid"] == meta["uuid"]
    assert not {"random_seed", "project_id", "devices"} & set(oldest)
    ec2 = json.loads(cloud.a.get(url(keyed["uuid"],
                                     "config_drive/ec2/latest/meta-data.json")).content)
    assert ec2["hostname"] == row.hostname
    assert ec2["local-ipv4"] == fixed_ips_of(vifs[0], Subnet.objects.get(name="static-v4"))[0]


def test_meta_data_without_key_or_metadata_or_tags(cloud, web):
    meta = json.loads(cloud.a.get(
        url(web["uuid"], "config_drive/openstack/latest/meta_data.json")).content)
    assert "public_keys" not in meta and "keys" not in meta
    assert meta.get("meta", {}) == {}
    vifs = vifs_of(web["uuid"])
    assert meta["devices"] == [{"type": "nic", "mac": vifs[2].mac, "tags": ["db"]}]


def test_config_drive_iso_download(cloud, keyed):
    response = cloud.a.get(url(keyed["uuid"], "config_drive.iso"))
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/x-iso9660-image"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment")
    assert f'filename="config-drive-{keyed["uuid"]}.iso"' in disposition
    image = response.content
    # ISO 9660: the primary volume descriptor in sector 16, labelled config-2
    assert image[32768:32774] == b"\x01CD001"
    assert image[32808:32840].decode("ascii").rstrip() == "config-2"
    assert len(image) % 2048 == 0
    files = read_iso(image)
    drive = listing(cloud.a, keyed["uuid"])
    assert set(files) == {f["path"] for f in drive["files"]}
    for entry in drive["files"]:
        assert len(files[entry["path"]]) == entry["size"], entry["path"]
    served = cloud.a.get(url(keyed["uuid"], "config_drive/openstack/latest/network_data.json"))
    assert json.loads(files["openstack/latest/network_data.json"]) == json.loads(served.content)
    assert files["openstack/latest/network_data.json"] == served.content
    assert files["openstack/latest/user_data"] == USER_DATA
    meta = json.loads(files["openstack/latest/meta_data.json"])
    assert meta["uuid"] == keyed["uuid"] and meta["name"] == "Keyed Box"


# --- libvirt domain ---------------------------------------------------------------------------

def test_domain_xml_has_one_interface_per_vif_in_order(cloud, keyed):
    response = cloud.a.get(url(keyed["uuid"], "domain.xml"))
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("application/xml")
    domain = ET.fromstring(response.content)
    assert domain.tag == "domain"
    assert domain.findtext("uuid") == keyed["uuid"]
    assert domain.findtext("title") == "Keyed Box"
    vifs = vifs_of(keyed["uuid"])
    interfaces = domain.findall("devices/interface")
    assert len(interfaces) == len(vifs) == 3
    for element, vif in zip(interfaces, vifs, strict=True):
        assert element.get("type") == "bridge"  # bridge VIFs
        assert element.find("mac").get("address") == vif.mac
        assert element.find("target").get("dev") == vif.devname
        assert element.find("source").get("bridge") == ("brq" + str(vif.network_id))[:14]
        assert element.find("model").get("type") == "virtio"
        assert element.find("mtu").get("size") == str(vif.network.mtu)
    # launched with config_drive: a read-only CD-ROM
    cdroms = domain.findall("devices/disk[@device='cdrom']")
    assert len(cdroms) == 1 and cdroms[0].find("readonly") is not None


def test_domain_xml_without_config_drive_has_no_cdrom(cloud, web):
    domain = ET.fromstring(cloud.a.get(url(web["uuid"], "domain.xml")).content)
    assert domain.findall("devices/disk[@device='cdrom']") == []
    assert [i.find("mac").get("address") for i in domain.findall("devices/interface")] == [
        v.mac for v in vifs_of(web["uuid"])]


# --- tenancy and not found --------------------------------------------------------------------

GUEST_ENDPOINTS = ["network_info/", "network_info/?shape=legacy", "config_drive/",
                   "config_drive/openstack/latest/meta_data.json",
                   "config_drive/openstack/latest/network_data.json", "config_drive.iso",
                   "domain.xml"]


@pytest.mark.parametrize("tail", GUEST_ENDPOINTS)
def test_other_project_gets_404_json_and_nothing_of_the_instance(cloud, web, tail):
    response = cloud.b.get(url(web["uuid"], tail))
    assert_error(response, 404, code="not_found")
    text = response.content.decode()
    for vif in vifs_of(web["uuid"]):
        assert vif.mac not in text
        for address in fixed_ips_of(vif):
            assert address not in text
    assert "web" not in response.json()["detail"]


@pytest.mark.parametrize("tail", GUEST_ENDPOINTS)
def test_anonymous_gets_401(cloud, web, tail):
    response = cloud.anonymous.get(url(web["uuid"], tail))
    assert_error(response, 401)
    assert vifs_of(web["uuid"])[0].mac not in response.content.decode()


@pytest.mark.parametrize("tail", GUEST_ENDPOINTS)
def test_admin_reads_another_projects_instance(cloud, web, tail):
    response = cloud.admin.get(url(web["uuid"], tail))
    assert response.status_code == 200, response.content
    alice = cloud.a.get(url(web["uuid"], tail))
    assert alice.status_code == 200
    if tail.startswith("network_info") or tail.endswith("network_data.json"):
        assert response.content == alice.content
    if tail == "config_drive/":
        assert response.json() == alice.json()


@pytest.mark.parametrize("tail", GUEST_ENDPOINTS)
def test_unknown_instance_is_404(cloud, tail):
    assert_error(cloud.a.get(url(uuid.uuid4(), tail)), 404, code="not_found")
    assert_error(cloud.admin.get(url(uuid.uuid4(), tail)), 404, code="not_found")


def test_deleted_instance_is_404(cloud, web):
    assert cloud.a.delete(f"/api/instances/{web['uuid']}/").status_code == 204
    for tail in GUEST_ENDPOINTS:
        assert_error(cloud.a.get(url(web["uuid"], tail)), 404)


@pytest.mark.parametrize("path", [
    "openstack/latest/nope.json",
    "openstack/1999-01-01/meta_data.json",
    "openstack/2012-08-10/network_data.json",  # before network_data existed
    "openstack/latest/user_data",  # launched without user data
    "openstack/../etc/passwd",
    "openstack/latest/../../../../etc/passwd",
    "../../config_drive/openstack/latest/meta_data.json",
    "/openstack/latest/meta_data.json",
    "openstack/latest/",
    "openstack",
])
def test_unknown_config_drive_path_is_404_json(cloud, web, path):
    response = cloud.a.get(url(web["uuid"], f"config_drive/{path}"))
    assert response.status_code == 404, (path, response.content)
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_found"
    assert b"root:" not in response.content


@pytest.mark.parametrize(("tail", "accept"), [
    ("config_drive.iso", "application/x-iso9660-image"),
    ("domain.xml", "application/xml"),
    ("config_drive/openstack/latest/meta_data.json", "application/octet-stream"),
])
def test_errors_are_labelled_json_whatever_the_client_accepts(cloud, web, tail, accept):
    """A client asking for the file's own type still gets its error as JSON, labelled so."""
    response = cloud.a.get(url(uuid.uuid4(), tail), HTTP_ACCEPT=accept)
    assert_error(response, 404, code="not_found")
    response = cloud.b.get(url(web["uuid"], tail), HTTP_ACCEPT=accept)
    assert_error(response, 404, code="not_found")
    # and on success the file's own type
    response = cloud.a.get(url(web["uuid"], tail), HTTP_ACCEPT=accept)
    assert response.status_code == 200
    expected = "application/json" if tail.endswith(".json") else accept
    assert response["Content-Type"].split(";")[0] == expected


# --- preview ----------------------------------------------------------------------------------

def _row_counts():
    return (Instance.objects.count(), VIF.objects.count(), FixedIP.objects.count(),
            FreeRange.objects.count())


def test_preview_renders_the_guest_and_commits_nothing(cloud, static_net):
    launch(cloud.a, [nic(cloud.net_a)], name="existing")  # so "nothing" is not just "empty"
    before = _row_counts()
    free_before = list(FreeRange.objects.order_by("subnet_id", "first")
                       .values_list("subnet_id", "first", "last"))
    response = cloud.a.post("/api/instances/preview/", {
        "name": "Preview Me", "metadata": {"k": "v"},
        "nics": [nic(static_net, tag="edge"), nic(cloud.net_a)]}, format="json")
    assert response.status_code == 200, response.content
    data = response.json()
    assert _row_counts() == before
    assert list(FreeRange.objects.order_by("subnet_id", "first")
                .values_list("subnet_id", "first", "last")) == free_before
    assert not Instance.objects.filter(pk=data["uuid"]).exists()
    for subnet in Subnet.objects.all():
        if not subnet.address_from_mac:  # MAC-derived addresses have no free ranges
            assert_subnet_consistent(subnet)

    interfaces = data["interfaces"]
    assert len(interfaces) == 2
    assert [i["network_id"] for i in interfaces] == [str(static_net.id), str(cloud.net_a.id)]
    assert len(data["network_info"]) == 2
    assert [v["id"] for v in data["network_info"]] == [i["uuid"] for i in interfaces]
    assert [v["address"] for v in data["network_info"]] == [i["mac"] for i in interfaces]
    links = data["network_data"]["links"]
    assert len(links) == 2
    assert [link["ethernet_mac_address"] for link in links] == [i["mac"] for i in interfaces]
    assert [link["id"] for link in links] == [i["devname"] for i in interfaces]
    static_v4 = data["network_data"]["networks"][0]
    assert static_v4["type"] == "ipv4" and static_v4["link"] == interfaces[0]["devname"]
    assert static_v4["ip_address"] in [ip["ip_address"] for ip in interfaces[0]["fixed_ips"]]
    meta = data["meta_data"]
    assert meta["name"] == "Preview Me"
    assert meta["uuid"] == data["uuid"]
    assert meta["project_id"] == cloud.project_a.pk
    assert meta["meta"] == {"k": "v"}
    assert meta["devices"] == [{"type": "nic", "mac": interfaces[0]["mac"], "tags": ["edge"]}]
    # the previewed addresses are still free: a real launch may take the same ones
    real = launch(cloud.a, [nic(static_net, tag="edge"), nic(cloud.net_a)], name="Preview Me")
    assert real["interfaces"][0]["fixed_ips"][0]["ip_address"] == static_v4["ip_address"]


@pytest.mark.parametrize(("nics", "status"), [
    ([{"network_id": str(uuid.uuid4())}], 404),
    ([{"network_id": "not-a-uuid"}], 400),
    (None, 400),
])
def test_preview_errors_are_json_4xx(cloud, nics, status):
    body = {"name": "vm", "nics": nics} if nics is not None else {"name": "vm"}
    before = _row_counts()
    assert_error(cloud.a.post("/api/instances/preview/", body, format="json"), status)
    assert _row_counts() == before


def test_preview_of_another_projects_network_is_404(cloud):
    assert_error(cloud.a.post("/api/instances/preview/",
                              {"name": "vm", "nics": [nic(cloud.net_b)]}, format="json"), 404)


def test_preview_on_an_exhausted_subnet_is_409(cloud):
    for _ in range(3):
        launch(cloud.b, [nic(cloud.shared)])
    before = _row_counts()
    assert_error(cloud.a.post("/api/instances/preview/",
                              {"name": "vm", "nics": [nic(cloud.shared)]}, format="json"),
                 409, code="subnet_exhausted")
    assert _row_counts() == before


# --- detach -----------------------------------------------------------------------------------

def test_detach_shrinks_network_info_and_network_data_keeping_order(cloud, static_net):
    mine = launch(cloud.a, [nic(cloud.net_a), nic(static_net), nic(cloud.shared),
                            nic(cloud.net_a, tag="last")])
    vifs = vifs_of(mine["uuid"])
    detached = vifs[1]
    response = cloud.a.delete(url(mine["uuid"], f"interfaces/{detached.uuid}/"))
    assert response.status_code == 204, response.content
    remaining = vifs_of(mine["uuid"])
    assert [v.uuid for v in remaining] == [vifs[0].uuid, vifs[2].uuid, vifs[3].uuid]

    info = cloud.a.get(url(mine["uuid"], "network_info/")).json()
    assert [item["id"] for item in info] == [str(v.uuid) for v in remaining]
    assert [item["address"] for item in info] == [v.mac for v in remaining]
    legacy = cloud.a.get(url(mine["uuid"], "network_info/?shape=legacy")).json()
    assert [pair[1]["vif_uuid"] for pair in legacy] == [str(v.uuid) for v in remaining]

    data = json.loads(cloud.a.get(
        url(mine["uuid"], "config_drive/openstack/latest/network_data.json")).content)
    assert [link["vif_id"] for link in data["links"]] == [str(v.uuid) for v in remaining]
    assert [link["ethernet_mac_address"] for link in data["links"]] == [
        v.mac for v in remaining]
    assert data["networks"] == expected_networks(remaining)
    assert detached.devname not in {n["link"] for n in data["networks"]}
    assert data["services"] == []  # the only DNS servers were the detached static subnet's

    meta = json.loads(cloud.a.get(
        url(mine["uuid"], "config_drive/openstack/latest/meta_data.json")).content)
    assert meta["devices"] == [{"type": "nic", "mac": vifs[3].mac, "tags": ["last"]}]
    domain = ET.fromstring(cloud.a.get(url(mine["uuid"], "domain.xml")).content)
    assert [i.find("mac").get("address") for i in domain.findall("devices/interface")] == [
        v.mac for v in remaining]


# --- the corners Nova's generator skips --------------------------------------------------

#: What Nova's metadata_for_config_drive writes without user data, by path.
NOVA_DRIVE_PATHS = sorted(
    ["ec2/2009-04-04/meta-data.json", "ec2/latest/meta-data.json",
     "openstack/2012-08-10/meta_data.json", "openstack/2013-04-04/meta_data.json",
     "openstack/2013-10-17/meta_data.json", "openstack/2013-10-17/vendor_data.json"]
    + [f"openstack/{version}/{name}"
       for version in ["2015-10-15", "2016-06-30"]
       for name in ["meta_data.json", "vendor_data.json", "network_data.json"]]
    + [f"openstack/{version}/{name}"
       for version in ["2016-10-06", "2017-02-22", "2018-08-27", "2020-10-14", "2025-04-04",
                       "latest"]
       for name in ["meta_data.json", "vendor_data.json", "network_data.json",
                    "vendor_data2.json"]])


def test_an_instance_without_nics_gets_nova_s_empty_network_data(cloud):
    # Nova's metadata_for_config_drive still writes network_data.json for every version from
    # 2015-10-15, and it holds ``{}`` (get_network_metadata returned None for the empty
    # network_info).
    bare = launch(cloud.a, [], name="no-nics", config_drive=True)
    drive = listing(cloud.a, bare["uuid"])
    assert sorted(f["path"] for f in drive["files"]) == NOVA_DRIVE_PATHS
    for entry in drive["files"]:
        if entry["path"].endswith("/network_data.json"):
            assert cloud.a.get(entry["url"]).content == b"{}", entry["path"]
    iso = cloud.a.get(url(bare["uuid"], "config_drive.iso"))
    assert iso.status_code == 200
    files = read_iso(iso.content)
    assert sorted(files) == NOVA_DRIVE_PATHS
    assert files["openstack/latest/network_data.json"] == b"{}"
    assert files["openstack/2015-10-15/network_data.json"] == b"{}"
    assert cloud.a.get(url(bare["uuid"], "network_info/")).json() == []


def test_detaching_the_last_nic_leaves_nova_s_empty_network_data(cloud):
    mine = launch(cloud.a, [nic(cloud.net_a)])
    [vif] = vifs_of(mine["uuid"])
    assert cloud.a.delete(url(mine["uuid"], f"interfaces/{vif.uuid}/")).status_code == 204
    body = cloud.a.get(url(mine["uuid"], "config_drive/openstack/latest/network_data.json"))
    assert body.status_code == 200 and body.content == b"{}"


def test_a_nic_on_a_network_without_subnets_gets_no_link_and_takes_no_number(cloud,
                                                                              static_net):
    # Neutron gives a port without fixed IPs no subnets; Nova's generator skips
    # that VIF (no link, no network, no interface number). network_info still lists it.
    bare_net = subnets.create_network(cloud.project_a, "no-subnet", mtu=1400)
    mine = launch(cloud.a, [nic(static_net), nic(bare_net), nic(static_net)])
    first, bare, third = vifs_of(mine["uuid"])
    info = cloud.a.get(url(mine["uuid"], "network_info/")).json()
    assert [item["id"] for item in info] == [str(first.uuid), str(bare.uuid), str(third.uuid)]
    assert info[1]["network"]["subnets"] == []
    data = json.loads(cloud.a.get(
        url(mine["uuid"], "config_drive/openstack/latest/network_data.json")).content)
    [v4_first], [v6_first] = fixed_ips_of(first, static_net.subnets.get(ip_version=4)), \
        fixed_ips_of(first, static_net.subnets.get(ip_version=6))
    [v4_third], [v6_third] = fixed_ips_of(third, static_net.subnets.get(ip_version=4)), \
        fixed_ips_of(third, static_net.subnets.get(ip_version=6))
    net_id = str(static_net.id)
    v4_routes = [{"network": "0.0.0.0", "netmask": "0.0.0.0", "gateway": "172.16.5.1"},
                 {"network": "10.99.0.0", "netmask": "255.255.0.0", "gateway": "172.16.5.254"}]
    v6_routes = [{"network": "::", "netmask": "::", "gateway": "2001:db8:5::1"}]
    dns4 = [{"type": "dns", "address": "172.16.5.53"}, {"type": "dns", "address": "9.9.9.9"}]
    dns6 = [{"type": "dns", "address": "2001:db8:5::53"}]

    def static(n, link, v4, v6):
        return [{"id": f"network{n}", "type": "ipv4", "link": link, "ip_address": v4,
                 "netmask": "255.255.255.0", "routes": v4_routes, "network_id": net_id,
                 "services": dns4},
                {"id": f"network{n + 1}", "type": "ipv6_slaac", "link": link, "ip_address": v6,
                 "netmask": "ffff:ffff:ffff:ffff::", "routes": v6_routes, "network_id": net_id,
                 "services": dns6}]

    assert data == {
        "links": [{"id": v.devname, "vif_id": str(v.uuid), "type": "bridge", "mtu": 9000,
                   "ethernet_mac_address": v.mac} for v in (first, third)],
        "networks": [*static(0, first.devname, v4_first, v6_first),
                     *static(2, third.devname, v4_third, v6_third)],
        "services": dns4 + dns6,
    }


# --- query count ------------------------------------------------------------------------------

def _queries(client, instance_uuid, tail):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(instance_uuid, tail))
    assert response.status_code == 200, response.content
    return len(ctx.captured_queries), response


@pytest.mark.parametrize("tail", ["network_info/", "network_info/?shape=legacy",
                                  "config_drive/", "config_drive.iso", "domain.xml",
                                  "config_drive/openstack/latest/network_data.json"])
def test_queries_do_not_grow_with_the_number_of_nics(cloud, static_net, tail):
    one = launch(cloud.a, [nic(cloud.net_a)], name="one")
    eight = launch(cloud.a, [nic(cloud.net_a), nic(static_net)] * 4, name="eight")
    few, small = _queries(cloud.a, one["uuid"], tail)
    many, large = _queries(cloud.a, eight["uuid"], tail)
    assert few == many, (few, many)
    assert few <= 5, few
    if tail.startswith("network_info"):
        assert len(small.json()) == 1 and len(large.json()) == 8


def test_network_info_query_count_is_four(cloud, static_net, django_assert_num_queries):
    """Scope (project), instance, VIFs with networks, fixed IPs with subnets."""
    eight = launch(cloud.a, [nic(cloud.net_a), nic(static_net)] * 4, name="eight")
    with django_assert_num_queries(4):
        response = cloud.a.get(url(eight["uuid"], "network_info/"))
    assert len(response.json()) == 8
