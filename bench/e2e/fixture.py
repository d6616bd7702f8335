"""What every run launches into: a project, a user with a REST framework token and
``NETWORKS`` networks, made through the services; a subnet of its own for the floor."""

import uuid
from dataclasses import dataclass, field

NETWORKS = 4


@dataclass
class Fixture:
    project: object
    token: str
    networks: list[str]  # API networks, one IPv4 /16 each
    floor_subnet: object  # written only by the floor's raw inserts
    # Per client, networks of its own (see add_client_networks).
    client_networks: list[list[str]] = field(default_factory=list)


def setup() -> Fixture:
    """Project, user, token and networks, through the services; a network and subnet of
    its own for the floor."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import transaction
    from rest_framework.authtoken.models import Token

    from multinic_api.models import Project
    from multinic_api.services import subnets
    from multinic_identity import services as identity

    call_command("migrate", verbosity=0)
    tag = uuid.uuid4().hex[:8]
    with transaction.atomic():
        project = Project.objects.create(name=f"bench-e2e-{tag}")
        user = get_user_model().objects.create_user(f"bench-e2e-{tag}")
        identity.add_member(project, user)
        token = Token.objects.create(user=user).key
        networks = []
        for n in range(NETWORKS):
            network = subnets.create_network(project, f"bench e2e {n}")
            subnets.create_subnet(network, f"10.{100 + n}.0.0/16", name=f"bench-e2e-{n}")
            networks.append(str(network.id))
        floor_network = subnets.create_network(project, "bench floor")
        floor_subnet = subnets.create_subnet(floor_network, "10.99.0.0/16", name="bench-floor")
    return Fixture(project, token, networks, floor_subnet)


def add_client_networks(fixture: Fixture, clients: int) -> None:
    """Give each client NETWORKS networks of its own, with an IPv4 /20 each (from
    100.64.0.0/10), so that concurrent clients contend for no subnet lock."""
    import netaddr
    from django.db import transaction

    from multinic_api.services import subnets

    base = netaddr.IPNetwork("100.64.0.0/10")
    with transaction.atomic():
        for client in range(len(fixture.client_networks), clients):
            own = []
            for n in range(NETWORKS):
                start = netaddr.IPAddress(base.first + (client * NETWORKS + n) * 4096)
                network = subnets.create_network(fixture.project, f"bench client {client}/{n}")
                subnets.create_subnet(network, f"{start}/20")
                own.append(str(network.id))
            fixture.client_networks.append(own)
