"""The dashboard in a real browser: Debian's headless Chromium driven by Selenium against a live
server with the demo data. Every page visited must leave no error in the browser's console.

``MULTINIC_SCREENSHOTS=<dir>`` (``make screenshots``) also saves the pictures the README shows.
"""

import json
import os

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from multinic_api.models import VIF, Instance, Network, Node, PortGroup, Project
from multinic_api.services import baremetal, instances, subnets
from multinic_identity import services as identity
from tests.harness import browser
from tests.harness.browser import Session

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

@pytest.fixture
def demo(live_server):
    call_command("load_demo_data", password="multinic", stdout=open(os.devnull, "w"))
    return live_server


@pytest.fixture
def chromium():
    yield from browser.console_checked(browser.Session)


def start_launch(session: Session, name: str) -> None:
    session.open("/project/launch/")
    session.find("input[name='name']").send_keys(name)
    session.next_step()
    session.wait().until(ec.visibility_of_element_located((By.ID, "available-networks")))


def bond_storage_ports(server, session: Session, name: str):
    """As demo: one NIC on the storage network, onto the demo node, carried by a new bond of
    its two physnet2 ports (the bonding step is left open). The node and those ports."""
    session.sign_in(server, "demo")
    start_launch(session, name)
    session.add_network("storage")
    session.next_step()
    node = Node.objects.get(name="demo-baremetal-1")
    Select(session.find("select[name='node']")).select_by_value(str(node.uuid))
    session.next_step()
    Select(session.find("#carrier-kind-0")).select_by_value("bond")
    ports = list(node.ports.filter(physical_network="physnet2").order_by("mac"))
    for port in ports:
        session.click(f"#bond-0-port-{port.uuid}")
    return node, ports


def launched(name: str) -> Instance:
    return Instance.objects.get(name=name)


def test_reordered_networks_become_the_instances_nic_order(demo, chromium):
    chromium.sign_in(demo, "demo")
    start_launch(chromium, "ordered")
    for name in ("private", "public", "storage"):
        chromium.add_network(name)
    assert chromium.selected_networks() == ["private", "public", "storage"]

    # Drag eth2 (storage) above eth0 ...
    items = chromium.find_all("#selected-networks li.nic")
    ActionChains(chromium.driver).click_and_hold(items[2].find_element(
        By.CSS_SELECTOR, ".network-name")).move_by_offset(0, -10).move_to_element(
        items[0].find_element(By.CSS_SELECTOR, ".nic-name")).move_by_offset(0, -15).release(
        ).perform()
    chromium.wait().until(lambda d: chromium.selected_networks()[0] == "storage")
    assert chromium.selected_networks() == ["storage", "private", "public"]
    # ... then, from the keyboard, move eth1 (private) down one.
    chromium.find("#selected-networks li.nic[data-index='1'] .move-down").send_keys(Keys.ENTER)
    assert chromium.selected_networks() == ["storage", "public", "private"]
    labels = [e.text for e in chromium.find_all("#selected-networks .nic-name")]
    assert labels == ["eth0", "eth1", "eth2"]
    # The keyboard stays on the moved NIC (now last: its "up" button, "down" being disabled).
    focused = chromium.driver.switch_to.active_element
    assert focused.get_attribute("aria-label") == "Move eth2 up"

    network_data = chromium.preview_network_data()
    assert len(network_data["links"]) == 3
    chromium.screenshot("wizard-networks.png")

    chromium.launch()
    chromium.wait().until(ec.presence_of_element_located((By.ID, "instance-name")))
    instance = launched("ordered")
    assert chromium.driver.current_url.endswith(f"/project/{instance.uuid}/")
    order = [vif.network.name for vif in instance.vifs.order_by("position")]
    assert order == ["storage", "public", "private"]


def test_count_launches_several_alike_and_the_preview_says_how_many(demo, chromium):
    chromium.sign_in(demo, "demo")
    chromium.open("/project/launch/")
    chromium.find("input[name='name']").send_keys("web")
    count = chromium.find("input[name='count']")
    count.clear()
    count.send_keys("3")
    chromium.next_step()
    chromium.wait().until(ec.visibility_of_element_located((By.ID, "available-networks")))
    chromium.add_network("private")
    assert chromium.preview_state() == "ok"
    assert chromium.find("#preview-status").text == (
        "Up to date: 3 instances, 1 NIC(s) each; the first is shown.")
    assert chromium.preview_network_data()["links"][0]["type"] == "bridge"
    chromium.launch()
    chromium.wait().until(lambda d: d.current_url.endswith("/project/"))
    launched = Instance.objects.order_by("launch_index")
    assert [(i.name, i.vifs.count()) for i in launched] == [("web-1", 1), ("web-2", 1),
                                                           ("web-3", 1)]


# Two of the wizard's strings as a language's catalogue would hold them (Django's gettext and
# ngettext read django.catalog; a catalogue loaded after the page's is merged the same way).
FRENCH = {
    "Move %(nic)s up": "Monter %(nic)s",
    "Fixed IP (optional)": "IP fixe (facultative)",
    "Up to date: %s NIC.": ["À jour : %s carte.", "À jour : %s cartes."],
}


def test_the_wizards_strings_go_through_the_catalogue_and_names_are_text(demo, chromium):
    # A network name is whatever its owner typed: shown as text wherever the script puts it.
    project = Project.objects.get(name="demo")
    subnets.create_subnet(subnets.create_network(project, "<b>bold</b>"), "10.77.0.0/24")
    chromium.sign_in(demo, "demo")
    start_launch(chromium, "translated")
    catalogues = [s.get_attribute("src") for s in chromium.find_all("script[src*='/i18n/js/']")]
    assert [url.split("/i18n/js/")[1] for url in catalogues] == ["horizon+multinic_dashboard/"]
    chromium.driver.execute_script("Object.assign(django.catalog, arguments[0])", FRENCH)

    chromium.add_network("<b>bold</b>")
    assert chromium.selected_networks() == ["<b>bold</b>"]
    assert not chromium.find_all("#selected-networks b")
    nic = chromium.find("#selected-networks li.nic")
    assert nic.find_element(By.CSS_SELECTOR, ".move-up").get_attribute("aria-label") == (
        "Monter eth0")
    assert nic.find_element(By.CSS_SELECTOR, ".nic-fixed-ip").get_attribute("placeholder") == (
        "IP fixe (facultative)")
    # untranslated strings stay as they are
    assert nic.find_element(By.CSS_SELECTOR, ".nic-tag").get_attribute("placeholder") == (
        "Device tag (optional)")
    assert chromium.preview_state() == "ok"
    assert chromium.find("#preview-status").text == "À jour : 1 carte."

    chromium.next_step()
    node = Node.objects.get(name="demo-baremetal-1")
    Select(chromium.find("select[name='node']")).select_by_value(str(node.uuid))
    chromium.next_step()
    heading = chromium.wait().until(ec.visibility_of_element_located(
        (By.CSS_SELECTOR, ".nic-carrier .panel-heading")))
    assert heading.text == "eth0 <b>bold</b>"
    assert not chromium.find_all("#bonding-nics b")


def test_the_preview_refuses_a_metadata_line_as_the_launch_does(demo, chromium):
    chromium.sign_in(demo, "demo")
    start_launch(chromium, "described")
    chromium.add_network("private")
    assert chromium.preview_state() == "ok"
    chromium.click(".button-previous")  # back to Details
    chromium.find("textarea[name='metadata']").send_keys("role=web\noops")
    assert chromium.preview_state() == "error"
    message = "Line 2: write key=value (got 'oops')."
    assert chromium.find("#preview-error").text == message
    assert chromium.find("fieldset.active .multinic-inline-error").text == message


def test_bond_two_demo_ports_in_802_3ad_with_fast_lacp(demo, chromium):
    node, physnet2 = bond_storage_ports(demo, chromium, "bonded")
    for member in node.ports.filter(port_group__isnull=False):  # the demo's bond0 has them
        assert not chromium.find(f"#bond-0-port-{member.uuid}").is_enabled()
    Select(chromium.find("#bond-0-mode")).select_by_value("802.3ad")
    # Exactly the options 802.3ad allows are offered, miimon filled in with its default.
    shown = [e.get_attribute("data-option") for e in chromium.find_all(".bond-option-group")]
    assert shown == ["miimon", "updelay", "downdelay", "xmit_hash_policy", "lacp_rate",
                     "ad_select"]
    assert chromium.find("#bond-0-miimon").get_attribute("value") == "100"
    assert "LACP" in chromium.find(".mode-help").text
    Select(chromium.find("#bond-0-lacp_rate")).select_by_value("fast")

    assert chromium.preview_state() == "ok"
    links = chromium.preview_network_data()["links"]
    bond = links[0]
    assert bond["type"] == "bond" and bond["bond_mode"] == "802.3ad"
    assert bond["bond_lacp_rate"] == "fast" and bond["bond_miimon"] == 100
    assert bond["bond_links"] == [str(p.uuid) for p in physnet2]
    assert [link["ethernet_mac_address"] for link in links[1:]] == [p.mac for p in physnet2]
    assert not Instance.objects.exists()  # the preview committed nothing
    chromium.screenshot("wizard-bonding-preview.png")

    chromium.launch()
    chromium.wait().until(ec.presence_of_element_located((By.ID, "instance-name")))
    instance = launched("bonded")
    group = PortGroup.objects.get(instance=instance)
    assert sorted(p.mac for p in group.ports.all()) == [p.mac for p in physnet2]

    chromium.click("a[data-target$='__config_drive']")
    pane = chromium.find("div.tab-pane[data-path='openstack/latest/network_data.json']")
    chromium.wait().until(lambda d: pane.is_displayed())
    document = json.loads(pane.find_element(By.TAG_NAME, "pre").text)
    assert document["links"][0]["bond_lacp_rate"] == "fast"
    assert document["links"][0]["bond_links"] == [str(p.uuid) for p in physnet2]
    # another file of the browser, chosen from the list
    chromium.click("#config-drive-files a[data-path='openstack/latest/meta_data.json']")
    meta = chromium.find("div.tab-pane[data-path='openstack/latest/meta_data.json'] pre")
    chromium.wait().until(lambda d: meta.is_displayed())
    assert json.loads(meta.text)["uuid"] == str(instance.uuid)


def test_an_option_the_mode_does_not_allow_is_shown_inline_and_nothing_is_launched(
        demo, chromium):
    # A physical network's name is an admin's free text; the wizard must show it as text.
    baremetal.create_port(Node.objects.get(name="demo-baremetal-1"), "52:54:00:6d:00:09",
                          physical_network="<img id=pwned src=x>")
    bond_storage_ports(demo, chromium, "refused")
    assert not chromium.find_all("#pwned")
    assert "<img id=pwned src=x>" in chromium.find(".bond-members").text
    assert Select(chromium.find("#bond-0-mode")).first_selected_option.text == "active-backup"
    assert not chromium.find_all("#bond-0-lacp_rate")  # not offered in this mode
    chromium.click(".nic-carrier[data-index='0'] .add-extra")
    chromium.find(".bond-extra-key").send_keys("lacp_rate")
    chromium.find(".bond-extra-value").send_keys("fast")

    assert chromium.preview_state() == "error"
    inline = chromium.find("fieldset.active .multinic-inline-error")
    assert "'lacp_rate' is not allowed in mode 'active-backup'" in inline.text
    assert inline.is_displayed()
    assert "not allowed" in chromium.find("#preview-error").text

    chromium.launch()
    chromium.wait().until(ec.presence_of_element_located((By.ID, "launch-error")))
    assert "not allowed in mode 'active-backup'" in chromium.find("#launch-error").text
    assert not Instance.objects.exists() and not VIF.objects.exists()
    assert PortGroup.objects.count() == 1  # the demo's own bond0, nothing new
    # The wizard comes back as it was: the NIC and its bond, ready to be corrected.
    chromium.wait().until(lambda d: chromium.find_all(".bond-extra-key"))
    assert chromium.selected_networks() == ["storage"]
    assert chromium.find(".bond-extra-key").get_attribute("value") == "lacp_rate"


def carriers_field(session: Session) -> list:
    """What the hidden ``carriers`` field holds: what the launch will post."""
    return json.loads(session.driver.execute_script(
        "return document.querySelector('input[name=\"carriers\"]').value"))


def test_a_refused_bond_comes_back_as_it_was_sent_and_what_is_changed_is_launched(
        demo, chromium):
    node, physnet2 = bond_storage_ports(demo, chromium, "relaunched")
    Select(chromium.find("#bond-0-mode")).select_by_value("802.3ad")
    Select(chromium.find("#bond-0-lacp_rate")).select_by_value("fast")
    chromium.click(".nic-carrier[data-index='0'] .add-extra")
    chromium.find(".bond-extra-key").send_keys("arp_interval")
    chromium.find(".bond-extra-value").send_keys("200")
    assert chromium.preview_state() == "error"
    sent = carriers_field(chromium)
    assert sent[0]["bond"]["mode"] == "802.3ad"
    assert sent[0]["bond"]["properties"]["arp_interval"] == 200

    chromium.launch()
    chromium.wait().until(ec.presence_of_element_located((By.ID, "launch-error")))
    assert "'arp_interval' is not allowed in mode '802.3ad'" in chromium.find("#launch-error").text
    assert not Instance.objects.exists()
    # The bonding step shows exactly what the hidden field holds: the bond, its members, its
    # mode and options, the refused property (not "Automatic" over a bond still being sent).
    chromium.wait().until(lambda d: chromium.find_all(".bond-extra-key"))
    assert carriers_field(chromium) == sent
    chromium.show_step("#carrier-kind-0")
    assert Select(chromium.find("#carrier-kind-0")).first_selected_option.get_attribute(
        "value") == "bond"
    checked = [e.get_attribute("value") for e in chromium.find_all(".bond-port")
               if e.is_selected()]
    assert checked == [str(p.uuid) for p in physnet2]
    assert Select(chromium.find("#bond-0-mode")).first_selected_option.text == "802.3ad"
    assert Select(chromium.find("#bond-0-lacp_rate")).first_selected_option.text == "fast"
    assert chromium.find("#bond-0-miimon").get_attribute("value") == "100"
    assert chromium.find(".bond-extra-key").get_attribute("value") == "arp_interval"
    assert chromium.find(".bond-extra-value").get_attribute("value") == "200"
    assert chromium.preview_state() == "error"  # the preview judges what is shown, too

    # Changing it changes what is posted: without the refused property, it launches.
    chromium.click(".nic-carrier[data-index='0'] .remove-extra")
    corrected = carriers_field(chromium)
    assert "arp_interval" not in corrected[0]["bond"]["properties"]
    assert corrected[0]["bond"]["properties"]["lacp_rate"] == "fast"
    assert chromium.preview_state() == "ok"
    chromium.launch()
    chromium.wait().until(ec.presence_of_element_located((By.ID, "instance-name")))
    group = PortGroup.objects.get(instance=launched("relaunched"))
    assert group.mode == "802.3ad" and group.properties["lacp_rate"] == "fast"
    assert "arp_interval" not in group.properties
    assert sorted(p.mac for p in group.ports.all()) == [p.mac for p in physnet2]


def test_without_the_bonding_modes_the_step_says_why_and_offers_no_mode(
        demo, chromium, monkeypatch):
    from multinic_dashboard.api import multinic

    def no_modes(request):
        raise multinic.APIError(503, "The cloud's catalog has no network-manager service.")

    monkeypatch.setattr(multinic, "bonding_modes", no_modes)
    chromium.sign_in(demo, "demo")
    start_launch(chromium, "modeless")
    chromium.add_network("public")
    chromium.find("#selected-networks .nic-fixed-ip").send_keys("10.99.0.5")  # not its subnet
    chromium.next_step()
    node = Node.objects.get(name="demo-baremetal-1")
    Select(chromium.find("select[name='node']")).select_by_value(str(node.uuid))
    chromium.next_step()
    error = chromium.wait().until(ec.visibility_of_element_located(
        (By.ID, "bonding-modes-error")))
    assert error.text == ("The bonding modes could not be loaded: The cloud's catalog has no "
                          "network-manager service.")
    chromium.assert_console_clean(expected=chromium.base + "/project/launch/bonding-modes/")
    # No mode list it could not load: no new bond (it would need a mode), no mode select.
    new_bond = chromium.find("#carrier-kind-0 option[value='bond']")
    assert not new_bond.is_enabled() and "unavailable" in new_bond.text
    assert not chromium.find_all(".bond-mode")
    # An existing port group keeps its own mode and options, and the step says what is sent.
    bond0 = node.port_groups.get()
    Select(chromium.find("#carrier-kind-0")).select_by_value(f"group:{bond0.uuid}")
    assert not chromium.find_all(".bond-mode")
    assert "could not be loaded" in chromium.find(".bond-modes-error").text
    assert "802.3ad" in chromium.find(".bond-as-sent").text
    sent = carriers_field(chromium)
    assert sent == [{"bond": {"port_group": str(bond0.uuid), "mode": "802.3ad",
                              "properties": {"miimon": 100, "xmit_hash_policy": "layer3+4"}}}]

    chromium.launch()  # refused: the fixed IP is not on the network
    chromium.wait().until(ec.presence_of_element_located((By.ID, "launch-error")))
    assert not Instance.objects.exists()
    # Still without modes, the refused carrier comes back as it was sent, not "Automatic"
    # (once both the node's ports and the modes' failure have arrived).
    chromium.wait().until(lambda d: chromium.find_all("#carrier-kind-0") and d.execute_script(
        "return document.getElementById('bonding-modes-error').textContent"))
    assert carriers_field(chromium) == sent
    assert Select(chromium.find("#carrier-kind-0")).first_selected_option.get_attribute(
        "value") == f"group:{bond0.uuid}"
    assert chromium.find_all(".bond-as-sent")
    chromium.assert_console_clean(expected=chromium.base + "/project/launch/bonding-modes/")
    # Changed, it is what is posted.
    chromium.show_step("#selected-networks")
    chromium.find("#selected-networks .nic-fixed-ip").send_keys(Keys.CONTROL, "a", Keys.DELETE)
    assert json.loads(chromium.find("input[name='nics']").get_attribute("value")) == [
        {"network_id": str(Network.objects.get(name="public").pk), "fixed_ip": "", "tag": ""}]
    chromium.launch()
    chromium.wait().until(ec.presence_of_element_located((By.ID, "instance-name")))
    vif = launched("modeless").vifs.get()
    assert vif.port_group_id == bond0.uuid


def test_the_vif_inventory_lists_new_vifs_and_a_tenant_cannot_open_anothers_instance(
        demo, chromium):
    demo_project = Project.objects.get(name="demo")
    networks = [Network.objects.get(name=n) for n in ("private", "public")]
    instance = instances.launch_instance(
        project=demo_project, name="inventoried",
        nics=[instances.NicRequest(network_id=n.pk) for n in networks])
    macs = [v.mac for v in instance.vifs.order_by("position")]

    chromium.sign_in(demo, "admin")
    chromium.open("/admin/")
    table = chromium.find("table").text
    for mac in macs:
        assert mac in table
    assert "inventoried" in table
    chromium.screenshot("admin-vif-inventory.png")

    outsider = get_user_model().objects.create_user("eve", password="pw-eve")
    identity.add_member(Project.objects.create(name="elsewhere"), outsider)
    chromium.sign_in(demo, "eve", "pw-eve")
    chromium.open(f"/project/{instance.uuid}/", status=404)
    assert "Page not found" in chromium.driver.title
    chromium.open("/project/")
    assert "inventoried" not in chromium.find("table").text
