"""Races on a real PostgreSQL, made deterministic: one connection takes its lock and holds
it until the others are seen waiting on a lock (``pg_stat_activity``), then finishes.
Whatever the interleaving, the loser gets a 409, never a 500.

The case this file was written for: a network deleted while a launch onto it is past its
checks. Django's foreign keys on PostgreSQL are checked at commit (DEFERRABLE INITIALLY
DEFERRED), so the launch ran to its end holding its subnets' locks, and at COMMIT its VIFs'
foreign-key check waited on the delete's lock on the network, while the delete waited on
those subnet locks. PostgreSQL broke the deadlock by failing one of the two: a 500, for the
launch or for the DELETE. A launch therefore takes a share lock on its networks (FOR KEY SHARE)
before its first insert: it waits there holding nothing the delete needs and then sees the
network gone (409); or, if it got there first, the delete waits for it and refuses (409,
"has interfaces"). Without that lock each of those tests fails with "deadlock detected".

The last two: admin launches requesting the same MACs in different NIC orders. Each insert
holds its MAC's entry in the unique index until commit, so in NIC order two launches could
each hold a MAC the other waits for ("deadlock detected" again). VIFs therefore go in in MAC
order, in the batched insert of every run of the launch: the later launch waits at the first MAC
they share, holding none of the others, and gets a 409.
"""


import pytest
from django.db import DatabaseError, transaction
from rest_framework.test import APIClient

from multinic_api.exceptions import Conflict, MacAddressInUse, MultinicError
from multinic_api.models import VIF, FixedIP, Instance, Network, Project, Subnet
from multinic_api.services import instances, subnets
from multinic_api.services.instances import NicRequest
from multinic_identity import services as identity
from multinic_identity.models import User
from tests.harness.races import in_thread, wait_until_blocked

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network():
    project = Project.objects.create(name="race")
    network = subnets.create_network(project, "doomed")
    subnets.create_subnet(network, "10.0.0.0/24")
    subnets.create_subnet(network, "2001:db8::/64", ipv6_address_mode="slaac")
    return network




def _finish(thread):
    thread.join(timeout=60)
    assert not thread.is_alive(), "hung"


def test_network_deleted_while_a_launch_waits_to_insert_its_vifs(network):
    """Delete holds the network's lock; the launch, past its checks, waits at its first VIF;
    the delete finishes: the launch gets a 409 and leaves nothing behind."""
    with transaction.atomic():
        Network.objects.select_for_update().get(pk=network.pk)  # as delete_network does
        thread, outcome = in_thread(lambda: instances.launch_instance(
            project=network.project, name="vm", nics=[NicRequest(network.pk)]))
        wait_until_blocked()
        subnets.delete_network(network)
    _finish(thread)
    error = outcome.get("error")
    assert isinstance(error, Conflict), outcome  # was an IntegrityError: a 500
    assert "deleted" in error.message
    assert not Network.objects.exists() and not Subnet.objects.exists()
    assert not Instance.objects.exists() and not VIF.objects.exists()
    assert not FixedIP.objects.exists()


def test_network_deleted_while_a_rest_launch_waits_is_a_409_not_a_500(network):
    client = APIClient()
    user = User.objects.create(username="alice")
    identity.add_member(network.project, user)
    client.force_authenticate(user)
    body = {"name": "vm", "nics": [{"network_id": str(network.pk)}]}
    with transaction.atomic():
        Network.objects.select_for_update().get(pk=network.pk)
        thread, outcome = in_thread(
            lambda: client.post("/api/instances/", body, format="json"))
        wait_until_blocked()
        subnets.delete_network(network)
    _finish(thread)
    assert "result" in outcome, outcome  # the test client re-raises what was a 500
    response = outcome["result"]
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "conflict"


def test_launch_first_then_delete_the_delete_is_refused(network):
    """The other interleaving: the launch holds its share lock until it commits, the delete
    waits for it, then sees the interface and refuses."""
    with transaction.atomic():
        instance = instances.launch_instance(project=network.project, name="vm",
                                             nics=[NicRequest(network.pk)])
        thread, outcome = in_thread(lambda: subnets.delete_network(
            Network.objects.get(pk=network.pk)))
        wait_until_blocked()
    _finish(thread)
    assert isinstance(outcome.get("error"), Conflict), outcome
    assert "interface" in outcome["error"].message
    assert VIF.objects.filter(instance=instance).count() == 1


def test_delete_of_a_network_an_attach_is_about_to_use(network):
    """Attach goes through the same path: a 409, not a 500, and the instance keeps its NIC."""
    project = network.project
    keeper = subnets.create_network(project, "keeper")
    subnets.create_subnet(keeper, "10.1.0.0/24")
    instance = instances.launch_instance(project=project, name="vm",
                                         nics=[NicRequest(keeper.pk)])
    with transaction.atomic():
        Network.objects.select_for_update().get(pk=network.pk)
        thread, outcome = in_thread(lambda: instances.attach_interface(
            Instance.objects.get(pk=instance.pk), NicRequest(network.pk)))
        wait_until_blocked()
        subnets.delete_network(network)
    _finish(thread)
    assert isinstance(outcome.get("error"), MultinicError), outcome
    assert outcome["error"].status_code == 409
    assert list(instance.vifs.values_list("network", flat=True)) == [keeper.pk]


def _admin_launch(network, name, macs):
    """A launch, for a thread: as an administrator, one NIC per requested MAC."""
    return lambda: instances.launch_instance(
        project=network.project, name=name, is_admin=True,
        nics=[NicRequest(network.pk, mac=mac) for mac in macs])


def test_admin_launches_requesting_the_same_macs_in_opposite_orders(network):
    """Two admin launches want MACs A, Z, B and B, Z, A. This test holds Z (an uncommitted
    VIF) until both launches wait on a lock, then gives it up. Inserted in NIC order, the
    first launch held A and the second B while both waited for Z; whichever then took Z
    waited for the other's last MAC, which waited for Z: "deadlock detected", a 500. In MAC
    order (A, B, Z) for both, the second waits at A holding nothing, sees the first commit,
    and gets a 409 naming A; it leaves nothing behind."""
    a, b, z = "fa:16:3e:00:00:0a", "fa:16:3e:00:00:0b", "fa:16:3e:00:00:0c"
    holder = instances.launch_instance(project=network.project, name="holder",
                                       nics=[NicRequest(network.pk)])
    orders = {"first": [a, z, b], "second": [b, z, a]}
    with transaction.atomic():
        VIF.objects.create(instance=holder, network=network, position=1, mac=z)
        launches = {name: in_thread(_admin_launch(network, name, order))
                    for name, order in orders.items()}
        wait_until_blocked(count=2)
        transaction.set_rollback(True)  # Z is free again: both launches go on
    for thread, _ in launches.values():
        _finish(thread)

    outcomes = {name: outcome for name, (_, outcome) in launches.items()}
    errors = {name: outcome["error"] for name, outcome in outcomes.items() if "error" in outcome}
    assert not [e for e in errors.values() if isinstance(e, DatabaseError)], errors
    (winner,) = [name for name, outcome in outcomes.items() if "result" in outcome]
    (loser,) = errors
    assert isinstance(errors[loser], MacAddressInUse), errors
    assert errors[loser].status_code == 409
    assert a in errors[loser].message  # it stopped at its first MAC, holding nothing
    # The winner's VIFs have the MACs in the order its NICs asked for them.
    instance = outcomes[winner]["result"]
    assert [(v.position, v.mac) for v in instance.vifs.order_by("position")] == list(
        enumerate(orders[winner]))
    assert sorted(Instance.objects.values_list("name", flat=True)) == sorted(["holder", winner])
    assert VIF.objects.count() == 1 + 3
    assert FixedIP.objects.count() == 2 * (1 + 3)  # an IPv4 and a SLAAC address per VIF


def test_a_launch_meeting_a_taken_mac_stops_before_taking_any_other(network):
    """One launch wants A, B and C: it takes A and waits for B, held by this test. The other
    wants C, A and W, where W is taken: its batch fails at once. Inserted in NIC order, it
    would take C, then wait for A; freed, the first would take B and wait for C: "deadlock
    detected". In MAC order it stops at W (a 409) before taking anything, and the first
    launch goes through."""
    w, a, b, c = "fa:16:3e:00:00:01", "fa:16:3e:00:00:0a", "fa:16:3e:00:00:0b", "fa:16:3e:00:00:0c"
    holder = instances.launch_instance(project=network.project, name="holder", is_admin=True,
                                       nics=[NicRequest(network.pk, mac=w)])
    with transaction.atomic():
        VIF.objects.create(instance=holder, network=network, position=1, mac=b)
        waiting, waiting_outcome = in_thread(_admin_launch(network, "waiting", [a, b, c]))
        wait_until_blocked()
        falling_back, fallback_outcome = in_thread(
            _admin_launch(network, "falling-back", [c, a, w]))
        # Fixed, it is done without waiting; in NIC order it would wait for A.
        wait_until_blocked(count=2, unless=lambda: not falling_back.is_alive())
        transaction.set_rollback(True)
    _finish(falling_back)
    _finish(waiting)

    error = fallback_outcome.get("error")
    assert isinstance(error, MacAddressInUse), fallback_outcome
    assert w in error.message
    assert "result" in waiting_outcome, waiting_outcome
    assert [(v.position, v.mac) for v in waiting_outcome["result"].vifs.order_by("position")] == [
        (0, a), (1, b), (2, c)]
    assert sorted(Instance.objects.values_list("name", flat=True)) == ["holder", "waiting"]
    assert VIF.objects.count() == 1 + 3
