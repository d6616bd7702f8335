"""Deletes racing launches on a real PostgreSQL, made deterministic: one connection takes
its lock and holds it until the other is seen waiting on a lock (``pg_stat_activity``), then
finishes. Whatever the interleaving, the loser gets a 409, never a 500.

The case this file was written for: a network deleted while a launch onto it is past its
checks. Django's foreign keys on PostgreSQL are checked at commit (DEFERRABLE INITIALLY
DEFERRED), so the launch ran to its end holding its subnets' locks, and at COMMIT its VIFs'
foreign-key check waited on the delete's lock on the network, while the delete waited on
those subnet locks. PostgreSQL broke the deadlock by failing one of the two: a 500, for the
launch or for the DELETE. A launch now takes a share lock on its networks (FOR KEY SHARE)
before its first insert: it waits there holding nothing the delete needs and then sees the
network gone (409); or, if it got there first, the delete waits for it and refuses (409,
"has interfaces"). Without that lock each test here fails with "deadlock detected".
"""

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from multinic_api.exceptions import Conflict, MultinicError
from multinic_api.models import VIF, FixedIP, Instance, Network, Project, Subnet
from multinic_api.services import instances, subnets
from multinic_api.services.instances import NicRequest

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def network():
    project = Project.objects.create(name="race")
    network = subnets.create_network(project, "doomed")
    subnets.create_subnet(network, "10.0.0.0/24")
    subnets.create_subnet(network, "2001:db8::/64", ipv6_address_mode="slaac")
    return network


def _wait_until_blocked(timeout=30.0):
    """Until another connection of this test waits on a lock."""
    with connection.cursor() as cursor:  # this thread's, in the middle of its transaction
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # A transaction sees one snapshot of the activity statistics unless told not to.
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND wait_event_type = 'Lock'")
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the other connection never waited on the lock")


def _in_thread(work):
    """Run ``work`` in a thread with its own connection; returns (thread, outcome)."""
    outcome: dict = {}

    def run():
        try:
            outcome["result"] = work()
        except Exception as error:  # noqa: BLE001 - the test looks at what it was
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, outcome


def _finish(thread):
    thread.join(timeout=60)
    assert not thread.is_alive(), "hung"


def test_network_deleted_while_a_launch_waits_to_insert_its_vifs(network):
    """Delete holds the network's lock; the launch, past its checks, waits at its first VIF;
    the delete finishes: the launch gets a 409 and leaves nothing behind."""
    with transaction.atomic():
        Network.objects.select_for_update().get(pk=network.pk)  # as delete_network does
        thread, outcome = _in_thread(lambda: instances.launch_instance(
            project=network.project, name="vm", nics=[NicRequest(network.pk)]))
        _wait_until_blocked()
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
    user = network.project.members.create(username="alice")
    client.force_authenticate(user)
    body = {"name": "vm", "nics": [{"network_id": str(network.pk)}]}
    with transaction.atomic():
        Network.objects.select_for_update().get(pk=network.pk)
        thread, outcome = _in_thread(
            lambda: client.post("/api/instances/", body, format="json"))
        _wait_until_blocked()
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
        thread, outcome = _in_thread(lambda: subnets.delete_network(
            Network.objects.get(pk=network.pk)))
        _wait_until_blocked()
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
        thread, outcome = _in_thread(lambda: instances.attach_interface(
            Instance.objects.get(pk=instance.pk), NicRequest(network.pk)))
        _wait_until_blocked()
        subnets.delete_network(network)
    _finish(thread)
    assert isinstance(outcome.get("error"), MultinicError), outcome
    assert outcome["error"].status_code == 409
    assert list(instance.vifs.values_list("network", flat=True)) == [keeper.pk]
