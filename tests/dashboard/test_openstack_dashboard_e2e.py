"""The plugin where operators run it: inside a real openstack_dashboard (horizon 27), signed in
through a real Keystone 30, its panels calling multinic's API (under gunicorn, behind
keystonemiddleware, on PostgreSQL) with the user's token, found in Keystone's catalog. The
cloud is laid out as the README's "Install into an OpenStack dashboard" says
(tests/harness/openstack_cloud.py); Debian's headless Chromium drives it, and no page may log a
JavaScript error.
"""

import json

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select

from multinic_api.models import VIF, Instance, Node, Port, PortGroup, Project
from tests.harness import browser
from tests.harness.browser import Session
from tests.harness.openstack_cloud import OpenStackCloud

pytestmark = [pytest.mark.keystone, pytest.mark.browser, pytest.mark.postgres,
              pytest.mark.django_db(transaction=True)]

PROJECT = "/project/multinic_instances/"
NETWORKS = "/project/multinic_networks/"
LAUNCH = "/project/multinic_instances/launch/"
BAREMETAL = "/admin/multinic_baremetal/"
VIFS = "/admin/multinic_vifs/"


@pytest.fixture
def cloud(tmp_path):
    stack = OpenStackCloud(tmp_path)
    try:
        yield stack.start()
    finally:
        stack.stop()


@pytest.fixture
def chromium():
    yield from browser.console_checked(DashboardSession)


class DashboardSession(Session):
    """The browser on openstack_dashboard: its own sign-in page (openstack_auth's form, as
    Horizon renders it), landing on the page asked for."""

    def sign_in_to(self, cloud: OpenStackCloud, username: str, password: str,
                   landing: str) -> None:
        self.base = cloud.dashboard.url("").rstrip("/")
        self.driver.delete_all_cookies()
        self.open(f"/auth/login/?next={landing}")
        self.driver.find_element(By.ID, "id_username").send_keys(username)
        self.driver.find_element(By.ID, "id_password").send_keys(password)
        self.driver.find_element(By.ID, "loginBtn").click()
        self.wait(60).until(lambda d: d.current_url.endswith(landing))
        self.wait().until(lambda d: d.execute_script("return document.readyState") ==
                          "complete")

    def modal_form(self, opener_css: str, fields: dict[str, str], submit_done: str) -> None:
        """Open a table action's modal, fill its fields (by name), submit it and wait for
        ``submit_done`` (a CSS selector of the page it leads to)."""
        self.click(opener_css)
        modal = self.wait().until(ec.visibility_of_element_located((By.CSS_SELECTOR,
                                                                    ".modal form")))
        for name, value in fields.items():
            field = modal.find_element(By.NAME, name)
            if field.tag_name == "select":
                Select(field).select_by_value(value)
            elif field.get_attribute("type") == "checkbox":
                if field.is_selected() != (value == "on"):
                    self.driver.execute_script("arguments[0].click()", field)
            else:
                field.clear()
                field.send_keys(value)
        modal.find_element(By.CSS_SELECTOR, "[type='submit']").click()
        self.wait(30).until(ec.invisibility_of_element_located((By.CSS_SELECTOR,
                                                                ".modal form")))
        self.wait().until(ec.presence_of_element_located((By.CSS_SELECTOR, submit_done)))


def test_the_plugin_in_a_real_openstack_dashboard(cloud, chromium):
    keystone = cloud.keystone
    keystone.create_project("teal")
    keystone.create_user("tina", "pw-tina", "teal")
    keystone.create_project("olive")
    keystone.create_user("oscar", "pw-oscar", "olive")
    teal = keystone.project_id("teal")

    # --- a Keystone user whose project multinic has never seen -------------------------
    assert not Project.objects.filter(pk=teal).exists()
    chromium.sign_in_to(cloud, "tina", "pw-tina", NETWORKS)
    assert Project.objects.get(pk=teal).name == "teal"  # recorded from her token
    menu = chromium.find("#sidebar").get_attribute("textContent")
    assert "Multi-NIC" in menu
    for name in ("teal-a", "teal-b", "teal-c"):
        chromium.modal_form("#networks__action_create", {"name": name},
                            f"tr[data-display='{name}']")
    networks = {n.name: n for n in Project.objects.get(pk=teal).networks.all()}
    assert sorted(networks) == ["teal-a", "teal-b", "teal-c"]
    for index, name in enumerate(("teal-a", "teal-b", "teal-c")):
        cidr = f"10.{60 + index}.0.0/24"
        chromium.modal_form(f"#networks__row_{networks[name].id}__action_create_subnet",
                            {"cidr": cidr}, f"tr[data-display='{name}']")
        chromium.wait(30).until(lambda d, cidr=cidr: cidr in chromium.find("table").text)
    assert all(n.subnets.count() == 1 for n in networks.values())

    # --- a Keystone admin enrols a node for her project and gives it ports --------------
    chromium.sign_in_to(cloud, keystone.admin_username, keystone.admin_password, BAREMETAL)
    chromium.modal_form("#nodes__action_create", {"name": "e2e-node", "project": "teal"},
                        "tr[data-display='e2e-node']")
    node = Node.objects.get(name="e2e-node")
    assert node.project_id == teal
    chromium.open(f"{BAREMETAL}{node.uuid}/")
    macs = [f"52:54:00:e2:e2:0{i}" for i in range(4)]
    for mac in macs:
        chromium.modal_form("#ports__action_create", {"mac": mac},
                            f"tr[data-display='{mac}']")
    assert sorted(p.mac for p in node.ports.all()) == macs

    # --- she launches through the wizard: three networks reordered, a new 802.3ad bond --
    chromium.sign_in_to(cloud, "tina", "pw-tina", PROJECT)
    chromium.open(LAUNCH)
    assert chromium.find(".breadcrumb").text.endswith("Launch Instance")  # not "None"
    chromium.find("input[name='name']").send_keys("e2e-vm")
    chromium.next_step()
    chromium.wait().until(ec.visibility_of_element_located((By.ID, "available-networks")))
    for name in ("teal-a", "teal-b", "teal-c"):
        chromium.add_network(name)
    chromium.find("#selected-networks li.nic[data-index='0'] .move-down").click()
    assert chromium.selected_networks() == ["teal-b", "teal-a", "teal-c"]
    chromium.next_step()
    Select(chromium.find("select[name='node']")).select_by_value(str(node.uuid))
    chromium.next_step()
    Select(chromium.find("#carrier-kind-0")).select_by_value("bond")
    bonded = [Port.objects.get(mac=mac) for mac in macs[:2]]
    for port in bonded:
        chromium.click(f"#bond-0-port-{port.uuid}")
    Select(chromium.find("#bond-0-mode")).select_by_value("802.3ad")
    # First with an option 802.3ad does not allow: refused, nothing kept, and the wizard
    # comes back with the bond as it was sent, to be corrected.
    chromium.click(".nic-carrier[data-index='0'] .add-extra")
    chromium.find(".bond-extra-key").send_keys("arp_interval")
    chromium.find(".bond-extra-value").send_keys("200")
    assert chromium.preview_state() == "error"
    chromium.launch()
    chromium.wait(60).until(ec.presence_of_element_located((By.ID, "launch-error")))
    assert "'arp_interval' is not allowed in mode '802.3ad'" in chromium.find(
        "#launch-error").text
    assert not Instance.objects.exists() and not PortGroup.objects.exists()
    chromium.wait().until(lambda d: chromium.find_all(".bond-extra-key"))
    chromium.show_step("#carrier-kind-0")
    assert Select(chromium.find("#carrier-kind-0")).first_selected_option.get_attribute(
        "value") == "bond"
    assert Select(chromium.find("#bond-0-mode")).first_selected_option.text == "802.3ad"
    assert [e.get_attribute("value") for e in chromium.find_all(".bond-port")
            if e.is_selected()] == [str(p.uuid) for p in bonded]
    assert chromium.selected_networks() == ["teal-b", "teal-a", "teal-c"]
    chromium.click(".nic-carrier[data-index='0'] .remove-extra")
    assert chromium.preview_state() == "ok"
    links = chromium.preview_network_data()["links"]
    assert links[0]["type"] == "bond" and links[0]["bond_mode"] == "802.3ad"
    assert links[0]["bond_links"] == [str(p.uuid) for p in bonded]
    assert not Instance.objects.exists()  # the preview kept nothing
    chromium.screenshot("openstack-dashboard-wizard-bonding.png")
    chromium.launch()
    chromium.wait(60).until(ec.presence_of_element_located((By.ID, "instance-name")))
    instance = Instance.objects.get(name="e2e-vm")
    assert instance.project_id == teal and instance.node_id == node.pk
    order = [vif.network.name for vif in instance.vifs.order_by("position")]
    assert order == ["teal-b", "teal-a", "teal-c"]
    group = PortGroup.objects.get(instance=instance)
    assert group.mode == "802.3ad" and sorted(p.mac for p in group.ports.all()) == macs[:2]

    # --- the instance's tabs ------------------------------------------------------------
    assert chromium.driver.current_url.endswith(f"{PROJECT}{instance.uuid}/")
    chromium.click("a[data-target$='__config_drive']")
    pane = chromium.find("div.tab-pane[data-path='openstack/latest/network_data.json']")
    chromium.wait().until(lambda d: pane.is_displayed())
    document = json.loads(pane.find_element(By.TAG_NAME, "pre").text)
    assert document["links"][0]["bond_mode"] == "802.3ad"
    chromium.click("a[data-target$='__interfaces']")
    interfaces = chromium.find("div.tab-pane.active").text
    assert "802.3ad" in interfaces and "teal-b" in interfaces

    # --- the admin's VIF inventory ------------------------------------------------------
    chromium.sign_in_to(cloud, keystone.admin_username, keystone.admin_password, VIFS)
    table = chromium.find("table").text
    for vif in VIF.objects.filter(instance=instance):
        assert vif.mac in table
    assert "e2e-vm" in table and "teal" in table
    chromium.screenshot("openstack-dashboard-vif-inventory.png")

    # --- another Keystone project's member cannot see it --------------------------------
    chromium.sign_in_to(cloud, "oscar", "pw-oscar", PROJECT)
    assert "e2e-vm" not in chromium.find("table").text
    chromium.open(f"{PROJECT}{instance.uuid}/", status=404)
