import uuid

import pytest
from rest_framework.authtoken.models import Token

from multinic_api.models import VIF, FixedIP, Instance, Network, Subnet
from tests.harness.errors import assert_error
from tests.harness.helpers import assert_subnet_consistent, sign_in

pytestmark = pytest.mark.django_db


def launch_body(*network_ids, name="vm", **extra):
    return {"name": name, "nics": [{"network_id": str(n)} for n in network_ids], **extra}


# --- authentication --------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/api/networks/", "/api/subnets/", "/api/instances/",
                                 "/api/vifs/", "/api/macs/fa:16:3e:00:00:01/"])
def test_anonymous_requests_get_401_and_no_data(cloud, url):
    response = cloud.anonymous.get(url)
    assert_error(response, 401, text="Authorization: Token")
    assert "results" not in response.json()
    assert response["WWW-Authenticate"].startswith("Token")


def test_token_from_username_and_password_authenticates(cloud):
    response = cloud.anonymous.post("/api/auth/token/",
                                    {"username": "alice", "password": "pw-alice"}, format="json")
    assert response.status_code == 200
    token = response.json()["token"]
    assert Token.objects.get(user=cloud.alice).key == token
    cloud.anonymous.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    listed = cloud.anonymous.get("/api/networks/")
    assert listed.status_code == 200
    names = {n["name"] for n in listed.json()["results"]}
    assert {"net-a", "shared"} <= names and "net-b" not in names


def test_bad_password_gets_400_and_bad_token_401(cloud):
    response = cloud.anonymous.post("/api/auth/token/",
                                    {"username": "alice", "password": "nope"}, format="json")
    assert_error(response, 400, code="invalid")
    cloud.anonymous.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert_error(cloud.anonymous.get("/api/networks/"), 401)


def test_session_auth_needs_csrf_for_writes(cloud):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    sign_in(browser, "alice", "pw-alice")
    assert browser.get("/api/instances/").status_code == 200
    response = browser.post("/api/instances/", launch_body(cloud.net_a.id),
                            content_type="application/json")
    assert_error(response, 403, text="CSRF")
    assert not Instance.objects.exists()


# --- networks and subnets --------------------------------------------------------------------

def test_networks_list_own_and_shared_admin_sees_all(cloud):
    names = {n["name"] for n in cloud.a.get("/api/networks/").json()["results"]}
    assert {"net-a", "shared"} <= names and "net-b" not in names
    names = {n["name"] for n in cloud.admin.get("/api/networks/").json()["results"]}
    assert names == set(Network.objects.values_list("name", flat=True))


def test_create_network_and_subnet(cloud):
    response = cloud.a.post("/api/networks/", {"name": "mine", "mtu": 9000}, format="json")
    assert response.status_code == 201, response.content
    network = response.json()
    assert network["project_id"] == cloud.project_a.pk and network["mtu"] == 9000
    response = cloud.a.post("/api/subnets/", {
        "network_id": network["id"], "cidr": "172.16.0.0/24",
        "allocation_pools": [{"start": "172.16.0.10", "end": "172.16.0.20"}],
        "dns_nameservers": ["172.16.0.53"],
        "host_routes": [{"destination": "172.17.0.0/16", "nexthop": "172.16.0.254"}],
    }, format="json")
    assert response.status_code == 201, response.content
    subnet = response.json()
    assert subnet["gateway_ip"] == "172.16.0.1"
    assert subnet["allocation_pools"] == [{"start": "172.16.0.10", "end": "172.16.0.20"}]
    response = cloud.a.post("/api/subnets/", {"network_id": network["id"],
                                              "cidr": "172.18.0.0/24", "gateway_ip": None},
                            format="json")
    assert response.json()["gateway_ip"] is None


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"name": "x", "shared": True}, 403, "shared"),
        ({"name": "x", "physical_network": "physnet1"}, 403, "physical_network"),
        ({"name": "x", "mtu": 10}, 400, "mtu"),
        ({"name": "x", "colour": "red"}, 400, "colour"),
    ],
)
def test_bad_network_creation(cloud, body, status, text):
    assert_error(cloud.a.post("/api/networks/", body, format="json"), status, text=text)
    assert not Network.objects.filter(name="x").exists()


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"cidr": "10.0.0.5/24"}, 400, "host bits"),
        ({"cidr": "10.9.0.0/24", "gateway_ip": "2001:db8::1"}, 400, "gateway_ip"),
        ({"cidr": "10.9.0.0/24", "allocation_pools": [{"start": "10.9.0.9"}]}, 400, "end"),
        ({"cidr": "10.9.0.0/24", "enable_dhcp": "maybe"}, 400, "enable_dhcp"),
        ({"cidr": "10.9.0.0/24", "ipv6_address_mode": "slaac"}, 400, "IPv6"),
        ({}, 400, "cidr"),
    ],
)
def test_bad_subnet_creation(cloud, body, status, text):
    before = Subnet.objects.count()
    response = cloud.a.post("/api/subnets/", {"network_id": str(cloud.net_a.id), **body},
                            format="json")
    assert_error(response, status, text=text)
    assert Subnet.objects.count() == before


def test_subnets_only_on_own_networks(cloud):
    body = {"network_id": str(cloud.net_b.id), "cidr": "10.7.0.0/24"}
    assert_error(cloud.a.post("/api/subnets/", body, format="json"), 404)
    body = {"network_id": str(cloud.shared.id), "cidr": "10.7.0.0/24"}
    assert_error(cloud.a.post("/api/subnets/", body, format="json"), 403)
    assert cloud.admin.post("/api/subnets/", body, format="json").status_code == 201


def test_delete_network_in_use_is_409_then_works_when_free(cloud):
    created = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id), format="json")
    assert_error(cloud.a.delete(f"/api/networks/{cloud.net_a.id}/"), 409, text="interface")
    assert_error(cloud.a.delete(f"/api/subnets/{cloud.sub_a4.id}/"), 409, text="allocated")
    cloud.a.delete(f"/api/instances/{created.json()['uuid']}/")
    assert cloud.a.delete(f"/api/networks/{cloud.net_a.id}/").status_code == 204
    assert not Subnet.objects.filter(network_id=cloud.net_a.id).exists()


def test_tenant_cannot_delete_shared_network(cloud):
    assert_error(cloud.a.delete(f"/api/networks/{cloud.shared.id}/"), 403)


# --- instances --------------------------------------------------------------------------------

def test_launch_returns_ordered_interfaces_matching_the_database(cloud):
    body = launch_body(cloud.net_a.id, cloud.shared.id, cloud.net_a.id, name="web")
    body["nics"][0]["tag"] = "mgmt"
    body["nics"][2]["fixed_ips"] = ["10.0.0.99"]
    response = cloud.a.post("/api/instances/", body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert [i["position"] for i in data["interfaces"]] == [0, 1, 2]
    assert [i["network_id"] for i in data["interfaces"]] == [
        str(cloud.net_a.id), str(cloud.shared.id), str(cloud.net_a.id)]
    assert data["interfaces"][0]["tag"] == "mgmt"
    for interface in data["interfaces"]:
        vif = VIF.objects.get(uuid=interface["uuid"])
        assert interface["mac"] == vif.mac
        assert interface["devname"] == f"tap{vif.uuid}"[:14]
        assert sorted(ip["ip_address"] for ip in interface["fixed_ips"]) == sorted(
            vif.fixed_ips.values_list("address", flat=True))
    assert "10.0.0.99" in [ip["ip_address"] for ip in data["interfaces"][2]["fixed_ips"]]
    shown = cloud.a.get(f"/api/instances/{data['uuid']}/").json()
    assert data.pop("warnings") == []
    assert shown == data


def test_preview_validates_and_commits_nothing(cloud):
    response = cloud.a.post("/api/instances/preview/",
                            launch_body(cloud.net_a.id, cloud.net_a.id), format="json")
    assert response.status_code == 200, response.content
    assert len(response.json()["interfaces"]) == 2
    assert not Instance.objects.exists() and not VIF.objects.exists()
    assert not FixedIP.objects.exists()
    assert_subnet_consistent(cloud.sub_a4)
    bad = launch_body(cloud.net_a.id)
    bad["nics"][0]["fixed_ips"] = ["10.0.0.255"]
    assert_error(cloud.a.post("/api/instances/preview/", bad, format="json"), 400,
                 text="broadcast")


def _with_ids(value, ids):
    """The body with placeholder network names replaced by real ids."""
    if isinstance(value, dict):
        return {k: _with_ids(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_ids(v, ids) for v in value]
    return ids.get(value, value) if isinstance(value, str) else value


@pytest.mark.parametrize(
    ("body", "status", "text"),
    [
        ({"name": "vm", "nics": [{"network_id": "nope"}]}, 400, "UUID"),
        ({"name": "vm", "nics": [{"network_id": str(uuid.uuid4())}]}, 404, "not found"),
        ({"name": "vm", "nics": "net"}, 400, "nics"),
        ({"name": "vm", "nics": [{"network_id": "NET_A", "fixed_ips": ["2001:db8::5"]}]}, 400,
         "none of the network's subnets"),
        ({"name": "vm", "nics": [{"network_id": "NET_A", "fixed_ips": ["10.0.0.1"]}]}, 400,
         "the gateway"),
        ({"name": "vm", "nics": [{"network_id": "NET_A", "fixed_ips": "10.0.0.5"}]}, 400,
         "fixed_ips"),
        ({"name": "vm", "nics": [{"network_id": "NET_A", "mac": "fa:16:3e:00:00:01"}]}, 403,
         "administrator"),
        ({"name": "vm", "nics": [{"network_id": "NET_A", "nic": 1}]}, 400, "Unknown field"),
        ({"name": "vm", "nic": []}, 400, "nic"),
        ({"name": "", "nics": []}, 400, "name"),
        ({"name": "vm", "nics": [], "metadata": {"a": 1}}, 400, "metadata"),
        ({"name": "vm", "nics": [], "user_data": "not base64!"}, 400, "base64"),
        ({"name": "vm", "nics": [{"network_id": "NET_A"}] * 33}, 400, "At most 32 NICs"),
        ({"name": "vm", "nics": [{"network_id": "NET_B"}]}, 404, "not found"),
        ({"name": "vm", "nics": [{"network_id": "NET_A", "tag": "a,b"}]}, 400, "tag"),
    ],
)
def test_bad_launches_are_clear_4xx_and_leave_nothing(cloud, body, status, text):
    body = _with_ids(body, {"NET_A": str(cloud.net_a.id), "NET_B": str(cloud.net_b.id)})
    assert_error(cloud.a.post("/api/instances/", body, format="json"), status, text=text)
    assert not Instance.objects.exists()


def test_malformed_json_and_huge_nic_lists_are_400(cloud):
    response = cloud.a.post("/api/instances/", '{"name": "vm", "nics": [',
                            content_type="application/json")
    assert_error(response, 400, text="JSON")
    huge = launch_body(*[cloud.net_a.id] * 10_000)
    assert_error(cloud.a.post("/api/instances/", huge, format="json"), 400,
                 text="(this asks for 10000)")
    assert not Instance.objects.exists()


def test_exhausted_shared_subnet_is_409_naming_it(cloud):
    for _ in range(3):
        cloud.a.post("/api/instances/", launch_body(cloud.shared.id), format="json")
    response = cloud.b.post("/api/instances/", launch_body(cloud.shared.id), format="json")
    assert_error(response, 409, code="subnet_exhausted", text="shared-v4")


def test_admin_may_pick_a_mac_and_a_taken_one_is_409(cloud):
    body = launch_body(cloud.net_a.id)
    body["nics"][0]["mac"] = "FA-16-3E-AB-CD-EF"
    response = cloud.admin.post("/api/instances/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["interfaces"][0]["mac"] == "fa:16:3e:ab:cd:ef"
    assert_error(cloud.admin.post("/api/instances/", body, format="json"), 409,
                 code="mac_in_use")


def test_instances_are_private_to_their_project(cloud):
    mine = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id), format="json").json()
    url = f"/api/instances/{mine['uuid']}/"
    assert cloud.b.get("/api/instances/").json()["count"] == 0
    assert_error(cloud.b.get(url), 404)
    assert_error(cloud.b.delete(url), 404)
    assert_error(cloud.b.get(f"{url}interfaces/"), 404)
    assert_error(cloud.b.post(f"{url}interfaces/", {"network_id": str(cloud.shared.id)},
                              format="json"), 404)
    vif = mine["interfaces"][0]["uuid"]
    assert_error(cloud.b.delete(f"{url}interfaces/{vif}/"), 404)
    assert Instance.objects.count() == 1 and VIF.objects.count() == 1
    assert cloud.admin.get(url).status_code == 200
    assert cloud.admin.get("/api/instances/").json()["count"] == 1


def test_delete_instance_frees_addresses(cloud):
    mine = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id), format="json").json()
    assert cloud.a.delete(f"/api/instances/{mine['uuid']}/").status_code == 204
    assert not FixedIP.objects.exists()
    assert_subnet_consistent(cloud.sub_a4)
    assert_error(cloud.a.delete(f"/api/instances/{mine['uuid']}/"), 404)


# --- interfaces -------------------------------------------------------------------------------

def test_interfaces_list_attach_show_detach(cloud):
    mine = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id, cloud.shared.id),
                        format="json").json()
    url = f"/api/instances/{mine['uuid']}/interfaces/"
    listed = cloud.a.get(url).json()
    assert [i["position"] for i in listed] == [0, 1]
    detached = listed[0]["uuid"]
    assert cloud.a.delete(f"{url}{detached}/").status_code == 204
    attached = cloud.a.post(url, {"network_id": str(cloud.net_a.id), "tag": "db",
                                  "fixed_ips": ["10.0.0.50"]}, format="json")
    assert attached.status_code == 201, attached.content
    assert attached.json()["position"] == 2 and attached.json()["tag"] == "db"
    shown = cloud.a.get(f"{url}{attached.json()['uuid']}/").json()
    assert shown == {k: v for k, v in attached.json().items() if k != "warnings"}
    assert attached.json()["warnings"] == []
    assert [i["position"] for i in cloud.a.get(url).json()] == [1, 2]
    assert_error(cloud.a.get(f"{url}{detached}/"), 404)
    assert_error(cloud.a.post(url, {"network_id": str(cloud.net_a.id),
                                    "fixed_ips": ["10.0.0.50"]}, format="json"), 409,
                 code="ip_in_use")
    assert_error(cloud.a.post(url, {"network_id": str(cloud.net_b.id)}, format="json"), 404)


def test_unknown_instance_interfaces_are_404(cloud):
    assert_error(cloud.a.get(f"/api/instances/{uuid.uuid4()}/interfaces/"), 404)


# --- admin inventories ------------------------------------------------------------------------

def test_vif_inventory_is_admin_only_and_filters(cloud):
    a = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id), format="json").json()
    cloud.b.post("/api/instances/", launch_body(cloud.net_b.id, cloud.shared.id), format="json")
    assert_error(cloud.a.get("/api/vifs/"), 403)
    assert cloud.admin.get("/api/vifs/").json()["count"] == 3
    by_project = cloud.admin.get(f"/api/vifs/?project_id={cloud.project_b.pk}").json()
    assert by_project["count"] == 2
    by_network = cloud.admin.get(f"/api/vifs/?network_id={cloud.shared.id}").json()
    assert by_network["count"] == 1
    by_instance = cloud.admin.get(f"/api/vifs/?instance_uuid={a['uuid']}").json()
    assert [v["uuid"] for v in by_instance["results"]] == [a["interfaces"][0]["uuid"]]
    mac = a["interfaces"][0]["mac"]
    by_mac = cloud.admin.get(f"/api/vifs/?mac={mac.upper().replace(':', '-')}").json()
    assert by_mac["count"] == 1
    assert_error(cloud.admin.get("/api/vifs/?mac=zz"), 400, text="not a MAC")
    page = cloud.admin.get("/api/vifs/?limit=2&offset=0").json()
    assert len(page["results"]) == 2 and page["next"]


def test_mac_owner_lookup(cloud):
    a = cloud.a.post("/api/instances/", launch_body(cloud.net_a.id), format="json").json()
    mac = a["interfaces"][0]["mac"]
    response = cloud.admin.get(f"/api/macs/{mac.replace(':', '').upper()}/")
    assert response.status_code == 200
    assert response.json()["vif"]["instance_uuid"] == a["uuid"]
    assert response.json()["mac"] == mac
    assert_error(cloud.admin.get("/api/macs/fa:16:3e:00:00:00/"), 404)
    assert_error(cloud.admin.get("/api/macs/01:00:5e:00:00:01/"), 400, text="multicast")
    assert_error(cloud.a.get(f"/api/macs/{mac}/"), 403)


# --- schema -----------------------------------------------------------------------------------

def test_openapi_schema_and_docs_are_served(cloud):
    schema = cloud.anonymous.get("/api/schema/?format=json")
    assert schema.status_code == 200
    paths = schema.json()["paths"]
    for path in ["/api/instances/", "/api/instances/preview/",
                 "/api/instances/{instance_uuid}/interfaces/{vif_uuid}/", "/api/vifs/",
                 "/api/macs/{mac}/", "/api/networks/", "/api/subnets/"]:
        assert path in paths
    assert "409" in paths["/api/instances/"]["post"]["responses"]
    for page in ("/api/docs/", "/api/redoc/"):
        assert cloud.anonymous.get(page).status_code == 200


def test_openapi_schema_generates_without_warnings_and_validates(tmp_path):
    from django.core.management import call_command

    target = tmp_path / "schema.yml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    assert "/api/instances/preview/" in target.read_text()


@pytest.mark.parametrize("path", ["/api/nonexistent/", "/api/instances/not-a-uuid/network_info/",
                                  "/api/instances/not-a-uuid/interfaces/", "/api/vifs/x/y/z"])
def test_urls_the_api_does_not_have_are_json_404s(cloud, path):
    for client in (cloud.a, cloud.anonymous):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response["Content-Type"] == "application/json"
        assert response.json()["code"] == "not_found" and path in response.json()["detail"]
    assert cloud.a.post(path, {}, format="json").status_code == 404


def test_networks_say_whether_the_caller_may_change_them(cloud):
    def may_change(client):
        return {n["name"]: n["may_change"]
                for n in client.get("/api/networks/").json()["results"]}

    # The subnets service's rule, said once: the owner and administrators change a network,
    # everybody uses a shared one.
    assert may_change(cloud.a).items() >= {"net-a": True, "shared": False}.items()
    assert "net-b" not in may_change(cloud.a)
    assert may_change(cloud.admin).items() >= {"net-a": True, "net-b": True,
                                               "shared": True}.items()


def test_a_dashboard_session_reaches_the_api_only_while_its_token_is_good(cloud):
    from django.test import Client

    from multinic_identity import services as identity

    browser = Client()
    sign_in(browser, "alice", "pw-alice")
    assert browser.get("/api/networks/").status_code == 200
    # Its token revoked (as `openstack token revoke` does), the session acts no more.
    record = identity.validate_token(browser.session["token"].id)
    identity.revoke_token(record, browser.session["token"].id)
    response = browser.get("/api/networks/")
    assert response.status_code in (401, 403)
