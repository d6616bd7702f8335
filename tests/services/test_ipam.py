import itertools

import netaddr
import pytest
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from multinic_api.exceptions import InvalidInput, IpAddressInUse, SubnetExhausted
from multinic_api.models import VIF, FixedIP, FreeRange, Instance
from multinic_api.services import ipam, macs, transactions
from tests.harness.helpers import assert_subnet_consistent, free_addresses

_positions = itertools.count()


@pytest.fixture
def make_vif(project):
    instance = Instance.objects.create(name="vm", hostname="vm", project=project)

    def make(network, mac=None):
        return VIF.objects.create(
            instance=instance, network=network, position=next(_positions),
            mac=mac or macs.generate_mac(),
        )

    return make


@pytest.fixture
def allocate(make_vif):
    """Allocate on a subnet the way a launch does: lock, take the address, record it;
    returns the address."""

    def run(subnet, requested=None, vif=None):
        vif = vif or make_vif(subnet.network)

        def allocate() -> netaddr.IPAddress:
            ipam.lock_subnets([subnet])
            wanted = ipam.check_requested_address(subnet, requested) if requested else None
            (address,) = ipam.take_addresses([(vif, subnet, wanted)])
            (fixed_ip,) = ipam.record([(vif, subnet, address)])
            return netaddr.IPAddress(fixed_ip.address)

        return transactions.run_in_transaction(allocate)

    return run


def _exhaust(allocate, subnet):
    taken = []
    while True:
        try:
            taken.append(allocate(subnet))
        except SubnetExhausted:
            return taken


def test_next_free_counts_up_from_the_bottom_of_the_pool(make_subnet, allocate):
    subnet = make_subnet("10.0.0.0/24")
    assert [str(allocate(subnet)) for _ in range(3)] == ["10.0.0.2", "10.0.0.3", "10.0.0.4"]
    assert_subnet_consistent(subnet)


def test_ipv4_never_hands_out_network_broadcast_gateway_or_dhcp_server(make_subnet, allocate):
    subnet = make_subnet("10.0.0.0/29", gateway_ip="10.0.0.6", dhcp_server="10.0.0.3")
    taken = _exhaust(allocate, subnet)
    assert sorted(map(str, taken)) == ["10.0.0.1", "10.0.0.2", "10.0.0.4", "10.0.0.5"]
    assert_subnet_consistent(subnet)


def test_slash_31_hands_out_both_addresses(make_subnet, allocate):
    subnet = make_subnet("192.0.2.0/31", gateway_ip=None)
    assert sorted(map(str, _exhaust(allocate, subnet))) == ["192.0.2.0", "192.0.2.1"]


def test_slash_32_hands_out_its_one_address(make_subnet, allocate):
    subnet = make_subnet("192.0.2.7/32")
    assert list(map(str, _exhaust(allocate, subnet))) == ["192.0.2.7"]


def test_ipv6_stateful_skips_anycast_and_gateway(make_subnet, allocate):
    subnet = make_subnet("2001:db8::/64", ipv6_address_mode="dhcpv6-stateful")
    assert str(allocate(subnet)) == "2001:db8::2"
    subnet_no_mode = make_subnet("2001:db8:1::/64", gateway_ip=None)
    assert str(allocate(subnet_no_mode)) == "2001:db8:1::1"


@pytest.mark.parametrize("mode", ["slaac", "dhcpv6-stateless"])
def test_slaac_and_stateless_derive_the_address_from_the_mac(make_subnet, make_vif, allocate,
                                                             mode):
    subnet = make_subnet("2001:db8:1::/64", ipv6_address_mode=mode)
    vif = make_vif(subnet.network, mac="fa:16:3e:12:34:56")
    # Modified EUI-64: flip the universal/local bit of the first octet, insert ff:fe.
    assert str(allocate(subnet, vif=vif)) == "2001:db8:1:0:f816:3eff:fe12:3456"
    assert FreeRange.objects.filter(subnet=subnet).count() == 0


def test_pools_with_holes_fill_in_order_then_the_subnet_is_exhausted(make_subnet, allocate):
    subnet = make_subnet(
        "10.0.0.0/24",
        allocation_pools=[{"start": "10.0.0.10", "end": "10.0.0.12"},
                          {"start": "10.0.0.20", "end": "10.0.0.21"}],
    )
    assert list(map(str, _exhaust(allocate, subnet))) == [
        "10.0.0.10", "10.0.0.11", "10.0.0.12", "10.0.0.20", "10.0.0.21"
    ]
    with pytest.raises(SubnetExhausted) as excinfo:
        allocate(subnet)
    assert excinfo.value.status_code == 409
    assert subnet.name in excinfo.value.message
    assert subnet.network.name in excinfo.value.message
    assert_subnet_consistent(subnet)


def test_one_call_takes_next_free_addresses_across_ranges_and_subnets(make_subnet, make_vif):
    """take_addresses, as a launch calls it: the holes of ``holey`` are used up in order
    (ranges deleted, the last one shrunk), ``plain`` gives its lowest, in the order asked;
    reading the ranges costs one query and shrinking them one, whatever the count."""
    holey = make_subnet("10.0.0.0/24", allocation_pools=[
        {"start": "10.0.0.10", "end": "10.0.0.10"}, {"start": "10.0.0.20", "end": "10.0.0.21"},
        {"start": "10.0.0.30", "end": "10.0.0.39"}])
    plain = make_subnet("10.1.0.0/24")
    vif = make_vif(holey.network)
    wanted = [(vif, holey, None), (vif, plain, None), (vif, holey, None), (vif, holey, None),
              (vif, holey, None), (vif, plain, None)]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        ipam.lock_subnets([holey, plain])
        taken = ipam.take_addresses(wanted)
    assert list(map(str, taken)) == ["10.0.0.10", "10.1.0.2", "10.0.0.20", "10.0.0.21",
                                     "10.0.0.30", "10.1.0.3"]
    # the lock, the ranges, a delete (two used up), an update (two shrunk)
    assert [q["sql"].split()[0] for q in queries] == ["SELECT", "SELECT", "DELETE", "UPDATE"]
    assert [(r.first, r.last) for r in FreeRange.objects.filter(subnet=holey)] == [
        (ipam.ip_key(netaddr.IPAddress("10.0.0.31")), ipam.ip_key(netaddr.IPAddress("10.0.0.39")))]
    assert min(free_addresses(plain)) == netaddr.IPAddress("10.1.0.4")


def test_taking_more_than_is_free_takes_nothing(make_subnet, make_vif):
    subnet = make_subnet("10.0.0.0/29")  # .2 to .6 free: five addresses
    before = list(FreeRange.objects.filter(subnet=subnet).values_list("first", "last"))
    vif = make_vif(subnet.network)
    with pytest.raises(SubnetExhausted), transaction.atomic():
        ipam.take_addresses([(vif, subnet, None)] * 6)
    assert list(FreeRange.objects.filter(subnet=subnet).values_list("first", "last")) == before


@pytest.mark.parametrize(
    ("cidr", "kwargs", "address", "reason"),
    [
        ("10.0.0.0/24", {}, "10.0.0.0", "the network address"),
        ("10.0.0.0/24", {}, "10.0.0.255", "the broadcast address"),
        ("10.0.0.0/24", {}, "10.0.0.1", "the gateway"),
        ("10.0.0.0/24", {"dhcp_server": "10.0.0.2"}, "10.0.0.2", "the DHCP server"),
        ("2001:db8::/64", {}, "2001:db8::", "the subnet-router anycast address"),
        ("2001:db8::/64", {}, "2001:db8::1", "the gateway"),
        ("10.0.0.0/24", {}, "10.0.1.5", "not in subnet"),
        ("10.0.0.0/24", {}, "2001:db8::5", "not in subnet"),
        ("10.0.0.0/24", {}, "10.0.0.300", "not an IP address"),
        ("10.0.0.0/24", {}, "10.1", "not an IP address"),
        ("10.0.0.0/24", {"allocation_pools": [{"start": "10.0.0.10", "end": "10.0.0.20"}]},
         "10.0.0.30", "outside the allocation pools"),
        ("2001:db8::/64", {"ipv6_address_mode": "slaac"}, "2001:db8::5", "from the MAC"),
    ],
)
def test_requested_address_that_cannot_be_handed_out_is_a_400(make_subnet, cidr, kwargs, address,
                                                              reason):
    subnet = make_subnet(cidr, **kwargs)
    with pytest.raises(InvalidInput, match=reason) as excinfo:
        ipam.check_requested_address(subnet, address)
    assert excinfo.value.status_code == 400


def test_requested_address_in_use_is_a_409(make_subnet, allocate):
    subnet = make_subnet("10.0.0.0/24")
    allocate(subnet, "10.0.0.50")
    with pytest.raises(IpAddressInUse, match="10.0.0.50") as excinfo:
        allocate(subnet, "10.0.0.50")
    assert excinfo.value.status_code == 409
    assert_subnet_consistent(subnet)


@pytest.mark.parametrize("address", ["10.0.0.2", "10.0.0.3", "10.0.0.254", "10.0.0.100"])
def test_requested_address_is_carved_out_anywhere_in_a_range(make_subnet, allocate, address):
    subnet = make_subnet("10.0.0.0/24")
    allocate(subnet, "10.0.0.3")  # leave a single-address range at .2 for the first case
    if address != "10.0.0.3":
        assert str(allocate(subnet, address)) == address
    assert_subnet_consistent(subnet)
    assert netaddr.IPAddress(address) not in free_addresses(subnet)


def test_next_free_skips_requested_addresses(make_subnet, allocate):
    subnet = make_subnet("10.0.0.0/29")
    allocate(subnet, "10.0.0.3")
    assert [str(allocate(subnet)) for _ in range(3)] == ["10.0.0.2", "10.0.0.4", "10.0.0.5"]


def test_release_returns_the_address_and_merges_ranges(make_subnet, allocate):
    subnet = make_subnet("10.0.0.0/24")
    taken = [allocate(subnet) for _ in range(5)]  # .2 to .6
    original = free_addresses(subnet) | netaddr.IPSet(taken)
    middle = FixedIP.objects.get(subnet=subnet, address="10.0.0.4")
    with transaction.atomic():
        ipam.lock_subnets([subnet])
        ipam.release(middle)
    assert str(allocate(subnet)) == "10.0.0.4"  # reused first
    with transaction.atomic():
        ipam.lock_subnets([subnet])
        for fixed_ip in FixedIP.objects.filter(subnet=subnet).select_related("subnet"):
            ipam.release(fixed_ip)
    assert free_addresses(subnet) == original
    assert FreeRange.objects.filter(subnet=subnet).count() == 1  # fully merged again
    assert_subnet_consistent(subnet)


def test_address_uniqueness_is_a_database_constraint(make_subnet, make_vif):
    subnet = make_subnet("10.0.0.0/24")
    vif = make_vif(subnet.network)
    FixedIP.objects.create(vif=vif, subnet=subnet, address="10.0.0.9")
    with pytest.raises(IntegrityError), transaction.atomic():
        FixedIP.objects.create(vif=make_vif(subnet.network), subnet=subnet, address="10.0.0.9")


def test_constraint_is_the_final_guard_when_ranges_disagree(make_subnet, make_vif, allocate):
    subnet = make_subnet("10.0.0.0/24")
    # Someone wrote an allocation behind the allocator's back: .2 is still in a free range.
    FixedIP.objects.create(vif=make_vif(subnet.network), subnet=subnet, address="10.0.0.2")
    with pytest.raises(IpAddressInUse, match=r"10\.0\.0\.2 "):
        allocate(subnet)
    # Rolled back: the address is still in a free range, allocated once.
    assert FixedIP.objects.filter(subnet=subnet).count() == 1
    assert netaddr.IPAddress("10.0.0.2") in free_addresses(subnet)


def _fragment(subnet, count):
    """Replace a subnet's free ranges with ``count`` one-address holes spread over it, as a
    long-lived, heavily used subnet would have."""
    net = subnet.ip_network
    FreeRange.objects.filter(subnet=subnet).delete()
    step = (net.size - 2) // count
    FreeRange.objects.bulk_create(
        FreeRange(subnet=subnet, first=ipam.ip_key(net.first + 2 + i * step),
                  last=ipam.ip_key(net.first + 2 + i * step))
        for i in range(count)
    )


@pytest.mark.parametrize("operation", ["next_free", "requested", "release"])
def test_query_count_does_not_grow_with_subnet_size_or_fragmentation(
    make_subnet, make_vif, allocate, operation
):
    small = make_subnet("10.0.0.0/24")
    large = make_subnet("11.0.0.0/8")
    _fragment(large, 20_000)
    counts = []
    for subnet in (small, large):
        requested = str(netaddr.IPAddress(subnet.ip_network.first + 2))
        if operation == "release":
            allocate(subnet, requested)
            fixed_ip = FixedIP.objects.select_related("subnet").get(subnet=subnet)
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                ipam.release(fixed_ip)
        else:
            vif = make_vif(subnet.network)
            with CaptureQueriesContext(connection) as queries:
                allocate(subnet, requested if operation == "requested" else None, vif=vif)
        counts.append(len(queries))
    assert counts[0] == counts[1], f"{operation}: /24 took {counts[0]} queries, /8 {counts[1]}"
    assert counts[0] <= 10
