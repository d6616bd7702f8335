"""The dashboard's admin panels: the VIF inventory, MAC search and bare metal (nodes, their
ports and port groups, each created, edited and deleted), through the browser's requests
(Django's test client, signed in through openstack_auth). The panels are a client of the
API: the tests set the cloud up with the services and check it with the ORM, while the
pages read and change it only through ``/api/`` (dispatched in-process)."""

import ast
import pathlib
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import multinic_dashboard
from multinic_api.models import VIF, Node, Port, PortGroup
from multinic_api.services import baremetal, subnets
from multinic_api.services.instances import BondRequest, CarrierRequest, NicRequest
from multinic_dashboard.dashboards.admin.vifs import views as vif_views
from multinic_site.inprocess import InProcessAdapter
from tests.factories import InstanceFactory
from tests.harness.baremetal_fixtures import build_node
from tests.harness.helpers import form_errors, messages_of

VIFS = "/admin/"
MACS = "/admin/multinic_macs/"
BAREMETAL = "/admin/multinic_baremetal/"


def detail_url(node) -> str:
    return reverse("horizon:admin:multinic_baremetal:detail", args=[node.pk])


def create_url(node) -> str:
    return reverse("horizon:admin:multinic_baremetal:create_port_group", args=[node.pk])


def update_url(group) -> str:
    return reverse("horizon:admin:multinic_baremetal:update_port_group",
                   args=[group.node_id, group.pk])


def instance_url(instance) -> str:
    return reverse("horizon:project:multinic_instances:detail", args=[instance.pk])


@pytest.fixture
def api_calls(monkeypatch) -> list[tuple[str, str]]:
    """The multinic API requests the pages make, as (method, path), in order. (The site's
    other in-process calls, e.g. the Identity's project list for the top bar, are not
    counted: every page makes them.)"""
    calls: list[tuple[str, str]] = []
    send = InProcessAdapter.send

    def recording(self, request, *args, **kwargs):
        path = request.path_url.split("?")[0]
        if path.startswith("/api/"):
            calls.append((request.method, path))
        return send(self, request, *args, **kwargs)

    monkeypatch.setattr(InProcessAdapter, "send", recording)
    return calls


@pytest.fixture
def two_projects(cloud):
    """Alice's instance with two NICs on net-a (eth0, eth1) and Bob's with one on net-b."""
    web = InstanceFactory(project=cloud.project_a, name="web-a", nics=[cloud.net_a, cloud.net_a])
    db = InstanceFactory(project=cloud.project_b, name="db-b", nics=[cloud.net_b])
    return web, db


@pytest.fixture
def node(cloud):
    """Alice's node: ports 0, 1 on physnet1 bonded as bond0 (802.3ad), 2, 3 on physnet2."""
    return build_node("node-a", cloud.project_a,
                      [("physnet1", True), ("physnet1", True), ("physnet2", True),
                       ("physnet2", False)],
                      groups=[{"name": "bond0", "ports": [0, 1], "mode": "802.3ad",
                               "properties": {"miimon": 100, "xmit_hash_policy": "layer3+4"}}])


@pytest.fixture
def physnet1(cloud):
    network = subnets.create_network(cloud.project_a, "phys1", physical_network="physnet1")
    subnets.create_subnet(network, "10.11.0.0/24", name="phys1-v4")
    return network


@pytest.fixture
def bare_metal_instance(cloud, node, physnet1):
    """An instance on node-a whose one NIC (phys1) binds bond0."""
    instance = InstanceFactory(project=cloud.project_a, name="metal", nics=[physnet1],
                               node=node.node.name)
    assert instance.vifs.get().port_group_id == node.groups[0].pk
    return instance


# --- access ---------------------------------------------------------------------------------

def test_reverse_names_the_panel_urls():
    assert reverse("horizon:admin:multinic_vifs:index") == VIFS
    assert reverse("horizon:admin:multinic_macs:index") == MACS
    assert reverse("horizon:admin:multinic_baremetal:index") == BAREMETAL


def admin_pages(node) -> list[str]:
    return [VIFS, MACS, f"{MACS}?mac=52:54:00:12:34:56", BAREMETAL, detail_url(node.node),
            create_url(node.node), update_url(node.groups[0]), CREATE_NODE,
            update_node_url(node.node), create_port_url(node.node),
            update_port_url(node.ports[0])]


def test_every_page_answers_an_administrator(as_admin, node):
    for url in admin_pages(node):
        assert as_admin.get(url).status_code == 200, url


def test_every_page_is_forbidden_to_a_tenant(as_alice, node):
    for url in admin_pages(node):
        assert as_alice.get(url).status_code == 403, url
    # Nor does a tenant's POST change anything.
    group = node.groups[0]
    response = as_alice.post(detail_url(node.node), {"action": f"port_groups__delete__{group.pk}"})
    assert response.status_code == 403
    response = as_alice.post(create_url(node.node), {"name": "sneaky", "mode": "active-backup"})
    assert response.status_code == 403
    assert PortGroup.objects.filter(pk=group.pk).exists()
    assert not PortGroup.objects.filter(name="sneaky").exists()
    for url, form in ((CREATE_NODE, node_form(name="sneaky")),
                      (create_port_url(node.node), port_form()),
                      (BAREMETAL, {"action": f"nodes__delete__{node.node.pk}"}),
                      (detail_url(node.node), {"action": f"ports__delete__{node.ports[3].pk}"})):
        assert as_alice.post(url, form).status_code == 403, url
    assert not Node.objects.filter(name="sneaky").exists()
    assert Port.objects.filter(node=node.node).count() == 4
    assert Node.objects.filter(pk=node.node.pk).exists()


def test_anonymous_is_sent_to_sign_in(client, cloud):
    response = client.get(VIFS)
    assert response.status_code == 302
    assert "/auth/login/" in response["Location"]


def test_unknown_node_or_group_is_404(as_admin, node):
    assert as_admin.get(f"{BAREMETAL}not-a-node/").status_code == 404
    assert as_admin.get(f"{BAREMETAL}00000000-0000-0000-0000-000000000000/").status_code == 404
    url = reverse("horizon:admin:multinic_baremetal:update_port_group",
                  args=[node.node.pk, "nope"])
    assert as_admin.get(url).status_code == 404
    other = build_node("node-b", None, [("", True)], groups=[{"name": "bond-b", "ports": [0]}])
    # A group of another node is not this node's.
    url = reverse("horizon:admin:multinic_baremetal:update_port_group",
                  args=[node.node.pk, other.groups[0].pk])
    assert as_admin.get(url).status_code == 404


# --- VIF inventory --------------------------------------------------------------------------

def rows(response):
    return response.context["table"].data


def test_inventory_lists_the_vifs_of_every_project(as_admin, cloud, two_projects):
    web, db = two_projects
    response = as_admin.get(VIFS)
    assert response.status_code == 200
    vifs = rows(response)
    # Oldest instance first, NICs in NIC order.
    assert [(v.instance_name, v.position) for v in vifs] == [("web-a", 0), ("web-a", 1),
                                                             ("db-b", 0)]
    html = response.content.decode()
    table = response.context["table"]
    assert [str(c.verbose_name) for c in table.columns.values()
            if c.name not in ("multi_select", "actions")] == [
        "Project", "Instance", "Network", "NIC", "MAC Address", "IP Addresses", "Carried by"]
    for vif in VIF.objects.select_related("instance__project", "network"):
        row = table.get_rows()[[str(v.uuid) for v in vifs].index(str(vif.uuid))]
        cells = {name: str(cell.value) for name, cell in row.cells.items()}
        assert cells["project"] == vif.instance.project.name
        assert cells["network"] == vif.network.name
        assert cells["nic"] == f"eth{vif.position}"
        assert cells["mac"] == vif.mac
        addresses = [str(ip.address) for ip in vif.fixed_ips.order_by("subnet__ip_version")]
        assert cells["ips"] == ", ".join(addresses)
        # The instance links to its detail page.
        assert f'href="{instance_url(vif.instance)}"' in html
    # Both of web-a's addresses (IPv4 and IPv6 on net-a) and db-b's IPv4.
    assert "10.0.0." in html and "2001:db8:a:" in html and "10.1.0." in html
    assert "project-a" in html and "project-b" in html


def test_inventory_shows_what_carries_a_bare_metal_vif(as_admin, bare_metal_instance, node):
    response = as_admin.get(VIFS)
    (row,) = response.context["table"].get_rows()
    members = sorted(p.mac for p in node.ports[:2])
    assert row.cells["carrier"].data == f"bond bond0 (802.3ad: {members[0]}, {members[1]})"


def filter_rows(client, field, value):
    """Apply the server-side filter as the browser does (POST, then the redirect's GET)."""
    response = client.post(VIFS, {"vifs__filter__q_field": field, "vifs__filter__q": value})
    assert response.status_code == 302
    response = client.get(VIFS)
    assert response.status_code == 200
    return response


def names(response) -> list[tuple[str, int]]:
    return [(v.instance_name, v.position) for v in rows(response)]


def test_filter_by_project_name_or_id(as_admin, cloud, two_projects):
    assert names(filter_rows(as_admin, "project", "project-b")) == [("db-b", 0)]
    assert names(filter_rows(as_admin, "project", "PROJECT-A")) == [("web-a", 0), ("web-a", 1)]
    assert names(filter_rows(as_admin, "project", cloud.project_b.pk)) == [("db-b", 0)]
    assert names(filter_rows(as_admin, "project", "nobody")) == []
    # An empty filter shows everything again.
    assert len(rows(filter_rows(as_admin, "project", ""))) == 3


def test_filter_by_network_name_or_id(as_admin, cloud, two_projects):
    assert names(filter_rows(as_admin, "network", "net-a")) == [("web-a", 0), ("web-a", 1)]
    assert names(filter_rows(as_admin, "network", str(cloud.net_b.pk))) == [("db-b", 0)]
    assert names(filter_rows(as_admin, "network", "no-such-net")) == []


def test_filter_by_mac_in_any_notation(as_admin, two_projects):
    web, _ = two_projects
    eth1 = web.vifs.get(position=1)
    dashed = eth1.mac.upper().replace(":", "-")
    response = filter_rows(as_admin, "mac", dashed)
    assert names(response) == [("web-a", 1)]
    assert messages_of(response) == []
    assert names(filter_rows(as_admin, "mac", "52:54:00:ff:ff:ff")) == []


def test_filter_by_an_unparsable_mac_is_empty_with_the_reason(as_admin, two_projects):
    response = filter_rows(as_admin, "mac", "not-a-mac")
    assert rows(response) == []
    assert messages_of(response) == [
        "'not-a-mac' is not a MAC address; use six octets such as fa:16:3e:12:34:56"]
    response = filter_rows(as_admin, "mac", "01:00:5e:00:00:01")
    assert rows(response) == []
    assert any("multicast" in m for m in messages_of(response))


def test_inventory_pages_with_next_and_prev_links(as_admin, cloud, two_projects, monkeypatch,
                                                  api_calls):
    monkeypatch.setattr(vif_views.IndexView, "page_size", 2)
    InstanceFactory(project=cloud.project_b, name="late-b", nics=[cloud.net_b, cloud.net_b])
    everything = [("web-a", 0), ("web-a", 1), ("db-b", 0), ("late-b", 0), ("late-b", 1)]

    seen, url, pages = [], VIFS, 0
    while url:
        response = as_admin.get(url)
        page = names(response)
        assert len(page) == (2 if pages < 2 else 1)
        seen += page
        pages += 1
        html = response.content.decode()
        found = re.search(r'href="\?marker=([0-9]+)"', html)
        url = f"{VIFS}?marker={found.group(1)}" if found else None
        if found:  # the API pages by offset: the marker is the next page's
            assert found.group(1) == str(2 * pages)
        prev = re.search(r'href="\?prev_marker=([0-9]+)"', html)
        assert (prev.group(1) if prev else None) == (str(2 * (pages - 2)) if pages > 1
                                                     else None)
    assert pages == 3
    assert seen == everything
    # One API call a page, asking for that page.
    assert [call for call in api_calls if call[1] == "/api/vifs/"] == [("GET", "/api/vifs/")] * 3

    # « Prev from the last page goes back to the second.
    response = as_admin.get(f"{VIFS}?prev_marker=2")
    assert names(response) == everything[2:4]


def test_inventory_pages_within_a_filter(as_admin, cloud, two_projects, monkeypatch):
    monkeypatch.setattr(vif_views.IndexView, "page_size", 1)
    filter_rows(as_admin, "network", "net-a")
    first = as_admin.get(VIFS)
    assert names(first) == [("web-a", 0)]
    assert 'href="?marker=1"' in first.content.decode()
    second = as_admin.get(f"{VIFS}?marker=1")
    assert names(second) == [("web-a", 1)]
    assert 'href="?marker=' not in second.content.decode()


def test_a_malformed_marker_shows_the_first_page(as_admin, two_projects):
    for marker in ("garbage", "-1", "1e3", "99999999999999"):
        response = as_admin.get(f"{VIFS}?marker={marker}")
        assert response.status_code == 200
        assert len(rows(response)) == 3
    # Beyond the end: an empty page, not an error.
    response = as_admin.get(f"{VIFS}?marker=50")
    assert response.status_code == 200 and rows(response) == []


def test_a_crafted_filter_field_is_the_project_filter(as_admin, two_projects):
    """Only the box's three filters reach the API (not, say, its limit or offset)."""
    response = as_admin.post(VIFS, {"vifs__filter__q_field": "limit",
                                    "vifs__filter__q": "project-b"})
    assert response.status_code == 302
    assert names(as_admin.get(VIFS)) == [("db-b", 0)]


def cost_of(client, url, api_calls) -> tuple[list[tuple[str, str]], int]:
    """The API calls a page makes, and the database queries it costs in all (the page's
    own, and those of the API requests it makes, dispatched in-process)."""
    api_calls.clear()
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return list(api_calls), len(captured)


def test_inventory_costs_the_same_for_3_or_12_vifs(as_admin, cloud, node, bare_metal_instance,
                                                   api_calls):
    InstanceFactory(project=cloud.project_a, name="one", nics=[cloud.net_a])
    InstanceFactory(project=cloud.project_b, name="two", nics=[cloud.net_b])
    as_admin.get(VIFS)  # session and caches warm
    calls, few = cost_of(as_admin, VIFS, api_calls)
    assert calls == [("GET", "/api/vifs/")]  # one page, one call
    assert len(rows(as_admin.get(VIFS))) == 3
    for i in range(3):
        InstanceFactory(project=cloud.project_a, name=f"more-a{i}", nics=[cloud.net_a, cloud.net_a])
        InstanceFactory(project=cloud.project_b, name=f"more-b{i}", nics=[cloud.net_b])
    assert len(rows(as_admin.get(VIFS))) == 12
    assert cost_of(as_admin, VIFS, api_calls) == (calls, few)


# --- MAC addresses --------------------------------------------------------------------------

def search(client, mac):
    response = client.get(MACS, {"mac": mac})
    assert response.status_code == 200
    return response, response.content.decode()


def test_mac_page_without_a_search_shows_only_the_form(as_admin, api_calls):
    response = as_admin.get(MACS)
    assert api_calls == []
    html = response.content.decode()
    assert response.context["owner"] is None
    assert 'name="mac"' in html
    assert "No interface, port or port group" not in html


def test_mac_search_finds_the_vif(as_admin, cloud, two_projects):
    web, _ = two_projects
    eth1 = web.vifs.get(position=1)
    response, html = search(as_admin, eth1.mac.upper().replace(":", ""))
    owner = response.context["owner"]
    assert owner.mac == eth1.mac and owner.kind == "vif"
    assert owner.vif["uuid"] == str(eth1.pk) and owner.port is None and owner.port_group is None
    assert f'href="{instance_url(web)}"' in html
    assert "project-a" in html and cloud.project_a.pk in html
    assert "net-a" in html and "eth1" in html and str(eth1.uuid) in html


def test_mac_search_finds_a_port(as_admin, node):
    port = node.ports[2]
    response, html = search(as_admin, port.mac)
    owner = response.context["owner"]
    assert owner.kind == "port" and owner.port["uuid"] == str(port.pk) and owner.vif is None
    assert f'href="{detail_url(node.node)}"' in html and "node-a" in html
    assert "physnet2" in html and str(port.uuid) in html


def test_mac_search_finds_a_port_group(as_admin, node):
    group = node.groups[0]
    group.mac = "52:54:00:aa:bb:cc"
    group.save()
    response, html = search(as_admin, "52-54-00-AA-BB-CC")
    owner = response.context["owner"]
    assert owner.kind == "port_group" and owner.port_group["uuid"] == str(group.pk)
    assert owner.vif is None and owner.port is None
    assert "bond0" in html and "802.3ad" in html and "node-a" in html
    members = sorted(p.mac for p in node.ports[:2])
    assert f"{members[0]}, {members[1]}" in html


def test_mac_search_of_a_bare_metal_vif_shows_its_carrier_too(as_admin, node,
                                                              bare_metal_instance):
    vif = bare_metal_instance.vifs.get()
    response, html = search(as_admin, vif.mac)
    owner = response.context["owner"]
    # The bond has no MAC of its own: the VIF has its first member's, as Ironic does.
    assert owner.kind == "vif" and owner.port is not None and owner.port["mac"] == vif.mac
    assert f'href="{instance_url(bare_metal_instance)}"' in html
    # The port's group carries eth0 of the instance.
    assert "eth0 of" in html and "(through bond0)" in html
    assert "bond bond0" in html


def test_mac_search_for_an_unknown_mac_says_so(as_admin, two_projects):
    response, html = search(as_admin, "52-54-00-DE-AD-01")
    assert response.context["owner"] is None
    # The API's 404, in its words, with the MAC normalised.
    assert "No interface, port or port group holds MAC 52:54:00:de:ad:01." in html


def test_mac_search_for_an_invalid_mac_shows_the_reason(as_admin):
    response, html = search(as_admin, "zz:zz")
    assert response.context["owner"] is None
    assert form_errors(response) == [
        "'zz:zz' is not a MAC address; use six octets such as fa:16:3e:12:34:56"]
    assert "is not a MAC address" in html
    response, html = search(as_admin, "ff:ff:ff:ff:ff:ff")
    assert form_errors(response) == [
        "MAC address ff:ff:ff:ff:ff:ff is the broadcast address and cannot identify a NIC"]
    response, html = search(as_admin, "")
    assert response.context["owner"] is None and form_errors(response)
    # A slash would change the API path the MAC is sent in: refused before any call.
    response, html = search(as_admin, "../nodes")
    assert form_errors(response) == [
        "'../nodes' is not a MAC address; use six octets such as fa:16:3e:12:34:56"]


def test_mac_search_costs_one_call_or_one_node(as_admin, node, bare_metal_instance,
                                               api_calls):
    vif = bare_metal_instance.vifs.get()
    search(as_admin, vif.mac)
    # The holders, then the node of the port holding it: node, ports, groups, its VIFs.
    assert api_calls == [("GET", f"/api/macs/{vif.mac.replace(':', '%3A')}/"),
                         ("GET", f"/api/nodes/{node.node.pk}/"), ("GET", "/api/ports/"),
                         ("GET", "/api/portgroups/"), ("GET", "/api/vifs/")]


# --- bare metal: nodes and a node's page ----------------------------------------------------

def test_nodes_table(as_admin, cloud, node, bare_metal_instance):
    build_node("node-b", None, [("", True)])
    response = as_admin.get(BAREMETAL)
    nodes = rows(response)
    assert [n.name for n in nodes] == ["node-a", "node-b"]
    cells = [{name: str(c.data) for name, c in row.cells.items()}
             for row in response.context["table"].get_rows()]
    assert cells[0]["uuid"] == str(node.node.pk)
    assert cells[0]["project"] == "project-a"
    assert (cells[0]["ports"], cells[0]["groups"]) == ("4", "1")
    assert (cells[1]["ports"], cells[1]["groups"]) == ("1", "0")
    html = response.content.decode()
    assert f'href="{detail_url(node.node)}"' in html
    assert f'href="{instance_url(bare_metal_instance)}"' in html
    assert "(administrators only)" in html  # node-b has no project


def test_node_page_shows_ports_and_port_groups(as_admin, node, bare_metal_instance):
    response = as_admin.get(detail_url(node.node))
    assert response.status_code == 200
    ports = response.context["ports_table"]
    groups = response.context["port_groups_table"]
    assert [p.mac for p in ports.data] == [p.mac for p in node.ports]  # creation order
    port_cells = {row.cells["mac"].data: {n: str(c.data) for n, c in row.cells.items()}
                  for row in ports.get_rows()}
    first, last = port_cells[node.ports[0].mac], port_cells[node.ports[3].mac]
    assert first["physical_network"] == "physnet1" and first["pxe"] == "yes"
    assert first["port_group"] == "bond0"
    assert last["physical_network"] == "physnet2" and last["pxe"] == "no"
    assert last["port_group"] == "None"  # shown as "-"
    assert first["carries"].startswith("eth0 of") and "(through bond0)" in first["carries"]
    assert last["carries"] == "None"
    (group_row,) = groups.get_rows()
    cells = {n: str(c.data) for n, c in group_row.cells.items()}
    assert cells["name"] == "bond0" and cells["mode"] == "802.3ad"
    assert "miimon=100" in cells["properties"]
    assert "xmit_hash_policy=layer3+4" in cells["properties"]
    assert cells["physical_network"] == "physnet1"
    assert cells["standalone"] == "yes"
    assert "eth0 of" in cells["carries"]
    assert cells["made_by"] == "None"  # shown as "-": made by an admin, not by a launch
    html = response.content.decode()
    assert f'href="{instance_url(bare_metal_instance)}"' in html
    assert "Create Port Group" in html


def test_node_page_lists_ports_and_groups_in_the_api_s_creation_order(as_admin, cloud):
    # The API lists in creation order (as Ironic does); the tables keep that order, not MAC
    # or name order: here creation order is the reverse of both.
    node = baremetal.create_node("node-order", cloud.project_a)
    macs = ["52:54:00:00:0c:03", "52:54:00:00:0c:02", "52:54:00:00:0c:01"]
    ports = [baremetal.create_port(node, mac) for mac in macs]
    for name, port in zip(["z-bond", "a-bond"], ports, strict=False):
        baremetal.create_port_group(node, name, ports=[port])
    response = as_admin.get(detail_url(node))
    assert response.status_code == 200
    assert [p.mac for p in response.context["ports_table"].data] == macs
    assert [g.name for g in response.context["port_groups_table"].data] == ["z-bond", "a-bond"]


def test_node_page_shows_a_bond_made_by_a_launch(as_admin, cloud, node):
    physnet2 = subnets.create_network(cloud.project_a, "phys2", physical_network="physnet2")
    subnets.create_subnet(physnet2, "10.12.0.0/24")
    bond = BondRequest(ports=[str(node.ports[2].pk), str(node.ports[3].pk)], mode="balance-alb")
    instance = InstanceFactory(project=cloud.project_a, name="bonded", nics=[NicRequest(
        physnet2.id, carrier=CarrierRequest(bond=bond))], node=node.node.name)
    response = as_admin.get(detail_url(node.node))
    made = [row for row in response.context["port_groups_table"].get_rows()
            if row.datum.instance_uuid is not None]
    assert len(made) == 1
    assert instance.name in str(made[0].cells["made_by"].data)
    assert f'href="{instance_url(instance)}"' in str(made[0].cells["made_by"].data)


# --- bare metal: create, edit, delete port groups -------------------------------------------

def group_form(**fields):
    return {"name": "bond1", "mac": "", "mode": "active-backup", "properties": "",
            "standalone_ports_supported": "on", "ports": [], **fields}


def test_create_port_group(as_admin, node):
    members = [str(node.ports[2].pk), str(node.ports[3].pk)]
    response = as_admin.post(create_url(node.node), group_form(
        name="bond1", mode="balance-xor", ports=members,
        properties="miimon=100\nxmit_hash_policy = layer2+3\n"))
    assert response.status_code == 302
    assert response["Location"] == detail_url(node.node)
    group = PortGroup.objects.get(name="bond1")
    assert group.node_id == node.node.pk and group.mode == "balance-xor"
    assert group.properties == {"miimon": 100, "xmit_hash_policy": "layer2+3"}  # canonical
    assert group.standalone_ports_supported is True and group.mac is None
    assert sorted(str(p.pk) for p in group.ports.all()) == sorted(members)
    assert 'Created port group "bond1".' in messages_of(response)


def test_create_port_group_with_json_properties_and_a_mac(as_admin, node):
    port = node.ports[3]  # PXE off: a group without standalone ports may have it
    form = group_form(mode="802.3ad", mac=port.mac.upper(), ports=[str(port.pk)],
                      standalone_ports_supported="",
                      properties='{"miimon": 100, "lacp_rate": "fast"}')
    refused = as_admin.post(create_url(node.node), {**form, "ports": [str(node.ports[2].pk)]})
    assert refused.status_code == 200  # the form again, with Ironic's rule as the reason
    assert "does not support standalone ports" in refused.content.decode()
    assert not PortGroup.objects.filter(name="bond1").exists()
    response = as_admin.post(create_url(node.node), form)
    assert response.status_code == 302
    group = PortGroup.objects.get(name="bond1")
    assert group.mac == port.mac
    assert group.properties == {"miimon": 100, "lacp_rate": "fast"}
    assert group.standalone_ports_supported is False
    # One member works, and the service's warning says so.
    assert any("one member port" in m for m in messages_of(response))


def test_the_create_form_offers_the_seven_modes_and_this_nodes_ports(as_admin, node):
    other = build_node("node-b", None, [("", True)])
    response = as_admin.get(create_url(node.node))
    form = response.context["form"]
    assert [value for value, _ in form.fields["mode"].choices] == [
        "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb",
        "balance-alb"]
    assert form["mode"].value() == "active-backup"
    assert {value for value, _ in form.fields["ports"].choices} == {
        str(p.pk) for p in node.ports}
    assert str(other.ports[0].pk) not in response.content.decode()
    # The help says what each mode needs from the switch.
    html = response.content.decode()
    assert "LACP" in html and "static port channel" in html


@pytest.mark.parametrize("fields,message", [
    ({"mode": "active-backup", "properties": "lacp_rate=fast"},
     "Bonding option 'lacp_rate' is not allowed in mode 'active-backup': it applies only to "
     "802.3ad"),
    ({"name": "bad name!"}, "A port group name must be 1 to 255 letters"),
    ({"mac": "nonsense"}, "'nonsense' is not a MAC address"),
    ({"mode": "802.3ad", "properties": "miimon=often"},
     "Bonding option 'miimon' (mode '802.3ad') must be a whole number of ms"),
    ({"properties": "nonsense=1"}, "Unknown bonding option 'nonsense'"),
])
def test_create_port_group_rule_violations_show_the_services_message(as_admin, node, fields,
                                                                     message):
    before = PortGroup.objects.count()
    response = as_admin.post(create_url(node.node), group_form(
        ports=[str(node.ports[2].pk), str(node.ports[3].pk)], **fields))
    assert response.status_code == 200
    errors = form_errors(response)
    assert len(errors) == 1 and errors[0].startswith(message), errors
    assert message.split(":")[0] in response.content.decode().replace("&#x27;", "'")
    assert PortGroup.objects.count() == before
    assert Port.objects.filter(pk__in=[node.ports[2].pk, node.ports[3].pk],
                               port_group__isnull=False).count() == 0


def test_create_port_group_from_two_physical_networks_is_refused(as_admin, node):
    response = as_admin.post(create_url(node.node), group_form(
        ports=[str(node.ports[1].pk), str(node.ports[2].pk)]))
    assert response.status_code == 200
    assert form_errors(response) == ["Port " + node.ports[1].mac + " is already a member of "
                                     "port group bond0"]
    response = as_admin.post(create_url(node.node), group_form(
        ports=[str(node.ports[2].pk), str(node.ports[3].pk)], name="bond-x"))
    assert response.status_code == 302  # same network: fine
    third = build_node("node-c", None, [("physnet1", True), ("physnet2", True)])
    response = as_admin.post(create_url(third.node), group_form(
        ports=[str(p.pk) for p in third.ports]))
    assert response.status_code == 200
    assert form_errors(response) == ["Port group bond1: members must share one physical "
                                     "network, not 'physnet1', 'physnet2'"]
    assert not PortGroup.objects.filter(name="bond1").exists()


def test_malformed_properties_are_a_field_error(as_admin, node):
    for text, error in (("miimon 100", '"miimon 100" is not key=value'),
                        ("miimon=1\nmiimon=2", 'Option "miimon" is given twice.'),
                        ("{not json", "Not a JSON object"),
                        ('{"a":' * 100_000 + "1" + "}" * 100_000,
                         "Not a JSON object: the document is nested more than 32 levels deep"),
                        ("{}", None)):
        response = as_admin.post(create_url(node.node), group_form(properties=text,
                                                                   name="bond-p"))
        if error is None:
            assert response.status_code == 302
            continue
        assert response.status_code == 200
        assert response.context["form"].errors["properties"][0].startswith(error)
    assert PortGroup.objects.filter(name="bond-p").count() == 1


def test_a_port_of_another_node_is_not_a_choice(as_admin, node):
    other = build_node("node-b", None, [("", True)])
    response = as_admin.post(create_url(node.node), group_form(ports=[str(other.ports[0].pk)]))
    assert response.status_code == 200
    assert "ports" in response.context["form"].errors
    assert not PortGroup.objects.filter(name="bond1").exists()


def test_edit_form_is_prefilled(as_admin, node):
    group = node.groups[0]
    response = as_admin.get(update_url(group))
    form = response.context["form"]
    assert form["name"].value() == "bond0"
    assert form["mode"].value() == "802.3ad"
    assert form["properties"].value() == "miimon=100\nxmit_hash_policy=layer3+4"
    assert form["standalone_ports_supported"].value() is True
    assert sorted(form["ports"].value()) == sorted(str(p.pk) for p in node.ports[:2])


def test_edit_port_group(as_admin, node):
    group = node.groups[0]
    response = as_admin.post(update_url(group), group_form(
        name="bond0-renamed", mode="active-backup", properties="miimon=200",
        ports=[str(node.ports[0].pk)]))
    assert response.status_code == 302
    assert response["Location"] == detail_url(node.node)
    group.refresh_from_db()
    assert (group.name, group.mode, group.properties) == ("bond0-renamed", "active-backup",
                                                         {"miimon": 200})
    assert [p.pk for p in group.ports.all()] == [node.ports[0].pk]
    assert 'Updated port group "bond0-renamed".' in messages_of(response)


def test_edit_port_group_rule_violation_changes_nothing(as_admin, node):
    group = node.groups[0]
    response = as_admin.post(update_url(group), group_form(
        name="bond0", mode="active-backup", properties="miimon=100\nxmit_hash_policy=layer3+4",
        ports=[str(p.pk) for p in node.ports[:2]]))
    assert response.status_code == 200
    assert form_errors(response) == [
        "Bonding option 'xmit_hash_policy' is not allowed in mode 'active-backup': it applies "
        "only to balance-xor, 802.3ad, balance-tlb"]
    group.refresh_from_db()
    assert group.mode == "802.3ad"
    assert group.properties == {"miimon": 100, "xmit_hash_policy": "layer3+4"}


def test_edit_of_a_group_carrying_a_vif(as_admin, node, bare_metal_instance):
    group = node.groups[0]
    response = as_admin.get(update_url(group))
    assert "carries an interface of instance metal" in response.content.decode()
    # Its members cannot change...
    response = as_admin.post(update_url(group), group_form(
        name="bond0", mode="802.3ad", ports=[str(node.ports[0].pk)]))
    assert response.status_code == 200
    (error,) = form_errors(response)
    assert error.startswith("Port group bond0 carries interface ")
    assert error.endswith("its members cannot change until that interface is detached")
    assert group.ports.count() == 2
    # ... but its mode and options may (the running NIC keeps the ones it bound with).
    response = as_admin.post(update_url(group), group_form(
        name="bond0", mode="802.3ad", properties="miimon=100\nlacp_rate=fast",
        ports=[str(p.pk) for p in node.ports[:2]]))
    assert response.status_code == 302
    group.refresh_from_db()
    assert group.properties == {"miimon": 100, "lacp_rate": "fast"}


def delete_offered(html: str, group) -> bool:
    """The row's Delete button, and its checkbox for the batch Delete Port Groups."""
    row_action = f'value="port_groups__delete__{group.pk}"' in html
    checkbox = f'name="object_ids" value="{group.pk}"' in html
    assert row_action == checkbox
    return row_action


def test_delete_port_group_keeps_its_ports(as_admin, node):
    group = node.groups[0]
    html = as_admin.get(detail_url(node.node)).content.decode()
    assert delete_offered(html, group)
    response = as_admin.post(detail_url(node.node), {"action": f"port_groups__delete__{group.pk}"})
    assert response.status_code == 302
    assert not PortGroup.objects.filter(pk=group.pk).exists()
    assert Port.objects.filter(node=node.node).count() == 4
    assert "Deleted Port Group: bond0" in messages_of(response)


def test_batch_delete_of_port_groups(as_admin, node):
    bond0 = node.groups[0]
    as_admin.post(create_url(node.node), group_form(
        name="bond1", ports=[str(node.ports[2].pk), str(node.ports[3].pk)]))
    ids = [str(g.pk) for g in PortGroup.objects.filter(node=node.node)]
    assert len(ids) == 2 and str(bond0.pk) in ids
    response = as_admin.post(detail_url(node.node),
                             {"action": "port_groups__delete", "object_ids": ids})
    assert response.status_code == 302
    assert not PortGroup.objects.filter(node=node.node).exists()


def test_delete_is_not_offered_nor_done_while_a_group_carries_a_vif(as_admin, node,
                                                                    bare_metal_instance):
    group = node.groups[0]
    as_admin.post(create_url(node.node), group_form(
        name="bond1", ports=[str(node.ports[2].pk), str(node.ports[3].pk)]))
    free = PortGroup.objects.get(name="bond1")
    html = as_admin.get(detail_url(node.node)).content.decode()
    assert not delete_offered(html, group)
    assert delete_offered(html, free)
    # A POST anyway (a stale page, a crafted request) is refused, with no 500.
    response = as_admin.post(detail_url(node.node), {"action": f"port_groups__delete__{group.pk}"})
    assert response.status_code == 302
    assert PortGroup.objects.filter(pk=group.pk).exists()
    assert messages_of(response) == ["You are not allowed to delete port group: bond0"]
    # In a batch, the free group goes and the carrying one stays.
    response = as_admin.post(detail_url(node.node), {"action": "port_groups__delete",
                                                     "object_ids": [str(group.pk),
                                                                    str(free.pk)]})
    assert response.status_code == 302
    assert PortGroup.objects.filter(pk=group.pk).exists()
    assert not PortGroup.objects.filter(pk=free.pk).exists()


def test_delete_refused_by_the_service_shows_its_message(as_admin, node, monkeypatch):
    """If the group came to carry a VIF after the page was loaded (allowed() saw it free),
    the service's 409 reason is what the admin reads."""
    group = node.groups[0]
    from multinic_dashboard.dashboards.admin.baremetal import tables as baremetal_tables

    monkeypatch.setattr(baremetal_tables.DeletePortGroup, "allowed",
                        lambda self, request, datum=None: True)
    physnet = subnets.create_network(node.node.project, "late", physical_network="physnet1")
    subnets.create_subnet(physnet, "10.13.0.0/24")
    InstanceFactory(project=node.node.project, name="late", nics=[physnet], node=node.node.name)
    response = as_admin.post(detail_url(node.node), {"action": f"port_groups__delete__{group.pk}"})
    assert response.status_code == 302
    assert PortGroup.objects.filter(pk=group.pk).exists()
    (message,) = messages_of(response)
    assert message.startswith("Port group bond0 carries interface ")


def test_the_port_group_form_opens_as_a_modal(as_admin, node):
    response = as_admin.get(create_url(node.node), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" not in html and 'id="create_port_group_modal"' in html
    assert f'action="{create_url(node.node)}"' in html
    response = as_admin.get(update_url(node.groups[0]), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert 'id="update_port_group_modal"' in response.content.decode()


def test_node_pages_cost_the_same_for_few_or_many_rows(as_admin, cloud, api_calls):
    small = build_node("node-s", cloud.project_a, [("physnet1", True), ("physnet1", True)],
                       groups=[{"name": "bond-s", "ports": [0, 1]}])
    big = build_node("node-t", cloud.project_b, [("physnet1", True)] * 6 + [("", False)] * 2,
                     groups=[{"name": f"bond-t{i}", "ports": [2 * i, 2 * i + 1]}
                             for i in range(4)])
    as_admin.get(BAREMETAL)  # session and caches warm
    small_cost = cost_of(as_admin, detail_url(small.node), api_calls)
    big_cost = cost_of(as_admin, detail_url(big.node), api_calls)
    assert small_cost[0] == [("GET", f"/api/nodes/{small.node.pk}/"), ("GET", "/api/ports/"),
                             ("GET", "/api/portgroups/"), ("GET", "/api/vifs/")]
    assert big_cost[0] == [("GET", f"/api/nodes/{big.node.pk}/"), *small_cost[0][1:]]
    assert small_cost[1] == big_cost[1]
    calls, two_nodes = cost_of(as_admin, BAREMETAL, api_calls)
    assert calls == [("GET", "/api/nodes/")]
    for i in range(4):
        build_node(f"node-x{i}", cloud.project_a, [("", True)] * 2)
    assert len(rows(as_admin.get(BAREMETAL))) == 6
    assert cost_of(as_admin, BAREMETAL, api_calls) == (calls, two_nodes)


# --- the panels are a client of the API -----------------------------------------------------

ADMIN_PANELS = pathlib.Path(multinic_dashboard.__file__).parent / "dashboards" / "admin"
# The ORM-era caller helper, which read the database (gone; kept out), besides multinic_api.
ORM_MODULES = ("multinic_dashboard.api.caller",)


def imported_modules(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_no_admin_panel_module_imports_the_orm_or_the_services():
    modules = sorted(ADMIN_PANELS.rglob("*.py"))
    assert len(modules) > 15  # the walk found the panels
    offenders = {str(path.relative_to(ADMIN_PANELS)): sorted(
                     name for name in imported_modules(path)
                     if name.split(".")[0] == "multinic_api"
                     or any(name == m or name.startswith(f"{m}.") for m in ORM_MODULES))
                 for path in modules}
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_import_check_would_see_an_orm_import(tmp_path):
    """The walk above catches each shape of import it looks for."""
    for line in ("import multinic_api.models", "from multinic_api.services import macs",
                 "from multinic_dashboard.api import caller as api"):
        probe = tmp_path / "probe.py"
        probe.write_text(f"{line}\n")
        names = imported_modules(probe)
        assert any(n.split(".")[0] == "multinic_api" or n in ORM_MODULES for n in names), line


# --- bare metal: enrol, edit and delete nodes -----------------------------------------------

CREATE_NODE = reverse("horizon:admin:multinic_baremetal:create_node")


def update_node_url(node) -> str:
    return reverse("horizon:admin:multinic_baremetal:update_node", args=[node.pk])


def node_form(**fields):
    return {"name": "node-n", "project": "", "cpus": "", "memory_mb": "", "local_gb": "",
            "cpu_arch": "", "other_properties": "", **fields}


def test_enrol_a_node(as_admin, cloud, api_calls):
    response = as_admin.post(CREATE_NODE, node_form(
        name="node-n", project="project-a", cpus="8", memory_mb="16384", local_gb="100",
        cpu_arch="x86_64", other_properties="capabilities=boot_mode:uefi"))
    assert response.status_code == 302 and response["Location"] == BAREMETAL
    node = Node.objects.get(name="node-n")
    assert node.project_id == cloud.project_a.pk
    assert node.properties == {"cpus": 8, "memory_mb": 16384, "local_gb": 100,
                               "cpu_arch": "x86_64", "capabilities": "boot_mode:uefi"}
    assert 'Enrolled node "node-n".' in messages_of(response)
    assert ("POST", "/api/nodes/") in api_calls
    # Without a project: administrators only, and no properties.
    response = as_admin.post(CREATE_NODE, node_form(name="node-m"))
    assert response.status_code == 302
    node = Node.objects.get(name="node-m")
    assert node.project_id is None and node.properties == {}


@pytest.mark.parametrize("fields,message", [
    ({"name": "node-a"}, "A node named 'node-a' already exists"),
    ({"name": "bad name!"}, "A node name must be 1 to 255 letters"),
    ({"project": "nobody"}, "Project nobody not found."),
])
def test_enrol_refusals_show_the_apis_message(as_admin, node, fields, message):
    before = sorted(Node.objects.values_list("name", flat=True))
    response = as_admin.post(CREATE_NODE, node_form(**fields))
    assert response.status_code == 200
    (error,) = form_errors(response)
    assert error.startswith(message), error
    assert message.split("'")[0] in response.content.decode()
    assert sorted(Node.objects.values_list("name", flat=True)) == before


def test_a_known_property_typed_among_the_others_is_a_field_error(as_admin, cloud):
    response = as_admin.post(CREATE_NODE, node_form(other_properties="cpus=4"))
    assert response.status_code == 200
    assert response.context["form"].errors["other_properties"] == [
        '"cpus" has its own field above.']
    response = as_admin.post(CREATE_NODE, node_form(cpus="-1"))
    assert "cpus" in response.context["form"].errors
    assert not Node.objects.filter(name="node-n").exists()


def test_edit_node(as_admin, cloud, node):
    node.node.properties = {"cpus": 4, "cpu_arch": "aarch64", "vendor": "acme"}
    node.node.save()
    response = as_admin.get(update_node_url(node.node))
    form = response.context["form"]
    assert form["name"].value() == "node-a"
    assert form["project"].value() == cloud.project_a.pk
    assert (form["cpus"].value(), form["cpu_arch"].value()) == (4, "aarch64")
    assert form["other_properties"].value() == "vendor=acme"
    response = as_admin.post(update_node_url(node.node), node_form(
        name="node-a2", project="", cpus="16", cpu_arch="aarch64",
        other_properties="vendor=acme"))
    assert response.status_code == 302
    assert response["Location"] == detail_url(node.node)
    node.node.refresh_from_db()
    assert node.node.name == "node-a2" and node.node.project_id is None
    assert node.node.properties == {"cpus": 16, "cpu_arch": "aarch64", "vendor": "acme"}
    assert 'Updated node "node-a2".' in messages_of(response)


def test_a_node_with_instances_keeps_its_project(as_admin, cloud, node, bare_metal_instance):
    response = as_admin.post(update_node_url(node.node), node_form(name="node-a",
                                                                   project="project-b"))
    assert response.status_code == 200
    assert form_errors(response) == [
        "Node node-a has instances; delete them before giving the node to another project"]
    node.node.refresh_from_db()
    assert node.node.project_id == cloud.project_a.pk


def test_edit_of_an_unknown_node_is_404(as_admin, cloud):
    assert as_admin.get(reverse("horizon:admin:multinic_baremetal:update_node",
                                args=["00000000-0000-0000-0000-000000000000"])).status_code == 404
    assert as_admin.get(reverse("horizon:admin:multinic_baremetal:update_node",
                                args=["node-a"])).status_code == 404


def node_delete_offered(html: str, node) -> bool:
    row_action = f'value="nodes__delete__{node.pk}"' in html
    checkbox = f'name="object_ids" value="{node.pk}"' in html
    assert row_action == checkbox
    return row_action


def test_delete_node_with_its_ports_and_groups(as_admin, cloud, node):
    other = build_node("node-b", None, [("", True)], groups=[{"name": "bond-b", "ports": [0]}])
    html = as_admin.get(BAREMETAL).content.decode()
    assert node_delete_offered(html, other.node) and node_delete_offered(html, node.node)
    response = as_admin.post(BAREMETAL, {"action": f"nodes__delete__{other.node.pk}"})
    assert response.status_code == 302
    assert not Node.objects.filter(pk=other.node.pk).exists()
    assert not Port.objects.filter(node_id=other.node.pk).exists()
    assert not PortGroup.objects.filter(node_id=other.node.pk).exists()
    assert "Deleted Node: node-b" in messages_of(response)
    assert Node.objects.filter(pk=node.node.pk).exists()


def test_a_node_with_instances_is_not_deleted(as_admin, node, bare_metal_instance,
                                              monkeypatch):
    html = as_admin.get(BAREMETAL).content.decode()
    assert not node_delete_offered(html, node.node)
    response = as_admin.post(BAREMETAL, {"action": f"nodes__delete__{node.node.pk}"})
    assert response.status_code == 302
    assert messages_of(response) == ["You are not allowed to delete node: node-a"]
    as_admin.get(BAREMETAL)  # the message shown
    # Had the page not known (an instance launched meanwhile), the API's refusal is shown.
    from multinic_dashboard.dashboards.admin.baremetal import tables as baremetal_tables

    monkeypatch.setattr(baremetal_tables.DeleteNode, "allowed",
                        lambda self, request, datum=None: True)
    response = as_admin.post(BAREMETAL, {"action": f"nodes__delete__{node.node.pk}"})
    assert response.status_code == 302
    assert messages_of(response) == ["Node node-a has instances; delete them first"]
    assert Node.objects.filter(pk=node.node.pk).exists()
    assert Port.objects.filter(node=node.node).count() == 4


def test_the_node_forms_open_as_modals(as_admin, node):
    response = as_admin.get(CREATE_NODE, HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    html = response.content.decode()
    assert "<html" not in html and 'id="create_node_modal"' in html
    assert f'action="{CREATE_NODE}"' in html
    response = as_admin.get(update_node_url(node.node), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert 'id="update_node_modal"' in response.content.decode()
    assert "Enrol Node" in as_admin.get(BAREMETAL).content.decode()


# --- bare metal: create, edit and delete ports ----------------------------------------------

def create_port_url(node) -> str:
    return reverse("horizon:admin:multinic_baremetal:create_port", args=[node.pk])


def update_port_url(port) -> str:
    return reverse("horizon:admin:multinic_baremetal:update_port", args=[port.node_id, port.pk])


def port_form(**fields):
    return {"mac": "52:54:00:ab:cd:ef", "physical_network": "", "pxe_enabled": "on",
            "switch_id": "", "port_id": "", "switch_info": "", "port_group": "", **fields}


def test_create_port(as_admin, node):
    response = as_admin.post(create_port_url(node.node), port_form(
        mac="52-54-00-AB-CD-EF", physical_network="physnet2", switch_id="00-11-22-33-44-55",
        port_id="Ethernet1/1", switch_info="tor-1"))
    assert response.status_code == 302
    assert response["Location"] == detail_url(node.node)
    port = Port.objects.get(mac="52:54:00:ab:cd:ef")
    assert port.node_id == node.node.pk and port.physical_network == "physnet2"
    assert port.pxe_enabled is True and port.port_group_id is None
    assert port.local_link_connection == {"switch_id": "00:11:22:33:44:55",
                                          "port_id": "Ethernet1/1", "switch_info": "tor-1"}
    assert "Created port 52:54:00:ab:cd:ef." in messages_of(response)


def test_create_a_port_into_a_port_group(as_admin, node):
    bond0 = node.groups[0]
    response = as_admin.post(create_port_url(node.node), port_form(
        physical_network="physnet1", pxe_enabled="", port_group=str(bond0.pk)))
    assert response.status_code == 302
    port = Port.objects.get(mac="52:54:00:ab:cd:ef")
    assert port.port_group_id == bond0.pk and port.pxe_enabled is False
    assert port.local_link_connection == {}


def test_the_port_group_select_offers_this_nodes_groups_after_none(as_admin, node):
    build_node("node-b", None, [("", True)], groups=[{"name": "bond-b", "ports": [0]}])
    form = as_admin.get(create_port_url(node.node)).context["form"]
    assert [(value, str(label)) for value, label in form.fields["port_group"].choices] == [
        ("", "No port group"), (str(node.groups[0].pk), "bond0")]
    assert form["pxe_enabled"].value() is True


@pytest.mark.parametrize("fields,message", [
    ({"mac": "52:54:00:00:01:01"}, "A port with MAC 52:54:00:00:01:01 already exists"),
    ({"mac": "zz"}, "'zz' is not a MAC address"),
    ({"switch_id": "00:11:22:33:44:55"},
     "Invalid input: local_link_connection: local_link_connection is empty, or has both "
     "switch_id and port_id"),
    ({"switch_id": "tor", "port_id": "Ethernet1/1"},
     "local_link_connection switch_id must be the switch's MAC address, not 'tor'"),
    ({"physical_network": "physnet2", "port_group": "bond0"},
     "Port with physical network 'physnet2' cannot join port group bond0, whose ports are "
     "on 'physnet1'"),
])
def test_create_port_refusals_show_the_apis_message(as_admin, node, fields, message):
    if fields.get("port_group") == "bond0":
        fields = {**fields, "port_group": str(node.groups[0].pk)}
    if fields.get("mac") == "52:54:00:00:01:01":  # node-a's first port, whatever its number
        fields = {**fields, "mac": node.ports[0].mac}
        message = f"A port with MAC {node.ports[0].mac} already exists"
    before = Port.objects.count()
    response = as_admin.post(create_port_url(node.node), port_form(**fields))
    assert response.status_code == 200
    (error,) = form_errors(response)
    assert error.startswith(message), error
    assert Port.objects.count() == before


def test_edit_port(as_admin, node):
    port = node.ports[3]
    port.local_link_connection = {"switch_id": "00:11:22:33:44:55", "port_id": "Eth1"}
    port.save()
    form = as_admin.get(update_port_url(port)).context["form"]
    assert (form["mac"].value(), form["physical_network"].value()) == (port.mac, "physnet2")
    assert form["pxe_enabled"].value() is False
    assert (form["switch_id"].value(), form["port_id"].value(),
            form["switch_info"].value()) == ("00:11:22:33:44:55", "Eth1", "")
    assert form["port_group"].value() == ""
    response = as_admin.post(update_port_url(port), port_form(
        mac=port.mac, physical_network="physnet1", pxe_enabled="on",
        port_group=str(node.groups[0].pk)))
    assert response.status_code == 302
    port.refresh_from_db()
    assert (port.physical_network, port.pxe_enabled) == ("physnet1", True)
    assert port.port_group_id == node.groups[0].pk and port.local_link_connection == {}
    assert f"Updated port {port.mac}." in messages_of(response)


def test_a_port_carrying_a_vif_keeps_its_mac_but_may_change_pxe(as_admin, node,
                                                                bare_metal_instance):
    port = node.ports[0]  # in bond0, which carries metal's eth0
    group = str(node.groups[0].pk)
    html = as_admin.get(update_port_url(port)).content.decode()
    assert "This port carries an interface" in html
    response = as_admin.post(update_port_url(port), port_form(
        mac="52:54:00:ab:cd:ef", physical_network="physnet1", port_group=group))
    assert response.status_code == 200
    (error,) = form_errors(response)
    assert error.startswith(f"Port {port.mac} carries interface ")
    assert error.endswith("its MAC cannot change until that interface is detached")
    port.refresh_from_db()
    assert port.mac != "52:54:00:ab:cd:ef"
    response = as_admin.post(update_port_url(port), port_form(
        mac=port.mac, physical_network="physnet1", port_group=group, pxe_enabled=""))
    assert response.status_code == 302
    port.refresh_from_db()
    assert port.pxe_enabled is False


def test_a_port_of_another_node_is_not_this_nodes(as_admin, node):
    other = build_node("node-b", None, [("", True)])
    url = reverse("horizon:admin:multinic_baremetal:update_port",
                  args=[node.node.pk, other.ports[0].pk])
    assert as_admin.get(url).status_code == 404
    assert as_admin.get(reverse("horizon:admin:multinic_baremetal:update_port",
                                args=[node.node.pk, "nope"])).status_code == 404
    # Nor can a table POST on this node's page delete it (horizon acts on its rows only).
    response = as_admin.post(detail_url(node.node),
                             {"action": f"ports__delete__{other.ports[0].pk}"})
    assert response.status_code == 302
    assert Port.objects.filter(pk=other.ports[0].pk).exists()


def port_delete_offered(html: str, port) -> bool:
    row_action = f'value="ports__delete__{port.pk}"' in html
    checkbox = f'name="object_ids" value="{port.pk}"' in html
    assert row_action == checkbox
    return row_action


def test_delete_port(as_admin, node):
    port = node.ports[3]
    assert port_delete_offered(as_admin.get(detail_url(node.node)).content.decode(), port)
    response = as_admin.post(detail_url(node.node), {"action": f"ports__delete__{port.pk}"})
    assert response.status_code == 302
    assert not Port.objects.filter(pk=port.pk).exists()
    assert f"Deleted Port: {port.mac}" in messages_of(response)
    # A batch, member of a group included (the group stays, with one member fewer).
    ids = [str(node.ports[1].pk), str(node.ports[2].pk)]
    response = as_admin.post(detail_url(node.node), {"action": "ports__delete",
                                                     "object_ids": ids})
    assert response.status_code == 302
    assert list(Port.objects.filter(node=node.node)) == [node.ports[0]]
    assert [p.pk for p in node.groups[0].ports.all()] == [node.ports[0].pk]


def test_a_port_carrying_a_vif_is_not_deleted(as_admin, node, bare_metal_instance,
                                              monkeypatch):
    carrying, free = node.ports[0], node.ports[3]  # port 0 carries through bond0
    html = as_admin.get(detail_url(node.node)).content.decode()
    assert not port_delete_offered(html, carrying) and port_delete_offered(html, free)
    response = as_admin.post(detail_url(node.node), {"action": f"ports__delete__{carrying.pk}"})
    assert messages_of(response) == [f"You are not allowed to delete port: {carrying.mac}"]
    as_admin.get(detail_url(node.node))  # the message shown
    from multinic_dashboard.dashboards.admin.baremetal import tables as baremetal_tables

    monkeypatch.setattr(baremetal_tables.DeletePort, "allowed",
                        lambda self, request, datum=None: True)
    response = as_admin.post(detail_url(node.node), {"action": f"ports__delete__{carrying.pk}"})
    assert response.status_code == 302
    (message,) = messages_of(response)
    assert message.startswith(f"Port {carrying.mac} carries interface ")
    assert message.endswith("detach it first")
    assert Port.objects.filter(pk=carrying.pk).exists()


def test_the_port_forms_open_as_modals(as_admin, node):
    response = as_admin.get(create_port_url(node.node), HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    html = response.content.decode()
    assert "<html" not in html and 'id="create_port_modal"' in html
    assert f'action="{create_port_url(node.node)}"' in html
    response = as_admin.get(update_port_url(node.ports[0]),
                            HTTP_X_REQUESTED_WITH="XMLHttpRequest")
    assert 'id="update_port_modal"' in response.content.decode()
    html = as_admin.get(detail_url(node.node)).content.decode()
    assert "Create Port" in html and "Edit Port" in html


def test_an_api_failure_is_a_message_not_a_500(as_admin, node, monkeypatch):
    from multinic_dashboard.api import multinic

    def down(*args, **kwargs):
        raise multinic.APIError(503, "The multinic API answered 503 Service Unavailable")

    for name in ("node_get", "vif_page", "node_page", "port_list"):
        monkeypatch.setattr(multinic, name, down)
    for url in (detail_url(node.node), create_port_url(node.node), update_url(node.groups[0]),
                update_node_url(node.node)):
        response = as_admin.get(url)
        assert response.status_code == 302 and response["Location"] == BAREMETAL, url
        assert "The multinic API answered 503 Service Unavailable" in messages_of(response)
    for url in (VIFS, BAREMETAL):
        response = as_admin.get(url)
        assert response.status_code == 200 and rows(response) == []
        assert "The multinic API answered 503 Service Unavailable" in messages_of(response)
    # The MAC page: the port's node cannot be read; the message says so, the search stays.
    response, html = search(as_admin, node.ports[0].mac)
    assert response.context["owner"] is None
    assert "The multinic API answered 503 Service Unavailable" in messages_of(response)
