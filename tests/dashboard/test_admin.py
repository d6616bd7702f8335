import pytest
from django.urls import reverse

from multinic_api.models import VIF, FixedIP, Instance
from tests.factories import InstanceFactory
from tests.harness.helpers import assert_subnet_consistent


@pytest.fixture
def launched(project, make_subnet):
    subnet = make_subnet("10.0.0.0/24")
    instance = InstanceFactory(project=project, name="vm", nics=[subnet.network] * 2)
    return instance, subnet


@pytest.mark.parametrize("model", ["project", "network", "subnet", "instance", "vif", "fixedip"])
def test_admin_lists_and_shows_every_model(admin_client, launched, model):
    response = admin_client.get(reverse(f"admin:multinic_api_{model}_changelist"))
    assert response.status_code == 200
    obj = {"instance": launched[0], "vif": launched[0].vifs.first(),
           "subnet": launched[1], "network": launched[1].network,
           "project": launched[0].project, "fixedip": FixedIP.objects.first()}[model]
    response = admin_client.get(reverse(f"admin:multinic_api_{model}_change", args=[obj.pk]))
    assert response.status_code == 200


def test_admin_shows_an_instances_reservation_and_finds_it_by_it(admin_client, launched):
    instance, _ = launched
    page = admin_client.get(reverse("admin:multinic_api_instance_change", args=[instance.pk]))
    html = page.content.decode()
    assert instance.reservation_id in html and 'name="reservation_id"' not in html
    found = admin_client.get(reverse("admin:multinic_api_instance_changelist"),
                             {"q": instance.reservation_id})
    assert str(instance.uuid) in found.content.decode()


def test_admin_delete_instance_frees_addresses(admin_client, launched):
    instance, subnet = launched
    url = reverse("admin:multinic_api_instance_delete", args=[instance.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Instance.objects.exists()
    assert not FixedIP.objects.exists()
    assert_subnet_consistent(subnet)


def test_admin_bulk_delete_vifs_frees_addresses(admin_client, launched):
    instance, subnet = launched
    vif = instance.vifs.get(position=1)
    response = admin_client.post(
        reverse("admin:multinic_api_vif_changelist"),
        {"action": "delete_selected", "_selected_action": [vif.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert list(VIF.objects.values_list("position", flat=True)) == [0]
    assert_subnet_consistent(subnet)


def test_django_admin_moved_aside_for_horizons_admin_dashboard(admin_client):
    assert reverse("admin:index") == "/django-admin/"
    assert admin_client.get(reverse("admin:index")).status_code == 200


@pytest.mark.parametrize("model", ["node", "port", "portgroup"])
def test_admin_shows_bare_metal_but_leaves_changes_to_the_api(admin_client, demo_like_node,
                                                              model):
    obj = {"node": demo_like_node.node, "port": demo_like_node.ports[0],
           "portgroup": demo_like_node.groups[0]}[model]
    assert admin_client.get(reverse(f"admin:multinic_api_{model}_changelist")).status_code == 200
    page = admin_client.get(reverse(f"admin:multinic_api_{model}_change", args=[obj.pk]))
    assert page.status_code == 200
    assert admin_client.post(reverse(f"admin:multinic_api_{model}_change", args=[obj.pk]),
                             {}).status_code == 403
    assert admin_client.get(reverse(f"admin:multinic_api_{model}_add")).status_code == 403
    assert admin_client.post(reverse(f"admin:multinic_api_{model}_delete", args=[obj.pk]),
                             {"post": "yes"}).status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).exists()
