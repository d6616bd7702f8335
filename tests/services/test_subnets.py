import netaddr
import pytest

from multinic_api.exceptions import InvalidInput
from multinic_api.models import AllocationPool, FreeRange, Subnet
from multinic_api.services import subnets
from tests.harness.helpers import free_addresses


def _pools(subnet):
    return [(p.start, p.end) for p in subnet.allocation_pools.order_by("id")]


def test_ipv4_defaults_gateway_first_host_and_whole_usable_pool(make_subnet):
    subnet = make_subnet("10.0.0.0/24")
    assert subnet.ip_version == 4
    assert subnet.gateway_ip == "10.0.0.1"
    assert _pools(subnet) == [("10.0.0.1", "10.0.0.254")]
    # The gateway stays in the pool but is never free.
    assert free_addresses(subnet) == netaddr.IPSet(netaddr.IPRange("10.0.0.2", "10.0.0.254"))


def test_ipv6_pool_skips_subnet_router_anycast(make_subnet):
    subnet = make_subnet("2001:db8::/64")
    assert subnet.gateway_ip == "2001:db8::1"
    assert _pools(subnet) == [("2001:db8::1", "2001:db8::ffff:ffff:ffff:ffff")]
    assert FreeRange.objects.filter(subnet=subnet).count() == 1


def test_point_to_point_subnet_pool_is_both_addresses_and_gateway_the_first(make_subnet):
    subnet = make_subnet("192.0.2.0/31")  # RFC 3021: no network or broadcast address
    assert _pools(subnet) == [("192.0.2.0", "192.0.2.1")]
    assert subnet.gateway_ip == "192.0.2.0"  # the router end of the link
    assert free_addresses(subnet) == netaddr.IPSet(["192.0.2.1"])


def test_host_subnet_is_its_one_address_with_no_gateway(make_subnet):
    subnet = make_subnet("192.0.2.7/32")
    assert _pools(subnet) == [("192.0.2.7", "192.0.2.7")]
    assert subnet.gateway_ip is None
    assert free_addresses(subnet) == netaddr.IPSet(["192.0.2.7"])


def test_no_gateway_leaves_first_host_allocatable(make_subnet):
    subnet = make_subnet("10.0.0.0/29", gateway_ip=None)
    assert subnet.gateway_ip is None
    assert netaddr.IPAddress("10.0.0.1") in free_addresses(subnet)


def test_dhcp_server_and_gateway_are_taken_out_of_free_ranges(make_subnet):
    subnet = make_subnet("10.0.0.0/28", gateway_ip="10.0.0.14", dhcp_server="10.0.0.2")
    assert free_addresses(subnet) == netaddr.IPSet(["10.0.0.1"]) | netaddr.IPSet(
        netaddr.IPRange("10.0.0.3", "10.0.0.13")
    )


def test_normalises_inputs(make_subnet):
    subnet = make_subnet(
        "2001:DB8:0:0::/64",
        dns_nameservers=["2001:db8:0::53", "192.0.2.53"],
        host_routes=[{"destination": "2001:db8:1::/48", "nexthop": "2001:DB8::FE"}],
    )
    assert subnet.cidr == "2001:db8::/64"
    assert subnet.dns_nameservers == ["2001:db8::53", "192.0.2.53"]
    assert subnet.host_routes == [{"destination": "2001:db8:1::/48", "nexthop": "2001:db8::fe"}]


def test_pools_with_holes_are_kept_in_order(make_subnet):
    subnet = make_subnet(
        "10.0.0.0/24",
        allocation_pools=[{"start": "10.0.0.50", "end": "10.0.0.60"},
                          {"start": "10.0.0.10", "end": "10.0.0.20"}],
    )
    assert _pools(subnet) == [("10.0.0.10", "10.0.0.20"), ("10.0.0.50", "10.0.0.60")]
    assert FreeRange.objects.filter(subnet=subnet).count() == 2


@pytest.mark.parametrize(
    ("cidr", "kwargs", "message"),
    [
        ("10.0.0.5/24", {}, "host bits set; did you mean 10.0.0.0/24"),
        ("10.0.0.0", {}, "no prefix length"),
        ("10.0.0.0/33", {}, "is not a CIDR"),
        ("banana", {}, "is not a CIDR"),
        ("0.0.0.0/0", {}, "whole address space"),
        ("10.0.0.0/24", {"ipv6_address_mode": "slaac"}, "only to IPv6"),
        ("2001:db8::/64", {"ipv6_address_mode": "magic"}, "Unknown ipv6_address_mode"),
        ("2001:db8::/80", {"ipv6_address_mode": "slaac"}, "must be a /64"),
        ("10.0.0.0/24", {"gateway_ip": "10.0.1.1"}, "not in 10.0.0.0/24"),
        ("10.0.0.0/24", {"gateway_ip": "10.0.0.0"}, "network, broadcast"),
        ("10.0.0.0/24", {"gateway_ip": "10.0.0.255"}, "network, broadcast"),
        ("10.0.0.0/24", {"gateway_ip": "2001:db8::1"}, "not in 10.0.0.0/24"),
        ("10.0.0.0/24", {"enable_dhcp": False, "dhcp_server": "10.0.0.2"}, "enable_dhcp"),
        ("10.0.0.0/24", {"dhcp_server": "10.0.0.1"}, "also the gateway"),
        ("10.0.0.0/24", {"allocation_pools": [{"start": "10.0.0.9"}]}, 'needs "start" and "end"'),
        ("10.0.0.0/24", {"allocation_pools": [{"start": "10.0.0.9", "end": "10.0.1.9"}]},
         "not in 10.0.0.0/24"),
        ("10.0.0.0/24", {"allocation_pools": [{"start": "10.0.0.9", "end": "10.0.0.2"}]},
         "ends before it starts"),
        ("10.0.0.0/24", {"allocation_pools": [{"start": "10.0.0.2", "end": "10.0.0.9"},
                                              {"start": "10.0.0.9", "end": "10.0.0.20"}]},
         "overlap"),
        ("10.0.0.0/24", {"dns_nameservers": ["10.0.0.53", "10.0.0.53"]}, "listed twice"),
        ("10.0.0.0/24", {"dns_nameservers": ["dns.example"]}, "not an IP address"),
        ("10.0.0.0/24", {"host_routes": [{"destination": "10.1.0.0/16"}]}, '"destination" and'),
        ("10.0.0.0/24", {"host_routes": [{"destination": "2001:db8::/64",
                                          "nexthop": "10.0.0.254"}]}, "mixes IP versions"),
    ],
)
def test_bad_subnet_input_is_rejected_and_nothing_is_written(make_network, cidr, kwargs, message):
    network = make_network()
    with pytest.raises(InvalidInput, match=message):
        subnets.create_subnet(network, cidr, **kwargs)
    assert Subnet.objects.count() == 0
    assert AllocationPool.objects.count() == 0
    assert FreeRange.objects.count() == 0


def test_network_mtu_is_checked(project):
    with pytest.raises(InvalidInput, match="MTU"):
        subnets.create_network(project, "jumbo", mtu=70000)


@pytest.mark.parametrize("shared", [False, True])
def test_only_the_networks_project_or_an_admin_may_change_it(make_network, project,
                                                            other_project, shared):
    network = make_network(shared=shared)  # shared: usable by all, changed by its owner alone
    assert subnets.may_change(network, project, is_admin=False)
    assert not subnets.may_change(network, other_project, is_admin=False)
    assert not subnets.may_change(network, None, is_admin=False)
    assert subnets.may_change(network, other_project, is_admin=True)
    assert subnets.may_change(network, None, is_admin=True)
