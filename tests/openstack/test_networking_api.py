"""The networking face at the request level: Neutron's shapes, filters, ``fields``,
pagination, error body and tenancy, each answer checked against the database."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from multinic_api.models import VIF, FixedIP, Network, Subnet
from multinic_api.services import instances
from tests.harness.helpers import keystone_client

V2 = "/networking/v2.0"


@pytest.fixture
def alice(cloud):
    return keystone_client("alice", "pw-alice", "project-a")


@pytest.fixture
def bob(cloud):
    return keystone_client("bob", "pw-bob", "project-b")


@pytest.fixture
def root(cloud):
    return keystone_client("root", "pw-root", "admin")


def _error(response, status: int, kind: str) -> str:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"NeutronError"}
    assert body["NeutronError"]["type"] == kind
    assert body["NeutronError"]["detail"] == ""
    return body["NeutronError"]["message"]


# --- discovery -------------------------------------------------------------------------------

def test_versions_and_resources_are_discoverable(client, cloud):
    versions = client.get("/networking/").json()["versions"]
    assert [(v["id"], v["status"]) for v in versions] == [("v2.0", "CURRENT")]
    assert versions[0]["links"][0]["href"].endswith("/networking/v2.0/")
    assert client.get("/networking").status_code == 200
    resources = client.get(f"{V2}/").json()["resources"]
    assert [r["collection"] for r in resources] == ["networks", "subnets", "ports"]


def test_the_catalog_names_the_network_service(alice):
    response = APIClient().post("/identity/v3/auth/tokens", {"auth": {
        "identity": {"methods": ["password"], "password": {"user": {
            "name": "alice", "domain": {"id": "default"}, "password": "pw-alice"}}},
        "scope": {"project": {"name": "project-a", "domain": {"id": "default"}}}}},
        format="json")
    network = [s for s in response.json()["token"]["catalog"] if s["type"] == "network"]
    assert [e["url"] for e in network[0]["endpoints"]] == [
        "http://testserver/networking"] * 3


# --- errors ----------------------------------------------------------------------------------

def test_no_token_is_keystonemiddlewares_401(client, cloud):
    response = client.get(f"{V2}/networks")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == 401
    assert response["WWW-Authenticate"].startswith("Keystone uri=")


def test_unknown_urls_and_ids_are_neutron_404s(alice):
    _error(alice.get(f"{V2}/routers"), 404, "HTTPNotFound")
    _error(alice.get(f"{V2}/networks/not-a-uuid"), 404, "NetworkNotFound")
    _error(alice.get(f"{V2}/subnets/5b0f1f3c-0000-4000-8000-000000000000"), 404,
           "SubnetNotFound")
    _error(alice.get(f"{V2}/ports/5b0f1f3c-0000-4000-8000-000000000000"), 404, "PortNotFound")


def test_bad_bodies_are_400s_that_write_nothing(alice, cloud):
    before = Network.objects.count()
    assert "Unrecognized attribute(s) 'colour'" in _error(
        alice.post(f"{V2}/networks", {"network": {"name": "x", "colour": "red"}},
                   format="json"), 400, "HTTPBadRequest")
    _error(alice.post(f"{V2}/networks", {"network": {"mtu": "many"}}, format="json"), 400,
           "HTTPBadRequest")
    _error(alice.post(f"{V2}/networks", {"network": {"admin_state_up": False}},
                      format="json"), 400, "HTTPBadRequest")
    _error(alice.post(f"{V2}/networks", ["network"], format="json"), 400, "HTTPBadRequest")
    _error(alice.post(f"{V2}/networks", {"network": {"name": "a\x00b"}}, format="json"), 400,
           "HTTPBadRequest")
    _error(alice.post(f"{V2}/subnets", {"subnet": {
        "network_id": str(cloud.net_a.id), "cidr": "10.5.0.0/24", "ip_version": 6}},
        format="json"), 400, "HTTPBadRequest")
    for raw in ('{"network": {"name": "\\ud800"}}', "[" * 5000, '{"network": {"name": '):
        _error(alice.post(f"{V2}/networks", raw, content_type="application/json"), 400,
               "HTTPBadRequest")
    assert Network.objects.count() == before
    assert not Subnet.objects.filter(cidr="10.5.0.0/24").exists()


# --- networks --------------------------------------------------------------------------------

def test_network_create_show_update_delete(alice, cloud):
    created = alice.post(f"{V2}/networks", {"network": {"name": "web", "mtu": 1400}},
                         format="json")
    assert created.status_code == 201
    network = created.json()["network"]
    stored = Network.objects.get(pk=network["id"])
    assert (stored.name, stored.mtu, stored.project_id) == ("web", 1400,
                                                            cloud.project_a.pk)
    assert network["project_id"] == network["tenant_id"] == cloud.project_a.pk
    assert "provider:physical_network" not in network  # administrators only, as in Neutron
    shown = alice.get(f"{V2}/networks/{network['id']}").json()["network"]
    assert shown == network
    updated = alice.put(f"{V2}/networks/{network['id']}", {"network": {"name": "www",
                                                                      "mtu": 9000}},
                        format="json").json()["network"]
    assert (updated["name"], updated["mtu"]) == ("www", 9000)
    stored.refresh_from_db()
    assert (stored.name, stored.mtu) == ("www", 9000)
    assert alice.delete(f"{V2}/networks/{network['id']}").status_code == 204
    assert not Network.objects.filter(pk=network["id"]).exists()


def test_only_admins_share_or_place_networks(alice, root, cloud):
    for asked in ({"shared": True}, {"provider:physical_network": "physnet1"}):
        _error(alice.post(f"{V2}/networks", {"network": {"name": "n", **asked}},
                          format="json"), 403, "HTTPForbidden")
    _error(alice.put(f"{V2}/networks/{cloud.net_a.id}", {"network": {"shared": True}},
                     format="json"), 403, "HTTPForbidden")
    assert not Network.objects.get(pk=cloud.net_a.id).shared
    made = root.post(f"{V2}/networks", {"network": {
        "name": "phys", "shared": True, "provider:physical_network": "physnet1",
        "provider:network_type": "flat", "project_id": cloud.project_b.pk}},
        format="json").json()["network"]
    stored = Network.objects.get(pk=made["id"])
    assert (stored.shared, stored.physical_network, stored.project_id) == (
        True, "physnet1", cloud.project_b.pk)
    assert made["provider:physical_network"] == "physnet1"
    _error(root.post(f"{V2}/networks", {"network": {"provider:network_type": "vlan"}},
                     format="json"), 400, "HTTPBadRequest")


def test_networks_are_the_callers_and_shared(alice, bob, cloud):
    names = {n["name"] for n in alice.get(f"{V2}/networks").json()["networks"]}
    assert names == {"net-a", "shared"}
    _error(bob.get(f"{V2}/networks/{cloud.net_a.id}"), 404, "NetworkNotFound")
    _error(bob.delete(f"{V2}/networks/{cloud.net_a.id}"), 404, "NetworkNotFound")
    # The shared network is everyone's to use, its owner's alone to change.
    _error(alice.put(f"{V2}/networks/{cloud.shared.id}", {"network": {"name": "mine"}},
                     format="json"), 403, "HTTPForbidden")
    _error(alice.delete(f"{V2}/networks/{cloud.shared.id}"), 403, "HTTPForbidden")
    assert Network.objects.get(pk=cloud.shared.id).name == "shared"


def test_network_filters(alice, cloud):
    def names(query):
        response = alice.get(f"{V2}/networks?{query}")
        assert response.status_code == 200, response.content
        return sorted(n["name"] for n in response.json()["networks"])

    assert names("name=net-a") == ["net-a"]
    assert names("shared=true") == ["shared"]
    assert names("shared=False") == ["net-a"]
    assert names(f"id={cloud.net_a.id}&id={cloud.shared.id}") == ["net-a", "shared"]
    assert names(f"project_id={cloud.project_a.pk}") == ["net-a"]
    assert names("id=nonsense") == []
    assert names("router:external=False") == ["net-a", "shared"]
    assert names("status=DOWN") == []
    _error(alice.get(f"{V2}/networks?shared=perhaps"), 400, "HTTPBadRequest")
    assert "[colour] is invalid attribute for filtering" in _error(
        alice.get(f"{V2}/networks?colour=red"), 400, "HTTPBadRequest")


def test_fields_selects_attributes(alice, cloud):
    listed = alice.get(f"{V2}/networks?fields=id&fields=name&name=net-a").json()
    assert listed == {"networks": [{"id": str(cloud.net_a.id), "name": "net-a"}]}
    shown = alice.get(f"{V2}/networks/{cloud.net_a.id}?fields=mtu").json()
    assert shown == {"network": {"mtu": 1500}}


def test_pagination_follows_neutrons_links(root, cloud):
    every = sorted(str(n.id) for n in Network.objects.all())
    assert len(every) == 3
    first = root.get(f"{V2}/networks?limit=2").json()
    assert [n["id"] for n in first["networks"]] == every[:2]
    assert [link["rel"] for link in first["networks_links"]] == ["next"]
    second = root.get(first["networks_links"][0]["href"]).json()
    assert [n["id"] for n in second["networks"]] == every[2:]
    rels = {link["rel"]: link["href"] for link in second["networks_links"]}
    assert set(rels) == {"previous"}
    back = root.get(rels["previous"]).json()
    assert [n["id"] for n in back["networks"]] == every[:2]
    assert "networks_links" not in root.get(f"{V2}/networks").json()
    _error(root.get(f"{V2}/networks?limit=-1"), 400, "HTTPBadRequest")
    _error(root.get(f"{V2}/networks?limit=2&marker=nonsense"), 404, "NetworkNotFound")


# --- subnets ---------------------------------------------------------------------------------

def test_subnet_create_with_everything_neutron_sends(alice, cloud):
    response = alice.post(f"{V2}/subnets", {"subnet": {
        "network_id": str(cloud.net_a.id), "ip_version": 4, "cidr": "10.7.0.0/24",
        "name": "seven", "gateway_ip": None, "enable_dhcp": False,
        "allocation_pools": [{"start": "10.7.0.100", "end": "10.7.0.110"}],
        "dns_nameservers": ["9.9.9.9"],
        "host_routes": [{"destination": "0.0.0.0/0", "nexthop": "10.7.0.254"}]}},
        format="json")
    assert response.status_code == 201, response.content
    body = response.json()["subnet"]
    stored = Subnet.objects.get(pk=body["id"])
    assert stored.gateway_ip is None and body["gateway_ip"] is None
    assert not stored.enable_dhcp
    assert body["allocation_pools"] == [{"start": "10.7.0.100", "end": "10.7.0.110"}]
    assert body["host_routes"] == stored.host_routes == [
        {"destination": "0.0.0.0/0", "nexthop": "10.7.0.254"}]
    six = alice.post(f"{V2}/subnets", {"subnet": {
        "network_id": str(cloud.net_a.id), "ip_version": 6, "cidr": "2001:db8:7::/64",
        "ipv6_address_mode": "slaac", "ipv6_ra_mode": "slaac"}}, format="json")
    assert six.status_code == 201, six.content
    assert Subnet.objects.get(pk=six.json()["subnet"]["id"]).ipv6_ra_mode == "slaac"
    _error(alice.post(f"{V2}/subnets", {"subnet": {
        "network_id": str(cloud.net_a.id), "ip_version": 6, "cidr": "2001:db8:8::/64",
        "ipv6_address_mode": "slaac", "ipv6_ra_mode": "dhcpv6-stateful"}}, format="json"),
        400, "HTTPBadRequest")


def test_subnet_list_filter_update_and_delete(alice, bob, cloud):
    listed = alice.get(f"{V2}/subnets?network_id={cloud.net_a.id}").json()["subnets"]
    assert sorted(s["id"] for s in listed) == sorted([str(cloud.sub_a4.id),
                                                      str(cloud.sub_a6.id)])
    assert {s["name"] for s in alice.get(f"{V2}/subnets").json()["subnets"]} == {
        "net-a-v4", "net-a-v6", "shared-v4"}
    updated = alice.put(f"{V2}/subnets/{cloud.sub_a4.id}", {"subnet": {
        "name": "renamed", "dns_nameservers": ["1.1.1.1"]}}, format="json")
    assert updated.json()["subnet"]["dns_nameservers"] == ["1.1.1.1"]
    cloud.sub_a4.refresh_from_db()
    assert (cloud.sub_a4.name, cloud.sub_a4.dns_nameservers) == ("renamed", ["1.1.1.1"])
    _error(alice.put(f"{V2}/subnets/{cloud.sub_a4.id}", {"subnet": {
        "gateway_ip": "10.0.0.9"}}, format="json"), 400, "HTTPBadRequest")
    _error(bob.delete(f"{V2}/subnets/{cloud.sub_a4.id}"), 404, "SubnetNotFound")
    _error(alice.delete(f"{V2}/subnets/{cloud.sub_shared.id}"), 403, "HTTPForbidden")
    assert alice.delete(f"{V2}/subnets/{cloud.sub_a6.id}").status_code == 204
    assert not Subnet.objects.filter(pk=cloud.sub_a6.id).exists()


# --- ports -----------------------------------------------------------------------------------

def test_port_create_allocates_now_and_is_the_projects(alice, bob, cloud):
    response = alice.post(f"{V2}/ports", {"port": {
        "network_id": str(cloud.net_a.id), "name": "early",
        "fixed_ips": [{"subnet_id": str(cloud.sub_a4.id), "ip_address": "10.0.0.50"}]}},
        format="json")
    assert response.status_code == 201, response.content
    port = response.json()["port"]
    stored = VIF.objects.get(pk=port["id"])
    assert (stored.instance_id, stored.position, stored.project_id, stored.name) == (
        None, None, cloud.project_a.pk, "early")
    assert port["mac_address"] == stored.mac
    addresses = sorted(FixedIP.objects.filter(vif=stored).values_list("address", flat=True))
    assert sorted(ip["ip_address"] for ip in port["fixed_ips"]) == addresses
    assert "10.0.0.50" in addresses and len(addresses) == 2  # and the SLAAC address
    assert (port["status"], port["device_id"], port["device_owner"],
            port["binding:vif_type"]) == ("DOWN", "", "", "unbound")
    _error(bob.get(f"{V2}/ports/{port['id']}"), 404, "PortNotFound")
    assert bob.get(f"{V2}/ports").json()["ports"] == []
    _error(bob.post(f"{V2}/ports", {"port": {"network_id": str(cloud.net_a.id)}},
                    format="json"), 404, "NetworkNotFound")
    taken = alice.post(f"{V2}/ports", {"port": {
        "network_id": str(cloud.net_a.id),
        "fixed_ips": [{"ip_address": "10.0.0.50"}]}}, format="json")
    _error(taken, 409, "IpAddressAlreadyAllocated")
    assert VIF.objects.count() == 1


def test_only_admins_choose_a_ports_mac(alice, root, cloud):
    _error(alice.post(f"{V2}/ports", {"port": {"network_id": str(cloud.shared.id),
                                               "mac_address": "fa:16:3e:00:00:01"}},
                      format="json"), 403, "HTTPForbidden")
    made = root.post(f"{V2}/ports", {"port": {"network_id": str(cloud.shared.id),
                                              "mac_address": "FA-16-3E-00-00-01"}},
                     format="json").json()["port"]
    assert VIF.objects.get(pk=made["id"]).mac == "fa:16:3e:00:00:01"
    _error(root.post(f"{V2}/ports", {"port": {"network_id": str(cloud.shared.id),
                                              "mac_address": "fa:16:3e:00:00:01"}},
                     format="json"), 409, "MacAddressInUse")


def test_port_filters_update_and_delete(alice, cloud):
    server = instances.launch_instance(project=cloud.project_a, name="vm", nics=[
        instances.NicRequest(cloud.net_a.id), instances.NicRequest(cloud.shared.id)])
    free = instances.create_port(project=cloud.project_a, network_id=cloud.net_a.id,
                                 name="free")
    vifs = list(server.vifs.order_by("position"))

    def ids(query):
        response = alice.get(f"{V2}/ports?{query}")
        assert response.status_code == 200, response.content
        return [p["id"] for p in response.json()["ports"]]

    assert ids(f"device_id={server.uuid}") == [str(v.uuid) for v in vifs]
    assert ids("device_id=") == [str(free.uuid)]
    assert ids("status=DOWN") == [str(free.uuid)]
    assert sorted(ids("device_owner=compute:nova")) == sorted(str(v.uuid) for v in vifs)
    assert sorted(ids(f"network_id={cloud.net_a.id}")) == sorted([str(vifs[0].uuid),
                                                                   str(free.uuid)])
    assert ids(f"mac_address={vifs[1].mac.upper()}") == [str(vifs[1].uuid)]
    address = vifs[1].fixed_ips.get().address
    assert ids(f"fixed_ips=ip_address%3D{address}") == [str(vifs[1].uuid)]
    assert ids(f"fixed_ips=subnet_id%3D{cloud.sub_shared.id}") == [str(vifs[1].uuid)]
    page = alice.get(f"{V2}/ports?device_id={server.uuid}&limit=1").json()
    assert [p["id"] for p in page["ports"]] == [str(vifs[0].uuid)]
    assert [p["id"] for p in alice.get(page["ports_links"][0]["href"]).json()["ports"]] == [
        str(vifs[1].uuid)]
    _error(alice.get(f"{V2}/ports?device_id={server.uuid}&marker={free.uuid}"), 400,
           "HTTPBadRequest")
    shown = alice.get(f"{V2}/ports/{vifs[0].uuid}").json()["port"]
    assert (shown["device_id"], shown["device_owner"], shown["status"]) == (
        str(server.uuid), "compute:nova", "ACTIVE")

    renamed = alice.put(f"{V2}/ports/{free.uuid}", {"port": {
        "name": "renamed", "description": "for later"}}, format="json").json()["port"]
    assert (renamed["name"], renamed["description"]) == ("renamed", "for later")
    _error(alice.put(f"{V2}/ports/{free.uuid}", {"port": {"mac_address": "fa:16:3e:0:0:9"}},
                     format="json"), 400, "HTTPBadRequest")
    assert alice.delete(f"{V2}/ports/{free.uuid}").status_code == 204
    assert not VIF.objects.filter(pk=free.uuid).exists()
    # A port in use may be deleted, as in Neutron: the instance loses that NIC.
    assert alice.delete(f"{V2}/ports/{vifs[0].uuid}").status_code == 204
    assert list(server.vifs.values_list("uuid", flat=True)) == [vifs[1].uuid]


def test_a_subnet_or_network_with_a_port_is_in_use(alice, cloud):
    instances.create_port(project=cloud.project_a, network_id=cloud.net_a.id)
    _error(alice.delete(f"{V2}/subnets/{cloud.sub_a4.id}"), 409, "SubnetInUse")
    _error(alice.delete(f"{V2}/networks/{cloud.net_a.id}"), 409, "NetworkInUse")
    assert Subnet.objects.filter(pk=cloud.sub_a4.id).exists()


# --- queries ---------------------------------------------------------------------------------

def test_a_list_costs_the_same_queries_for_one_row_as_for_many(alice, cloud):
    """Each list reads its rows and what they show in a fixed number of queries."""
    def queries(path):
        with CaptureQueriesContext(connection) as captured:
            assert alice.get(path).status_code == 200
        return len(captured)

    instances.create_port(project=cloud.project_a, network_id=cloud.net_a.id)
    few = {path: queries(path) for path in (f"{V2}/networks", f"{V2}/subnets", f"{V2}/ports")}
    for index in range(4):
        Network.objects.create(project=cloud.project_a, name=f"more-{index}")
        instances.create_port(project=cloud.project_a, network_id=cloud.net_a.id)
        instances.launch_instance(project=cloud.project_a, name=f"vm-{index}",
                                  nics=[instances.NicRequest(cloud.net_a.id)] * 2)
    many = {path: queries(path) for path in few}
    assert many == few
    assert len(alice.get(f"{V2}/ports").json()["ports"]) == 13
