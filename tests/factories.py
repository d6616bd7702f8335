"""Rows for tests, made the way the code makes them.

Every factory whose rows a service creates calls that service (``_create``), so a made row
has passed the same checks and holds the same related rows as one made through any face: a
subnet its pools and free ranges, an instance its VIFs in NIC order with a MAC and an
address on every subnet, a port group its members on one physical network. Only a
``Project``, which no service creates (a face records it on first sight), and a user of the
built-in Identity are plain model rows.

``build()`` is of no use with the service-backed factories: their rows only exist saved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import factory
from django.contrib.auth import get_user_model

from multinic_api.models import Instance, Keypair, Network, Node, Port, PortGroup, Project, Subnet
from multinic_api.services import baremetal, instances, keypairs, subnets
from multinic_api.services.instances import NicRequest
from multinic_identity import services as identity
from tests.harness.helpers import ED25519


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"project-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    """A user of the built-in Identity with the password ``pw-<username>``, a member of
    ``projects`` (none unless given)."""

    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user-{n}")
    is_superuser = False

    @classmethod
    def _create(cls, model_class: type, *args: Any, **kwargs: Any) -> Any:
        manager = cls._get_manager(model_class)
        password = kwargs.pop("password", None) or f"pw-{kwargs['username']}"
        if kwargs.pop("is_superuser"):
            return manager.create_superuser(password=password, **kwargs)
        return manager.create_user(password=password, **kwargs)

    @factory.post_generation
    def projects(self, create: bool, extracted: Sequence[Project] | None, **kwargs: Any) -> None:
        for project in extracted or ():
            identity.add_member(project, self)


class NetworkFactory(factory.Factory):
    class Meta:
        model = Network

    project = factory.SubFactory(ProjectFactory)
    name = factory.Sequence(lambda n: f"net-{n}")

    @classmethod
    def _create(cls, model_class: type, project: Project, name: str, **kwargs: Any) -> Network:
        return subnets.create_network(project, name, **kwargs)


def _cidr(n: int) -> str:
    # 172.16.0.0/12, a /24 each: apart from the 10.x, 192.0.2.x and 2001:db8 ranges tests
    # name themselves.
    return f"172.{16 + n // 256 % 16}.{n % 256}.0/24"


class SubnetFactory(factory.Factory):
    """A subnet, by default an IPv4 /24 of its own on a network of its own."""

    class Meta:
        model = Subnet

    network = factory.SubFactory(NetworkFactory)
    cidr = factory.Sequence(_cidr)
    name = factory.LazyAttribute(lambda subnet: f"sub-{subnet.cidr}")

    @classmethod
    def _create(cls, model_class: type, network: Network, cidr: str, **kwargs: Any) -> Subnet:
        return subnets.create_subnet(network, cidr, **kwargs)


def _first_networks_project(instance: Any) -> Project:
    for nic in instance.nics:
        if isinstance(nic, Network):
            return nic.project
    return ProjectFactory()


class InstanceFactory(factory.Factory):
    """An instance launched by ``instances.launch_instance``. ``nics``: networks (a NIC each,
    in order) or ``NicRequest``s; the project is the first network's unless given."""

    class Meta:
        model = Instance

    nics: Sequence[Network | NicRequest] = ()
    project = factory.LazyAttribute(_first_networks_project)
    name = factory.Sequence(lambda n: f"vm-{n}")

    @classmethod
    def _create(cls, model_class: type, nics: Sequence[Network | NicRequest], project: Project,
                name: str, **kwargs: Any) -> Instance:
        requests = [nic if isinstance(nic, NicRequest) else NicRequest(nic.pk) for nic in nics]
        return instances.launch_instance(project=project, name=name, nics=requests, **kwargs)


class NodeFactory(factory.Factory):
    class Meta:
        model = Node

    name = factory.Sequence(lambda n: f"node-{n}")
    project = factory.SubFactory(ProjectFactory)

    @classmethod
    def _create(cls, model_class: type, name: str, project: Project | None,
                **kwargs: Any) -> Node:
        return baremetal.create_node(name, project, **kwargs)


def _mac(n: int) -> str:
    # 52:54:01:...: apart from the 52:54:00:00:<node>:<port> MACs of build_node.
    return f"52:54:01:{n >> 16 & 255:02x}:{n >> 8 & 255:02x}:{n & 255:02x}"


class PortFactory(factory.Factory):
    class Meta:
        model = Port

    node = factory.SubFactory(NodeFactory)
    mac = factory.Sequence(_mac)
    physical_network = "physnet1"
    pxe_enabled = True

    @classmethod
    def _create(cls, model_class: type, node: Node, mac: str, **kwargs: Any) -> Port:
        return baremetal.create_port(node, mac, **kwargs)


class PortGroupFactory(factory.Factory):
    """A port group; ``ports`` (free ports of its node) become its members, and are read
    again so that they show their group."""

    class Meta:
        model = PortGroup

    node = factory.SubFactory(NodeFactory)
    name = factory.Sequence(lambda n: f"bond{n}")

    @classmethod
    def _create(cls, model_class: type, node: Node, name: str, **kwargs: Any) -> PortGroup:
        group, _ = baremetal.create_port_group(node, name, **kwargs)
        for port in kwargs.get("ports") or ():
            port.refresh_from_db()
        return group


class KeypairFactory(factory.Factory):
    """A key pair imported for ``user`` (a new user unless given)."""

    class Meta:
        model = Keypair

    class Params:
        user = factory.SubFactory(UserFactory)

    user_id = factory.LazyAttribute(lambda keypair: keypair.user.user_id)
    name = factory.Sequence(lambda n: f"key-{n}")
    public_key = ED25519

    @classmethod
    def _create(cls, model_class: type, user_id: str, name: str, public_key: str,
                **kwargs: Any) -> Keypair:
        return keypairs.import_keypair(user_id, name, public_key, **kwargs)
