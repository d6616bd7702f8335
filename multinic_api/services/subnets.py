"""Creating networks and subnets, with every input checked before anything is written."""

from collections.abc import Iterable, Mapping, Sequence, Sized
from typing import Any

import netaddr
from django.db import transaction

from multinic_api.exceptions import Conflict, Forbidden, InvalidInput
from multinic_api.models import AllocationPool, FreeRange, Network, Project, Subnet, VifType
from multinic_api.models.networks import default_vif_type
from multinic_api.services import ipam, limits

AUTO = "auto"  # gateway_ip=AUTO: the subnet's first usable address, as Neutron picks it

_ADDRESS_MODES = {choice.value for choice in Subnet.IPv6AddressMode}


def may_change(network: Network, project: Project | None, is_admin: bool) -> bool:
    """Only the network's project or an administrator may change it (its subnets, or delete
    it). A shared network is usable by every project but still changed by its owner alone."""
    return is_admin or (project is not None and network.project_id == project.pk)


# What only an administrator may ask of a new network: sharing it with every project, putting
# it on a physical network, creating it for another project, choosing how hosts plug its NICs
# (the operator's wiring, as Neutron's binding:vif_type is its mechanism driver's).
ADMIN_ONLY_NETWORK_FIELDS = ("shared", "physical_network", "project_id", "vif_type")


def check_network_request(is_admin: bool, **requested: Any) -> None:
    """Refuse a tenant's request for what only an administrator may set (Forbidden, naming
    the fields); unset, false and empty values ask for nothing."""
    asked = [name for name in ADMIN_ONLY_NETWORK_FIELDS
             if requested.get(name) not in (None, False, "")]
    if asked and not is_admin:
        raise Forbidden(f"Only an administrator may set {', '.join(asked)}.")


def create_network(
    project: Project,
    name: str,
    *,
    shared: bool = False,
    mtu: int = 1500,
    physical_network: str | None = None,
    vif_type: str | None = None,
) -> Network:
    """A new network; without a ``vif_type``, the operator's default
    (``MULTINIC_DEFAULT_VIF_TYPE``)."""
    if not 68 <= int(mtu) <= 65535:
        raise InvalidInput(f"MTU {mtu} is out of range; use 68 to 65535 (1500 for Ethernet)")
    limits.check_length(name, limits.NAME, "A network name")
    limits.check_length(physical_network, limits.PHYSICAL_NETWORK, "A physical network")
    return Network.objects.create(
        project=project,
        name=name,
        shared=shared,
        mtu=int(mtu),
        physical_network=physical_network or None,
        vif_type=check_vif_type(vif_type) if vif_type is not None else default_vif_type(),
    )


def check_vif_type(vif_type: str) -> str:
    if vif_type not in VifType.values:
        raise InvalidInput(f"VIF type {vif_type!r} is not one of {', '.join(VifType.values)}")
    return vif_type


def set_vif_type(network: Network, vif_type: str) -> Network:
    """Change how hosts plug the network's NICs from now on. NICs already on it keep the
    type they were plugged with (their VIF's own ``vif_type``), as a bound Neutron port
    keeps its binding until it is bound again."""
    network.vif_type = check_vif_type(vif_type)
    network.save(update_fields=["vif_type"])
    return network


def delete_network(network: Network) -> None:
    """Delete a network and its subnets; refused while any interface is on it."""
    with transaction.atomic():
        Network.objects.select_for_update().filter(pk=network.pk).first()
        in_use = network.vifs.count()
        if in_use:
            raise Conflict(
                f"Network {network.name or network.id} has {in_use} interface(s); "
                "detach them or delete their instances first"
            )
        for subnet in network.subnets.all():
            _delete_subnet_locked(subnet)
        network.delete()


def delete_subnet(subnet: Subnet) -> None:
    """Delete a subnet; refused while any address on it is allocated."""
    with transaction.atomic():
        _delete_subnet_locked(subnet)


def _delete_subnet_locked(subnet: Subnet) -> None:
    # FOR UPDATE conflicts with the allocators' FOR NO KEY UPDATE: a launch either
    # finished first (and the count sees its addresses) or finds the subnet gone.
    Subnet.objects.select_for_update().filter(pk=subnet.pk).first()
    in_use = subnet.fixed_ips.count()
    if in_use:
        raise Conflict(
            f"Subnet {subnet.name or subnet.id} ({subnet.cidr}) has {in_use} allocated "
            "address(es); release them first"
        )
    subnet.delete()


def usable_range(network: netaddr.IPNetwork) -> netaddr.IPRange | None:
    """Every address of a CIDR that could ever be handed out, before gateway and DHCP."""
    first, last = network.first, network.last
    if network.version == 4 and network.prefixlen < 31:
        first, last = first + 1, last - 1
    elif network.version == 6:
        first += 1  # the subnet-router anycast address
    if first > last:
        return None
    return netaddr.IPRange(first, last)


def create_subnet(
    network: Network,
    cidr: str,
    *,
    name: str = "",
    gateway_ip: str | None = AUTO,
    allocation_pools: Sequence[Mapping[str, str]] | None = None,
    dns_nameservers: Iterable[str] = (),
    host_routes: Iterable[Mapping[str, str]] = (),
    enable_dhcp: bool = True,
    dhcp_server: str | None = None,
    ipv6_address_mode: str | None = None,
    ipv6_ra_mode: str | None = None,
    ip_version: int | None = None,
) -> Subnet:
    """Create a subnet with its pools and free ranges.

    ``allocation_pools`` is a list of ``{"start": ip, "end": ip}`` (default: the whole
    usable range); ``host_routes`` a list of ``{"destination": cidr, "nexthop": ip}``.
    """
    limits.check_length(name, limits.NAME, "A subnet name")
    if allocation_pools is not None:
        allocation_pools = list(allocation_pools)
    dns_nameservers, host_routes = list(dns_nameservers), list(host_routes)
    check_list_sizes(allocation_pools=allocation_pools, dns_nameservers=dns_nameservers,
                     host_routes=host_routes)
    net = _parse_cidr(cidr)
    if ip_version is not None and ip_version != net.version:
        raise InvalidInput(f"ip_version {ip_version} does not match cidr {net}, an IPv"
                           f"{net.version} network")
    if ipv6_address_mode is not None:
        if net.version != 6:
            raise InvalidInput("ipv6_address_mode applies only to IPv6 subnets")
        if ipv6_address_mode not in _ADDRESS_MODES:
            raise InvalidInput(
                f"Unknown ipv6_address_mode '{ipv6_address_mode}'; use one of "
                + ", ".join(sorted(_ADDRESS_MODES))
            )
        if ipv6_address_mode != "dhcpv6-stateful" and net.prefixlen != 64:
            raise InvalidInput(
                f"A {ipv6_address_mode} subnet must be a /64: the address is the 64-bit "
                "prefix plus the MAC's EUI-64 interface identifier"
            )

    _check_ra_mode(net, ipv6_ra_mode, ipv6_address_mode)
    gateway = _gateway(net, gateway_ip)
    dhcp = None
    if dhcp_server:
        if not enable_dhcp:
            raise InvalidInput("dhcp_server is set but enable_dhcp is false")
        dhcp = _host_in(net, dhcp_server, "dhcp_server")
        if dhcp == gateway:
            raise InvalidInput(f"dhcp_server {dhcp} is also the gateway; use another address")

    pools = _pools(net, allocation_pools)
    reserved = ipam.reserved_addresses(net, gateway and str(gateway), dhcp and str(dhcp))

    with transaction.atomic():
        subnet = Subnet.objects.create(
            network=network,
            name=name,
            cidr=str(net),
            ip_version=net.version,
            gateway_ip=str(gateway) if gateway else None,
            enable_dhcp=enable_dhcp,
            dhcp_server=str(dhcp) if dhcp else None,
            dns_nameservers=_nameservers(dns_nameservers),
            host_routes=_host_routes(net, host_routes),
            ipv6_address_mode=ipv6_address_mode,
            ipv6_ra_mode=ipv6_ra_mode,
        )
        AllocationPool.objects.bulk_create(
            AllocationPool(subnet=subnet, start=str(p[0]), end=str(p[-1])) for p in pools
        )
        if not subnet.address_from_mac:
            FreeRange.objects.bulk_create(
                FreeRange(subnet=subnet, first=ipam.ip_key(r.first), last=ipam.ip_key(r.last))
                for r in ipam.free_ranges_for_pools(pools, reserved)
            )
    return subnet


def _check_ra_mode(net: netaddr.IPNetwork, ra_mode: str | None,
                   address_mode: str | None) -> None:
    """Neutron's rule for what the router advertises: an IPv6 mode, the address mode when
    both are given (a guest configured two ways at once gets neither right)."""
    if ra_mode is None:
        return
    if net.version != 6:
        raise InvalidInput("ipv6_ra_mode applies only to IPv6 subnets")
    if ra_mode not in _ADDRESS_MODES:
        raise InvalidInput(f"Unknown ipv6_ra_mode '{ra_mode}'; use one of "
                           + ", ".join(sorted(_ADDRESS_MODES)))
    if address_mode is not None and address_mode != ra_mode:
        raise InvalidInput(f"ipv6_ra_mode set to '{ra_mode}' with ipv6_address_mode set to "
                           f"'{address_mode}' is not valid: when both are set they must be "
                           "the same")


def update_network(network: Network, *, is_admin: bool, name: str | None = None,
                   mtu: int | None = None, shared: bool | None = None) -> Network:
    """Rename a network, change its MTU (guests see it at their next boot or DHCP lease),
    or, for an administrator, share it or stop sharing it."""
    if shared is not None and not is_admin:  # sharing or unsharing, either way
        raise Forbidden("Only an administrator may set shared.")
    changed = []
    if name is not None:
        limits.check_length(name, limits.NAME, "A network name")
        network.name = name
        changed.append("name")
    if mtu is not None:
        if isinstance(mtu, bool) or not isinstance(mtu, int) or not 68 <= mtu <= 65535:
            raise InvalidInput(f"MTU {mtu} is out of range; use 68 to 65535 (1500 for "
                               "Ethernet)")
        network.mtu = mtu
        changed.append("mtu")
    if shared is not None:
        network.shared = bool(shared)
        changed.append("shared")
    if changed:
        network.save(update_fields=changed)
    return network


def update_subnet(subnet: Subnet, *, name: str | None = None,
                  dns_nameservers: Iterable[str] | None = None,
                  host_routes: Iterable[Mapping[str, str]] | None = None) -> Subnet:
    """What may change on a subnet in use: its name, DNS name servers and host routes (the
    guests read them again at their next lease). Its range, pools and gateway decide which
    addresses were handed out, so they stay."""
    changed = []
    if name is not None:
        limits.check_length(name, limits.NAME, "A subnet name")
        subnet.name = name
        changed.append("name")
    servers = list(dns_nameservers) if dns_nameservers is not None else None
    routes = list(host_routes) if host_routes is not None else None
    check_list_sizes(dns_nameservers=servers or (), host_routes=routes or ())
    if servers is not None:
        subnet.dns_nameservers = _nameservers(servers)
        changed.append("dns_nameservers")
    if routes is not None:
        subnet.host_routes = _host_routes(subnet.ip_network, routes)
        changed.append("host_routes")
    if changed:
        subnet.save(update_fields=changed)
    return subnet


def check_list_sizes(*, allocation_pools: Sized | None = None, dns_nameservers: Sized = (),
                     host_routes: Sized = ()) -> None:
    """A 400 for a subnet listing more pools, name servers or routes than :mod:`.limits`
    allows. Faces may ask before they read each item (a list of thousands)."""
    if allocation_pools is not None:
        limits.check_count(allocation_pools, limits.ALLOCATION_POOLS, "allocation pools")
    limits.check_count(dns_nameservers, limits.DNS_NAMESERVERS, "DNS name servers")
    limits.check_count(host_routes, limits.HOST_ROUTES, "host routes")


def _parse_cidr(cidr: str, *, allow_default: bool = False) -> netaddr.IPNetwork:
    try:
        net = netaddr.IPNetwork(str(cidr).strip())  # netaddr 1.x: strict by default
    except (netaddr.AddrFormatError, ValueError, TypeError):
        raise InvalidInput(f"'{cidr}' is not a CIDR such as 10.0.0.0/24 or 2001:db8::/64") from None
    if "/" not in str(cidr):
        raise InvalidInput(f"'{cidr}' has no prefix length; write it as {net.cidr}")
    if net.ip != net.network:
        raise InvalidInput(f"'{cidr}' has host bits set; did you mean {net.cidr}?")
    if net.prefixlen == 0 and not allow_default:
        raise InvalidInput("A subnet cannot be the whole address space (/0)")
    return net.cidr


def _host_in(net: netaddr.IPNetwork, value: str, field: str) -> netaddr.IPAddress:
    address = ipam.parse_address(value)
    if address.version != net.version or address not in net:
        raise InvalidInput(f"{field} {address} is not in {net}")
    usable = usable_range(net)
    if usable is None or address not in usable:
        raise InvalidInput(
            f"{field} {address} is the network, broadcast or subnet-router anycast "
            f"address of {net}"
        )
    return address


def _gateway(net: netaddr.IPNetwork, gateway_ip: str | None) -> netaddr.IPAddress | None:
    if gateway_ip is None or gateway_ip == "":
        return None
    if gateway_ip == AUTO:
        usable = usable_range(net)
        # A /31 or /32 (and an IPv6 /128) has no room for a router of its own.
        if usable is None or usable.size < 2:
            return None
        return netaddr.IPAddress(usable.first, net.version)
    return _host_in(net, gateway_ip, "gateway_ip")


def _pools(
    net: netaddr.IPNetwork, allocation_pools: Sequence[Mapping[str, str]] | None
) -> list[netaddr.IPRange]:
    if allocation_pools is None:
        usable = usable_range(net)
        return [usable] if usable is not None else []
    pools: list[netaddr.IPRange] = []
    for pool in allocation_pools:
        start, end = _pair(pool, "allocation pool", "start", "end",
                           '{"start": "10.0.0.10", "end": "10.0.0.99"}')
        first, last = ipam.parse_address(start), ipam.parse_address(end)
        for address in (first, last):
            if address.version != net.version or address not in net:
                raise InvalidInput(f"Allocation pool address {address} is not in {net}")
        if first > last:
            raise InvalidInput(f"Allocation pool {first}-{last} ends before it starts")
        pools.append(netaddr.IPRange(first, last))
    ordered = sorted(pools, key=lambda r: r.first)
    for before, after in zip(ordered, ordered[1:], strict=False):
        if after.first <= before.last:
            raise InvalidInput(
                f"Allocation pools {before[0]}-{before[-1]} and {after[0]}-{after[-1]} overlap"
            )
    return ordered


def _pair(item: Any, what: str, first: str, second: str, example: str) -> tuple[Any, Any]:
    try:
        return item[first], item[second]
    except (KeyError, TypeError):
        raise InvalidInput(f'Each {what} needs "{first}" and "{second}", e.g. {example}') from None


def _nameservers(values: Iterable[str]) -> list[str]:
    servers: list[str] = []
    for value in values:
        server = str(ipam.parse_address(value))
        if server in servers:
            raise InvalidInput(f"DNS name server {server} is listed twice")
        servers.append(server)
    return servers


def _host_routes(
    net: netaddr.IPNetwork, routes: Iterable[Mapping[str, Any]]
) -> list[dict[str, str]]:
    result = []
    for route in routes:
        destination, nexthop = _pair(route, "host route", "destination", "nexthop",
                                     '{"destination": "192.168.0.0/24", "nexthop": "10.0.0.254"}')
        dest = _parse_cidr(destination, allow_default=True)
        hop = ipam.parse_address(nexthop)
        if dest.version != net.version or hop.version != net.version:
            raise InvalidInput(
                f"Host route {dest} via {hop} mixes IP versions with subnet {net}"
            )
        result.append({"destination": str(dest), "nexthop": str(hop)})
    return result
