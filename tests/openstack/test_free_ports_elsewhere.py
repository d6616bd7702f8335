"""A port made ahead of its instance is seen everywhere VIFs are: the REST API's inventory
and MAC lookup, the admin dashboard's VIF inventory and MAC page, the Django admin (whose
delete frees it as the services do)."""

from django.urls import reverse

from multinic_api.models import VIF
from multinic_api.services import instances
from tests.harness.helpers import assert_subnet_consistent


def _free_port(cloud):
    return instances.create_port(project=cloud.project_a, network_id=cloud.net_a.id,
                                 name="early")


def test_the_rest_inventory_and_mac_lookup_show_it_unattached(cloud):
    port = _free_port(cloud)
    listed = cloud.admin.get("/api/vifs/").json()["results"]
    row = next(v for v in listed if v["uuid"] == str(port.uuid))
    assert (row["instance_uuid"], row["instance_name"], row["position"]) == (None, None, None)
    assert (row["project_id"], row["project_name"]) == (cloud.project_a.pk, "project-a")
    assert [v["uuid"] for v in cloud.admin.get(
        f"/api/vifs/?project={cloud.project_a.pk}").json()["results"]] == [str(port.uuid)]
    held = cloud.admin.get(f"/api/macs/{port.mac}/").json()
    assert held["kind"] == "vif" and held["vif"]["instance_uuid"] is None


def test_the_admin_dashboard_lists_it_without_a_nic_name(as_admin, cloud):
    port = _free_port(cloud)
    page = as_admin.get(reverse("horizon:admin:multinic_vifs:index"))
    assert page.status_code == 200
    assert port.mac in page.content.decode()
    shown = as_admin.get(reverse("horizon:admin:multinic_macs:index"), {"mac": port.mac})
    assert shown.status_code == 200
    assert "none yet (a port not attached)" in shown.content.decode()


def test_the_django_admin_deletes_it_and_frees_its_addresses(admin_client, cloud):
    port = _free_port(cloud)
    response = admin_client.post(reverse("admin:multinic_api_vif_delete", args=[port.pk]),
                                 {"post": "yes"})
    assert response.status_code == 302
    assert not VIF.objects.exists()
    assert_subnet_consistent(cloud.sub_a4)
