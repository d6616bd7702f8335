"""Neutron's resource shapes, built from our models.

A port is a VIF: ``device_id`` is its instance, ``device_owner`` says who attached it
(``compute:<zone>``, as Nova writes it) and is empty while it waits for one. What this
service has no notion of (security groups, QoS, address pairs, tags) is shown as Neutron
shows it unused, so that clients reading those keys find them."""

from multinic_api.models import VIF, Network, Subnet

_STAMP = "%Y-%m-%dT%H:%M:%SZ"


def _stamps(created) -> dict:
    stamp = created.strftime(_STAMP)
    return {"created_at": stamp, "updated_at": stamp, "revision_number": 0, "tags": []}


def network(item: Network, *, is_admin: bool) -> dict:
    body = {
        "id": str(item.id), "name": item.name, "tenant_id": item.project_id,
        "project_id": item.project_id, "admin_state_up": True, "status": "ACTIVE",
        "shared": item.shared, "mtu": item.mtu, "description": "",
        "subnets": [str(s.id) for s in item.subnets.all()],
        "router:external": False, "port_security_enabled": True,
        "availability_zone_hints": [], "availability_zones": ["nova"],
        "ipv4_address_scope": None, "ipv6_address_scope": None, "qos_policy_id": None,
        "l2_adjacency": True, **_stamps(item.created),
    }
    if is_admin:  # Neutron shows the provider attributes to administrators only
        body.update({"provider:network_type": "flat",
                     "provider:physical_network": item.physical_network,
                     "provider:segmentation_id": None})
    return body


def subnet(item: Subnet) -> dict:
    return {
        "id": str(item.id), "name": item.name, "network_id": str(item.network_id),
        "tenant_id": item.network.project_id, "project_id": item.network.project_id,
        "ip_version": item.ip_version, "cidr": item.cidr, "gateway_ip": item.gateway_ip,
        "allocation_pools": [{"start": p.start, "end": p.end}
                             for p in item.allocation_pools.all()],
        "dns_nameservers": list(item.dns_nameservers),
        "host_routes": list(item.host_routes), "enable_dhcp": item.enable_dhcp,
        "ipv6_address_mode": item.ipv6_address_mode, "ipv6_ra_mode": item.ipv6_ra_mode,
        "subnetpool_id": None, "segment_id": None, "service_types": [], "description": "",
        "dns_publish_fixed_ip": False, **_stamps(item.created),
    }


def port(item: VIF) -> dict:
    instance = item.instance
    attached = instance is not None
    return {
        "id": str(item.uuid), "name": item.name, "description": item.description,
        "network_id": str(item.network_id), "tenant_id": item.project_id,
        "project_id": item.project_id, "mac_address": item.mac, "admin_state_up": True,
        "status": "ACTIVE" if attached else "DOWN",
        "device_id": str(instance.uuid) if attached else "",
        "device_owner": f"compute:{instance.availability_zone}" if attached else "",
        "fixed_ips": [{"subnet_id": str(ip.subnet_id), "ip_address": ip.address}
                      for ip in item.addresses],
        "binding:vnic_type": item.vnic_type,
        "binding:vif_type": item.vif_type if attached else "unbound",
        "binding:host_id": item.binding_host or "",
        "binding:profile": item.binding_profile or {},
        "binding:vif_details": {},
        "allowed_address_pairs": [], "extra_dhcp_opts": [], "security_groups": [],
        "port_security_enabled": True, "qos_policy_id": None, "dns_name": "",
        "dns_assignment": [], **_stamps(item.created),
    }
