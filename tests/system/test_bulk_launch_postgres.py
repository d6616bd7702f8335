"""Bulk launches on a real PostgreSQL: two at once on one small subnet share no address and
the one that finds too few left gets a 409 and leaves nothing; and a bulk launch of 4-NIC
instances costs the same statements for 10 instances as for 50 (PostgreSQL takes each
insert in one statement, where Django splits SQLite's at 999 variables)."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from multinic_api.exceptions import SubnetExhausted
from multinic_api.models import VIF, FixedIP, Instance, Project, Subnet
from multinic_api.services import instances, subnets
from multinic_api.services.instances import NicRequest
from support import invariants
from tests.harness.races import in_thread, wait_until_blocked

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def small_network():
    """A /27: 29 addresses to give (less network, broadcast and gateway)."""
    project = Project.objects.create(name="bulk")
    network = subnets.create_network(project, "small")
    subnets.create_subnet(network, "10.7.0.0/27")
    subnets.create_subnet(network, "2001:db8:7::/64", ipv6_address_mode="slaac")
    return network


def _launch_in_thread(network, name, min_count, max_count):
    return in_thread(lambda: instances.launch_instances(
        project=network.project, name=name, min_count=min_count, max_count=max_count,
        nics=[NicRequest(network.pk)] * 2))


def _race(network, launches):
    """Start the launches while this test holds the subnet's allocation lock, wait until
    each waits for it, then let them all go at once."""
    v4 = network.subnets.get(ip_version=4)
    with transaction.atomic():
        Subnet.objects.select_for_update().get(pk=v4.pk)
        started = {name: _launch_in_thread(network, name, *counts)
                   for name, counts in launches.items()}
        wait_until_blocked(len(launches))
    for thread, _ in started.values():
        thread.join(timeout=60)
        assert not thread.is_alive(), "a launch hung"
    return {name: outcome for name, (_, outcome) in started.items()}


def test_two_bulk_launches_on_one_small_subnet_the_loser_gets_a_409_and_leaves_nothing(
        small_network):
    """Each wants 10 instances of 2 NICs (20 addresses); the /27 has 29."""
    outcomes = _race(small_network, {"a": (10, 10), "b": (10, 10)})
    winners = [name for name, outcome in outcomes.items() if "result" in outcome]
    losers = {name: outcome["error"] for name, outcome in outcomes.items()
              if "error" in outcome}
    assert len(winners) == 1 and len(losers) == 1, outcomes
    (error,) = losers.values()
    assert isinstance(error, SubnetExhausted) and error.status_code == 409, error
    assert error.message.startswith("Only 4 of the 10 instances asked for could be made")
    (winner,) = winners
    assert sorted(Instance.objects.values_list("name", flat=True)) == sorted(
        f"{winner}-{n}" for n in range(1, 11))
    assert VIF.objects.count() == 20 and FixedIP.objects.count() == 40
    assert not invariants.check_invariants()


def test_two_bulk_launches_on_one_small_subnet_the_second_gets_what_is_left(small_network):
    """With min_count 4, whichever comes second makes the 4 that the 9 addresses left allow."""
    outcomes = _race(small_network, {"a": (4, 10), "b": (4, 10)})
    made = sorted(len(outcome["result"].instances) for outcome in outcomes.values())
    assert made == [4, 10], outcomes
    assert Instance.objects.count() == 14 and VIF.objects.count() == 28
    v4 = FixedIP.objects.filter(subnet__ip_version=4).values_list("address", flat=True)
    assert len(v4) == 28 == len(set(v4))
    assert not invariants.check_invariants()


def test_the_queries_of_a_bulk_launch_of_4_nic_instances_do_not_grow_with_its_count():
    project = Project.objects.create(name="cost")
    networks = []
    for n in range(4):
        network = subnets.create_network(project, f"net-{n}")
        subnets.create_subnet(network, f"10.{n}.0.0/16")
        subnets.create_subnet(network, f"2001:db8:{n}::/64", ipv6_address_mode="slaac")
        networks.append(network)
    statements = {}
    for count in (10, 50):
        with CaptureQueriesContext(connection) as queries:
            launched = instances.launch_instances(
                project=project, name=f"vm{count}", max_count=count,
                nics=[NicRequest(network.pk) for network in networks])
        assert len(launched.instances) == count
        statements[count] = [q["sql"].split(" ", 1)[0] for q in queries]
    assert statements[10] == statements[50]
    assert statements[50].count("INSERT") == 3  # the instances, their VIFs, their addresses
    assert VIF.objects.count() == 4 * 60 and FixedIP.objects.count() == 8 * 60
    assert not invariants.check_invariants()


def test_two_bulk_launches_onto_the_same_nodes_named_in_opposite_orders(small_network):
    """Each node has one port: the second launch finds them taken (409) after the first, in
    whichever order each named them; locked in one order for everyone, they never deadlock
    ("deadlock detected", a 500)."""
    from multinic_api.models import Node
    from tests.harness.baremetal_fixtures import build_node

    project = small_network.project
    names = [build_node(f"race-bm-{n}", project, [("", True)]).node.name for n in range(3)]
    orders = {"forward": names, "backward": list(reversed(names))}
    outcomes: dict = {}

    def launch(label):
        try:
            outcomes[label] = instances.launch_instances(
                project=project, name=label, max_count=3, nodes=orders[label],
                nics=[NicRequest(small_network.pk)])
        except Exception as error:  # noqa: BLE001 - the test looks at what it was
            outcomes[label] = error
        finally:
            connection.close()

    with transaction.atomic():
        # The middle one: named in list order, each launch would take its first node and
        # wait here, then want the other's.
        Node.objects.select_for_update().get(name=names[1])
        threads = [threading.Thread(target=launch, args=(label,)) for label in orders]
        for thread in threads:
            thread.start()
        wait_until_blocked(2)
    for thread in threads:
        thread.join(timeout=60)
        assert not thread.is_alive(), "a launch hung"
    errors = [o for o in outcomes.values() if isinstance(o, Exception)]
    made = [o for o in outcomes.values() if not isinstance(o, Exception)]
    assert len(made) == 1 and len(errors) == 1, outcomes
    assert getattr(errors[0], "status_code", None) == 409, errors
    assert "no free port or port group" in errors[0].message
    assert Instance.objects.count() == 3 and VIF.objects.filter(port__isnull=False).count() == 3
    assert not invariants.check_invariants()


def _inside_a_transaction(application_name: str, timeout: float = 30.0) -> None:
    """Until the server's session is in a transaction (a launch's inserts under way)."""
    with connection.cursor() as cursor:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
                           "AND xact_start IS NOT NULL AND query LIKE 'INSERT%%'",
                           [application_name])
            if cursor.fetchone()[0]:
                return
            time.sleep(0.005)
    raise AssertionError("the launch never began inserting")


def _post(url: str, token: str, body: dict, outcome: dict) -> None:
    import requests

    try:
        outcome["response"] = requests.post(url, json=body, timeout=60,
                                            headers={"Authorization": f"Token {token}"})
    except requests.RequestException as error:
        outcome["error"] = error


def test_a_bulk_launch_killed_midway_leaves_all_its_instances_or_none():
    """SIGKILL the server once a launch of 300 4-NIC instances has begun inserting, a few
    times: each launch's instances are all there, each with its four NICs and their
    addresses, or none of them is (a transaction cut off before its COMMIT)."""
    import signal

    from django.contrib.auth import get_user_model
    from rest_framework.authtoken.models import Token

    from multinic_identity import services as identity
    from support.gunicorn import GunicornServer

    project = Project.objects.create(name="bulk-crash")
    user = get_user_model().objects.create_user("bulk-crash")
    identity.add_member(project, user)
    token = Token.objects.create(user=user).key
    networks = []
    for n in range(4):
        network = subnets.create_network(project, f"crash-{n}")
        subnets.create_subnet(network, f"10.{60 + n}.0.0/16")
        networks.append(str(network.pk))
    server = GunicornServer(workers=1)
    made = []
    try:
        for attempt in range(3):
            server.start()
            outcome: dict = {}
            body = {"name": f"crash{attempt}", "count": 300,
                    "nics": [{"network_id": n} for n in networks]}
            thread = threading.Thread(target=_post, args=(
                server.url("/api/instances/"), token, body, outcome))
            thread.start()
            _inside_a_transaction(server.application_name)
            server.kill(signal.SIGKILL)
            thread.join(timeout=60)
            server.wait_for_sessions_to_end()
            made.append(Instance.objects.filter(name__startswith=f"crash{attempt}-").count())
            assert made[-1] in (0, 300), (attempt, made, outcome)
    finally:
        server.stop()
        server.remove_files()
    assert 0 in made, made  # at least one launch was cut off before it committed
    assert VIF.objects.count() == 4 * Instance.objects.count()
    assert FixedIP.objects.count() == VIF.objects.count()
    assert not invariants.check_invariants(), made
