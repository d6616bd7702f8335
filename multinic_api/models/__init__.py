from .baremetal import Node, Port, PortGroup
from .instances import VIF, FixedIP, Instance
from .keypairs import Keypair
from .networks import AllocationPool, FreeRange, Network, Subnet, VifType
from .serials import CreationTicket
from .tenancy import Project

__all__ = [
    "AllocationPool",
    "CreationTicket",
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
    "VifType",
]
