"""Launching onto a bare-metal node: which carrier each NIC binds, bonds made at launch,
MACs, freeing and reuse, and tenancy (services.instances + services.binding)."""

import pytest

from multinic_api.exceptions import Conflict, InvalidInput, NotFound
from multinic_api.models import VIF, FixedIP, Instance, Port, PortGroup
from multinic_api.services import baremetal, guest, instances, subnets
from multinic_api.services.instances import BondRequest, CarrierRequest, NicRequest
from tests.harness.baremetal_fixtures import build_node


@pytest.fixture
def physnet1(make_network):
    network = make_network("phys1", physical_network="physnet1")
    subnets.create_subnet(network, "10.1.0.0/24", name="phys1-v4")
    return network


@pytest.fixture
def physnet2(make_network):
    network = make_network("phys2", physical_network="physnet2")
    subnets.create_subnet(network, "10.2.0.0/24", name="phys2-v4")
    return network


def launch(project, node, *nics, warnings=None, **kwargs):
    return instances.launch_instance(project=project, name=kwargs.pop("name", "bm"),
                                     nics=list(nics), node=node, warnings=warnings, **kwargs)


def nic(network, port=None, bond=None, **kwargs):
    return NicRequest(network.id, carrier=CarrierRequest(port=port, bond=bond), **kwargs)


def carrier_of(vif: VIF):
    return vif.port_group if vif.port_group_id else vif.port


# --- the preference matrix --------------------------------------------------------------------

# Each case: the node's ports (physnet, pxe), its groups (member indexes), the network's
# physical network, and which carrier the NIC must bind ("port N" or "group N").
MATRIX = [
    ("non-empty physnet beats an empty one",
     [("", True), ("physnet1", True)], [], "physnet1", "port 1"),
    ("non-empty physnet beats an empty one, even over PXE",
     [("", True), ("physnet1", False)], [], "physnet1", "port 1"),
    ("a port group beats a single port",
     [("physnet1", True), ("physnet1", True), ("physnet1", True)], [[1, 2]], "physnet1",
     "group 0"),
    ("a group without PXE ports still beats a PXE port",
     [("physnet1", True), ("physnet1", False), ("physnet1", False)], [[1, 2]], "physnet1",
     "group 0"),
    ("a physnet port beats a group without physnet",
     [("physnet1", True), ("", True), ("", True)], [[1, 2]], "physnet1", "port 0"),
    ("PXE-enabled beats not",
     [("physnet1", False), ("physnet1", True)], [], "physnet1", "port 1"),
    ("another physnet is never used",
     [("physnet2", True), ("", False)], [], "physnet1", "port 1"),
    ("a group on another physnet is never used",
     [("physnet2", True), ("physnet2", True), ("", False)], [[0, 1]], "physnet1", "port 2"),
    ("a network without physnet may use any, non-empty first",
     [("", True), ("physnet2", False)], [], None, "port 1"),
    ("a group without members is ignored",
     [("physnet1", False)], [[]], "physnet1", "port 0"),
    ("members of a group are not single ports",
     [("physnet1", True), ("physnet1", True), ("physnet1", False)], [[0, 1]], "physnet1",
     "group 0"),
]


@pytest.mark.parametrize("ports,groups,physnet,expected",
                         [case[1:] for case in MATRIX], ids=[case[0] for case in MATRIX])
def test_binding_preference(project, make_network, ports, groups, physnet, expected):
    built = build_node("matrix", project, ports,
                       [{"name": f"g{i}", "ports": members} for i, members in enumerate(groups)])
    network = make_network("net", physical_network=physnet)
    subnets.create_subnet(network, "10.9.0.0/24")
    instance = launch(project, built.node, nic(network))
    (vif,) = instance.vifs.all()
    kind, index = expected.split()
    wanted = built.groups[int(index)] if kind == "group" else built.ports[int(index)]
    assert carrier_of(vif) == wanted


def test_no_eligible_carrier_is_a_409_and_leaves_nothing(project, physnet1):
    built = build_node("other-physnet", project, [("physnet2", True)])
    with pytest.raises(Conflict) as error:
        launch(project, built.node, nic(physnet1))
    assert "no free port or port group on physical network 'physnet1'" in str(error.value)
    assert not Instance.objects.exists() and not VIF.objects.exists()


def test_vif_takes_its_carriers_mac_and_is_baremetal(project, demo_like_node, physnet1,
                                                     physnet2):
    instance = launch(project, "node-1", nic(physnet1), nic(physnet2))
    first, second = instance.vifs.order_by("position")
    group = demo_like_node.groups[0]
    assert first.port_group == group
    # no MAC on the group: its first member's, as Ironic does
    assert first.mac == min(p.mac for p in group.ports.all())
    assert second.port == demo_like_node.ports[2]  # PXE-enabled before port 3
    assert second.mac == demo_like_node.ports[2].mac
    for vif in (first, second):
        assert vif.vnic_type == "baremetal"
        assert vif.binding_host == str(demo_like_node.node.pk)
    assert instance.node == demo_like_node.node
    profile = first.binding_profile["local_group_information"]
    assert profile == {"id": str(group.pk), "name": "bond0", "bond_mode": "802.3ad",
                       "bond_properties": {"miimon": 100, "xmit_hash_policy": "layer3+4"}}


def test_node_by_name_or_uuid(project, demo_like_node, physnet1):
    assert launch(project, str(demo_like_node.node.pk), nic(physnet1)).node_id == \
        demo_like_node.node.pk


# --- explicit carriers ----------------------------------------------------------------------

def test_explicit_choices_are_bound_before_automatic_ones(project, physnet1):
    built = build_node("explicit", project, [("physnet1", True), ("physnet1", True)])
    # NIC 0 asks for nothing; port 1 would be its pick if NIC 1 had not named port 0
    instance = launch(project, built.node, nic(physnet1), nic(physnet1, port=built.ports[0].pk))
    first, second = instance.vifs.order_by("position")
    assert second.port == built.ports[0]
    assert first.port == built.ports[1]


def test_a_port_may_be_named_by_mac(project, physnet1):
    built = build_node("by-mac", project, [("physnet1", True), ("physnet1", True)])
    dashed = built.ports[1].mac.upper().replace(":", "-")
    instance = launch(project, built.node, nic(physnet1, port=dashed))
    assert instance.vifs.get().port == built.ports[1]


@pytest.mark.parametrize("which,error,words", [
    ("unknown", InvalidInput, "has no port"),
    ("member", Conflict, "is a member of port group bond0; bind the group"),
    ("other physnet", Conflict, "is on physical network 'physnet2', but network phys1 is on "
                                "'physnet1'"),
])
def test_explicit_port_errors(project, demo_like_node, physnet1, which, error, words):
    port = {"unknown": "52:54:00:ff:ff:ff", "member": demo_like_node.ports[0].pk,
            "other physnet": demo_like_node.ports[2].pk}[which]
    with pytest.raises(error, match=words):
        launch(project, "node-1", nic(physnet1, port=port))
    assert not Instance.objects.exists()


def test_a_port_cannot_carry_two_nics(project, physnet1):
    built = build_node("twice", project, [("physnet1", True), ("physnet1", True)])
    with pytest.raises(Conflict, match="already carries another interface"):
        launch(project, built.node, nic(physnet1, port=built.ports[0].pk),
               nic(physnet1, port=built.ports[0].pk))
    launch(project, built.node, nic(physnet1, port=built.ports[0].pk))
    with pytest.raises(Conflict, match="already carries another interface"):
        launch(project, built.node, nic(physnet1, port=built.ports[0].pk), name="second")


def test_existing_group_with_mode_and_options_for_this_instance(project, demo_like_node,
                                                                 physnet1):
    group = demo_like_node.groups[0]
    warnings = []
    instance = launch(project, "node-1", nic(physnet1, bond=BondRequest(
        port_group="bond0", mode="active-backup",
        properties={"miimon": 100, "primary": demo_like_node.ports[1].mac})),
        warnings=warnings)
    vif = instance.vifs.get()
    assert vif.port_group == group
    # the group itself keeps its mode; the NIC runs with the override
    group.refresh_from_db()
    assert group.mode == "802.3ad"
    info = vif.binding_profile["local_group_information"]
    assert info["bond_mode"] == "active-backup"
    assert info["bond_properties"] == {"miimon": 100, "primary": str(demo_like_node.ports[1].pk)}
    assert any("listed first in bond_links" in w for w in warnings)
    link = guest.renderings_of(instance).network_data["links"][0]
    assert link["bond_mode"] == "active-backup"
    assert link["bond_links"][0] == str(demo_like_node.ports[1].pk)  # primary first
    assert "bond_primary" not in link


def test_existing_group_mode_override_keeps_its_options_which_must_fit(project, demo_like_node,
                                                                       physnet1):
    with pytest.raises(InvalidInput, match="'xmit_hash_policy' is not allowed in mode "
                                           "'active-backup'"):
        launch(project, "node-1", nic(physnet1, bond=BondRequest(port_group="bond0",
                                                                 mode="active-backup")))
    instance = launch(project, "node-1", nic(physnet1, bond=BondRequest(port_group="bond0",
                                                                        mode="balance-xor")))
    info = instance.vifs.get().binding_profile["local_group_information"]
    assert info["bond_properties"] == {"miimon": 100, "xmit_hash_policy": "layer3+4"}


def test_new_bond_of_chosen_ports_lives_as_long_as_its_nic(project, physnet1):
    built = build_node("bonding", project, [("physnet1", True)] * 3)
    chosen = [built.ports[2].pk, built.ports[0].pk]
    warnings = []
    instance = launch(project, built.node, nic(physnet1, bond=BondRequest(
        ports=chosen, mode="802.3ad", properties={"miimon": 100, "lacp_rate": "fast"})),
        warnings=warnings)
    vif = instance.vifs.get()
    group = vif.port_group
    assert group.instance == instance and group.node == built.node
    assert group.mode == "802.3ad" and group.properties == {"miimon": 100, "lacp_rate": "fast"}
    assert set(group.ports.values_list("pk", flat=True)) == set(chosen)
    assert vif.mac == built.ports[0].mac  # first member in member order (by MAC)
    assert warnings == []
    instances.delete_instance(instance)
    assert not PortGroup.objects.exists()
    assert not Port.objects.filter(port_group__isnull=False).exists()


def test_new_bond_defaults_to_active_backup_with_miimon_100(project, physnet1):
    built = build_node("defaults", project, [("physnet1", True)] * 2)
    instance = launch(project, built.node, nic(physnet1, bond=BondRequest(
        ports=[p.pk for p in built.ports])))
    group = instance.vifs.get().port_group
    assert (group.mode, group.properties) == ("active-backup", {"miimon": 100})


def test_one_port_bond_warns(project, physnet1):
    built = build_node("lonely", project, [("physnet1", True)])
    warnings = []
    launch(project, built.node, nic(physnet1, bond=BondRequest(ports=[built.ports[0].pk])),
           warnings=warnings)
    assert warnings and "NIC 0 (network phys1): The bond (mode 'active-backup') has one member" \
        in warnings[0]


@pytest.mark.parametrize("ports,error,words", [
    ([], InvalidInput, "a new bond needs at least one port"),
    ([0, 0], InvalidInput, "listed more than once"),
    ([0, 2], Conflict, "bonded ports must share one physical network"),
])
def test_new_bond_errors(project, physnet1, ports, error, words):
    built = build_node("bad-bond", project, [("physnet1", True), ("physnet1", True),
                                             ("", True)])
    with pytest.raises(error, match=words):
        launch(project, built.node, nic(physnet1, bond=BondRequest(
            ports=[built.ports[i].pk for i in ports])))
    assert not PortGroup.objects.exists() and not Instance.objects.exists()


def test_bad_bonding_option_at_launch_leaves_no_row(project, physnet1):
    built = build_node("bad-option", project, [("physnet1", True)] * 2)
    with pytest.raises(InvalidInput, match="'lacp_rate' is not allowed in mode 'balance-rr'"):
        launch(project, built.node, nic(physnet1, bond=BondRequest(
            ports=[p.pk for p in built.ports], mode="balance-rr",
            properties={"lacp_rate": "fast"})))
    assert not PortGroup.objects.exists() and not Instance.objects.exists()
    assert not Port.objects.filter(port_group__isnull=False).exists()


def test_two_bonds_on_one_node(project, physnet1, physnet2, demo_like_node):
    instance = launch(project, "node-1",
                      nic(physnet1, bond=BondRequest(port_group="bond0")),
                      nic(physnet2, bond=BondRequest(
                          ports=[demo_like_node.ports[2].pk, demo_like_node.ports[3].pk],
                          mode="balance-alb")))
    data = guest.renderings_of(instance).network_data
    bonds = [link for link in data["links"] if link["type"] == "bond"]
    assert [b["bond_mode"] for b in bonds] == ["802.3ad", "balance-alb"]
    members = [link["id"] for link in data["links"] if link["type"] == "phy"]
    assert members == [str(p.pk) for p in demo_like_node.ports]
    assert [b["bond_links"] for b in bonds] == [members[:2], members[2:]]


def test_port_group_mac_shared_with_a_member(project, physnet1):
    built = build_node("shared-mac", project, [("physnet1", True)] * 2)
    member_mac = built.ports[1].mac
    group, _ = baremetal.create_port_group(built.node, "bond-mac", mac=member_mac,
                                           ports=built.ports, mode="802.3ad")
    instance = launch(project, built.node, nic(physnet1))
    vif = instance.vifs.get()
    assert vif.port_group == group and vif.mac == member_mac
    links = guest.renderings_of(instance).network_data["links"]
    assert links[0]["ethernet_mac_address"] == member_mac
    assert [link["ethernet_mac_address"] for link in links[1:]] == [p.mac for p in built.ports]


# --- freeing and reuse ----------------------------------------------------------------------

def test_delete_and_detach_free_carriers_for_reuse(project, demo_like_node, physnet1, physnet2):
    first = launch(project, "node-1", nic(physnet1), nic(physnet2), nic(physnet2))
    with pytest.raises(Conflict, match="no free port or port group"):
        launch(project, "node-1", nic(physnet2), name="full")
    third = first.vifs.get(position=2)
    freed = third.port
    instances.detach_interface(first, third.uuid)
    again = launch(project, "node-1", nic(physnet2), name="reuse")
    assert again.vifs.get().port == freed
    instances.delete_instance(first)
    instances.delete_instance(again)
    assert not VIF.objects.exists() and not FixedIP.objects.exists()
    last = launch(project, "node-1", nic(physnet1), nic(physnet2), nic(physnet2), name="all")
    assert last.vifs.count() == 3


def test_attach_on_a_node_binds_a_free_carrier(project, demo_like_node, physnet2):
    instance = launch(project, "node-1", nic(physnet2))
    vif = instances.attach_interface(instance, NicRequest(physnet2.id))
    assert vif.vnic_type == "baremetal" and vif.port == demo_like_node.ports[3]
    assert vif.position == 1
    with pytest.raises(Conflict):
        instances.attach_interface(instance, NicRequest(physnet2.id))


def test_detaching_a_launch_bond_gives_its_ports_back(project, physnet1):
    built = build_node("detach-bond", project, [("physnet1", True)] * 2)
    instance = launch(project, built.node, nic(physnet1),
                      nic(physnet1, bond=BondRequest(ports=[built.ports[1].pk])))
    bonded = instance.vifs.get(position=1)
    instances.detach_interface(instance, bonded.uuid)
    assert not PortGroup.objects.exists()
    assert Port.objects.get(pk=built.ports[1].pk).port_group is None


def test_admin_groups_stay_after_delete(project, demo_like_node, physnet1):
    instance = launch(project, "node-1", nic(physnet1))
    instances.delete_instance(instance)
    assert PortGroup.objects.get().ports.count() == 2


# --- rules that need no node, tenancy -------------------------------------------------------

def test_carrier_choice_needs_a_node(project, physnet1):
    with pytest.raises(InvalidInput, match="needs a bare-metal node"):
        instances.launch_instance(project=project, name="vm", nics=[nic(physnet1, port="x")])


def test_no_chosen_mac_on_bare_metal(project, demo_like_node, physnet1):
    with pytest.raises(InvalidInput, match="on bare metal a NIC's MAC is its port's"):
        launch(project, "node-1", nic(physnet1, mac="fa:16:3e:00:00:01"), is_admin=True)


def test_a_tenant_cannot_bind_another_projects_node(project, other_project, physnet1,
                                                    make_network):
    theirs = build_node("theirs", other_project, [("physnet1", True)])
    admins = build_node("admins", None, [("physnet1", True)])
    for node in (theirs.node, admins.node):
        for reference in (node.name, str(node.pk)):
            with pytest.raises(NotFound, match=f"Node {reference} not found"):
                launch(project, reference, nic(physnet1))
    # an administrator may launch onto any node, the admin-only one included
    instance = launch(project, "admins", nic(physnet1), is_admin=True)
    assert instance.vifs.get().port == admins.ports[0]
