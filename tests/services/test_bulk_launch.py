"""Bulk launch (Nova's min_count / max_count) in the service: names, launch indexes and the
reservation as Nova sets them, each instance with its own MACs, addresses and bare-metal
node, all or nothing, and a cost that does not grow with the number of instances."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from multinic_api.exceptions import Conflict, InvalidInput, NotFound, SubnetExhausted
from multinic_api.models import VIF, FixedIP, FreeRange, Instance, PortGroup
from multinic_api.services import instances, limits, subnets
from multinic_api.services.instances import BondRequest, CarrierRequest, NicRequest
from support import invariants
from tests.harness.baremetal_fixtures import build_node

pytestmark = pytest.mark.django_db

RESERVATION = re.compile(r"r-[0-9a-z]{8}\Z")


def _network(project, cidr="10.0.0.0/24", name="net", v6=True):
    network = subnets.create_network(project, name)
    subnets.create_subnet(network, cidr)
    if v6:
        subnets.create_subnet(network, "2001:db8::/64", ipv6_address_mode="slaac")
    return network


def _rows():
    return (Instance.objects.count(), VIF.objects.count(), FixedIP.objects.count(),
            sorted(FreeRange.objects.values_list("subnet", "first", "last")))


def test_instances_are_named_indexed_and_reserved_as_nova_does(project):
    network = _network(project)
    launched = instances.launch_instances(project=project, name="web", min_count=3,
                                          max_count=3, nics=[NicRequest(network.pk)] * 2)
    assert RESERVATION.match(launched.reservation_id)
    assert [(i.name, i.hostname, i.launch_index) for i in launched.instances] == [
        ("web-1", "web-1", 0), ("web-2", "web-2", 1), ("web-3", "web-3", 2)]
    stored = Instance.objects.order_by("launch_index")
    assert [(i.name, i.launch_index, i.reservation_id) for i in stored] == [
        (f"web-{n + 1}", n, launched.reservation_id) for n in range(3)]
    # Each its own MACs and addresses, in NIC order, answered as a read loads them.
    macs = [v.mac for i in launched.instances for v in i.interfaces]
    v4 = [a.address for i in launched.instances for v in i.interfaces for a in v.addresses
          if a.subnet.ip_version == 4]
    assert len(set(macs)) == 6 and v4 == [f"10.0.0.{n}" for n in range(2, 8)]
    for instance in launched.instances:
        assert [v.position for v in instance.interfaces] == [0, 1]
        read = Instance.objects.with_interfaces().get(pk=instance.pk)
        assert [(v.mac, [a.address for a in v.addresses]) for v in read.interfaces] == [
            (v.mac, [a.address for a in v.addresses]) for v in instance.interfaces]
    assert not invariants.check_invariants()


def test_a_single_launch_keeps_its_name_and_has_a_reservation_of_its_own(project):
    network = _network(project)
    first = instances.launch_instance(project=project, name="db", nics=[NicRequest(network.pk)])
    second = instances.launch_instance(project=project, name="db", nics=[NicRequest(network.pk)])
    assert (first.name, first.hostname, first.launch_index) == ("db", "db", 0)
    assert RESERVATION.match(first.reservation_id)
    assert first.reservation_id != second.reservation_id


def test_a_hostname_is_numbered_like_the_name(project):
    network = _network(project)
    launched = instances.launch_instances(project=project, name="Web Server", hostname="web",
                                          max_count=2, nics=[NicRequest(network.pk)])
    assert [i.hostname for i in launched.instances] == ["web-1", "web-2"]
    assert [i.name for i in launched.instances] == ["Web Server-1", "Web Server-2"]


def test_a_long_name_is_cut_before_the_number_of_the_hostname(project):
    network = _network(project)
    launched = instances.launch_instances(project=project, name="x" * 80, max_count=10,
                                          nics=[NicRequest(network.pk)])
    hostnames = [i.hostname for i in launched.instances]
    assert hostnames[0] == "x" * 61 + "-1" and hostnames[9] == "x" * 60 + "-10"
    assert launched.instances[9].name == "x" * 80 + "-10"


def test_as_many_as_the_addresses_allow_between_min_and_max(project):
    """A /29 has five addresses to give (less network, broadcast and gateway): with two NICs
    on it per instance, two instances, though up to five were asked for."""
    network = _network(project, "10.9.0.0/29", v6=False)
    launched = instances.launch_instances(project=project, name="vm", min_count=2,
                                          max_count=5, nics=[NicRequest(network.pk)] * 2)
    assert [i.name for i in launched.instances] == ["vm-1", "vm-2"]
    assert Instance.objects.count() == 2 and VIF.objects.count() == 4
    assert sorted(FixedIP.objects.values_list("address", flat=True)) == [
        f"10.9.0.{n}" for n in range(2, 6)]
    assert not invariants.check_invariants()


def test_fewer_possible_than_min_count_is_a_409_that_says_how_many_and_writes_nothing(
        project):
    network = _network(project, "10.9.0.0/29", v6=False)
    before = _rows()
    with pytest.raises(SubnetExhausted) as raised:
        instances.launch_instances(project=project, name="vm", min_count=3, max_count=5,
                                   nics=[NicRequest(network.pk)] * 2)
    assert raised.value.status_code == 409
    assert raised.value.message.startswith("Only 2 of the 3 instances asked for could be made")
    assert "10.9.0.0/29" in raised.value.message and "5 free address" in raised.value.message
    assert _rows() == before


@pytest.mark.parametrize(("counts", "message"), [
    ({"min_count": 0}, "min_count must be a positive integer"),
    ({"max_count": -1}, "max_count must be a positive integer"),
    ({"max_count": 2.0}, "max_count must be a positive integer"),
    ({"max_count": "2"}, "max_count must be a positive integer"),
    ({"max_count": True}, "max_count must be a positive integer"),
    ({"min_count": 3, "max_count": 2}, r"min_count \(3\) may not be greater than max_count"),
    ({"max_count": limits.INSTANCES_PER_LAUNCH + 1}, "At most 1000 instances"),
    ({"max_count": 1000, "name": "x" * 251},
     "An instance name may be at most 250 characters when launching 1000 instances"),
])
def test_bad_counts_are_400s(project, counts, message):
    network = _network(project)
    with pytest.raises(InvalidInput, match=message):
        instances.launch_instances(**{"project": project, "name": "vm",
                                      "nics": [NicRequest(network.pk)], **counts})
    assert not Instance.objects.exists()


@pytest.mark.parametrize(("nic", "message"), [
    (lambda n: NicRequest(n, fixed_ips=["10.0.0.9"]), "a fixed IP cannot be requested"),
    (lambda n: NicRequest(n, mac="fa:16:3e:00:00:01"), "a MAC address cannot be requested"),
    (lambda n: NicRequest(n, carrier=CarrierRequest(port="52:54:00:00:00:01")),
     "a port, port group or bond cannot be named"),
    (lambda n: NicRequest(n, carrier=CarrierRequest(bond=BondRequest(ports=["p"]))),
     "a port, port group or bond cannot be named"),
])
def test_what_names_one_thing_cannot_go_to_several_instances(project, nic, message):
    network = _network(project)
    with pytest.raises(InvalidInput, match=message):
        instances.launch_instances(project=project, name="vm", max_count=2, is_admin=True,
                                   nics=[NicRequest(network.pk), nic(network.pk)])
    assert not Instance.objects.exists()


# --- bare metal: one node per instance ------------------------------------------------------

def _nodes(project, count, ports=2, prefix="bm"):
    return [build_node(f"{prefix}-{n}", project, [("physnet1", True)] * ports).node
            for n in range(count)]


def test_each_instance_goes_onto_its_node_with_its_own_carriers(project):
    network = _network(project)
    nodes = _nodes(project, 3)
    launched = instances.launch_instances(
        project=project, name="bm", max_count=3, nodes=[n.name for n in reversed(nodes)],
        nics=[NicRequest(network.pk)] * 2)
    assert [(i.name, i.node_id) for i in launched.instances] == [
        ("bm-1", nodes[2].pk), ("bm-2", nodes[1].pk), ("bm-3", nodes[0].pk)]
    for instance in launched.instances:
        ports = [v.port for v in instance.interfaces]
        assert {p.node_id for p in ports} == {instance.node_id}
        assert [v.mac for v in instance.interfaces] == [p.mac for p in ports]
        assert all(v.binding_host == str(instance.node_id) for v in instance.interfaces)
    assert VIF.objects.filter(port__isnull=False).count() == 6
    assert not invariants.check_invariants()


def test_at_most_one_instance_per_node_named(project):
    network = _network(project)
    nodes = _nodes(project, 2)
    launched = instances.launch_instances(project=project, name="bm", min_count=2,
                                          max_count=5, nodes=[str(n.pk) for n in nodes],
                                          nics=[NicRequest(network.pk)])
    assert [i.node_id for i in launched.instances] == [n.pk for n in nodes]
    assert [i.name for i in launched.instances] == ["bm-1", "bm-2"]


def test_fewer_nodes_than_min_count_is_a_409_and_writes_nothing(project):
    network = _network(project)
    nodes = _nodes(project, 2)
    before = _rows()
    with pytest.raises(Conflict, match="Only 2 of the 3 instances asked for could be made"):
        instances.launch_instances(project=project, name="bm", min_count=3, max_count=3,
                                   nodes=[n.name for n in nodes],
                                   nics=[NicRequest(network.pk)])
    assert _rows() == before


def test_a_node_without_free_carriers_fails_the_whole_launch(project):
    network = _network(project)
    (roomy,), (cramped,) = _nodes(project, 1, 2, "roomy"), _nodes(project, 1, 1, "cramped")
    before = _rows()
    with pytest.raises(Conflict, match="no free port or port group"):
        instances.launch_instances(project=project, name="bm", max_count=2,
                                   nodes=[roomy.name, cramped.name],
                                   nics=[NicRequest(network.pk)] * 2)
    assert _rows() == before and not PortGroup.objects.filter(instance__isnull=False).exists()


@pytest.mark.parametrize(("nodes", "error", "message"), [
    (lambda n: [n[0].name, str(n[0].pk)], InvalidInput, "named more than once"),
    (lambda n: [n[0].name, "nowhere"], NotFound, "Node nowhere not found"),
    (lambda n: [], InvalidInput, "nodes must be a list"),
    (lambda n: n[0].name, InvalidInput, "nodes must be a list"),
])
def test_bad_node_lists(project, nodes, error, message):
    network = _network(project)
    made = _nodes(project, 1)
    with pytest.raises(error, match=message):
        instances.launch_instances(project=project, name="bm", max_count=2, nodes=nodes(made),
                                   nics=[NicRequest(network.pk)])
    assert not Instance.objects.exists()


def test_another_projects_node_is_not_found(project, other_project):
    network = _network(project)
    (mine,) = _nodes(project, 1, prefix="mine")
    (theirs,) = _nodes(other_project, 1, prefix="theirs")
    with pytest.raises(NotFound, match=theirs.name):
        instances.launch_instances(project=project, name="bm", max_count=2,
                                   nodes=[mine.name, theirs.name], nics=[NicRequest(network.pk)])


# --- cost -----------------------------------------------------------------------------------

def _queries(launch) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        launch()
    return [q["sql"] for q in queries]


def test_the_queries_of_a_bulk_launch_do_not_grow_with_its_count(project):
    """10 and 50 instances cost the same statements: one INSERT per table per launch, the
    addresses of every subnet read and taken at once. (SQLite's bound of 999 variables per
    statement makes Django split inserts of more rows than that into batches; the 4-NIC
    shape at these counts is measured on PostgreSQL in test_bulk_launch_postgres.py.)"""
    network = _network(project, "10.0.0.0/16")
    counts = {n: _queries(lambda n=n: instances.launch_instances(
        project=project, name=f"vm{n}", max_count=n, nics=[NicRequest(network.pk)]))
        for n in (10, 50)}
    assert len(counts[10]) == len(counts[50]), (counts[10], counts[50])
    assert sum(sql.startswith("INSERT") for sql in counts[50]) == 3  # instances, VIFs, IPs
    assert Instance.objects.count() == 60 and VIF.objects.count() == 60
    # One more than a single launch: a bulk launch reads which of its generated MACs are
    # taken before inserting them (the free ranges it reads to count the instances they have
    # room for are the ones it takes its addresses from).
    single = _queries(lambda: instances.launch_instance(project=project, name="one",
                                                        nics=[NicRequest(network.pk)]))
    assert len(single) == len(counts[10]) - 1
    looks = [sql for sql in counts[10] if sql not in single and '"mac" IN' in sql]
    assert len(looks) == 1 and "ORDER BY" not in looks[0]
    assert not invariants.check_invariants()


def test_the_queries_of_a_bulk_launch_onto_nodes_do_not_grow_with_their_number(project):
    """The nodes are found, locked and their free carriers read once for all of them."""
    network = _network(project)
    nodes = _nodes(project, 9)
    counts = {n: _queries(lambda n=n, chosen=chosen: instances.launch_instances(
        project=project, name=f"bm{n}", max_count=n, nodes=[node.name for node in chosen],
        nics=[NicRequest(network.pk)] * 2)) for n, chosen in ((3, nodes[:3]), (6, nodes[3:]))}
    assert len(counts[3]) == len(counts[6]), (counts[3], counts[6])
    assert VIF.objects.filter(port__isnull=False).count() == 18
    assert not invariants.check_invariants()


def test_a_port_made_beforehand_cannot_go_to_several_instances(project):
    network = _network(project)
    port = instances.create_port(project=project, network_id=network.pk)
    with pytest.raises(InvalidInput, match="single configured port ID"):
        instances.launch_instances(project=project, name="vm", max_count=2,
                                   nics=[NicRequest(None, port_id=port.pk)])
    assert not Instance.objects.exists()
    port.refresh_from_db()
    assert port.instance_id is None
