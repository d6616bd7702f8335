"""A launch request body (the REST API's, which the dashboard's wizard also builds and posts)
turned into a launch: validated by the same serializer, handed to the same service.

Used by ``InstanceViewSet`` (launch and preview) and the attach view, so a body means the same
thing whichever endpoint it came through.
"""

from collections.abc import Mapping
from typing import Any

from multinic_api import phases
from multinic_api.api import serializers as s
from multinic_api.models import Instance, Project
from multinic_api.services import instances, keypairs


def nic_requests(items) -> list[instances.NicRequest]:
    return [instances.NicRequest(network_id=n["network_id"], fixed_ips=n.get("fixed_ips", ()),
                                 tag=n.get("tag"), mac=n.get("mac"), carrier=_carrier(n))
            for n in items]


def _carrier(nic) -> instances.CarrierRequest:
    bond = nic.get("bond")
    if bond is not None:
        bond = instances.BondRequest(port_group=bond.get("port_group"),
                                     ports=bond.get("ports", ()), mode=bond.get("mode"),
                                     properties=bond.get("properties"), name=bond.get("name"))
    return instances.CarrierRequest(port=nic.get("port"), bond=bond)


def launch_from_body(body: Mapping[str, Any], *, user_id: str, project: Project,
                     is_admin: bool) -> tuple[Instance, list[str]]:
    """Launch as the body asks (raises DRF's ``ValidationError`` for a malformed body, the
    services' errors for everything else); the instance with its interfaces and their
    addresses in memory (as the launch wrote them), and the warnings."""
    serializer = s.LaunchSerializer(data=body)
    with phases.phase("validate"):
        serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    nics = nic_requests(data.pop("nics"))
    if data.get("key_name") is not None and data.get("public_key") is None:
        data["public_key"] = keypairs.public_key_for(user_id, data["key_name"])
    warnings: list[str] = []
    instance = instances.launch_instance(project=project, nics=nics, is_admin=is_admin,
                                         warnings=warnings, **data)
    return instance, warnings
