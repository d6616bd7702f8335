"""The dashboard's Networks panel: list, create network and subnet, delete, through the
browser's requests (Django's test client, signed in with Django's users)."""

import pytest
from django.db.models import Q
from django.urls import reverse

from multinic_api.models import Network, Subnet
from tests.factories import InstanceFactory
from tests.harness.helpers import form_errors, messages_of

INDEX = "/project/multinic_networks/"
CREATE = "/project/multinic_networks/create/"


def create_subnet_url(network) -> str:
    return reverse("horizon:project:multinic_networks:create_subnet", args=[network.pk])


def delete_subnet_url(network) -> str:
    return reverse("horizon:project:multinic_networks:delete_subnet", args=[network.pk])


def visible_names(project) -> list[str]:
    """The names of the networks a member of ``project`` sees, in the panel's order."""
    return list(Network.objects.filter(Q(project=project) | Q(shared=True))
                .order_by("name", "id").values_list("name", flat=True))


def subnet_form(cidr="10.5.0.0/24", **fields):
    return {"cidr": cidr, "name": "", "gateway": "auto", "gateway_ip": "", "enable_dhcp": "on",
            "dhcp_server": "", "dns_nameservers": "", "allocation_pools": "", "host_routes": "",
            "ipv6_address_mode": "", **fields}


# --- index ----------------------------------------------------------------------------------

def test_reverse_names_the_panel_url():
    assert reverse("horizon:project:multinic_networks:index") == INDEX


def test_anonymous_is_sent_to_sign_in(client, cloud):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].endswith("/auth/login/?next=/project/multinic_networks/")


def test_index_lists_own_and_shared_networks_with_their_subnets(as_alice, cloud):
    response = as_alice.get(INDEX)
    assert response.status_code == 200
    names = [n.name for n in response.context["table"].data]
    assert {"net-a", "shared"} <= set(names) and names == sorted(names)
    html = response.content.decode()
    # Each subnet as "name cidr", IPv4 before IPv6.
    assert html.index("net-a-v4 <code>10.0.0.0/24</code>") < html.index(
        "net-a-v6 <code>2001:db8:a::/64</code>")
    assert "shared-v4 <code>192.0.2.0/29</code>" in html
    # Bob's private network and its subnet are not shown.
    assert "net-b" not in html and "10.1.0.0/24" not in html
    # The columns are there; a tenant is not told whose project a shared network is.
    table = response.context["table"]
    assert [str(c.verbose_name) for c in table.columns.values() if c.name != "actions"
            and c.name != "multi_select"] == ["Name", "Subnets", "Shared",
                                               "Physical Network", "MTU"]


def test_index_offers_changes_only_on_own_networks(as_alice, cloud):
    html = as_alice.get(INDEX).content.decode()
    assert create_subnet_url(cloud.net_a) in html
    assert delete_subnet_url(cloud.net_a) in html
    assert f"networks__delete__{cloud.net_a.pk}" in html
    # The shared network belongs to the admin project: usable, not changeable.
    assert create_subnet_url(cloud.shared) not in html
    assert f"networks__delete__{cloud.shared.pk}" not in html


def test_admin_sees_every_network(as_admin, cloud):
    rows = as_admin.get(INDEX).context["table"].data
    assert [n.name for n in rows] == sorted(Network.objects.values_list("name", flat=True))


def test_server_filter_by_subnet_cidr(as_alice, cloud):
    # Horizon keeps a server filter in the session and redirects back to the table.
    response = as_alice.post(INDEX, {"networks__filter__q": "192.0.2",
                                     "networks__filter__q_field": "subnet"})
    assert (response.status_code, response["Location"]) == (302, INDEX)
    assert [n.name for n in as_alice.get(INDEX).context["table"].data] == ["shared"]
    as_alice.post(INDEX, {"networks__filter__q": "NET-", "networks__filter__q_field": "name"})
    assert [n.name for n in as_alice.get(INDEX).context["table"].data] == ["net-a"]


def test_pages_follow_the_marker(as_alice, cloud, settings):
    from multinic_api.services import subnets

    for i in range(25):
        subnets.create_network(cloud.project_a, f"bulk-{i:02d}")
    first = as_alice.get(INDEX)
    rows = first.context["table"].data
    assert len(rows) == 20 and first.context["table"].has_more_data()
    second = as_alice.get(INDEX, {"marker": rows[-1].id})
    assert [n.name for n in rows] + [n.name for n in second.context["table"].data] == \
        visible_names(cloud.project_a)


def test_prev_goes_back_a_page(as_alice, cloud):
    from multinic_api.services import subnets

    for i in range(25):
        subnets.create_network(cloud.project_a, f"bulk-{i:02d}")
    second = as_alice.get(INDEX, {"marker": as_alice.get(INDEX).context["table"].data[-1].id})
    table = second.context["table"]
    assert table.has_prev_data() and not table.has_more_data()
    back = as_alice.get(INDEX, {"prev_marker": table.data[0].id}).context["table"]
    assert [n.name for n in back.data] == visible_names(cloud.project_a)[:20]
    assert back.has_more_data() and not back.has_prev_data()


def test_a_page_is_two_api_calls_however_many_networks(as_alice, cloud, monkeypatch):
    from multinic_api.services import subnets
    from multinic_dashboard.api import multinic

    for i in range(5):
        subnets.create_subnet(subnets.create_network(cloud.project_a, f"more-{i}"),
                              f"10.{100 + i}.0.0/24")
    made, real = [], multinic.call
    monkeypatch.setattr(multinic, "call", lambda request, method, path, **kwargs: (
        made.append((method, path)) or real(request, method, path, **kwargs)))
    assert as_alice.get(INDEX).status_code == 200
    # The page of networks, then the subnets of all of them at once.
    assert made == [("GET", "networks/"), ("GET", "subnets/")]


def test_admin_sees_whose_networks_and_filters_by_project(as_admin, cloud):
    response = as_admin.get(INDEX)
    table = response.context["table"]
    assert {row.datum.name: row.cells["project"].data for row in table.get_rows()}.items() >= {
        "net-a": "project-a", "net-b": "project-b", "shared": "admin"}.items()
    assert "project" in [option[0] for option in table._meta._filter_action
                         .get_select_options()]
    as_admin.post(INDEX, {"networks__filter__q": "PROJECT-B",
                          "networks__filter__q_field": "project"})
    assert [n.name for n in as_admin.get(INDEX).context["table"].data] == sorted(
        Network.objects.filter(project=cloud.project_b).values_list("name", flat=True))


def test_a_tenant_cannot_filter_by_project(as_alice, cloud):
    table = as_alice.get(INDEX).context["table"]
    assert [option[0] for option in table._meta._filter_action.get_select_options()] == [
        "name", "subnet", "physical_network"]
    # A crafted post gets the API's refusal, not a list that would tell whose they are.
    as_alice.post(INDEX, {"networks__filter__q": "admin",
                          "networks__filter__q_field": "project"})
    response = as_alice.get(INDEX)
    assert list(response.context["table"].data) == []
    assert ("Unable to list networks: Only an administrator may filter networks by project "
            "name.") in messages_of(response)


# --- create network -------------------------------------------------------------------------

def test_tenant_create_form_has_no_admin_fields(as_alice):
    form = as_alice.get(CREATE).context["form"]
    assert set(form.fields) == {"name", "mtu"}


def test_tenant_creates_a_network_in_its_project(as_alice, cloud):
    response = as_alice.post(CREATE, {"name": "web", "mtu": "9000"})
    assert response.status_code == 302 and response["Location"] == INDEX
    network = Network.objects.get(name="web")
    assert (network.project, network.mtu, network.shared, network.physical_network) == (
        cloud.project_a, 9000, False, None)
    assert 'Created network "web".' in messages_of(response)


def test_mtu_defaults_to_1500(as_alice):
    as_alice.post(CREATE, {"name": "plain", "mtu": ""})
    assert Network.objects.get(name="plain").mtu == 1500


def test_modal_request_gets_the_modal_template(as_alice):
    response = as_alice.get(CREATE, headers={"x-requested-with": "XMLHttpRequest"})
    assert response.status_code == 200
    assert "multinic_dashboard/networks/_create_network.html" in [
        t.name for t in response.templates]
    assert 'id="create_network_form"' in response.content.decode()


def test_admin_creates_a_shared_provider_network(as_admin, cloud):
    form = as_admin.get(CREATE).context["form"]
    assert {"shared", "physical_network"} <= set(form.fields)
    response = as_admin.post(CREATE, {"name": "provider", "mtu": "", "shared": "on",
                                      "physical_network": "physnet1"})
    assert response.status_code == 302
    network = Network.objects.get(name="provider")
    assert (network.project, network.shared, network.physical_network) == (
        cloud.admin_project, True, "physnet1")


def test_tenant_posting_admin_fields_is_refused(as_alice):
    response = as_alice.post(CREATE, {"name": "sneaky", "shared": "on",
                                      "physical_network": "physnet1"})
    assert response.status_code == 200
    assert form_errors(response) == [
        "Only an administrator may set shared, physical_network."]
    assert not Network.objects.filter(name="sneaky").exists()


def test_mtu_out_of_range_shows_the_apis_message_on_the_field(as_alice):
    response = as_alice.post(CREATE, {"name": "tiny", "mtu": "10"})
    assert response.status_code == 200
    # The API checks the range (its body's bounds) and names the field.
    assert response.context["form"].errors["mtu"] == [
        "Ensure this value is greater than or equal to 68."]
    assert not Network.objects.filter(name="tiny").exists()


# --- create subnet --------------------------------------------------------------------------

@pytest.fixture
def empty_net(cloud):
    from multinic_api.services import subnets

    return subnets.create_network(cloud.project_a, "empty")


def test_create_ipv4_subnet_with_pools_dns_and_routes(as_alice, empty_net):
    response = as_alice.post(create_subnet_url(empty_net), subnet_form(
        "10.5.0.0/24", name="v4",
        allocation_pools="10.5.0.10-10.5.0.20\n\n 10.5.0.100 - 10.5.0.110 \n",
        dns_nameservers="8.8.8.8\n1.1.1.1\n",
        host_routes="192.168.200.0/24,10.5.0.254\n172.16.0.0/12 10.5.0.253"))
    assert response.status_code == 302, form_errors(response)
    subnet = Subnet.objects.get(network=empty_net)
    assert (subnet.name, subnet.cidr, subnet.ip_version, subnet.gateway_ip,
            subnet.enable_dhcp) == ("v4", "10.5.0.0/24", 4, "10.5.0.1", True)
    assert [(p.start, p.end) for p in subnet.allocation_pools.order_by("start")] == [
        ("10.5.0.10", "10.5.0.20"), ("10.5.0.100", "10.5.0.110")]
    assert subnet.dns_nameservers == ["8.8.8.8", "1.1.1.1"]
    assert subnet.host_routes == [
        {"destination": "192.168.200.0/24", "nexthop": "10.5.0.254"},
        {"destination": "172.16.0.0/12", "nexthop": "10.5.0.253"}]
    assert 'Created subnet 10.5.0.0/24 on network "empty".' in messages_of(response)


def test_create_ipv6_slaac_subnet_without_gateway_or_dhcp(as_alice, empty_net):
    response = as_alice.post(create_subnet_url(empty_net), subnet_form(
        "2001:db8:5::/64", gateway="none", enable_dhcp="", ipv6_address_mode="slaac"))
    assert response.status_code == 302, form_errors(response)
    subnet = Subnet.objects.get(network=empty_net)
    assert (subnet.ip_version, subnet.ipv6_address_mode, subnet.gateway_ip,
            subnet.enable_dhcp) == (6, "slaac", None, False)


def test_explicit_gateway_is_used(as_alice, empty_net):
    response = as_alice.post(create_subnet_url(empty_net), subnet_form(
        "10.6.0.0/24", gateway="explicit", gateway_ip="10.6.0.254"))
    assert response.status_code == 302, form_errors(response)
    assert Subnet.objects.get(network=empty_net).gateway_ip == "10.6.0.254"


@pytest.mark.parametrize(("fields", "message"), [
    ({"cidr": "not-a-cidr"}, "'not-a-cidr' is not a CIDR such as 10.0.0.0/24 or 2001:db8::/64"),
    ({"cidr": "10.5.0.1/24"}, "'10.5.0.1/24' has host bits set; did you mean 10.5.0.0/24?"),
    ({"gateway": "explicit", "gateway_ip": "10.9.9.1"},
     "gateway_ip 10.9.9.1 is not in 10.5.0.0/24"),
    ({"allocation_pools": "10.5.0.50-10.5.0.40"},
     "Allocation pool 10.5.0.50-10.5.0.40 ends before it starts"),
    ({"dns_nameservers": "dns.example"}, "'dns.example' is not an IP address"),
    ({"ipv6_address_mode": "slaac"}, "ipv6_address_mode applies only to IPv6 subnets"),
])
def test_service_errors_are_form_errors(as_alice, empty_net, fields, message):
    response = as_alice.post(create_subnet_url(empty_net), subnet_form(**fields))
    assert response.status_code == 200
    assert form_errors(response) == [message]
    assert not Subnet.objects.filter(network=empty_net).exists()


@pytest.mark.parametrize(("fields", "field", "fragment"), [
    ({"gateway": "explicit"}, "gateway_ip", "Enter the gateway's address"),
    ({"allocation_pools": "10.5.0.10"}, "allocation_pools", "is not an allocation pool"),
    ({"host_routes": "192.168.0.0/24"}, "host_routes", "is not a host route"),
    ({"cidr": ""}, "cidr", "This field is required."),
])
def test_unparseable_input_is_a_field_error(as_alice, empty_net, fields, field, fragment):
    response = as_alice.post(create_subnet_url(empty_net), subnet_form(**fields))
    assert response.status_code == 200
    assert fragment in " ".join(response.context["form"].errors[field])
    assert not Subnet.objects.filter(network=empty_net).exists()


def test_another_projects_network_cannot_get_a_subnet(as_alice, cloud):
    url = create_subnet_url(cloud.net_b)
    assert as_alice.get(url).status_code == 404
    assert as_alice.post(url, subnet_form("10.7.0.0/24")).status_code == 404
    assert as_alice.get(reverse("horizon:project:multinic_networks:create_subnet",
                                args=["not-a-uuid"])).status_code == 404
    assert not cloud.net_b.subnets.filter(cidr="10.7.0.0/24").exists()


def test_a_shared_network_is_changed_only_by_its_project(as_alice, cloud):
    response = as_alice.post(create_subnet_url(cloud.shared), subnet_form("10.8.0.0/24"))
    assert response.status_code == 403
    assert not cloud.shared.subnets.filter(cidr="10.8.0.0/24").exists()


def test_admin_adds_a_subnet_to_any_network(as_admin, cloud):
    response = as_admin.post(create_subnet_url(cloud.net_b), subnet_form("10.9.0.0/24"))
    assert response.status_code == 302, form_errors(response)
    assert cloud.net_b.subnets.filter(cidr="10.9.0.0/24").exists()


# --- delete ---------------------------------------------------------------------------------

def test_delete_network_with_its_subnets(as_alice, cloud):
    response = as_alice.post(INDEX, {"action": f"networks__delete__{cloud.net_a.pk}"})
    assert response.status_code == 302
    assert not Network.objects.filter(pk=cloud.net_a.pk).exists()
    assert not Subnet.objects.filter(pk__in=[cloud.sub_a4.pk, cloud.sub_a6.pk]).exists()
    assert "Deleted Network: net-a" in messages_of(response)


def test_delete_network_in_use_shows_the_conflict(as_alice, cloud):
    InstanceFactory(name="vm", nics=[cloud.net_a])
    response = as_alice.post(INDEX, {"action": f"networks__delete__{cloud.net_a.pk}"})
    assert response.status_code == 302
    assert Network.objects.filter(pk=cloud.net_a.pk).exists()
    assert messages_of(response) == [
        "Network net-a has 1 interface(s); detach them or delete their instances first",
        "Unable to delete network: net-a"]


def test_cannot_delete_another_projects_or_a_shared_network(as_alice, cloud):
    # Not a row of Alice's table: horizon sends her back to it, nothing done.
    response = as_alice.post(INDEX, {"action": f"networks__delete__{cloud.net_b.pk}"})
    assert (response.status_code, response["Location"]) == (302, INDEX)
    response = as_alice.post(INDEX, {"action": f"networks__delete__{cloud.shared.pk}"})
    assert response.status_code == 302
    assert "You are not allowed to delete network: shared" in messages_of(response)
    assert Network.objects.filter(pk__in=[cloud.net_b.pk, cloud.shared.pk]).count() == 2


def test_delete_subnet(as_alice, cloud):
    form = as_alice.get(delete_subnet_url(cloud.net_a)).context["form"]
    assert [label for _, label in form.fields["subnet"].choices] == [
        "net-a-v4 10.0.0.0/24", "net-a-v6 2001:db8:a::/64"]
    response = as_alice.post(delete_subnet_url(cloud.net_a), {"subnet": str(cloud.sub_a4.pk)})
    assert response.status_code == 302
    assert list(cloud.net_a.subnets.values_list("cidr", flat=True)) == ["2001:db8:a::/64"]


def test_delete_subnet_in_use_is_a_form_error(as_alice, cloud):
    InstanceFactory(name="vm", nics=[cloud.net_a])
    response = as_alice.post(delete_subnet_url(cloud.net_a), {"subnet": str(cloud.sub_a4.pk)})
    assert response.status_code == 200
    assert form_errors(response) == [
        "Subnet net-a-v4 (10.0.0.0/24) has 1 allocated address(es); release them first"]
    assert Subnet.objects.filter(pk=cloud.sub_a4.pk).exists()


def test_cannot_delete_another_projects_subnet(as_alice, cloud):
    response = as_alice.post(delete_subnet_url(cloud.net_b), {"subnet": str(cloud.sub_b4.pk)})
    assert response.status_code == 404
    # Nor one of another network through one's own.
    response = as_alice.post(delete_subnet_url(cloud.net_a), {"subnet": str(cloud.sub_b4.pk)})
    assert response.status_code == 200
    assert Subnet.objects.filter(pk=cloud.sub_b4.pk).exists()


def test_index_queries_do_not_grow_with_networks(as_alice, cloud):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from multinic_api.services import subnets

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert as_alice.get(INDEX).status_code == 200
        return len(queries)

    before = count()
    for i in range(10):
        net = subnets.create_network(cloud.project_a, f"more-{i}")
        subnets.create_subnet(net, f"10.{100 + i}.0.0/24")
    assert count() == before


def test_a_network_without_subnets_shows_a_dash(as_alice, empty_net):
    table = as_alice.get(INDEX).context["table"]
    row = next(r for r in table.get_rows() if r.datum.id == str(empty_net.pk))
    assert row.cells["subnets"].value == "-"


def test_an_unreachable_api_on_a_subnet_form_is_a_message_not_a_500(as_alice, cloud,
                                                                     settings):
    settings.MULTINIC_API_URL = "http://127.0.0.1:9/network-manager"
    settings.MULTINIC_API_ADAPTER = ""
    response = as_alice.get(f"{INDEX}{cloud.net_a.id}/create_subnet/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == INDEX
    assert "cannot be reached" in response.content.decode()
