"""Queries per NIC: a launch with 8 NICs costs a fixed number of queries more than one with 1.

What a launch costs, counted with ``CaptureQueriesContext`` (savepoints included; the tests
run in a transaction, so the launch's own transaction is a savepoint here, 2 statements
that are BEGIN and COMMIT in production; it holds no other savepoint):

- once per launch: the subnets with their networks (1 query whatever the NIC count; a
  second for the subnets' pools when fixed IPs are requested, and one for the networks
  alone when one of them has no subnet), the instance, a share lock on the networks (one
  SELECT ... FOR KEY SHARE for all), the VIFs (one INSERT for all), the subnet locks (one
  SELECT ... FOR NO KEY UPDATE for all), the next free addresses of every subnet (one
  SELECT of each subnet's lowest free ranges, one UPDATE shrinking them), the fixed IPs (one
  INSERT for all);
- per NIC on a SLAAC (or DHCPv6-stateless) subnet: nothing, the address is the MAC's EUI-64;
- per requested fixed IP: up to 3 (the free range holding it, then shrinking it, or
  splitting it in two: an UPDATE and an INSERT), and the NIC needs no next free address;
- on bare metal: 5 more once (the node, its lock, its ports and port groups, read once
  under the lock), nothing more per NIC.

The numbers are exact (SQLite and PostgreSQL alike), so a change in either direction is
seen:

=============================================  =====  ======  ===========
launch                                         1 NIC  8 NICs  per NIC (K)
=============================================  =====  ======  ===========
service, IPv4 + SLAAC IPv6                     10     10      0
service, IPv4 + DHCPv6-stateful IPv6           10     10      0
service, one network 8 times (+ SLAAC)         10     10      0
service, a fixed IPv4 per NIC (+ SLAAC)        12     33      3
service, bare metal, IPv4 + SLAAC IPv6         15     15      0
REST POST /api/instances/, IPv4 + SLAAC        11     11      0
=============================================  =====  ======  ===========

(The REST launch adds one statement, the caller's token with its user and default project;
it answers with the rows the launch wrote, without reading them back.) The per-NIC cost was
13 on IPv4 + SLAAC before batching (each NIC looked up its network and subnets, and each VIF
and each address was its own INSERT in its own savepoint), then 2 (a read and a write of
the free ranges per subnet).
The two batched INSERTs each had a savepoint of their own (4 statements a launch) until a
taken MAC or address came to be looked into after the launch's rollback instead.
"""

from unittest import mock

import netaddr
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from multinic_api.api.serializers import InstanceSerializer, VIFSerializer
from multinic_api.exceptions import IpAddressInUse, MacAddressInUse
from multinic_api.models import VIF, FixedIP, FreeRange, Instance
from multinic_api.services import instances, ipam, macs, subnets
from multinic_api.services.instances import NicRequest
from multinic_identity import services as identity
from tests.harness.baremetal_fixtures import build_node

pytestmark = pytest.mark.django_db

#: (queries of a 1-NIC launch, queries per further NIC), by kind of launch.
COSTS = {"slaac": (10, 0), "dhcpv6-stateful": (10, 0), "fixed-ip": (12, 3),
         "baremetal": (15, 0), "api": (11, 0)}


def _networks(project, count, v6_mode):
    made = []
    for i in range(count):
        network = subnets.create_network(project, f"net-{i}")
        subnets.create_subnet(network, f"10.{i}.0.0/24")
        subnets.create_subnet(network, f"2001:db8:{i}::/64", ipv6_address_mode=v6_mode)
        made.append(network)
    return made


def _count(launch) -> int:
    with CaptureQueriesContext(connection) as queries:
        launch()
    return len(queries)


def _check(kind, counts):
    """counts: {NICs: queries}. Exact, so a change in either direction is seen."""
    one_nic, per_nic = COSTS[kind]
    assert counts[1] == one_nic, counts
    assert counts[8] - counts[1] == 7 * per_nic, counts


@pytest.mark.parametrize("v6_mode", ["slaac", "dhcpv6-stateful"])
def test_vm_launch_costs_a_fixed_number_of_queries_per_nic(project, v6_mode):
    networks = _networks(project, 8, v6_mode)
    counts = {n: _count(lambda n=n: instances.launch_instance(
        project=project, name=f"vm-{n}", nics=[NicRequest(net.pk) for net in networks[:n]]))
        for n in (1, 8)}
    assert VIF.objects.count() == 9 and FixedIP.objects.count() == 18
    _check(v6_mode, counts)


def test_fixed_ips_cost_their_free_range_each(project):
    networks = _networks(project, 8, "slaac")
    counts = {n: _count(lambda n=n: instances.launch_instance(
        project=project, name=f"vm-{n}", nics=[
            NicRequest(net.pk, fixed_ips=[f"10.{i}.0.{50 + n}"])
            for i, net in enumerate(networks[:n])])) for n in (1, 8)}
    assert FixedIP.objects.filter(address__endswith=".58").count() == 8
    _check("fixed-ip", counts)


def test_the_same_network_eight_times_costs_the_same(project):
    (network,) = _networks(project, 1, "slaac")
    counts = {n: _count(lambda n=n: instances.launch_instance(
        project=project, name=f"vm-{n}", nics=[NicRequest(network.pk)] * n)) for n in (1, 8)}
    _check("slaac", counts)


def test_baremetal_launch_costs_a_fixed_number_of_queries_per_nic(project):
    networks = _networks(project, 8, "slaac")
    nodes = {n: build_node(f"node-{n}", project, [("physnet1", True)] * n).node for n in (1, 8)}
    counts = {n: _count(lambda n=n: instances.launch_instance(
        project=project, name=f"bm-{n}", node=nodes[n].pk,
        nics=[NicRequest(net.pk) for net in networks[:n]])) for n in (1, 8)}
    assert VIF.objects.filter(port__isnull=False).count() == 9
    _check("baremetal", counts)


def test_rest_launch_costs_a_fixed_number_of_queries_per_nic(project):
    networks = _networks(project, 8, "slaac")
    user = get_user_model().objects.create_user("alice")
    identity.add_member(project, user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    def launch(n):
        response = client.post("/api/instances/", {
            "name": f"vm-{n}", "nics": [{"network_id": str(net.pk)} for net in networks[:n]]},
            format="json")
        assert response.status_code == 201, response.json()
        assert len(response.json()["interfaces"]) == n

    counts = {n: _count(lambda n=n: launch(n)) for n in (1, 8)}
    _check("api", counts)


def test_a_network_without_a_subnet_costs_one_query_more_the_networks_alone(project):
    with_subnets = _networks(project, 2, "slaac")
    bare = subnets.create_network(project, "no subnet")
    nics = [NicRequest(with_subnets[0].pk), NicRequest(bare.pk), NicRequest(with_subnets[1].pk)]
    with CaptureQueriesContext(connection) as queries:
        launched = instances.launch_instance(project=project, name="vm", nics=nics)
    assert len(queries) == COSTS["slaac"][0] + 1, [q["sql"] for q in queries]
    assert [vif.network_id for vif in launched.interfaces] == [
        with_subnets[0].pk, bare.pk, with_subnets[1].pk]
    assert [len(vif.addresses) for vif in launched.interfaces] == [2, 0, 2]


# --- what a launch answers with is what a read would load ---------------------------------

def test_a_launch_answers_with_the_rows_it_wrote_as_a_read_loads_them(project):
    """A launch sets ``interfaces`` and their ``addresses`` on the instance it returns, so
    its answer needs no query, and that answer is the one a later read gives."""
    networks = _networks(project, 2, "dhcpv6-stateful")
    launched = instances.launch_instance(project=project, name="vm", nics=[
        NicRequest(networks[1].pk), NicRequest(networks[0].pk), NicRequest(networks[1].pk)])
    with CaptureQueriesContext(connection) as queries:
        answered = InstanceSerializer(launched).data
    assert len(queries) == 0, [q["sql"] for q in queries]
    read = Instance.objects.with_interfaces().select_related("project", "node").get(
        pk=launched.pk)
    assert answered == InstanceSerializer(read).data
    assert [len(nic["fixed_ips"]) for nic in answered["interfaces"]] == [2, 2, 2]


def test_an_attach_answers_with_the_rows_it_wrote_as_a_read_loads_them(project):
    networks = _networks(project, 2, "slaac")
    instance = instances.launch_instance(project=project, name="vm",
                                         nics=[NicRequest(networks[0].pk)])
    attached = instances.attach_interface(instance, NicRequest(networks[1].pk))
    with CaptureQueriesContext(connection) as queries:
        answered = VIFSerializer(attached).data
    assert len(queries) == 0, [q["sql"] for q in queries]
    assert answered == VIFSerializer(VIF.objects.with_addresses().get(pk=attached.pk)).data
    assert answered["position"] == 1 and len(answered["fixed_ips"]) == 2


# --- the batched inserts keep the rules -----------------------------------------------------

def test_a_mac_collision_in_a_batched_launch_runs_the_launch_again(project):
    """The taken MAC aborts the launch's transaction; after its rollback the launch runs
    again from the start, every generated MAC drawn anew."""
    (network,) = _networks(project, 1, "slaac")
    instances.launch_instance(project=project, name="holder", is_admin=True,
                              nics=[NicRequest(network.pk, mac="fa:16:3e:00:00:02")])
    draws = iter([[0, 0, 1], [0, 0, 2], [0, 0, 3],  # the batch: NIC 1's MAC is taken
                  [0, 0, 4], [0, 0, 5], [0, 0, 6]])  # the launch again, with new MACs
    with mock.patch.object(macs, "random_suffix", side_effect=lambda: next(draws)):
        with CaptureQueriesContext(connection) as queries:
            instance = instances.launch_instance(project=project, name="vm",
                                                 nics=[NicRequest(network.pk)] * 3)
    vifs = list(instance.vifs.order_by("position"))
    assert [(v.position, v.mac) for v in vifs] == [
        (0, "fa:16:3e:00:00:04"), (1, "fa:16:3e:00:00:05"), (2, "fa:16:3e:00:00:06")]
    assert all(v.fixed_ips.count() == 2 for v in vifs)
    assert Instance.objects.filter(name="vm").count() == 1
    # The first run up to its failed VIF insert, the read of the taken MACs, a whole launch.
    inserts = [q["sql"].split()[2] for q in queries if q["sql"].startswith("INSERT")]
    assert inserts == ['"multinic_api_instance"', '"multinic_api_vif"',
                       '"multinic_api_instance"', '"multinic_api_vif"', '"multinic_api_fixedip"']


def test_one_mac_requested_for_two_nics_is_a_conflict_and_leaves_nothing(project):
    (network,) = _networks(project, 1, "slaac")
    with pytest.raises(MacAddressInUse, match="fa:16:3e:00:00:09"):
        instances.launch_instance(project=project, name="vm", is_admin=True, nics=[
            NicRequest(network.pk, mac="fa:16:3e:00:00:09"),
            NicRequest(network.pk, mac="FA-16-3E-00-00-09")])
    assert not Instance.objects.exists() and not VIF.objects.exists()


def test_an_address_clash_in_the_batched_insert_names_the_address(project):
    """The unique constraint stays the last guard when free ranges and allocations disagree
    (here on purpose): the 409 names the clashing address, not the batch's first."""
    (network,) = _networks(project, 1, "slaac")
    holder = instances.launch_instance(project=project, name="holder",
                                       nics=[NicRequest(network.pk)])
    v4 = network.subnets.get(ip_version=4)
    # 10.0.0.2 is the holder's; hand it out again by putting it back into the free ranges.
    FreeRange.objects.filter(subnet=v4).update(first=ipam.ip_key(netaddr.IPAddress("10.0.0.2")))
    with pytest.raises(IpAddressInUse, match=r"10\.0\.0\.2 "):
        instances.launch_instance(project=project, name="vm", nics=[
            NicRequest(network.pk, fixed_ips=["10.0.0.9"]), NicRequest(network.pk)])
    assert list(Instance.objects.all()) == [holder]
    assert FixedIP.objects.count() == 2
