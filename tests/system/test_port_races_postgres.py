"""Two launches taking one port, on a real PostgreSQL: the second waits on the first's lock
of the port's row, then finds the port taken (PortInUse, a 409), never a 500, and leaves
nothing behind."""

import pytest
from django.db import transaction

from multinic_api.exceptions import PortInUse
from multinic_api.models import VIF, Instance, Project
from multinic_api.services import instances, subnets
from multinic_api.services.instances import NicRequest
from tests.harness.races import in_thread, wait_until_blocked

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_a_port_taken_while_another_launch_waits_for_it_is_in_use():
    project = Project.objects.create(name="race")
    network = subnets.create_network(project, "ports")
    subnets.create_subnet(network, "10.0.0.0/24")
    port = instances.create_port(project=project, network_id=network.id)

    def second():
        return instances.launch_instance(project=project, name="second", nics=[
            NicRequest(network.id), NicRequest(None, port_id=port.uuid)])

    with transaction.atomic():
        first = instances.launch_instance(project=project, name="first",
                                          nics=[NicRequest(None, port_id=port.uuid)])
        thread, outcome = in_thread(second)
        wait_until_blocked()
    thread.join(timeout=60)
    assert isinstance(outcome.get("error"), PortInUse), outcome
    assert list(Instance.objects.values_list("name", flat=True)) == ["first"]
    assert list(VIF.objects.values_list("uuid", "instance_id")) == [(port.uuid, first.uuid)]
