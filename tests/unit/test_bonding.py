"""The bonding rules (services.bonding): every mode, option, value and message."""

import pytest

from multinic_api.exceptions import InvalidInput
from multinic_api.services import bonding
from multinic_api.services.bonding import Member, check_bond

A = Member(id="0b6f8e4e-0000-4000-8000-00000000000a", mac="52:54:00:aa:bb:01")
B = Member(id="0b6f8e4e-0000-4000-8000-00000000000b", mac="52:54:00:aa:bb:02")
TWO = [A, B]

MODES = ["balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb",
         "balance-alb"]

# Which option the kernel accepts in which mode (bonding.rst and bond_options.c).
ALLOWED = {
    "miimon": set(MODES),
    "updelay": set(MODES),
    "downdelay": set(MODES),
    "xmit_hash_policy": {"balance-xor", "802.3ad", "balance-tlb"},
    "lacp_rate": {"802.3ad"},
    "ad_select": {"802.3ad"},
    "primary": {"active-backup", "balance-tlb", "balance-alb"},
    "arp_interval": {"balance-rr", "active-backup", "balance-xor", "broadcast"},
    "arp_ip_target": {"balance-rr", "active-backup", "balance-xor", "broadcast"},
}

# A valid value for each option, with what it needs beside it.
SAMPLE = {
    "miimon": {"miimon": 100},
    "updelay": {"miimon": 100, "updelay": 200},
    "downdelay": {"miimon": 100, "downdelay": 200},
    "xmit_hash_policy": {"xmit_hash_policy": "layer3+4"},
    "lacp_rate": {"lacp_rate": "fast"},
    "ad_select": {"ad_select": "bandwidth"},
    "primary": {"primary": A.id},
    "arp_interval": {"arp_interval": 1000, "arp_ip_target": ["192.0.2.1"]},
    "arp_ip_target": {"arp_interval": 1000, "arp_ip_target": ["192.0.2.1"]},
}


def test_the_table_has_the_seven_modes_by_name_and_every_option():
    assert list(bonding.MODE_NAMES) == MODES
    assert {o.name: set(bonding.modes_for(o)) for o in bonding.OPTIONS} == ALLOWED


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("option", sorted(ALLOWED))
def test_each_option_is_accepted_exactly_in_its_modes(mode, option):
    if mode in ALLOWED[option]:
        bond = check_bond(mode, SAMPLE[option], TWO)
        assert bond.mode == mode
        assert option in bond.properties
    else:
        with pytest.raises(InvalidInput) as error:
            check_bond(mode, {option: SAMPLE[option][option]}, TWO)
        message = str(error.value)
        assert f"'{option}' is not allowed in mode '{mode}'" in message
        # and it says where the option does apply
        for allowed in ALLOWED[option]:
            assert allowed in message


@pytest.mark.parametrize("mode", [0, 4, "4", "802.3AD", "lacp", None, ""])
def test_modes_are_names_only(mode):
    with pytest.raises(InvalidInput, match="names, not the kernel's numbers"):
        check_bond(mode, {}, TWO)


def test_unknown_option_is_named():
    with pytest.raises(InvalidInput, match="Unknown bonding option 'miimonn'"):
        check_bond("802.3ad", {"miimonn": 100}, TWO)


def test_options_must_be_an_object():
    with pytest.raises(InvalidInput, match="must be an object"):
        check_bond("802.3ad", ["miimon"], TWO)


@pytest.mark.parametrize("option", ["miimon", "updelay", "downdelay", "arp_interval"])
@pytest.mark.parametrize("value", [-1, 2**31, 1.5, "1e3", "ten", True, None, [100]])
def test_intervals_are_non_negative_whole_milliseconds(option, value):
    properties = {**SAMPLE[option], option: value}
    with pytest.raises(InvalidInput) as error:
        check_bond("active-backup", properties, TWO)
    assert f"'{option}' (mode 'active-backup') must be a whole number of ms" in str(error.value)


def test_numeric_strings_from_forms_become_integers():
    bond = check_bond("802.3ad", {"miimon": "100", "updelay": " 200 "}, TWO)
    assert bond.properties == {"miimon": 100, "updelay": 200}


def test_zero_turns_monitoring_off_and_is_allowed():
    assert check_bond("active-backup", {"miimon": 0, "updelay": 0}, TWO).properties == {
        "miimon": 0, "updelay": 0}


@pytest.mark.parametrize("option,value,choices", [
    ("xmit_hash_policy", "layer5", "layer2, layer2+3, layer3+4, encap2+3, encap3+4, "
                                   "vlan+srcmac"),
    ("xmit_hash_policy", "srcmac", "layer2, layer2+3"),
    ("lacp_rate", "1", "slow, fast"),
    ("ad_select", "fastest", "stable, bandwidth, count"),
])
def test_choices_are_listed_in_the_error(option, value, choices):
    with pytest.raises(InvalidInput) as error:
        check_bond("802.3ad", {option: value}, TWO)
    assert f"'{option}' (mode '802.3ad') must be one of {choices}" in str(error.value)


@pytest.mark.parametrize("option", ["updelay", "downdelay"])
@pytest.mark.parametrize("miimon", [None, 0])
def test_delays_need_miimon(option, miimon):
    properties = {option: 200} if miimon is None else {option: 200, "miimon": miimon}
    with pytest.raises(InvalidInput, match=f"'{option}' \\(mode 'balance-rr'\\) needs 'miimon' "
                                           "set above 0"):
        check_bond("balance-rr", properties, TWO)


@pytest.mark.parametrize("mode", ["802.3ad", "balance-tlb", "balance-alb"])
def test_no_arp_monitoring_in_the_modes_that_cannot_use_it(mode):
    with pytest.raises(InvalidInput, match=f"'arp_interval' is not allowed in mode '{mode}'"):
        check_bond(mode, {"arp_interval": 100}, TWO)


def test_arp_interval_and_targets_need_each_other_and_exclude_miimon():
    with pytest.raises(InvalidInput, match="'arp_interval' .* needs 'arp_ip_target' set as well"):
        check_bond("active-backup", {"arp_interval": 100}, TWO)
    with pytest.raises(InvalidInput, match="'arp_ip_target' .* needs 'arp_interval' set above 0"):
        check_bond("active-backup", {"arp_ip_target": ["192.0.2.1"]}, TWO)
    with pytest.raises(InvalidInput, match="two link monitors"):
        check_bond("active-backup", {"miimon": 100, "arp_interval": 100,
                                     "arp_ip_target": ["192.0.2.1"]}, TWO)


@pytest.mark.parametrize("targets", [[], ["192.0.2.1"] * 17, ["2001:db8::1"], ["10.0.0"],
                                     ["192.0.2.1", 5], 7])
def test_arp_targets_are_one_to_sixteen_ipv4_addresses(targets):
    with pytest.raises(InvalidInput, match="arp_ip_target"):
        check_bond("balance-xor", {"arp_interval": 100, "arp_ip_target": targets}, TWO)


def test_arp_targets_accept_a_comma_list():
    bond = check_bond("balance-xor", {"arp_interval": 100,
                                      "arp_ip_target": "192.0.2.1, 192.0.2.2"}, TWO)
    assert bond.properties["arp_ip_target"] == ["192.0.2.1", "192.0.2.2"]
    (warning,) = bond.warnings  # what the guest tools make of it (test_baremetal_guest)
    assert "'arp-ip-target', a key netplan refuses" in warning


@pytest.mark.parametrize("reference", [A.id, A.id.upper(), A.mac, "52-54-00-AA-BB-01",
                                       "5254.00aa.bb01"])
def test_primary_names_a_member_by_uuid_or_mac(reference):
    bond = check_bond("active-backup", {"primary": reference}, TWO)
    assert bond.properties["primary"] == A.id


@pytest.mark.parametrize("reference", ["eth0", "52:54:00:aa:bb:09", "", 1])
def test_primary_must_be_a_member(reference):
    with pytest.raises(InvalidInput) as error:
        check_bond("active-backup", {"primary": reference}, TWO)
    message = str(error.value)
    assert "'primary' (mode 'active-backup') must name a member of the bond" in message
    assert A.id in message and B.mac in message  # says what the members are


def test_warnings_one_member_and_delays_not_a_multiple_of_miimon():
    bond = check_bond("active-backup", {"miimon": 100, "updelay": 250, "downdelay": 300}, [A])
    assert len(bond.warnings) == 2
    assert "one member port" in bond.warnings[0]
    assert "'updelay' 250 ms is not a multiple of miimon 100 ms" in bond.warnings[1]
    assert "rounds it down to 200 ms" in bond.warnings[1]
    assert check_bond("active-backup", {"miimon": 100, "updelay": 200}, TWO).warnings == ()


def test_primary_warns_that_the_guest_learns_it_from_member_order():
    (warning,) = check_bond("balance-alb", {"primary": B.mac}, TWO).warnings
    assert "listed first in bond_links" in warning


@pytest.mark.parametrize("mode,switch,words", [
    ("802.3ad", "lacp", "LACP"),
    ("balance-rr", "static", "static port channel"),
    ("balance-xor", "static", "static port channel"),
    ("broadcast", "static", "static port channel"),
    ("active-backup", "none", "nothing"),
    ("balance-tlb", "none", "nothing"),
    ("balance-alb", "none", "nothing"),
])
def test_each_mode_says_what_the_switch_needs(mode, switch, words):
    described = {m["name"]: m for m in bonding.describe()}[mode]
    assert described["switch"] == switch
    assert words in described["switch_help"]
    assert {o["name"] for o in described["options"]} == {
        name for name, modes in ALLOWED.items() if mode in modes}


def test_described_defaults():
    described = {m["name"]: m for m in bonding.describe()}
    assert [name for name, m in described.items() if m["default"]] == ["active-backup"]
    miimon = next(o for o in described["802.3ad"]["options"] if o["name"] == "miimon")
    assert miimon["default"] == 100 and miimon["unit"] == "ms" and miimon["minimum"] == 0


def test_the_answer_does_not_depend_on_the_order_options_come_in():
    """PostgreSQL's jsonb hands stored options back in its own key order (shortest first):
    the first option refused and the canonical values must not follow it."""
    import itertools

    options = {"miimon": 100, "xmit_hash_policy": "layer3+4", "lacp_rate": "fast"}
    refusals, orders = set(), set()
    for names in itertools.permutations(options):
        ordered = {name: options[name] for name in names}
        with pytest.raises(InvalidInput) as refused:
            bonding.check_bond("balance-rr", ordered, [])
        refusals.add(str(refused.value))
        orders.add(tuple(bonding.check_bond("802.3ad", ordered, []).properties))
    assert refusals == {"Bonding option 'xmit_hash_policy' is not allowed in mode "
                        "'balance-rr': it applies only to balance-xor, 802.3ad, balance-tlb"}
    assert orders == {("miimon", "xmit_hash_policy", "lacp_rate")}
