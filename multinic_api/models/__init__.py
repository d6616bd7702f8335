from .identity import AuthToken
from .instances import VIF, FixedIP, Instance
from .networks import AllocationPool, FreeRange, Network, Subnet
from .tenancy import Project

__all__ = [
    "AllocationPool",
    "AuthToken",
    "FixedIP",
    "FreeRange",
    "Instance",
    "Network",
    "Project",
    "Subnet",
    "VIF",
]
