from .baremetal import Node, Port, PortGroup
from .instances import VIF, FixedIP, Instance
from .keypairs import Keypair
from .networks import AllocationPool, FreeRange, Network, Subnet
from .tenancy import Project

__all__ = [
    "AllocationPool",
    "FixedIP",
    "FreeRange",
    "Instance",
    "Keypair",
    "Network",
    "Node",
    "Port",
    "PortGroup",
    "Project",
    "Subnet",
    "VIF",
]
