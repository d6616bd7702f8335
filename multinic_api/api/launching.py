"""A launch request body (the REST API's, which the dashboard's wizard also builds and posts)
turned into a launch: validated by the same serializer, handed to the same service.

Used by ``InstanceViewSet`` (launch and preview) and the attach view, so a body means the same
thing whichever endpoint it came through.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from multinic_api import phases
from multinic_api.api import serializers as s
from multinic_api.models import Project
from multinic_api.services import instances, keypairs


@dataclass
class LaunchOutcome:
    """A launch as the body asked it: what was made, its warnings, and whether the body
    asked for several instances (then the answer lists them, however many were made)."""

    launched: instances.Launched
    bulk: bool
    warnings: list[str]


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
                     is_admin: bool) -> LaunchOutcome:
    """Launch as the body asks (raises DRF's ``ValidationError`` for a malformed body, the
    services' errors for everything else); the instances with their interfaces and their
    addresses in memory (as the launch wrote them), and the warnings."""
    serializer = s.LaunchSerializer(data=body)
    with phases.phase("validate"):
        serializer.is_valid(raise_exception=True)
    data = dict(serializer.validated_data)
    bulk = s.LaunchSerializer.is_bulk(data)
    nics = nic_requests(data.pop("nics"))
    node, nodes = data.pop("node", None), data.pop("nodes", None)
    if node is not None:
        nodes = [node]
    count = data.pop("count", len(nodes) if nodes and bulk else 1)
    min_count = data.pop("min_count", count)
    instances.check_instance_count(min_count, count, names=("min_count", "count"))
    if data.get("key_name") is not None and data.get("public_key") is None:
        data["public_key"] = keypairs.public_key_for(user_id, data["key_name"])
    warnings: list[str] = []
    launched = instances.launch_instances(
        project=project, nics=nics, is_admin=is_admin, nodes=nodes, min_count=min_count,
        max_count=count, warnings=warnings, **data)
    return LaunchOutcome(launched=launched, bulk=bulk, warnings=warnings)
