"""Concurrent launches against a real PostgreSQL: the guarantees must hold across
connections, not just inside one. Each thread has its own database connection."""

import random
import threading
from collections import Counter
from unittest import mock

import pytest
from django.db import connection

from multinic_api.exceptions import Conflict, IpAddressInUse, MultinicError, SubnetExhausted
from multinic_api.models import VIF, FixedIP, Instance, Port, PortGroup, Project
from multinic_api.services import instances, macs, subnets
from multinic_api.services.instances import BondRequest, CarrierRequest, NicRequest
from tests.harness.baremetal_fixtures import build_node
from tests.harness.helpers import assert_subnet_consistent

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

THREADS = 10


def _run_concurrently(work, attempts_per_thread):
    """Run ``work(thread, attempt)`` from THREADS threads released together; collect results."""
    barrier = threading.Barrier(THREADS)
    results: list = []
    lock = threading.Lock()

    def worker(thread):
        try:
            barrier.wait()
            for attempt in range(attempts_per_thread):
                try:
                    outcome = work(thread, attempt)
                except MultinicError as error:
                    outcome = error
                except Exception as error:  # noqa: BLE001 - any other error fails the test
                    outcome = ("unexpected", repr(error))
                with lock:
                    results.append(outcome)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a launch hung"
    return results


def _failures(results):
    return [r for r in results if not isinstance(r, Instance)]


@pytest.fixture
def project():
    return Project.objects.create(name="race")


def test_concurrent_launches_fill_a_small_pool_exactly_once(project):
    assert connection.vendor == "postgresql"
    network = subnets.create_network(project, "small")
    subnet = subnets.create_subnet(network, "10.0.0.0/28", name="small-v4",
                                   allocation_pools=[{"start": "10.0.0.2", "end": "10.0.0.9"}])

    def launch(thread, attempt):
        return instances.launch_instance(project=project, name=f"vm-{thread}-{attempt}",
                                         nics=[NicRequest(network.id)])

    results = _run_concurrently(launch, attempts_per_thread=3)
    launched = [r for r in results if isinstance(r, Instance)]
    exhausted = [r for r in results if isinstance(r, SubnetExhausted)]
    assert len(results) == THREADS * 3
    assert len(launched) == 8, results  # the pool holds 8 addresses
    assert len(exhausted) == THREADS * 3 - 8, results
    addresses = list(FixedIP.objects.values_list("address", flat=True))
    assert sorted(addresses) == [f"10.0.0.{i}" for i in range(2, 10)]
    macs_in_use = list(VIF.objects.values_list("mac", flat=True))
    assert len(macs_in_use) == len(set(macs_in_use)) == 8
    assert Instance.objects.count() == 8  # failed launches left no instance behind
    assert_subnet_consistent(subnet)


def test_concurrent_launches_with_two_nics_on_shared_subnets(project):
    """Launches that touch two subnets in opposite NIC orders must not deadlock."""
    net_a = subnets.create_network(project, "a")
    sub_a = subnets.create_subnet(net_a, "10.1.0.0/26", name="a-v4")
    net_b = subnets.create_network(project, "b")
    sub_b = subnets.create_subnet(net_b, "10.2.0.0/26", name="b-v4")

    def launch(thread, attempt):
        order = [net_a, net_b] if thread % 2 else [net_b, net_a]
        return instances.launch_instance(
            project=project, name=f"vm-{thread}-{attempt}",
            nics=[NicRequest(order[0].id), NicRequest(order[1].id), NicRequest(order[0].id)],
        )

    results = _run_concurrently(launch, attempts_per_thread=2)
    assert not _failures(results), _failures(results)
    for subnet in (sub_a, sub_b):
        assert_subnet_consistent(subnet)
    assert FixedIP.objects.count() == THREADS * 2 * 3


def test_only_one_of_many_racing_requests_for_one_address_wins(project):
    network = subnets.create_network(project, "contested")
    subnet = subnets.create_subnet(network, "10.3.0.0/24")

    def launch(thread, attempt):
        return instances.launch_instance(
            project=project, name=f"vm-{thread}",
            nics=[NicRequest(network.id, fixed_ips=["10.3.0.100"])],
        )

    results = _run_concurrently(launch, attempts_per_thread=1)
    assert Counter(type(r).__name__ for r in results) == {
        "Instance": 1, IpAddressInUse.__name__: THREADS - 1
    }, results
    assert_subnet_consistent(subnet)


def test_mac_collisions_between_connections_are_resolved_by_the_constraint(project):
    """Force collisions: every other draw is one fixed MAC and the rest come from 64 values,
    so concurrent launches keep picking MACs another connection holds or is inserting at the
    same moment. (Random draws alone from 64 values miss a collision about 1 time in 20.)"""
    network = subnets.create_network(project, "macs")
    subnets.create_subnet(network, "10.4.0.0/24")
    suffixes = [[0, 0, i] for i in range(64)]
    draws = Counter()
    lock = threading.Lock()

    def narrow_suffix():
        with lock:
            draws["n"] += 1
            odd = draws["n"] % 2
        return list(suffixes[0]) if odd else random.choice(suffixes)

    def launch(thread, attempt):
        return instances.launch_instance(project=project, name=f"vm-{thread}-{attempt}",
                                         nics=[NicRequest(network.id)])

    with mock.patch.object(macs, "random_suffix", side_effect=narrow_suffix):
        results = _run_concurrently(launch, attempts_per_thread=2)
    assert not _failures(results), _failures(results)
    in_use = list(VIF.objects.values_list("mac", flat=True))
    assert len(in_use) == len(set(in_use)) == THREADS * 2
    # at most one launch got the fixed MAC; every other draw of it collided and was retried
    assert draws["n"] > THREADS * 2


def test_deletes_and_launches_interleave_without_losing_addresses(project):
    network = subnets.create_network(project, "churn")
    subnet = subnets.create_subnet(network, "10.5.0.0/27")
    existing = [
        instances.launch_instance(project=project, name=f"old-{i}", nics=[NicRequest(network.id)])
        for i in range(THREADS)
    ]

    def churn(thread, attempt):
        if attempt == 0:
            instances.delete_instance(existing[thread])
            return "deleted"
        return instances.launch_instance(project=project, name=f"new-{thread}",
                                         nics=[NicRequest(network.id), NicRequest(network.id)])

    results = _run_concurrently(churn, attempts_per_thread=2)
    assert results.count("deleted") == THREADS
    launched = [r for r in results if isinstance(r, Instance)]
    refused = [r for r in results if isinstance(r, SubnetExhausted)]
    assert len(launched) + len(refused) == THREADS
    # 29 allocatable addresses (/27 less network, broadcast, gateway): at most 14 two-NIC
    # launches fit, and all 10 do once the old instances are gone.
    assert len(launched) == THREADS, results
    assert_subnet_consistent(subnet)


def _carriers_bound_once():
    ports = [p for p in VIF.objects.values_list("port_id", flat=True) if p]
    groups = [g for g in VIF.objects.values_list("port_group_id", flat=True) if g]
    assert len(ports) == len(set(ports)) and len(groups) == len(set(groups))
    # a port in a bound group is never bound by itself, and is in at most one group
    bound_group_members = set(Port.objects.filter(port_group_id__in=groups)
                              .values_list("pk", flat=True))
    assert not bound_group_members & set(ports)
    return len(ports) + len(groups)


def test_concurrent_launches_onto_one_node_never_bind_a_carrier_twice(project):
    """Eight carriers (four single ports, two bonds of two): 30 one-NIC launches race for
    them; exactly eight win, the others are told the node is full."""
    network = subnets.create_network(project, "bm", physical_network="physnet1")
    subnets.create_subnet(network, "10.6.0.0/24")
    build_node("race-node", project, [("physnet1", True)] * 8,
               groups=[{"name": "race-bond-a", "ports": [0, 1], "mode": "802.3ad"},
                       {"name": "race-bond-b", "ports": [2, 3]}])

    def launch(thread, attempt):
        return instances.launch_instance(project=project, name=f"bm-{thread}-{attempt}",
                                         nics=[NicRequest(network.id)], node="race-node")

    results = _run_concurrently(launch, attempts_per_thread=3)
    launched = [r for r in results if isinstance(r, Instance)]
    full = [r for r in results if isinstance(r, Conflict)]
    assert len(launched) == 6, results  # 4 ports 4..7, and the 2 groups
    assert len(full) == THREADS * 3 - 6, results
    assert all("no free port or port group" in str(e) for e in full)
    assert _carriers_bound_once() == 6
    assert Instance.objects.count() == 6


def test_concurrent_bonds_of_overlapping_ports_never_share_a_port(project):
    """Each thread bonds a pair of neighbouring ports (0+1, 1+2, ...): pairs overlap, so
    only disjoint ones can win; no port ends up in two bonds or carrying two NICs."""
    network = subnets.create_network(project, "bm2", physical_network="physnet1")
    subnets.create_subnet(network, "10.7.0.0/24")
    built = build_node("bond-race", project, [("physnet1", True)] * (THREADS + 1))

    def launch(thread, attempt):
        pair = [str(built.ports[thread].pk), str(built.ports[thread + 1].pk)]
        return instances.launch_instance(
            project=project, name=f"bond-{thread}", node="bond-race",
            nics=[NicRequest(network.id, carrier=CarrierRequest(bond=BondRequest(
                ports=pair, mode="802.3ad", properties={"miimon": 100})))])

    results = _run_concurrently(launch, attempts_per_thread=1)
    assert not [r for r in results if not isinstance(r, Instance | Conflict)], results
    launched = [r for r in results if isinstance(r, Instance)]
    assert 1 <= len(launched) <= (THREADS + 1) // 2
    members = [set(g.ports.values_list("pk", flat=True)) for g in PortGroup.objects.all()]
    assert len(members) == len(launched)
    assert all(len(m) == 2 for m in members)
    assert len(set().union(*members)) == 2 * len(members)  # disjoint
    assert _carriers_bound_once() == len(launched)
    for instance in launched:
        instances.delete_instance(instance)
    assert not PortGroup.objects.exists() and not VIF.objects.exists()
