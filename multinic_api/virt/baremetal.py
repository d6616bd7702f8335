"""Bare metal: the node boots its own disk, so all the driver hands over is the config drive,
whose ``network_data.json`` describes the ports and bonds that carry each VIF (as Nova's
Ironic driver does in ``_get_network_metadata``)."""

from __future__ import annotations

from typing import Any

from multinic_api.guest import iso, network_data

from .driver import Artifact, Spawned, SpawnRequest, VirtDriver

ISO_CONTENT_TYPE = "application/x-iso9660-image"


class BaremetalDriver(VirtDriver):
    name = "baremetal"

    def network_data(self, request: SpawnRequest) -> dict[str, Any]:
        return network_data.network_data(request.network_info, request.carriers)

    def spawn(self, request: SpawnRequest) -> Spawned:
        image = iso.build_iso(self.config_drive_files(request))
        return Spawned(self.name, (Artifact("configdrive.iso", ISO_CONTENT_TYPE, image),))
