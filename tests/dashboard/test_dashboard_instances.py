"""The project side of the dashboard, through Django's test client: the instances table, the
detail tabs, attach/detach/delete, and the launch wizard's server half (what its script posts).
The browser half is in test_dashboard_browser.py."""

import io
import json
import re
from html import unescape

import pycdlib
import pytest
from django.urls import reverse

from multinic_api.models import VIF, FixedIP, Instance, PortGroup
from multinic_api.services import instances, subnets
from tests.factories import InstanceFactory, KeypairFactory
from tests.harness.baremetal_fixtures import build_node
from tests.harness.helpers import sign_in

INDEX = "/project/"
LAUNCH = "/project/launch/"


@pytest.fixture
def alice(client, cloud):
    sign_in(client, "alice", "pw-alice")
    return client


def detail(instance) -> str:
    return reverse("horizon:project:multinic_instances:detail", args=[instance.uuid])


def wizard_post(client, name="web", nics=(), node="", carriers=(), **details):
    data = {"name": name, "key_name": "", "user_data": "", "metadata": "",
            "config_drive": "on", "nics": json.dumps(list(nics)), "node": node,
            "carriers": json.dumps(list(carriers)), **details}
    return client.post(LAUNCH, data)


# --- sign-in and access --------------------------------------------------------------------

def test_anonymous_users_are_sent_to_sign_in(client, db):
    response = client.get(INDEX)
    assert response.status_code == 302
    assert response["Location"].endswith("/auth/login/?next=/project/")


def test_sign_in_with_a_password_lands_on_the_project_dashboard(client, cloud):
    page = client.get("/auth/login/")
    assert page.status_code == 200 and b'id="loginBtn"' in page.content
    # The form's hidden region field holds "default" (one region), as a browser sends it.
    assert b'name="region" value="default"' in page.content
    wrong = client.post("/auth/login/", {"username": "alice", "password": "nope",
                                         "region": "default"})
    assert wrong.status_code == 200 and b'id="login-error"' in wrong.content
    response = client.post("/auth/login/", {"username": "alice", "password": "pw-alice",
                                            "region": "default"}, follow=True)
    assert response.redirect_chain[-1][0] == INDEX
    assert b"project-a" in response.content  # the top bar names the project
    # ... and the user by name (openstack_auth's username field is the Keystone user id)
    assert b'<span class="user-name">alice</span>' in response.content


def test_sign_out_revokes_the_sessions_tokens(client, cloud):
    from rest_framework.test import APIClient

    sign_in(client, "alice", "pw-alice")
    tokens = [client.session["token"].id, client.session["unscoped_token"]]
    api = APIClient()
    for token in tokens:
        assert api.get("/api/networks/", HTTP_X_AUTH_TOKEN=token).status_code == 200
    assert client.post("/auth/logout/").status_code == 302
    for token in tokens:
        assert api.get("/api/networks/", HTTP_X_AUTH_TOKEN=token).status_code == 401
    assert "/auth/login/" in client.get(INDEX)["Location"]


def test_a_tenant_gets_403_on_the_admin_dashboard(alice):
    assert alice.get("/admin/").status_code == 403


# --- the instances table -------------------------------------------------------------------

def test_table_lists_own_instances_with_nics_in_order(alice, cloud):
    mine = InstanceFactory(name="two-nics", nics=[cloud.net_a, cloud.shared])
    InstanceFactory(name="theirs", nics=[cloud.net_b], project=cloud.project_b)
    page = alice.get(INDEX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "two-nics" in html and "theirs" not in html
    vifs = list(mine.vifs.order_by("position"))
    # eth0 (net-a: v4 then v6) comes before eth1 (shared) in the cell
    first = html.index(f"<strong>eth0</strong>&nbsp;<code>{vifs[0].mac}</code>")
    second = html.index(f"<strong>eth1</strong>&nbsp;<code>{vifs[1].mac}</code>")
    assert first < second
    v4 = vifs[0].fixed_ips.get(subnet__ip_version=4).address
    assert str(v4) in html[first:second]
    assert detail(mine) in html
    table = page.context["table"]
    (datum,) = [d for d in table.data if d.uuid == str(mine.uuid)]  # the API's, not the ORM's
    row_actions = [a.name for a in table.get_row_actions(datum)]
    assert row_actions == ["detail", "attach_interface", "detach_interface", "delete"]


def test_table_pages_with_markers(alice, cloud, monkeypatch):
    from multinic_dashboard.dashboards.project.instances import views

    monkeypatch.setattr(views.IndexView, "page_size", 2)
    made = [InstanceFactory(name=f"vm-{i}", nics=[cloud.net_a]) for i in range(5)]
    newest_first = sorted(made, key=lambda i: (-i.created.timestamp(), str(i.uuid)))
    seen, url = [], INDEX
    for _ in range(3):
        html = alice.get(url).content.decode()
        names = [i.name for i in newest_first if f">{i.name}<" in html]
        seen += names
        if "marker=" not in html.split("Next")[-1][:200] and len(seen) == 5:
            break
        marker = str(next(i for i in newest_first if i.name == names[-1]).uuid)
        assert f"marker={marker}" in html
        url = f"{INDEX}?marker={marker}"
    assert seen == [i.name for i in newest_first]
    back = alice.get(f"{INDEX}?prev_marker={newest_first[2].uuid}").content.decode()
    assert ">vm-" in back and f">{newest_first[0].name}<" in back
    assert f">{newest_first[2].name}<" not in back


def test_table_filters_by_name_and_by_address(alice, cloud):
    web = InstanceFactory(name="web-1", nics=[cloud.net_a])
    InstanceFactory(name="db-1", nics=[cloud.net_a])
    param = "instances__filter__q"

    def shown(field, value):
        page = alice.post(INDEX, {param: value, f"{param}_field": field}, follow=True)
        return page.content.decode()

    def names(page):
        """The instances the table lists (their names' links; "db-1" can also be part of
        a random UUID elsewhere on the page)."""
        return re.findall(r'<a href="/project/[0-9a-f-]{36}/" >([^<]+)</a>', page)

    assert names(shown("name", "web")) == ["web-1"]
    mac = web.vifs.get().mac
    assert names(shown("address", mac.upper().replace(":", "-"))) == ["web-1"]
    ip = str(web.vifs.get().fixed_ips.get(subnet__ip_version=4).address)
    assert names(shown("address", ip)) == ["web-1"]
    assert sorted(names(shown("name", ""))) == ["db-1", "web-1"]  # the pattern finds rows
    nonsense = shown("address", "not-an-address")
    assert names(nonsense) == []
    # The API's reason, not an empty table that says nothing.
    assert "&#x27;not-an-address&#x27; is neither an IP address nor a MAC address" in nonsense


def test_delete_frees_addresses_and_batch_delete_takes_several(alice, cloud):
    one, two, three = (InstanceFactory(name=f"vm-{i}", nics=[cloud.net_a]) for i in range(3))
    response = alice.post(INDEX, {"action": f"instances__delete__{one.uuid}"})
    assert response.status_code == 302
    assert not Instance.objects.filter(pk=one.pk).exists()
    alice.post(INDEX, {"action": "instances__delete", "object_ids": [str(two.uuid),
                                                                      str(three.uuid)]})
    assert not Instance.objects.exists() and not VIF.objects.exists()
    assert not FixedIP.objects.exists()


def test_deleting_another_projects_instance_does_nothing(alice, cloud):
    theirs = InstanceFactory(name="theirs", nics=[cloud.net_b], project=cloud.project_b)
    alice.post(INDEX, {"action": f"instances__delete__{theirs.uuid}"})
    assert Instance.objects.filter(pk=theirs.pk).exists()


@pytest.fixture
def api_calls(monkeypatch):
    """Every call the panels make to the API, as (method, path), in order."""
    from multinic_dashboard.api import multinic

    made: list[tuple[str, str]] = []
    real = multinic.call

    def counting(request, method, path, **kwargs):
        made.append((method, path))
        return real(request, method, path, **kwargs)

    monkeypatch.setattr(multinic, "call", counting)
    return made


def test_a_page_of_the_table_is_one_api_call_however_many_instances(alice, cloud, api_calls):
    for i in range(3):
        InstanceFactory(name=f"vm-{i}", nics=[cloud.net_a, cloud.shared])
    assert alice.get(INDEX).status_code == 200
    assert api_calls == [("GET", "instances/")]


def test_a_stale_marker_shows_the_first_page(alice, cloud):
    gone = InstanceFactory(name="gone", nics=[cloud.net_a])
    InstanceFactory(name="kept", nics=[cloud.net_a])
    marker = str(gone.uuid)
    instances.delete_instance(gone)
    page = alice.get(f"{INDEX}?marker={marker}", follow=True).content.decode()
    assert ">kept<" in page and "That page is gone; showing the first one." in page


# --- the detail page -----------------------------------------------------------------------

def test_detail_tabs_show_interfaces_network_info_config_drive_and_domain(alice, cloud):
    instance = InstanceFactory(name="web", nics=[cloud.net_a, cloud.shared], config_drive=True)
    page = alice.get(detail(instance))
    assert page.status_code == 200
    html = page.content.decode()
    vifs = list(instance.vifs.order_by("position"))
    for tab in ("Overview", "Interfaces", "network_info", "Config Drive", "libvirt XML"):
        assert tab in html
    assert html.index(vifs[0].mac) < html.index(vifs[1].mac)
    assert "openstack/latest/network_data.json" in html
    assert "openstack/2012-08-10/meta_data.json" in html
    assert f"&quot;ethernet_mac_address&quot;: &quot;{vifs[0].mac}&quot;" in html
    assert 'id="libvirt-xml">&lt;domain type=&quot;' in html
    assert f"&lt;mac address=&quot;{vifs[1].mac}&quot;" in html
    assert '"legacy"' not in html and 'id="network-info-legacy"' in html


def test_the_detail_page_shows_every_config_drive_file_the_api_lists(alice, cloud, api_calls):
    instance = InstanceFactory(name="web", nics=[cloud.net_a], config_drive=True)
    html = alice.get(detail(instance)).content.decode()
    base = f"instances/{instance.uuid}/"
    listing = cloud.a.get(f"/api/{base}config_drive/").json()["files"]
    files = [f"{base}config_drive/{f['path']}" for f in listing]
    assert len(files) > 5
    for file in listing:
        assert f'data-path="{file["path"]}"' in html
    # One call for the instance, two for network_info's shapes, the listing, each file, and
    # the domain: the number of calls grows with the drive's files only.
    assert api_calls == [("GET", base), ("GET", f"{base}network_info/"),
                         ("GET", f"{base}network_info/"), ("GET", f"{base}config_drive/"),
                         *[("GET", f) for f in files], ("GET", f"{base}domain.xml")]


def test_the_config_drive_iso_downloads_with_its_label(alice, cloud):
    instance = InstanceFactory(name="web", nics=[cloud.net_a], config_drive=True)
    response = alice.get(reverse("horizon:project:multinic_instances:config_drive_iso",
                                 args=[instance.uuid]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-iso9660-image"
    assert response["Content-Disposition"] == (
        f'attachment; filename="config-drive-{instance.uuid}.iso"')  # the API's name
    iso = pycdlib.PyCdlib()
    iso.open_fp(io.BytesIO(response.content))
    try:
        assert iso.pvd.volume_identifier.decode().strip() == "config-2"
        data = io.BytesIO()
        iso.get_file_from_iso_fp(data, joliet_path="/openstack/latest/network_data.json")
        links = json.loads(data.getvalue())["links"]
        assert [link["ethernet_mac_address"] for link in links] == [instance.vifs.get().mac]
    finally:
        iso.close()


def test_another_projects_instance_is_a_404_page(alice, cloud):
    theirs = InstanceFactory(name="theirs", nics=[cloud.net_b], project=cloud.project_b)
    assert alice.get(detail(theirs)).status_code == 404
    assert alice.get("/project/not-a-uuid/").status_code == 404
    iso = reverse("horizon:project:multinic_instances:config_drive_iso", args=[theirs.uuid])
    assert alice.get(iso).status_code == 404


def test_bare_metal_detail_shows_the_bond_and_no_domain(alice, cloud):
    built = build_node("bm-1", cloud.project_a, [("physnet1", True), ("physnet1", True)],
                       groups=[{"name": "bond0", "ports": [0, 1], "mode": "802.3ad"}])
    instance = InstanceFactory(name="metal", nics=[cloud.net_a], node=built.node.name)
    html = alice.get(detail(instance)).content.decode()
    assert "bond bond0 (802.3ad: 52:54:00" in html
    assert "&quot;type&quot;: &quot;bond&quot;" in html
    assert "bare-metal" in html and 'id="libvirt-xml"' not in html


def cell_texts(html: str, table: str, object_id) -> list[str]:
    """The rendered text of each cell of one row of a Horizon table."""
    start = html.index(f'id="{table}__row__{object_id}"')
    row = html[start:html.index("</tr>", start)]
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def test_blank_cells_show_a_dash(alice, cloud):
    """Horizon shows ``empty_value`` only for None: a blank node, tag, carrier or address
    list must reach it as None, else the cell is empty rather than "-"."""
    bare = subnets.create_network(cloud.project_a, "no-subnets")
    vm = instances.launch_instance(project=cloud.project_a, name="vm", nics=[
        instances.NicRequest(network_id=cloud.net_a.pk, tag="db"),
        instances.NicRequest(network_id=bare.pk)])
    built = build_node("bm-2", cloud.project_a, [("physnet1", True)])
    metal = InstanceFactory(name="metal", nics=[cloud.net_a], node=built.node.name)
    tagged, blank = vm.vifs.order_by("position")
    VIF.objects.filter(pk=blank.pk).update(tag="")  # blank rather than None: still "-"
    html = alice.get(detail(vm)).content.decode()
    # NIC, MAC, IP addresses, network, tag, carried by, VIF ID
    assert cell_texts(html, "interfaces", tagged.uuid)[4:6] == ["db", "-"]
    assert cell_texts(html, "interfaces", blank.uuid)[2:6] == ["-", "no-subnets", "-", "-"]
    html = alice.get(detail(metal)).content.decode()
    assert cell_texts(html, "interfaces", metal.vifs.get().uuid)[5] == \
        f"port {built.ports[0].mac}"
    html = alice.get(INDEX).content.decode()
    # checkbox, name, NICs, interfaces, node, created, actions
    assert cell_texts(html, "instances", vm.uuid)[4] == "-"
    assert cell_texts(html, "instances", metal.uuid)[4] == "bm-2"


# --- attach and detach ---------------------------------------------------------------------

def test_attach_interface_adds_the_next_nic(alice, cloud):
    instance = InstanceFactory(name="web", nics=[cloud.net_a])
    url = reverse("horizon:project:multinic_instances:attach_interface", args=[instance.uuid])
    assert alice.get(url).status_code == 200
    response = alice.post(url, {"network": str(cloud.shared.pk), "fixed_ip": "192.0.2.3",
                                "tag": "storage"})
    assert response.status_code == 302 and response["Location"] == detail(instance)
    vif = instance.vifs.get(position=1)
    assert vif.tag == "storage" and str(vif.fixed_ips.get().address) == "192.0.2.3"


def test_attach_with_a_bad_address_shows_the_services_message_and_adds_nothing(alice, cloud):
    instance = InstanceFactory(name="web", nics=[cloud.net_a])
    url = reverse("horizon:project:multinic_instances:attach_interface", args=[instance.uuid])
    response = alice.post(url, {"network": str(cloud.shared.pk), "fixed_ip": "10.9.9.9"})
    assert response.status_code == 200
    assert "10.9.9.9" in response.content.decode()
    assert instance.vifs.count() == 1


def test_attach_offers_only_usable_networks(alice, cloud):
    instance = InstanceFactory(name="web", nics=[cloud.net_a])
    url = reverse("horizon:project:multinic_instances:attach_interface", args=[instance.uuid])
    html = alice.get(url).content.decode()
    assert "net-a" in html and "shared" in html and "net-b" not in html
    alice.post(url, {"network": str(cloud.net_b.pk)})
    assert instance.vifs.count() == 1


def test_detach_interface_frees_it(alice, cloud):
    instance = InstanceFactory(name="web", nics=[cloud.net_a, cloud.shared])
    eth1 = instance.vifs.get(position=1)
    url = reverse("horizon:project:multinic_instances:detach_interface", args=[instance.uuid])
    assert eth1.mac in alice.get(url).content.decode()
    assert alice.post(url, {"vif": str(eth1.uuid)}).status_code == 302
    assert list(instance.vifs.values_list("position", flat=True)) == [0]
    assert not FixedIP.objects.filter(subnet=cloud.sub_shared).exists()


def test_another_projects_instance_cannot_get_an_interface(alice, cloud):
    theirs = InstanceFactory(name="theirs", nics=[cloud.net_b], project=cloud.project_b)
    url = reverse("horizon:project:multinic_instances:attach_interface", args=[theirs.uuid])
    assert alice.get(url).status_code == 404
    assert alice.post(url, {"network": str(cloud.shared.pk)}).status_code == 404
    assert theirs.vifs.count() == 1


# --- the launch wizard (what its script posts) ---------------------------------------------

def test_wizard_page_offers_networks_with_subnets_and_visible_nodes(alice, cloud):
    build_node("mine", cloud.project_a, [("physnet1", True)])
    build_node("not-mine", cloud.project_b, [("physnet1", True)])
    html = alice.get(LAUNCH).content.decode()
    networks = json.loads(html.split('id="multinic-networks-data" type="application/json">')[1]
                          .split("</script>")[0])
    offered = {n["name"] for n in networks}
    assert {"net-a", "shared"} <= offered and "net-b" not in offered
    assert "mine (1 ports, 0 port groups)" in html and "not-mine" not in html
    # The script's URLs are the panel's own (never /api/, which only this site serves).
    assert 'data-preview-url="/project/launch/preview/"' in html
    assert 'data-bonding-modes-url="/project/launch/bonding-modes/"' in html
    assert 'data-carriers-url="/project/launch/carriers/"' in html


def test_wizard_launches_nics_in_the_posted_order_and_lands_on_the_detail(alice, cloud):
    nics = [{"network_id": str(cloud.shared.pk), "tag": "front"},
            {"network_id": str(cloud.net_a.pk), "fixed_ip": "10.0.0.50"},
            {"network_id": str(cloud.shared.pk)}]
    response = wizard_post(alice, "ordered", nics, metadata="role=web\nteam = blue",
                           user_data="#cloud-config\n")
    instance = Instance.objects.get(name="ordered")
    assert response.status_code == 302 and response["Location"] == detail(instance)
    vifs = list(instance.vifs.order_by("position"))
    assert [v.network_id for v in vifs] == [cloud.shared.pk, cloud.net_a.pk, cloud.shared.pk]
    assert vifs[0].tag == "front"
    assert str(vifs[1].fixed_ips.get(subnet__ip_version=4).address) == "10.0.0.50"
    assert instance.metadata == {"role": "web", "team": "blue"}
    assert instance.config_drive is True
    assert instance.user_data  # stored base64, as the API stores it


def test_wizard_without_networks_says_so_and_creates_nothing(alice, cloud):
    response = wizard_post(alice, "nothing", [])
    assert response.status_code == 200
    assert "At least one network must be specified." in response.content.decode()
    assert not Instance.objects.exists()


def test_wizard_refuses_a_network_it_did_not_offer(alice, cloud):
    response = wizard_post(alice, "sneaky", [{"network_id": str(cloud.net_b.pk)}])
    assert response.status_code == 200
    assert "eth0: choose one of the listed networks." in response.content.decode()
    assert not Instance.objects.exists()


def test_wizard_bonds_two_ports_in_802_3ad(alice, cloud):
    built = build_node("bm-1", cloud.project_a, [("physnet1", True), ("physnet1", True),
                                                 ("physnet2", True)])
    ports = [str(p.uuid) for p in built.ports[:2]]
    carriers = [{"bond": {"ports": ports, "mode": "802.3ad",
                          "properties": {"miimon": 100, "lacp_rate": "fast"}}}]
    response = wizard_post(alice, "bonded", [{"network_id": str(cloud.net_a.pk)}],
                           node=str(built.node.uuid), carriers=carriers)
    instance = Instance.objects.get(name="bonded")
    assert response.status_code == 302
    vif = instance.vifs.get()
    group = PortGroup.objects.get(pk=vif.port_group_id)
    assert group.instance_id == instance.pk
    assert sorted(str(p.uuid) for p in group.ports.all()) == sorted(ports)
    bound = vif.binding_profile["local_group_information"]
    assert bound["bond_mode"] == "802.3ad"
    assert bound["bond_properties"] == {"miimon": 100, "lacp_rate": "fast"}


def test_wizard_ignores_carriers_without_a_node(alice, cloud):
    carriers = [{"port": "00000000-0000-0000-0000-000000000000"}]
    response = wizard_post(alice, "vm", [{"network_id": str(cloud.net_a.pk)}],
                           carriers=carriers)
    assert response.status_code == 302
    assert Instance.objects.get(name="vm").vifs.get().port_id is None


def test_wizard_shows_a_bonding_rule_and_creates_nothing(alice, cloud):
    built = build_node("bm-1", cloud.project_a, [("physnet1", True), ("physnet1", True)])
    carriers = [{"bond": {"ports": [str(p.uuid) for p in built.ports], "mode": "active-backup",
                          "properties": {"lacp_rate": "fast"}}}]
    response = wizard_post(alice, "bad-bond", [{"network_id": str(cloud.net_a.pk)}],
                           node=str(built.node.uuid), carriers=carriers)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="launch-error"' in html
    assert "Bonding option &#x27;lacp_rate&#x27; is not allowed in mode" in html
    assert not Instance.objects.exists() and not PortGroup.objects.exists()
    assert not VIF.objects.exists()
    # what the user entered comes back, so the script can rebuild the form
    assert "bad-bond" in html and str(built.ports[0].uuid) in html


def test_wizard_reports_an_exhausted_subnet_and_creates_nothing(alice, cloud):
    nics = [{"network_id": str(cloud.shared.pk)}] * 4  # the pool holds three addresses
    response = wizard_post(alice, "too-many", nics)
    assert response.status_code == 200
    assert 'id="launch-error"' in response.content.decode()
    assert not Instance.objects.exists() and not FixedIP.objects.exists()


def test_wizard_validates_each_step_for_the_next_button(alice, cloud):
    """Horizon's wizard asks the server to validate steps before moving on."""
    headers = {"HTTP_X_HORIZON_VALIDATE_STEP_START": "1",
               "HTTP_X_HORIZON_VALIDATE_STEP_END": "1"}
    data = {"name": "x", "nics": "[]", "carriers": "[]", "node": ""}
    answer = alice.post(LAUNCH, data, **headers).json()
    assert answer["has_errors"] is True
    assert answer["errors"]["networks"]["nics"] == ["At least one network must be specified."]
    data["nics"] = json.dumps([{"network_id": str(cloud.net_a.pk)}])
    assert alice.post(LAUNCH, data, **headers).json()["has_errors"] is False


def test_a_user_in_no_project_cannot_sign_in(client, cloud):
    # As with Keystone: a user with no role on any project gets no token to act with, so
    # nothing of any project is ever shown to them.
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user("loner", password="pw")
    response = client.post("/auth/login/", {"username": "loner", "password": "pw",
                                             "region": "default"})
    assert response.status_code == 200
    assert "You are not authorized for any projects or domains." in response.content.decode()
    assert "/auth/login/" in client.get(INDEX)["Location"]


def test_delete_from_the_detail_page_works_beyond_the_first_page(alice, cloud, monkeypatch):
    from multinic_dashboard.dashboards.project.instances import views

    monkeypatch.setattr(views.IndexView, "page_size", 2)
    oldest = InstanceFactory(name="oldest", nics=[cloud.net_a])
    for i in range(3):
        InstanceFactory(name=f"newer-{i}", nics=[cloud.net_a])
    page = alice.get(detail(oldest)).content.decode()
    assert f'instances__delete__{oldest.uuid}' in page  # the detail page offers Delete
    response = alice.post(INDEX, {"action": f"instances__delete__{oldest.uuid}"})
    assert response.status_code == 302
    assert not Instance.objects.filter(pk=oldest.pk).exists()


def test_wizard_carriers_cannot_speak_for_the_nic(alice, cloud):
    built = build_node("bm-1", cloud.project_a, [("physnet1", True)])
    carriers = [{"port": str(built.ports[0].uuid), "network_id": str(cloud.net_b.pk)}]
    response = wizard_post(alice, "sneaky", [{"network_id": str(cloud.net_a.pk)}],
                           node=str(built.node.uuid), carriers=carriers)
    assert response.status_code == 200
    assert "The bonding choices could not be read" in response.content.decode()
    assert not Instance.objects.exists()


def test_wizard_refuses_a_tag_that_is_not_text(alice, cloud):
    response = wizard_post(alice, "odd", [{"network_id": str(cloud.net_a.pk), "tag": ["x"]}])
    assert response.status_code == 200
    assert "eth0: a fixed IP and a tag are text." in response.content.decode()
    assert not Instance.objects.exists()


# --- the wizard as a client of the API: what it asks, what its script's URLs answer --------

PREVIEW = "/project/launch/preview/"
MODES = "/project/launch/bonding-modes/"
CARRIERS = "/project/launch/carriers/"


def test_the_wizard_page_asks_the_api_once_for_each_list_it_offers(alice, cloud, api_calls):
    build_node("mine", cloud.project_a, [("physnet1", True)])
    assert alice.get(LAUNCH).status_code == 200
    # Key pairs, networks and their subnets, nodes: one page each. The bonding modes and a
    # node's ports are the script's to ask for, when it needs them.
    assert sorted(api_calls) == [("GET", "keypairs/"), ("GET", "networks/"),
                                 ("GET", "nodes/"), ("GET", "subnets/")]


def test_the_wizard_launches_with_one_api_call_after_reading_its_lists(alice, cloud,
                                                                       api_calls):
    response = wizard_post(alice, "counted", [{"network_id": str(cloud.net_a.pk)}])
    assert response.status_code == 302
    assert [c for c in api_calls if c[0] == "POST"] == [("POST", "instances/")]
    assert len(api_calls) == 5  # the four lists the steps validate against, and the launch


def test_the_wizard_offers_the_users_own_key_pairs_from_the_api(alice, cloud):
    from tests.harness.helpers import ED25519

    KeypairFactory(user=cloud.alice, name="zeta")
    KeypairFactory(user=cloud.alice, name="alpha")
    KeypairFactory(user=cloud.bob, name="bobs-key")
    html = alice.get(LAUNCH).content.decode()
    offered = re.findall(r'<option value="([^"]*)"', html.split('name="key_name"')[1]
                         .split("</select>")[0])
    assert offered == ["", "alpha", "zeta"]
    response = wizard_post(alice, "keyed", [{"network_id": str(cloud.net_a.pk)}],
                           key_name="zeta")
    assert response.status_code == 302
    assert Instance.objects.get(name="keyed").public_key == ED25519


def test_what_the_api_cannot_give_the_wizard_says_with_its_reason(alice, cloud, monkeypatch):
    from multinic_dashboard.api import multinic

    def refuse(request):
        raise multinic.APIError(503, "The cloud's catalog has no network-manager service.")

    monkeypatch.setattr(multinic, "keypair_list", refuse)
    monkeypatch.setattr(multinic, "launchable_nodes", refuse)
    html = alice.get(LAUNCH).content.decode()
    assert ("Your key pairs could not be loaded: The cloud&#x27;s catalog has no "
            "network-manager service.") in html
    assert "The bare-metal nodes could not be loaded" in html
    # Nothing it could not load is offered; what it could (the networks) still is.
    assert re.findall(r'<option value="([^"]*)"', html.split('name="key_name"')[1]
                      .split("</select>")[0]) == [""]
    assert re.findall(r'<option value="([^"]*)"', html.split('name="node"')[1]
                      .split("</select>")[0]) == [""]
    assert "net-a" in html


def preview_fields(cloud, nics=None, carriers=(), **extra) -> dict[str, str]:
    """The wizard's form as its script posts it to the preview (as the launch posts it)."""
    nics = [{"network_id": str(cloud.net_a.pk)}] if nics is None else nics
    return {"name": "p", "key_name": "", "user_data": "", "metadata": "",
            "config_drive": "on", "nics": json.dumps(nics), "node": "",
            "carriers": json.dumps(list(carriers)), **extra}


def test_the_preview_is_the_apis_dry_run_and_keeps_nothing(alice, cloud):
    response = alice.post(PREVIEW, preview_fields(cloud, metadata="role = web",
                                                  user_data="#cloud-config\n"))
    assert response.status_code == 200, response.content
    data = response.json()
    assert [link["type"] for link in data["network_data"]["links"]] == ["bridge"]
    assert data["meta_data"]["name"] == "p" and len(data["network_info"]) == 1
    assert data["meta_data"]["meta"] == {"role": "web"}
    assert not Instance.objects.exists() and not VIF.objects.exists()


def test_a_refused_preview_is_the_apis_error_body_with_its_status(alice, cloud):
    built = build_node("bm-1", cloud.project_a, [("physnet1", True), ("physnet1", True)])
    fields = preview_fields(cloud, node=str(built.node.uuid), carriers=[{
        "bond": {"ports": [str(p.uuid) for p in built.ports], "mode": "active-backup",
                 "properties": {"lacp_rate": "fast"}}}])
    refused = alice.post(PREVIEW, fields)
    assert refused.status_code == 400
    assert "Bonding option 'lacp_rate' is not allowed in mode" in refused.json()["detail"]
    # A malformed body: the API's message, and the fields it names.
    malformed = alice.post(PREVIEW, preview_fields(cloud, name=""))
    assert malformed.status_code == 400
    assert malformed.json()["code"] == "invalid" and "name" in malformed.json()["fields"]


def test_the_preview_refuses_what_the_launch_refuses_with_its_message(alice, cloud):
    """The preview reads the wizard's fields with the launch's own code: what the launch would
    refuse, the preview refuses first, with the same words."""
    cases = [({"metadata": "role=web\noops"}, "Line 2: write key=value (got 'oops')."),
             ({"nics": "{not json"}, "The list of networks could not be read; reload the page."),
             ({"nics": "[]"}, "At least one network must be specified."),
             ({"carriers": '[{"network_id": "x"}]'},
              "The bonding choices could not be read; reload the page.")]
    for change, message in cases:
        previewed = alice.post(PREVIEW, {**preview_fields(cloud), **change})
        assert previewed.status_code == 400, change
        assert previewed.json() == {"detail": message, "code": "invalid"}
        launched = alice.post(LAUNCH, {**preview_fields(cloud), **change})
        assert launched.status_code == 200 and message in unescape(
            launched.content.decode()), change
    assert not Instance.objects.exists()


def test_the_preview_is_a_csrf_protected_post_for_signed_in_users(client, cloud):
    from django.test import Client

    assert client.post(PREVIEW, preview_fields(cloud)).status_code == 302  # to sign in
    strict = Client(enforce_csrf_checks=True)
    sign_in(strict, "alice", "pw-alice")
    refused = strict.post(PREVIEW, preview_fields(cloud))
    assert refused.status_code == 403
    page = strict.get(LAUNCH).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    allowed = strict.post(PREVIEW, preview_fields(cloud), HTTP_X_CSRFTOKEN=token)
    assert allowed.status_code == 200
    # as the script posts it: the form's own token among its fields
    allowed = strict.post(PREVIEW, {**preview_fields(cloud), "csrfmiddlewaretoken": token})
    assert allowed.status_code == 200
    assert strict.get(PREVIEW).status_code == 405


def test_the_bonding_modes_are_the_apis_or_its_reason_for_not_giving_them(alice, cloud,
                                                                           monkeypatch):
    from multinic_api.services import bonding
    from multinic_dashboard.api import multinic

    answer = alice.get(MODES)
    assert answer.status_code == 200
    assert answer.json() == json.loads(json.dumps(bonding.describe()))

    def refuse(request):
        raise multinic.APIError(503, "The cloud's catalog has no network-manager service.")

    monkeypatch.setattr(multinic, "bonding_modes", refuse)
    failed = alice.get(MODES)
    assert failed.status_code == 503
    assert failed.json() == {"detail": "The cloud's catalog has no network-manager service.",
                             "code": "error"}


def test_an_unreachable_api_is_a_503_that_says_so(alice, cloud, settings):
    # Nothing listens on the discard port: the client's APIError (503) names the endpoint.
    settings.MULTINIC_API_URL = "http://127.0.0.1:9/network-manager"
    settings.MULTINIC_API_ADAPTER = ""
    failed = alice.get(MODES)
    assert failed.status_code == 503
    assert failed.json()["detail"].startswith(
        "The multinic API at http://127.0.0.1:9/network-manager cannot be reached")


def test_a_nodes_carriers_are_its_ports_and_groups_with_what_is_in_use(alice, cloud):
    built = build_node("bm-1", cloud.project_a,
                       [("physnet1", True), ("physnet1", True), ("physnet2", True)],
                       groups=[{"name": "bond0", "ports": [0, 1], "mode": "802.3ad"}])
    instances.launch_instance(project=cloud.project_a, name="on-it", node=built.node,
                              nics=[instances.NicRequest(network_id=cloud.net_a.pk)])
    data = alice.get(CARRIERS, {"node": str(built.node.uuid)}).json()
    ports = {p["mac"]: p for p in data["ports"]}
    assert sorted(ports) == sorted(p.mac for p in built.ports)
    group = built.groups[0]
    assert [g["uuid"] for g in data["port_groups"]] == [str(group.uuid)]
    assert data["port_groups"][0]["ports"] == [str(p.uuid) for p in built.ports[:2]]
    assert {ports[p.mac]["port_group_uuid"] for p in built.ports[:2]} == {str(group.uuid)}
    # The launch above took one carrier: exactly one is now in use.
    in_use = [p for p in data["ports"] if p["vif_uuid"]] + [
        g for g in data["port_groups"] if g["vif_uuid"]]
    assert len(in_use) == 1


def test_another_projects_node_has_no_carriers_for_you(alice, cloud):
    theirs = build_node("theirs", cloud.project_b, [("physnet1", True)])
    answer = alice.get(CARRIERS, {"node": str(theirs.node.uuid)})
    assert answer.status_code == 404
    assert answer.json()["detail"] == f"Node {theirs.node.uuid} not found"
    assert alice.get(CARRIERS).status_code == 400


def test_an_unreachable_api_on_an_instances_pages_is_a_message_not_a_500(alice, cloud,
                                                                          settings):
    instance = InstanceFactory(name="web", nics=[cloud.net_a])
    settings.MULTINIC_API_URL = "http://127.0.0.1:9/network-manager"
    settings.MULTINIC_API_ADAPTER = ""
    for page in (detail(instance), f"{INDEX}{instance.uuid}/attach_interface/"):
        response = alice.get(page, follow=True)
        assert response.status_code == 200, page
        assert response.redirect_chain[0][0] == INDEX, page
        assert "cannot be reached" in response.content.decode(), page


# --- the wizard's Count ---------------------------------------------------------------------

def test_the_wizard_offers_horizons_count_field(alice, cloud):
    html = alice.get(LAUNCH).content.decode()
    field = re.search(r'<input[^>]*name="count"[^>]*>', html).group(0)
    assert 'type="number"' in field and 'value="1"' in field and 'min="1"' in field
    assert re.search(r'<label [^>]*for="id_count">\s*<span class="field-label">Count</span>',
                     html)


def test_the_wizard_launches_count_instances_and_lands_on_the_list(alice, cloud):
    response = wizard_post(alice, "web", [{"network_id": str(cloud.net_a.pk)},
                                          {"network_id": str(cloud.shared.pk)}], count="3")
    assert response.status_code == 302, response.content.decode()[-3000:]
    assert response["Location"] == INDEX
    launched = Instance.objects.order_by("launch_index")
    assert [(i.name, i.launch_index) for i in launched] == [("web-1", 0), ("web-2", 1),
                                                           ("web-3", 2)]
    assert len({i.reservation_id for i in launched}) == 1
    assert VIF.objects.count() == 6 and len(set(VIF.objects.values_list("mac", flat=True))) == 6
    page = alice.get(INDEX).content.decode()
    assert 'Launched 3 instances, &quot;web-1&quot; to &quot;web-3&quot;.' in page


@pytest.mark.parametrize(("count", "message"), [
    ("0", "Ensure this value is greater than or equal to 1."),
    ("two", "Enter a whole number."),
    ("1001", "At most 1000 instances may be launched in one request"),
    ("4", "Only 3 of the 4 instances asked for could be made"),  # the shared pool holds 3
])
def test_a_bad_or_impossible_count_is_refused_and_creates_nothing(alice, cloud, count, message):
    response = wizard_post(alice, "web", [{"network_id": str(cloud.shared.pk)}], count=count)
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert not Instance.objects.exists() and not VIF.objects.exists()


def test_a_count_onto_one_bare_metal_node_is_refused(alice, cloud):
    built = build_node("bm-1", cloud.project_a, [("physnet1", True)] * 4)
    response = wizard_post(alice, "bm", [{"network_id": str(cloud.net_a.pk)}],
                           node=str(built.node.uuid), count="2")
    assert response.status_code == 200
    assert "A bare-metal node carries one instance" in unescape(response.content.decode())
    assert not Instance.objects.exists()
    previewed = alice.post(PREVIEW, preview_fields(cloud, node=str(built.node.uuid), count="2"))
    assert previewed.status_code == 400
    assert "A bare-metal node carries one instance" in previewed.json()["detail"]


def test_the_preview_previews_each_of_count_instances(alice, cloud):
    response = alice.post(PREVIEW, preview_fields(cloud, count="2"))
    assert response.status_code == 200, response.content
    previews = response.json()["instances"]
    assert [p["meta_data"]["name"] for p in previews] == ["p-1", "p-2"]
    assert [len(p["network_info"]) for p in previews] == [1, 1]
    assert not Instance.objects.exists() and not VIF.objects.exists()
