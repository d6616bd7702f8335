"""A launch's transaction on a real PostgreSQL, as the outermost one (no test transaction
around it): it holds no savepoint, and where one of its inserts fails, PostgreSQL refuses
every later statement of it, so what was taken can only be read after its rollback. These
tests drive that path to its end: a generated MAC taken at the first draw runs the launch
again; a requested MAC or a fixed IP that is taken is a 409 naming it, and nothing is
written."""

from unittest import mock

import netaddr
import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from multinic_api.exceptions import IpAddressInUse, MacAddressInUse
from multinic_api.models import VIF, FixedIP, FreeRange, Instance, Project
from multinic_api.services import instances, ipam, macs, subnets
from multinic_api.services.instances import NicRequest
from multinic_identity import services as identity
from multinic_identity.models import User

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

HELD = "fa:16:3e:00:00:01"


@pytest.fixture
def project():
    return Project.objects.create(name="tenant")


@pytest.fixture
def networks(project):
    """Four networks, each an IPv4 subnet and a SLAAC IPv6 one."""
    made = []
    for i in range(4):
        network = subnets.create_network(project, f"net-{i}")
        subnets.create_subnet(network, f"10.{i}.0.0/24")
        subnets.create_subnet(network, f"2001:db8:{i}::/64", ipv6_address_mode="slaac")
        made.append(network)
    return made


@pytest.fixture
def holder(project, networks):
    """An instance holding the MAC ``HELD`` and the first address of net-0's IPv4 subnet."""
    return instances.launch_instance(project=project, name="holder", is_admin=True,
                                     nics=[NicRequest(networks[0].pk, mac=HELD)])


def _statements(queries):
    return [query["sql"] for query in queries]


def _savepoints(queries):
    return [sql for sql in _statements(queries) if "SAVEPOINT" in sql.upper()]


def _written():
    """Everything a launch writes, to compare before and after one that fails."""
    return (sorted(Instance.objects.values_list("pk", flat=True)),
            sorted(VIF.objects.values_list("mac", flat=True)),
            sorted(FixedIP.objects.values_list("address", flat=True)),
            sorted(FreeRange.objects.values_list("subnet", "first", "last")))


def _draws(*suffixes):
    """``random_suffix`` giving these three-octet suffixes in turn, then random ones."""
    queue = list(suffixes)
    real = macs.random_suffix
    return mock.patch.object(macs, "random_suffix",
                             side_effect=lambda: queue.pop(0) if queue else real())


def test_a_4_nic_launch_holds_no_savepoint(project, networks):
    assert not connection.in_atomic_block  # the launch's transaction is the outermost
    with CaptureQueriesContext(connection) as queries:
        instance = instances.launch_instance(project=project, name="vm",
                                             nics=[NicRequest(net.pk) for net in networks])
    assert _savepoints(queries) == [], _statements(queries)
    assert instance.vifs.count() == 4 and FixedIP.objects.count() == 8


def test_a_rest_launch_an_attach_and_a_port_hold_no_savepoint(project, networks):
    user = User.objects.create(username="alice")
    identity.add_member(project, user)
    client = APIClient()
    client.force_authenticate(user)
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/instances/", {
            "name": "vm", "nics": [{"network_id": str(net.pk)} for net in networks]},
            format="json")
        assert response.status_code == 201, response.content
        instance = Instance.objects.get(pk=response.json()["uuid"])
        instances.attach_interface(instance, NicRequest(networks[0].pk))
        instances.create_port(project=project, network_id=networks[1].pk)
    assert _savepoints(queries) == [], _statements(queries)
    assert VIF.objects.count() == 6


def test_a_generated_mac_taken_at_the_first_draw_runs_the_launch_again(project, networks,
                                                                      holder):
    before = VIF.objects.count()
    with _draws([0, 0, 2], [0, 0, 1], [0, 0, 3], [0, 0, 4]):  # NIC 1 draws the held MAC
        with CaptureQueriesContext(connection) as queries:
            instance = instances.launch_instance(
                project=project, name="vm", nics=[NicRequest(net.pk) for net in networks])
    macs_drawn = [vif.mac for vif in instance.vifs.order_by("position")]
    assert HELD not in macs_drawn and len(set(macs_drawn)) == 4
    assert VIF.objects.count() == before + 4
    assert Instance.objects.filter(name="vm").count() == 1
    assert all(vif.fixed_ips.count() == 2 for vif in instance.vifs.all())
    # The VIF insert went in twice, the first aborting its transaction; no savepoint.
    vif_inserts = [sql for sql in _statements(queries)
                   if sql.startswith('INSERT INTO "multinic_api_vif"')]
    assert len(vif_inserts) == 2
    assert _savepoints(queries) == []


def test_a_generated_mac_taken_runs_an_attach_and_a_port_again(project, networks, holder):
    instance = instances.launch_instance(project=project, name="vm",
                                         nics=[NicRequest(networks[1].pk)])
    with _draws([0, 0, 1]):
        attached = instances.attach_interface(instance, NicRequest(networks[2].pk))
    with _draws([0, 0, 1]):
        port = instances.create_port(project=project, network_id=networks[3].pk)
    assert HELD not in {attached.mac, port.mac}
    assert attached.position == 1 and attached.fixed_ips.count() == 2
    assert port.fixed_ips.count() == 2


def test_a_requested_mac_taken_is_a_409_naming_it_and_nothing_is_written(project, networks,
                                                                         holder):
    before = _written()
    with pytest.raises(MacAddressInUse, match=HELD) as excinfo:
        instances.launch_instance(project=project, name="vm", is_admin=True, nics=[
            NicRequest(networks[1].pk), NicRequest(networks[2].pk, mac="FA-16-3E-00-00-01")])
    assert excinfo.value.status_code == 409
    assert _written() == before


def test_a_requested_mac_taken_through_rest_is_its_409(project, networks, holder):
    admin = User.objects.create(username="root", is_superuser=True, is_staff=True)
    identity.add_member(project, admin)
    client = APIClient()
    client.force_authenticate(admin)
    before = _written()
    response = client.post("/api/instances/", {"name": "vm", "nics": [
        {"network_id": str(networks[1].pk)},
        {"network_id": str(networks[2].pk), "mac": HELD}]}, format="json")
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "mac_in_use" and HELD in response.json()["detail"]
    assert _written() == before


def test_a_fixed_ip_clash_is_a_409_naming_it_and_nothing_is_written(project, networks, holder):
    """The free ranges disagree with the allocations (on purpose): the fixed-IP insert fails
    and aborts the transaction; the 409 names the held address and its subnet."""
    v4 = networks[0].subnets.get(ip_version=4)
    held = holder.vifs.get().fixed_ips.get(subnet=v4).address
    FreeRange.objects.filter(subnet=v4).update(first=ipam.ip_key(netaddr.IPAddress(held)))
    before = _written()
    with pytest.raises(IpAddressInUse) as excinfo:
        instances.launch_instance(project=project, name="vm",
                                  nics=[NicRequest(net.pk) for net in networks])
    assert f"IP address {held} is already allocated on subnet" in excinfo.value.message
    assert v4.cidr in excinfo.value.message
    assert _written() == before


def test_inside_a_callers_transaction_the_launch_runs_again_and_leaves_it_usable(project,
                                                                                 networks,
                                                                                 holder):
    """The launch's atomic is then a savepoint; rolling back to it undoes the failed run
    and nothing of the caller's."""
    with transaction.atomic():
        mine = Project.objects.create(name="made-by-the-caller")
        with _draws([0, 0, 1]):
            instance = instances.launch_instance(project=project, name="vm",
                                                 nics=[NicRequest(networks[1].pk)])
        with pytest.raises(MacAddressInUse):
            instances.launch_instance(project=project, name="vm-2", is_admin=True,
                                      nics=[NicRequest(networks[1].pk, mac=HELD)])
        assert Project.objects.filter(pk=mine.pk).exists()  # the transaction answers
    assert Project.objects.filter(name="made-by-the-caller").count() == 1
    assert instance.vifs.get().mac != HELD
    assert not Instance.objects.filter(name="vm-2").exists()
