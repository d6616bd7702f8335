"""A network's VIF type: set by administrators only, through ``/api/networks/``
(create and PATCH), the Django admin and the dashboard's create form; new networks take
``MULTINIC_DEFAULT_VIF_TYPE``; a NIC is plugged with its network's type when it is attached
and keeps it; what the guest and the hypervisor are given follows."""

import json
import xml.etree.ElementTree as ET

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from multinic_api import checks
from multinic_api.models import VIF, Network
from multinic_api.services import subnets
from tests.harness.helpers import form_errors

INDEX = "/project/multinic_networks/"
CREATE = "/project/multinic_networks/create/"

pytestmark = pytest.mark.django_db

TYPES = ["bridge", "ovs", "vhostuser", "tap"]


def assert_error(response, status, text):
    assert response.status_code == status, response.content
    assert text in response.json()["detail"] or text in json.dumps(response.json()), \
        response.json()


# --- the default ----------------------------------------------------------------------------

@pytest.mark.parametrize("default", TYPES)
def test_a_new_network_takes_the_operator_s_default(cloud, settings, default):
    settings.MULTINIC_DEFAULT_VIF_TYPE = default
    for client, name in ((cloud.a, "tenant-made"), (cloud.admin, "admin-made")):
        response = client.post("/api/networks/", {"name": name}, format="json")
        assert response.status_code == 201, response.content
        assert response.json()["vif_type"] == default
        assert Network.objects.get(name=name).vif_type == default


def test_the_service_default_is_the_setting_too(cloud, settings):
    settings.MULTINIC_DEFAULT_VIF_TYPE = "tap"
    assert subnets.create_network(cloud.project_a, "plain").vif_type == "tap"


def test_a_default_that_is_no_vif_type_is_reported_by_manage_py_check(settings):
    settings.MULTINIC_DEFAULT_VIF_TYPE = "ovs-dpdk"
    [error] = checks.check_default_vif_type()
    assert error.id == "multinic_api.E001"
    assert error.msg == ("MULTINIC_DEFAULT_VIF_TYPE is 'ovs-dpdk'; it must be one of bridge, "
                         "ovs, vhostuser, tap.")
    settings.MULTINIC_DEFAULT_VIF_TYPE = "vhostuser"
    assert checks.check_default_vif_type() == []


# --- administrators only --------------------------------------------------------------------

@pytest.mark.parametrize("vif_type", TYPES)
def test_an_administrator_names_the_type_at_creation(cloud, vif_type):
    response = cloud.admin.post("/api/networks/", {"name": "wired", "vif_type": vif_type},
                                format="json")
    assert response.status_code == 201, response.content
    assert response.json()["vif_type"] == vif_type
    assert Network.objects.get(name="wired").vif_type == vif_type


def test_a_tenant_naming_a_type_is_refused(cloud, settings):
    settings.MULTINIC_DEFAULT_VIF_TYPE = "ovs"
    # Even the default: how hosts plug NICs is not the tenant's to ask for.
    response = cloud.a.post("/api/networks/", {"name": "mine", "vif_type": "ovs"},
                            format="json")
    assert_error(response, 403, "Only an administrator may set vif_type.")
    assert not Network.objects.filter(name="mine").exists()


def test_a_type_that_does_not_exist_is_a_400_naming_the_field(cloud):
    response = cloud.admin.post("/api/networks/", {"name": "odd", "vif_type": "hw_veb"},
                                format="json")
    assert response.status_code == 400, response.content
    assert response.json()["fields"] == {"vif_type": ['"hw_veb" is not a valid choice.']}
    assert not Network.objects.filter(name="odd").exists()


def test_an_administrator_changes_the_type(cloud):
    url = f"/api/networks/{cloud.net_a.id}/"
    response = cloud.admin.patch(url, {"vif_type": "vhostuser"}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["vif_type"] == "vhostuser"
    assert response.json()["id"] == str(cloud.net_a.id)
    cloud.net_a.refresh_from_db()
    assert cloud.net_a.vif_type == "vhostuser"


def test_a_tenant_cannot_change_the_type_even_of_its_own_network(cloud):
    before = cloud.net_a.vif_type
    response = cloud.a.patch(f"/api/networks/{cloud.net_a.id}/", {"vif_type": "ovs"},
                             format="json")
    assert_error(response, 403, "Only an administrator may set vif_type.")
    # Another project's network is not even there for it.
    response = cloud.a.patch(f"/api/networks/{cloud.net_b.id}/", {"vif_type": "ovs"},
                             format="json")
    assert response.status_code == 404, response.content
    cloud.net_a.refresh_from_db()
    assert cloud.net_a.vif_type == before


@pytest.mark.parametrize(("body", "field"), [
    ({"vif_type": "macvtap"}, "vif_type"),
    ({"vif_type": None}, "vif_type"),
    ({"vif_type": "ovs", "mtu": 9000}, "mtu"),
])
def test_a_bad_change_is_a_400_naming_the_field(cloud, body, field):
    response = cloud.admin.patch(f"/api/networks/{cloud.net_a.id}/", body, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()["fields"]) == [field]
    cloud.net_a.refresh_from_db()
    assert cloud.net_a.vif_type == "bridge"


def test_an_empty_change_changes_nothing(cloud):
    """PATCH semantics, and what the schema says: nothing in the body is required."""
    response = cloud.admin.patch(f"/api/networks/{cloud.net_a.id}/", {}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["vif_type"] == "bridge"


def test_put_is_not_offered(cloud):
    response = cloud.admin.put(f"/api/networks/{cloud.net_a.id}/", {"vif_type": "ovs"},
                               format="json")
    assert response.status_code == 405, response.content


# --- what a NIC is plugged with -------------------------------------------------------------

def launch(client, *networks):
    response = client.post("/api/instances/", {
        "name": "vm", "config_drive": True,
        "nics": [{"network_id": str(n.id)} for n in networks]}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["uuid"]


def test_a_nic_keeps_the_type_it_was_plugged_with(cloud):
    subnets.set_vif_type(cloud.net_a, "ovs")
    subnets.set_vif_type(cloud.shared, "vhostuser")
    uuid = launch(cloud.a, cloud.net_a, cloud.shared)
    response = cloud.admin.patch(f"/api/networks/{cloud.net_a.id}/", {"vif_type": "tap"},
                                 format="json")
    assert response.status_code == 200
    attached = cloud.a.post(f"/api/instances/{uuid}/interfaces/",
                            {"network_id": str(cloud.net_a.id)}, format="json")
    assert attached.status_code == 201, attached.content
    assert list(VIF.objects.filter(instance=uuid).order_by("position").values_list(
        "vif_type", flat=True)) == ["ovs", "vhostuser", "tap"]

    base = f"/api/instances/{uuid}/"
    info = cloud.a.get(base + "network_info/").json()
    assert [(v["type"], v["network"]["bridge"]) for v in info] == [
        ("ovs", "br-int"), ("vhostuser", "br-int"), ("tap", None)]
    links = json.loads(cloud.a.get(base + "config_drive/openstack/latest/network_data.json")
                       .content)["links"]
    assert [link["type"] for link in links] == ["ovs", "vhostuser", "tap"]
    domain = ET.fromstring(cloud.a.get(base + "domain.xml").content)
    assert [i.get("type") for i in domain.findall("./devices/interface")] == [
        "bridge", "vhostuser", "ethernet"]
    [socket] = domain.findall("./devices/interface/source[@type='unix']")
    assert socket.get("path") == "/var/run/openvswitch/" + ("vhu" + info[1]["id"])[:14]
    assert domain.find("memoryBacking/access").get("mode") == "shared"


# --- the Django admin -----------------------------------------------------------------------

def test_the_django_admin_offers_the_type_with_the_default_first(admin_client, settings,
                                                                 project):
    settings.MULTINIC_DEFAULT_VIF_TYPE = "ovs"
    form = admin_client.get(reverse("admin:multinic_api_network_add")).context["adminform"]
    assert form.form["vif_type"].initial == "ovs"
    assert [value for value, _label in form.form.fields["vif_type"].choices] == TYPES
    response = admin_client.post(reverse("admin:multinic_api_network_add"), {
        "name": "by-admin", "project": project.pk, "mtu": 1500, "vif_type": "vhostuser",
        "subnets-TOTAL_FORMS": 0, "subnets-INITIAL_FORMS": 0})
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Network.objects.get(name="by-admin").vif_type == "vhostuser"


# --- the migration --------------------------------------------------------------------------

@pytest.mark.django_db(transaction=True)
def test_networks_from_before_the_type_keep_the_linux_bridge_they_had(settings):
    """Every VIF was ``bridge`` before networks had a type: the migration gives existing
    networks that, not whatever the default for new ones is."""
    settings.MULTINIC_DEFAULT_VIF_TYPE = "ovs"
    executor = MigrationExecutor(connection)
    before = ("multinic_api", "0002_creation_serials")
    after = ("multinic_api", "0003_network_vif_type")
    try:
        executor.migrate([before])
        old = MigrationExecutor(connection).loader.project_state([before]).apps
        project = old.get_model("multinic_api", "Project").objects.create(id="p1", name="p")
        old.get_model("multinic_api", "Network").objects.create(name="old", project=project)
        MigrationExecutor(connection).migrate([after])
        assert Network.objects.get(name="old").vif_type == "bridge"
    finally:
        call_command("migrate", "multinic_api", verbosity=0)


# --- the dashboard's create form ------------------------------------------------------------

def test_the_dashboard_s_administrator_names_the_type(as_admin, cloud, settings):
    settings.MULTINIC_DEFAULT_VIF_TYPE = "bridge"
    form = as_admin.get(CREATE).context["form"]
    assert [value for value, _label in form.fields["vif_type"].choices] == ["", *TYPES]
    response = as_admin.post(CREATE, {"name": "dpdk", "mtu": "", "physical_network": "",
                                      "vif_type": "vhostuser"})
    assert response.status_code == 302
    assert Network.objects.get(name="dpdk").vif_type == "vhostuser"
    # Left at "the operator's default", the API's default applies.
    as_admin.post(CREATE, {"name": "plain", "mtu": "", "physical_network": "", "vif_type": ""})
    assert Network.objects.get(name="plain").vif_type == "bridge"
    table = as_admin.get(INDEX).context["table"]
    assert {row.datum.name: row.cells["vif_type"].data for row in table.get_rows()
            if row.datum.name in ("dpdk", "plain")} == {"dpdk": "vhostuser", "plain": "bridge"}


def test_a_tenant_s_crafted_type_gets_the_api_s_refusal(as_alice):
    assert "vif_type" not in as_alice.get(CREATE).context["form"].fields
    assert "vif_type" not in as_alice.get(INDEX).context["table"].columns
    response = as_alice.post(CREATE, {"name": "sneaky", "vif_type": "ovs"})
    assert response.status_code == 200
    assert form_errors(response) == ["Only an administrator may set vif_type."]
    assert not Network.objects.filter(name="sneaky").exists()
