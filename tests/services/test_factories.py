"""The factories make rows through the services, so the services' rules hold for them."""

import pytest

from multinic_api.exceptions import MultinicError
from multinic_api.models import VIF, Instance
from tests.factories import (
    InstanceFactory,
    KeypairFactory,
    NetworkFactory,
    PortFactory,
    PortGroupFactory,
    SubnetFactory,
    UserFactory,
)
from tests.harness.helpers import assert_subnet_consistent

pytestmark = pytest.mark.django_db


def test_a_subnet_has_the_free_ranges_of_its_pools():
    subnet = SubnetFactory()
    assert subnet.allocation_pools.exists() and subnet.free_ranges.exists()
    assert_subnet_consistent(subnet)


def test_an_instance_has_a_vif_with_an_address_per_nic_in_order():
    subnet = SubnetFactory()
    instance = InstanceFactory(nics=[subnet.network, subnet.network])
    vifs = list(instance.vifs.order_by("position"))
    assert [v.position for v in vifs] == [0, 1]
    assert all(v.fixed_ips.count() == 1 for v in vifs)
    assert_subnet_consistent(subnet)


def test_an_instance_on_another_projects_private_network_is_refused_and_leaves_nothing():
    theirs = SubnetFactory().network
    with pytest.raises(MultinicError):
        InstanceFactory(project=NetworkFactory().project, nics=[theirs])
    assert not Instance.objects.exists() and not VIF.objects.exists()


def test_a_port_group_of_ports_on_two_physical_networks_is_refused():
    port = PortFactory(physical_network="physnet1")
    other = PortFactory(node=port.node, physical_network="physnet2")
    with pytest.raises(MultinicError):
        PortGroupFactory(node=port.node, ports=[port, other])


def test_a_key_pair_name_is_unique_per_user():
    user = UserFactory()
    KeypairFactory(user=user, name="laptop")
    KeypairFactory(name="laptop")  # another user's
    with pytest.raises(MultinicError):
        KeypairFactory(user=user, name="laptop")
