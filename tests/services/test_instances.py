import uuid
from unittest import mock

import netaddr
import pytest

from multinic_api.exceptions import (
    Forbidden,
    InvalidInput,
    IpAddressInUse,
    MacAddressInUse,
    NotFound,
    SubnetExhausted,
)
from multinic_api.models import VIF, FixedIP, FreeRange, Instance, Network
from multinic_api.scope import Scope
from multinic_api.services import instances, macs, subnets
from multinic_api.services.instances import NicRequest
from tests.harness.helpers import assert_subnet_consistent


@pytest.fixture
def dual_stack(make_network):
    network = make_network("dual")
    v4 = subnets.create_subnet(network, "10.0.0.0/24", name="dual-v4")
    v6 = subnets.create_subnet(network, "2001:db8::/64", name="dual-v6",
                               ipv6_address_mode="slaac")
    return network, v4, v6


@pytest.fixture
def tiny(make_network):
    """A network whose one subnet has exactly two free addresses."""
    network = make_network("tiny")
    subnet = subnets.create_subnet(network, "192.0.2.0/29", name="tiny-v4",
                                   allocation_pools=[{"start": "192.0.2.2", "end": "192.0.2.3"}])
    return network, subnet


def _launch(project, *nics, **kwargs):
    return instances.launch_instance(project=project, name=kwargs.pop("name", "vm"),
                                     nics=list(nics), **kwargs)


def _snapshot():
    """Everything a launch could write."""
    return (
        Instance.objects.count(),
        VIF.objects.count(),
        FixedIP.objects.count(),
        sorted(FreeRange.objects.values_list("subnet_id", "first", "last")),
    )


def test_launch_allocates_one_vif_per_nic_in_order(project, dual_stack, tiny):
    dual, v4, v6 = dual_stack
    tiny_net, _ = tiny
    instance = _launch(
        project,
        NicRequest(dual.id, tag="mgmt"),
        NicRequest(tiny_net.id),
        NicRequest(dual.id, fixed_ips=["10.0.0.77"]),  # the same network twice
    )
    vifs = list(instance.vifs.order_by("position"))
    assert [(v.position, v.network_id, v.tag) for v in vifs] == [
        (0, dual.id, "mgmt"), (1, tiny_net.id, None), (2, dual.id, None)
    ]
    assert len({v.mac for v in vifs}) == 3
    assert all(v.mac.startswith("fa:16:3e:") for v in vifs)

    def addresses(vif):
        return sorted(vif.fixed_ips.values_list("address", flat=True))

    assert addresses(vifs[0]) == ["10.0.0.2", str(netaddr.EUI(vifs[0].mac).ipv6(
        netaddr.IPNetwork("2001:db8::/64").first))]
    assert addresses(vifs[1]) == ["192.0.2.2"]
    assert "10.0.0.77" in addresses(vifs[2])
    assert len(addresses(vifs[2])) == 2  # and a SLAAC address on the v6 subnet
    assert_subnet_consistent(v4)


def test_launch_keeps_instance_fields_and_sanitises_hostname(project, dual_stack):
    dual, _, _ = dual_stack
    instance = _launch(project, NicRequest(dual.id), name="My Web_Server #1",
                       metadata={"role": "web"}, key_name="k", public_key="ssh-ed25519 AAA",
                       user_data="IyEvYmluL3NoCg==", config_drive=True, availability_zone="az1")
    instance.refresh_from_db()
    assert instance.hostname == "my-web-server-1"
    assert (instance.metadata, instance.key_name, instance.config_drive) == ({"role": "web"}, "k",
                                                                             True)
    assert instance.availability_zone == "az1"
    assert instance.project == project


@pytest.mark.parametrize(
    ("third_nic", "error"),
    [
        ("exhausted", SubnetExhausted),
        ("ip_in_use", IpAddressInUse),
        ("mac_in_use", MacAddressInUse),
    ],
)
def test_launch_failing_on_the_third_nic_leaves_nothing_behind(project, dual_stack, tiny,
                                                               third_nic, error):
    dual, v4, _ = dual_stack
    tiny_net, tiny_subnet = tiny
    holder = _launch(project, NicRequest(tiny_net.id, fixed_ips=["192.0.2.3"]),
                     NicRequest(dual.id, fixed_ips=["10.0.0.9"]), is_admin=True)
    held_mac = holder.vifs.get(position=0).mac
    before = _snapshot()
    nics = [NicRequest(dual.id), NicRequest(tiny_net.id)]  # takes .2, the last free address
    nics.append({
        "exhausted": NicRequest(tiny_net.id),
        "ip_in_use": NicRequest(dual.id, fixed_ips=["10.0.0.9"]),  # the holder's
        "mac_in_use": NicRequest(dual.id, mac=held_mac),
    }[third_nic])
    with pytest.raises(error) as excinfo:
        _launch(project, *nics, name="doomed", is_admin=True)
    assert excinfo.value.status_code == 409
    assert _snapshot() == before
    assert not Instance.objects.filter(name="doomed").exists()
    assert_subnet_consistent(v4)
    assert_subnet_consistent(tiny_subnet)


def test_a_requested_address_is_taken_before_the_next_free_ones(project, dual_stack):
    """NIC 1 asks for the subnet's lowest free address; NIC 0, earlier in the launch, takes
    the next free one instead of taking it first and failing the launch."""
    dual, v4, _ = dual_stack
    instance = _launch(project, NicRequest(dual.id), NicRequest(dual.id, fixed_ips=["10.0.0.2"]),
                       NicRequest(dual.id))
    assert [vif.fixed_ips.get(subnet=v4).address for vif in instance.vifs.order_by(
        "position")] == ["10.0.0.3", "10.0.0.2", "10.0.0.4"]
    assert_subnet_consistent(v4)


def test_exhausted_error_names_network_and_subnet(project, tiny):
    tiny_net, _ = tiny
    _launch(project, NicRequest(tiny_net.id), NicRequest(tiny_net.id))
    with pytest.raises(SubnetExhausted, match=r"subnet tiny-v4 \(192.0.2.0/29\) of network tiny"):
        _launch(project, NicRequest(tiny_net.id))


def test_delete_frees_macs_and_addresses_for_reuse(project, dual_stack):
    dual, v4, _ = dual_stack
    first = _launch(project, NicRequest(dual.id, mac="fa:16:3e:aa:bb:cc"),
                    NicRequest(dual.id), is_admin=True)
    first_ips = set(FixedIP.objects.filter(vif__instance=first, subnet=v4)
                    .values_list("address", flat=True))
    instances.delete_instance(first)
    assert not Instance.objects.exists()
    assert not VIF.objects.exists()
    assert not FixedIP.objects.exists()
    assert_subnet_consistent(v4)
    again = _launch(project, NicRequest(dual.id, mac="fa:16:3e:aa:bb:cc"),
                    NicRequest(dual.id), is_admin=True)
    assert set(FixedIP.objects.filter(vif__instance=again, subnet=v4)
               .values_list("address", flat=True)) == first_ips
    assert again.vifs.get(position=0).mac == "fa:16:3e:aa:bb:cc"


def test_delete_frees_a_nic_attached_after_the_instance_was_loaded(project, dual_stack):
    """What a delete frees is read under the instance's lock: an instance loaded with its
    interfaces (as the faces load it) and then given one more NIC loses that one too."""
    dual, v4, _ = dual_stack
    launched = _launch(project, NicRequest(dual.id))
    loaded = Instance.objects.with_interfaces().get(pk=launched.pk)
    instances.attach_interface(launched, NicRequest(dual.id))
    instances.delete_instance(loaded)
    assert not Instance.objects.exists() and not VIF.objects.exists()
    assert not FixedIP.objects.exists()
    assert_subnet_consistent(v4)


def test_detach_frees_one_interface_and_attach_appends_after_the_last(project, dual_stack, tiny):
    dual, v4, _ = dual_stack
    tiny_net, tiny_subnet = tiny
    instance = _launch(project, NicRequest(dual.id), NicRequest(tiny_net.id),
                       NicRequest(tiny_net.id))
    middle = instance.vifs.get(position=1)
    middle_ip = middle.fixed_ips.get().address
    instances.detach_interface(instance, middle.uuid)
    assert sorted(instance.vifs.values_list("position", flat=True)) == [0, 2]
    assert not FixedIP.objects.filter(address=middle_ip).exists()
    assert_subnet_consistent(tiny_subnet)

    attached = instances.attach_interface(instance, NicRequest(tiny_net.id, tag="storage"))
    assert attached.position == 3
    assert attached.tag == "storage"
    assert attached.fixed_ips.get().address == middle_ip  # the freed address is reused
    assert_subnet_consistent(tiny_subnet)


def test_attach_to_instance_without_vifs_starts_at_position_zero(project, dual_stack):
    dual, _, _ = dual_stack
    instance = _launch(project)
    assert instances.attach_interface(instance, NicRequest(dual.id)).position == 0


def test_attach_failure_leaves_nothing_behind(project, tiny):
    tiny_net, _ = tiny
    instance = _launch(project, NicRequest(tiny_net.id), NicRequest(tiny_net.id))
    before = _snapshot()
    with pytest.raises(SubnetExhausted):
        instances.attach_interface(instance, NicRequest(tiny_net.id))
    assert _snapshot() == before


def test_detach_unknown_interface_is_not_found(project, dual_stack, other_project):
    dual, _, _ = dual_stack
    instance = _launch(project, NicRequest(dual.id))
    other = _launch(project, NicRequest(dual.id))
    with pytest.raises(NotFound):
        instances.detach_interface(instance, uuid.uuid4())
    with pytest.raises(NotFound):
        instances.detach_interface(instance, other.vifs.get().uuid)  # not this instance's
    with pytest.raises(NotFound):
        instances.detach_interface(instance, "not-a-uuid")


def test_only_admins_may_choose_a_mac(project, dual_stack):
    dual, _, _ = dual_stack
    with pytest.raises(Forbidden) as excinfo:
        _launch(project, NicRequest(dual.id, mac="fa:16:3e:00:00:01"))
    assert excinfo.value.status_code == 403
    assert not Instance.objects.exists()


def test_bad_requested_mac_is_a_400_before_anything_is_written(project, dual_stack):
    dual, _, _ = dual_stack
    with pytest.raises(InvalidInput, match="multicast"):
        _launch(project, NicRequest(dual.id), NicRequest(dual.id, mac="01:00:5e:00:00:01"),
                is_admin=True)
    assert not Instance.objects.exists()


def test_networks_of_other_projects_are_not_found_unless_shared(project, other_project,
                                                                 make_network):
    private = make_network("theirs", owner=other_project)
    subnets.create_subnet(private, "10.9.0.0/24")
    shared = make_network("shared", owner=other_project, shared=True)
    subnets.create_subnet(shared, "10.8.0.0/24")
    with pytest.raises(NotFound) as excinfo:
        _launch(project, NicRequest(private.id))
    assert excinfo.value.status_code == 404
    assert _launch(project, NicRequest(shared.id)).vifs.count() == 1
    assert _launch(project, NicRequest(private.id), is_admin=True).vifs.count() == 1


@pytest.mark.parametrize("network_id", ["not-a-uuid", str(uuid.uuid4())])
def test_unknown_network_is_not_found(project, network_id):
    with pytest.raises(NotFound, match="not found|No network"):
        _launch(project, NicRequest(network_id))


@pytest.mark.parametrize(
    ("nics", "message"),
    [
        (lambda n: [NicRequest(n, fixed_ips=["172.16.0.5"])], "none of the network's subnets"),
        (lambda n: [NicRequest(n, fixed_ips=["10.0.0.5", "10.0.0.6"])], "more than one fixed IP"),
        (lambda n: [NicRequest(n, fixed_ips=["10.0.0.5"]), NicRequest(n, fixed_ips=["10.0.0.5"])],
         "requested more than once"),
        (lambda n: [NicRequest(n, fixed_ips=["10.0.0.255"])], "broadcast address"),
        (lambda n: [NicRequest(n, fixed_ips=["2001:db8::9"])], "from the MAC"),
        (lambda n: [NicRequest(n, tag="a/b")], "tag"),
        (lambda n: [NicRequest(n, tag="x" * 61)], "tag"),
    ],
)
def test_bad_nic_requests_are_400s(project, dual_stack, nics, message):
    dual, _, _ = dual_stack
    with pytest.raises(InvalidInput, match=message):
        _launch(project, *nics(dual.id))
    assert _snapshot()[:3] == (0, 0, 0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "  "}, "needs a name"),
        ({"name": "x" * 256}, "name may be at most 255"),
        ({"availability_zone": "z" * 256}, "availability zone may be at most 255"),
        ({"key_name": "k" * 256}, "key_name may be at most 255"),
        ({"min_count": 0}, "min_count must be a positive integer"),
        ({"name": 5}, "name must be a string"),
        ({"availability_zone": ["az"]}, "availability_zone must be a string"),
        ({"key_name": 1}, "key_name must be a string"),
        ({"metadata": {"k": 5}}, "must be a string"),
        ({"metadata": ["k"]}, "must be an object"),
        ({"metadata": {str(i): "v" for i in range(129)}}, "at most 128"),
    ],
)
def test_bad_instance_fields_are_400s(project, kwargs, message):
    with pytest.raises(InvalidInput, match=message):
        _launch(project, **kwargs)


def test_a_single_fixed_ip_given_as_a_string_is_one_address(project, dual_stack):
    dual, _, _ = dual_stack
    instance = _launch(project, NicRequest(dual.id, fixed_ips="10.0.0.42"))
    assert "10.0.0.42" in instance.vifs.get().fixed_ips.values_list("address", flat=True)


def test_mac_collision_during_launch_is_retried(project, dual_stack):
    dual, _, _ = dual_stack
    taken = _launch(project, NicRequest(dual.id, mac="fa:16:3e:00:00:01"), is_admin=True)
    assert taken.vifs.count() == 1
    draws = iter([[0, 0, 1], [0, 0, 1], [0, 0, 2]])
    with mock.patch.object(macs, "random_suffix", side_effect=lambda: next(draws)):
        instance = _launch(project, NicRequest(dual.id))
    assert instance.vifs.get().mac == "fa:16:3e:00:00:02"


def test_visible_instances_and_networks_are_scoped_to_the_project(project, other_project,
                                                                  dual_stack, make_network):
    dual, _, _ = dual_stack
    mine = _launch(project, NicRequest(dual.id))
    theirs_net = make_network("theirs", owner=other_project)
    theirs = _launch(other_project, NicRequest(theirs_net.id))
    assert list(Instance.objects.restrict(Scope(project))) == [mine]
    assert set(Instance.objects.restrict(Scope(project, is_admin=True))) == {mine, theirs}
    assert theirs_net not in Network.objects.restrict(Scope(project))
    # a caller in no project: no instances, only shared networks
    assert not Instance.objects.restrict(Scope(None)).exists()
    assert not Network.objects.restrict(Scope(None)).exclude(shared=True).exists()


@pytest.mark.parametrize("tag", ["web\n", "we\tb", "a/b", "a,b", "", "t" * 61])
def test_a_tag_with_a_final_newline_or_over_60_characters_is_refused(cloud, tag):
    # "^...$" matched "web\n": $ also matches before a final newline.
    with pytest.raises(InvalidInput, match="a tag must be 1 to 60 characters"):
        instances.launch_instance(project=cloud.project_a, name="vm", nics=[
            instances.NicRequest(cloud.net_a.pk, tag=tag)])
    assert not Instance.objects.exists()
