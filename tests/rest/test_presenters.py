"""A launch answers through the presenters, every read through the serializers that the
schema documents: both must write the same JSON, field for field and byte for byte."""

import pytest
from rest_framework.renderers import JSONRenderer

from multinic_api.api import presenters
from multinic_api.api.serializers import InstanceSerializer, VIFSerializer
from multinic_api.models import Instance
from multinic_api.services import instances, subnets
from multinic_api.services.instances import BondRequest, CarrierRequest, NicRequest

pytestmark = pytest.mark.django_db


def _same(instance: Instance) -> dict:
    body = presenters.instance_body(instance)
    expected = InstanceSerializer(instance).data
    assert body == expected
    assert list(body) == list(expected)  # the same key order too
    for vif, vif_body in zip(instance.interfaces, body["interfaces"], strict=True):
        assert list(vif_body) == list(VIFSerializer(vif).data)
    render = JSONRenderer().render
    assert render(body) == render(expected)
    return body


def test_a_vm_launch_answers_as_the_serializer_writes_it(project, make_network):
    v4 = make_network("v4")
    subnets.create_subnet(v4, "10.5.0.0/24")
    dual = make_network("dual ✓")  # not ASCII: written as UTF-8, never escaped
    subnets.create_subnet(dual, "10.6.0.0/24")
    subnets.create_subnet(dual, "2001:db8::/64", ipv6_address_mode="slaac",
                          ipv6_ra_mode="slaac")
    launched = instances.launch_instance(
        project=project, name="vm ü", nics=[NicRequest(dual.pk, tag="storage"),
                                            NicRequest(v4.pk)],
        metadata={"role": "db", "note": "é"}, key_name=None, config_drive=True)
    body = _same(launched)
    assert [len(nic["fixed_ips"]) for nic in body["interfaces"]] == [2, 1]
    assert body["interfaces"][0]["tag"] == "storage" and body["created"].endswith("Z")
    assert "ü".encode() in JSONRenderer().render(body)
    # A read of the same instance writes it the same way.
    _same(Instance.objects.with_interfaces().select_related("project", "node").get(
        pk=launched.pk))


def test_a_bare_metal_launch_answers_its_carriers_as_the_serializer(project, make_network,
                                                                    demo_like_node):
    physnet1 = make_network("phys1", physical_network="physnet1")
    subnets.create_subnet(physnet1, "10.1.0.0/24")
    physnet2 = make_network("phys2", physical_network="physnet2")
    subnets.create_subnet(physnet2, "10.2.0.0/24")
    group = demo_like_node.groups[0]
    launched = instances.launch_instance(project=project, name="bm", node="node-1", nics=[
        NicRequest(physnet1.pk, carrier=CarrierRequest(bond=BondRequest(
            port_group=str(group.pk), mode="active-backup", properties={"miimon": 200}))),
        NicRequest(physnet2.pk)])
    body = _same(launched)
    assert body["node_name"] == "node-1"
    assert [nic["carrier"]["kind"] for nic in body["interfaces"]] == ["bond", "port"]
    assert body["interfaces"][0]["carrier"]["mode"] == "active-backup"
    assert body["interfaces"][0]["binding_profile"]["local_group_information"]
    _same(Instance.objects.with_interfaces().select_related("project", "node").get(
        pk=launched.pk))
