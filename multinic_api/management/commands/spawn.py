"""Show the virt driver handoff for an instance: what its driver renders from network_info.

    manage.py spawn <instance uuid> [--driver libvirt|baremetal] [--output DIR]

Without ``--output`` it prints the driver's text artifacts (the libvirt domain XML) and the
size of binary ones (config drive images); with it, it writes every artifact to DIR.
"""

import uuid
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from multinic_api.exceptions import MultinicError
from multinic_api.models import Instance
from multinic_api.services.guest import renderings_of
from multinic_api.virt import DRIVERS


class Command(BaseCommand):
    help = "Render what the virt driver gets at spawn for an instance (domain XML, config drive)."

    def add_arguments(self, parser):
        parser.add_argument("instance", help="instance UUID")
        parser.add_argument("--driver", choices=sorted(DRIVERS),
                            help="default: bare metal for instances on a node, else libvirt")
        parser.add_argument("--output", type=Path, help="write the artifacts into this folder")

    def handle(self, *args, instance: str, driver: str | None, output: Path | None, **options):
        try:
            row = Instance.objects.get(pk=uuid.UUID(instance))
        except (ValueError, Instance.DoesNotExist):
            raise CommandError(f"No instance {instance}") from None
        try:
            spawned = renderings_of(row).spawn(DRIVERS[driver]() if driver else None)
        except MultinicError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"driver: {spawned.driver}")
        for artifact in spawned.artifacts:
            if output is not None:
                output.mkdir(parents=True, exist_ok=True)
                (output / artifact.name).write_bytes(artifact.data)
                self.stdout.write(f"wrote {output / artifact.name} ({len(artifact.data)} bytes)")
            elif artifact.content_type.endswith("xml"):
                self.stdout.write(artifact.data.decode())
            else:
                self.stdout.write(f"{artifact.name}: {artifact.content_type}, "
                                  f"{len(artifact.data)} bytes (use --output to write it)")
