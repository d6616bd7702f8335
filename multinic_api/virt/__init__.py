"""The virt driver handoff: compute passes ``network_info`` to a driver at spawn, and the
driver renders what its hypervisor needs from it. Every driver is known here, where the one
that spawns an instance is chosen."""

from .baremetal import BaremetalDriver
from .driver import Artifact, RenderError, Spawned, SpawnRequest, VirtDriver
from .libvirt import LibvirtDriver

#: The drivers by name.
DRIVERS: dict[str, type[VirtDriver]] = {"libvirt": LibvirtDriver, "baremetal": BaremetalDriver}

__all__ = ["DRIVERS", "Artifact", "BaremetalDriver", "LibvirtDriver", "RenderError",
           "SpawnRequest", "Spawned", "VirtDriver", "driver_for"]


def driver_for(request: SpawnRequest) -> VirtDriver:
    """Bare metal when any VIF is bound to a node's port, else libvirt."""
    if any(vif.get("vnic_type") == "baremetal" for vif in request.network_info):
        return BaremetalDriver()
    return LibvirtDriver()
