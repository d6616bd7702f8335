"""Nova's response shapes, built from our models."""

from collections import OrderedDict

from multinic_api.faces import Link, resource_links
from multinic_api.models import VIF, Instance, Keypair, Network
from multinic_api.services.catalog import find_flavor, find_image

_STAMP = "%Y-%m-%dT%H:%M:%SZ"

#: Where the face is mounted, and the one API version it serves.
FACE_PATH = "/compute"
VERSION = "v2.1"


def _links(request, kind: str, ident: str) -> list[Link]:
    return resource_links(request, FACE_PATH, VERSION, kind, ident)


def flavor(request, item: dict, detail: bool, version: tuple[int, int]) -> dict:
    body = {"id": item["id"], "name": item["name"],
            "links": _links(request, "flavors", item["id"])}
    if detail:
        body.update({
            "ram": item["ram"], "vcpus": item["vcpus"], "disk": item["disk"],
            "OS-FLV-EXT-DATA:ephemeral": 0, "OS-FLV-DISABLED:disabled": False, "swap": 0,
            "rxtx_factor": 1.0, "os-flavor-access:is_public": True,
        })
        if version >= (2, 55):
            body["description"] = None
        if version >= (2, 61):
            body["extra_specs"] = {}
    return body


def interface(vif: VIF, version: tuple[int, int]) -> dict:
    body = {
        "port_state": "ACTIVE",
        "fixed_ips": [{"subnet_id": str(ip.subnet_id), "ip_address": ip.address}
                      for ip in vif.addresses],
        "port_id": str(vif.uuid),
        "net_id": str(vif.network_id),
        "mac_addr": vif.mac,
    }
    if version >= (2, 70):
        body["tag"] = vif.tag
    return body


def addresses(instance: Instance) -> dict:
    """Per network label, in NIC order; two NICs on one network share its list, as in Nova."""
    result: OrderedDict[str, list] = OrderedDict()
    for vif in instance.interfaces:
        label = vif.network.name or str(vif.network_id)
        for ip in sorted(vif.addresses, key=lambda ip: ip.subnet.ip_version):
            result.setdefault(label, []).append({
                "version": ip.subnet.ip_version, "addr": ip.address,
                "OS-EXT-IPS:type": "fixed", "OS-EXT-IPS-MAC:mac_addr": vif.mac,
            })
    return result


def server_brief(request, instance: Instance) -> dict:
    return {"id": str(instance.uuid), "name": instance.name,
            "links": _links(request, "servers", str(instance.uuid))}


def server(request, instance: Instance, version: tuple[int, int]) -> dict:
    created = instance.created.strftime(_STAMP)
    image = find_image(instance.image_ref) if instance.image_ref else None
    item = find_flavor(instance.flavor_ref) or {"id": instance.flavor_ref, "name": "",
                                                "ram": 0, "vcpus": 0, "disk": 0}
    if version >= (2, 47):
        flavor_body = {"original_name": item["name"], "ram": item["ram"],
                       "vcpus": item["vcpus"], "disk": item["disk"], "ephemeral": 0,
                       "swap": 0, "extra_specs": {}}
    else:
        flavor_body = {"id": item["id"], "links": _links(request, "flavors", item["id"])}
    body = {
        **server_brief(request, instance),
        "status": "ACTIVE",
        "tenant_id": instance.project_id,
        "user_id": "",
        "metadata": instance.metadata,
        "hostId": "",
        "image": {"id": image["id"], "links": _links(request, "images", image["id"])}
        if image else "",
        "flavor": flavor_body,
        "created": created,
        "updated": created,
        "addresses": addresses(instance),
        "accessIPv4": "",
        "accessIPv6": "",
        "OS-DCF:diskConfig": "MANUAL",
        "progress": 0,
        "OS-EXT-AZ:availability_zone": instance.availability_zone,
        # As Nova with Ironic: the hypervisor of a bare-metal server is its node's UUID.
        "OS-EXT-SRV-ATTR:hypervisor_hostname": str(instance.node_id) if instance.node_id
        else None,
        "config_drive": "True" if instance.config_drive else "",
        "key_name": instance.key_name,
        "OS-SRV-USG:launched_at": instance.created.strftime("%Y-%m-%dT%H:%M:%S.%f"),
        "OS-SRV-USG:terminated_at": None,
        "security_groups": [{"name": "default"}],
        "OS-EXT-STS:task_state": None,
        "OS-EXT-STS:vm_state": "active",
        "OS-EXT-STS:power_state": 1,
        "os-extended-volumes:volumes_attached": [],
    }
    if version >= (2, 3):
        # Nova's extended attributes of microversion 2.3 that this service keeps.
        body["OS-EXT-SRV-ATTR:reservation_id"] = instance.reservation_id
        body["OS-EXT-SRV-ATTR:launch_index"] = instance.launch_index
        body["OS-EXT-SRV-ATTR:hostname"] = instance.hostname
    if version >= (2, 9):
        body["locked"] = False
    if version >= (2, 19):
        body["description"] = None
    if version >= (2, 26):
        body["tags"] = []
    if version >= (2, 63):
        body["trusted_image_certificates"] = None
    if version >= (2, 71):
        body["server_groups"] = []
    if version >= (2, 73):
        body["locked_reason"] = None
    return body


def network(request, item: Network) -> dict:
    """An os-networks entry (the nova-network shape clients still read)."""
    v4 = next((s for s in item.subnets.all() if s.ip_version == 4), None)
    v6 = next((s for s in item.subnets.all() if s.ip_version == 6), None)
    return {
        "id": str(item.id), "label": item.name or str(item.id),
        "cidr": v4.cidr if v4 else None, "cidr_v6": v6.cidr if v6 else None,
        "gateway": v4.gateway_ip if v4 else None, "gateway_v6": v6.gateway_ip if v6 else None,
        "dhcp_server": v4.dhcp_server if v4 else None,
        "dns1": (v4.dns_nameservers[:1] or [None])[0] if v4 else None,
        "mtu": item.mtu, "project_id": item.project_id, "share_address": item.shared,
    }


def keypair(item: Keypair, version: tuple[int, int], detail: bool) -> dict:
    body = {"name": item.name, "public_key": item.public_key, "fingerprint": item.fingerprint}
    if version >= (2, 2):
        body["type"] = item.type
    if detail:
        body.update({"user_id": str(item.user_id), "id": item.pk, "deleted": False,
                     "created_at": item.created.strftime(_STAMP), "updated_at": None,
                     "deleted_at": None})
    return body
