"""Bare-metal nodes for tests, built through the services (so their rules apply)."""

import itertools
from dataclasses import dataclass, field

import pytest

from multinic_api.models import Node, Port, PortGroup
from tests.factories import NodeFactory, PortFactory, PortGroupFactory


@dataclass
class BuiltNode:
    node: Node
    ports: list[Port]
    groups: list[PortGroup] = field(default_factory=list)


_NODE_NUMBERS = itertools.count(1)


def build_node(name, project, ports, groups=()):
    """``ports``: (physical_network, pxe_enabled) per port, MACs 52:54:00:00:<node>:<n>, in
    port order. ``groups``: dicts of create_port_group arguments, ``ports`` as indexes."""
    node = NodeFactory(name=name, project=project)
    number = next(_NODE_NUMBERS) % 256
    built = [PortFactory(node=node, mac=f"52:54:00:00:{number:02x}:{i + 1:02x}",
                         physical_network=physnet, pxe_enabled=pxe)
             for i, (physnet, pxe) in enumerate(ports)]
    made = []
    for spec in groups:
        spec = dict(spec)
        members = [built[i] for i in spec.pop("ports")]
        made.append(PortGroupFactory(node=node, ports=members, **spec))
    return BuiltNode(node=node, ports=built, groups=made)


@pytest.fixture
def demo_like_node(project):
    """Four ports on two physical networks, ports 0 and 1 bonded in 802.3ad (as the demo)."""
    return build_node("node-1", project,
                      [("physnet1", True), ("physnet1", True), ("physnet2", True),
                       ("physnet2", False)],
                      groups=[{"name": "bond0", "ports": [0, 1], "mode": "802.3ad",
                               "properties": {"miimon": 100, "xmit_hash_policy": "layer3+4"}}])
