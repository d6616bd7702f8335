"""The virt driver handoff (SPEC 3, seed steps 5 to 7): compute passes ``network_info`` to a
driver at spawn, and the driver renders what its hypervisor needs from it."""

from .driver import Spawned, SpawnRequest, VirtDriver, driver_for

__all__ = ["SpawnRequest", "Spawned", "VirtDriver", "driver_for"]
