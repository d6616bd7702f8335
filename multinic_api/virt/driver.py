"""The driver interface: what compute hands a driver at spawn, and what it gets back."""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from multinic_api.guest import metadata, network_data
from multinic_api.guest.records import Carrier, InstanceRecord, VifRecord


@dataclass(frozen=True)
class SpawnRequest:
    """Everything compute hands a driver: the instance, its VIFs and ``network_info``, and
    ``instances_path``, the host folder that holds each instance's disks (its own folder is
    named by its uuid), as Nova's ``instances_path``."""

    instance: InstanceRecord
    vifs: Sequence[VifRecord]
    network_info: Sequence[Mapping[str, Any]]
    instances_path: str
    carriers: Mapping[str, Carrier] = field(default_factory=dict)
    flavor: Mapping[str, Any] | None = None
    config_drive: bool = False


class RenderError(Exception):
    """A driver cannot render this instance for its hypervisor (a NIC it cannot plug). The
    drivers know nothing of HTTP: whoever asks them says what it means to its caller."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Artifact:
    name: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Spawned:
    """What a driver produced for its hypervisor, by file name."""

    driver: str
    artifacts: tuple[Artifact, ...]

    def get(self, name: str) -> Artifact:
        return next(a for a in self.artifacts if a.name == name)


class VirtDriver(abc.ABC):
    name: str

    @abc.abstractmethod
    def spawn(self, request: SpawnRequest) -> Spawned:
        """Render what the hypervisor needs to start the instance with these VIFs."""

    def network_data(self, request: SpawnRequest) -> dict[str, Any]:
        """``network_data.json`` as this driver's guests see it."""
        return network_data.network_data(request.network_info)

    def config_drive_files(self, request: SpawnRequest) -> dict[str, bytes]:
        return metadata.config_drive_files(request.instance, request.vifs,
                                           self.network_data(request))

