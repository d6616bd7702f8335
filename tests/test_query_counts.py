"""Queries per NIC: a launch with 8 NICs costs a fixed number of queries more than one with 1.

What a launch costs, counted with ``CaptureQueriesContext`` (savepoints included; the tests
run in a transaction, so the launch's own transaction is a savepoint here, 2 statements
that are BEGIN and COMMIT in production):

- once per launch: the networks, their subnets and pools (3 queries whatever the NIC count),
  the instance, a share lock on the networks (one SELECT ... FOR KEY SHARE for all), the
  VIFs (one INSERT for all, in a savepoint), the subnet locks (one SELECT ... FOR NO KEY
  UPDATE for all), the fixed IPs (one INSERT for all, in a savepoint);
- per NIC, per subnet that hands out addresses from free ranges (IPv4, DHCPv6-stateful):
  2, to take the next free address (read the lowest free range, shrink or drop it);
- per NIC on a SLAAC (or DHCPv6-stateless) subnet: nothing, the address is the MAC's EUI-64;
- on bare metal: 5 more once (the node, its lock, its ports and port groups, read once
  under the lock), nothing more per NIC.

So on networks with an IPv4 and a SLAAC IPv6 subnet a NIC costs K = 2 queries, and K = 4
with an IPv4 and a DHCPv6-stateful one. The numbers are exact (SQLite and PostgreSQL alike),
so a change in either direction is seen:

=========================================  =====  ======  =====================
launch                                     1 NIC  8 NICs  per NIC (K)
=========================================  =====  ======  =====================
service, IPv4 + SLAAC IPv6                 16     30      2
service, IPv4 + DHCPv6-stateful IPv6       18     46      4
service, one network 8 times (+ SLAAC)     16     30      2
service, bare metal, IPv4 + SLAAC IPv6     21     35      2
REST POST /api/instances/, IPv4 + SLAAC    21     35      2
=========================================  =====  ======  =====================

(The REST launch adds the caller's token and project, and reads the instance back with its
interfaces and addresses in 3 queries.) Before this test the per-NIC cost was 13 on IPv4 +
SLAAC: each NIC looked up its network and its subnets, and each VIF and each address was
its own INSERT in its own savepoint (3 statements each).
"""

from unittest import mock

import netaddr
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from multinic_api.exceptions import IpAddressInUse, MacAddressInUse
from multinic_api.models import VIF, FixedIP, FreeRange, Instance
from multinic_api.services import instances, ipam, macs, subnets
from multinic_api.services.instances import NicRequest
from tests.baremetal_fixtures import build_node

pytestmark = pytest.mark.django_db

#: Queries per NIC, by the kind of IPv6 subnet beside the IPv4 one.
PER_NIC = {"slaac": 2, "dhcpv6-stateful": 4}
#: Queries of a 1-NIC launch.
ONE_NIC = {("service", "slaac"): 16, ("service", "dhcpv6-stateful"): 18,
           ("baremetal", "slaac"): 21, ("api", "slaac"): 21}


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


def _check(kind, v6_mode, counts):
    """counts: {NICs: queries}. Exact, so a change in either direction is seen."""
    assert counts[1] == ONE_NIC[kind, v6_mode], counts
    assert counts[8] - counts[1] == 7 * PER_NIC[v6_mode], counts


@pytest.mark.parametrize("v6_mode", sorted(PER_NIC))
def test_vm_launch_costs_a_fixed_number_of_queries_per_nic(project, v6_mode):
    networks = _networks(project, 8, v6_mode)
    counts = {n: _count(lambda n=n: instances.launch_instance(
        project=project, name=f"vm-{n}", nics=[NicRequest(net.pk) for net in networks[:n]]))
        for n in (1, 8)}
    assert VIF.objects.count() == 9 and FixedIP.objects.count() == 18
    _check("service", v6_mode, counts)


def test_the_same_network_eight_times_costs_the_same(project):
    (network,) = _networks(project, 1, "slaac")
    counts = {n: _count(lambda n=n: instances.launch_instance(
        project=project, name=f"vm-{n}", nics=[NicRequest(network.pk)] * n)) for n in (1, 8)}
    _check("service", "slaac", counts)


def test_baremetal_launch_costs_a_fixed_number_of_queries_per_nic(project):
    networks = _networks(project, 8, "slaac")
    nodes = {n: build_node(f"node-{n}", project, [("physnet1", True)] * n).node for n in (1, 8)}
    counts = {n: _count(lambda n=n: instances.launch_instance(
        project=project, name=f"bm-{n}", node=nodes[n].pk,
        nics=[NicRequest(net.pk) for net in networks[:n]])) for n in (1, 8)}
    assert VIF.objects.filter(port__isnull=False).count() == 9
    _check("baremetal", "slaac", counts)


def test_rest_launch_costs_a_fixed_number_of_queries_per_nic(project):
    networks = _networks(project, 8, "slaac")
    user = get_user_model().objects.create_user("alice")
    project.members.add(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    def launch(n):
        response = client.post("/api/instances/", {
            "name": f"vm-{n}", "nics": [{"network_id": str(net.pk)} for net in networks[:n]]},
            format="json")
        assert response.status_code == 201, response.json()
        assert len(response.json()["interfaces"]) == n

    counts = {n: _count(lambda n=n: launch(n)) for n in (1, 8)}
    _check("api", "slaac", counts)


# --- the batched inserts keep the rules -----------------------------------------------------

def test_a_mac_collision_in_a_batched_launch_is_retried_nic_by_nic(project):
    (network,) = _networks(project, 1, "slaac")
    instances.launch_instance(project=project, name="holder", is_admin=True,
                              nics=[NicRequest(network.pk, mac="fa:16:3e:00:00:02")])
    draws = iter([[0, 0, 1], [0, 0, 2], [0, 0, 3],  # the batch: NIC 1's MAC is taken
                  [0, 0, 4], [0, 0, 2], [0, 0, 5], [0, 0, 6]])  # one by one, NIC 1 redrawn
    with mock.patch.object(macs, "random_suffix", side_effect=lambda: next(draws)):
        instance = instances.launch_instance(project=project, name="vm",
                                             nics=[NicRequest(network.pk)] * 3)
    vifs = list(instance.vifs.order_by("position"))
    assert [(v.position, v.mac) for v in vifs] == [
        (0, "fa:16:3e:00:00:04"), (1, "fa:16:3e:00:00:05"), (2, "fa:16:3e:00:00:06")]
    assert all(v.fixed_ips.count() == 2 for v in vifs)


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
