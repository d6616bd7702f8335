"""Assertions shared by the allocation tests."""

import netaddr

from multinic_api.models import FixedIP, FreeRange, Subnet
from multinic_api.services import ipam


def free_addresses(subnet: Subnet) -> netaddr.IPSet:
    free = netaddr.IPSet()
    for rng in FreeRange.objects.filter(subnet=subnet):
        free.add(netaddr.IPRange(ipam.key_to_int(rng.first), ipam.key_to_int(rng.last)))
    return free


def allocated_addresses(subnet: Subnet) -> list[netaddr.IPAddress]:
    return [netaddr.IPAddress(a) for a in FixedIP.objects.filter(subnet=subnet)
            .values_list("address", flat=True)]


def assert_subnet_consistent(subnet: Subnet) -> None:
    """Free ranges and allocations partition the pools minus the reserved addresses."""
    subnet.refresh_from_db()
    pools = netaddr.IPSet()
    for pool in subnet.allocation_pools.all():
        pools.add(netaddr.IPRange(pool.start, pool.end))
    reserved = set(ipam.subnet_reserved_addresses(subnet))
    allocatable = pools - netaddr.IPSet(reserved)
    ranges = list(FreeRange.objects.filter(subnet=subnet).order_by("first"))
    for before, after in zip(ranges, ranges[1:], strict=False):
        assert before.last < after.first, f"free ranges overlap: {before} / {after}"
    free = free_addresses(subnet)
    taken = allocated_addresses(subnet)
    assert len(taken) == len(set(taken)), "an address is allocated twice"
    assert not (free & netaddr.IPSet(taken)), "an allocated address is also free"
    assert not (netaddr.IPSet(taken) & netaddr.IPSet(reserved)), "a reserved address is allocated"
    assert free | netaddr.IPSet(taken) == allocatable


#: A real OpenSSH public key (made by ssh-keygen) for key pair tests.
ED25519 = ("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIIzMB3SUHjfxPZOcf6z3Kd/BCrGjU1rZevmhet/3pf9G "
           "alice@example")


def sign_in(client, username: str, password: str) -> None:
    """Sign in to the dashboard as a person does: openstack_auth's form, against the
    built-in Identity (dispatched in-process by the site)."""
    client.get("/auth/login/")  # the CSRF cookie, for a client that checks it
    token = client.cookies["csrftoken"].value if "csrftoken" in client.cookies else ""
    response = client.post("/auth/login/", {"username": username, "password": password,
                                            "region": "default",
                                            "csrfmiddlewaretoken": token})
    assert response.status_code == 302, (response.status_code, response.content[-2000:])
