import re
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from multinic_api.exceptions import InvalidInput, MacAddressInUse, MacGenerationFailed
from multinic_api.models import VIF, Instance
from multinic_api.services import macs

MAC_FORMAT = re.compile(r"^([0-9a-f]{2}:){5}[0-9a-f]{2}$")


def test_generated_mac_has_default_prefix_and_lowercase_colon_form():
    generated = {macs.generate_mac() for _ in range(200)}
    assert all(MAC_FORMAT.match(mac) for mac in generated)
    assert all(mac.startswith("fa:16:3e:") for mac in generated)
    assert len(generated) > 190  # the last three octets are random


def test_generated_mac_uses_configured_prefix(settings):
    settings.MULTINIC_MAC_PREFIX = "02:AB:0c"
    assert macs.generate_mac().startswith("02:ab:0c:")


@pytest.mark.parametrize("prefix", ["01:00:5e", "fa:16", "fa:16:3e:00", "zz:16:3e", "fa:16:1ff"])
def test_unusable_prefix_is_a_configuration_error(settings, prefix):
    settings.MULTINIC_MAC_PREFIX = prefix
    with pytest.raises(ImproperlyConfigured):
        macs.generate_mac()


@pytest.mark.parametrize(
    "notation",
    [
        "fa:16:3e:00:ab:01",
        "FA:16:3E:00:AB:01",
        "fa-16-3e-00-ab-01",
        "fa163e00ab01",
        "fa16.3e00.ab01",
        "fa:16:3e:0:ab:1",
        "  fa:16:3e:00:ab:01 ",
    ],
)
def test_requested_mac_in_any_notation_is_normalised(notation):
    assert macs.normalize_mac(notation) == "fa:16:3e:00:ab:01"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("01:00:5e:00:00:01", "multicast"),
        ("33:33:00:00:00:01", "multicast"),
        ("fb:16:3e:00:00:01", "multicast"),
        ("00:00:00:00:00:00", "all zeros"),
        ("00-00-00-00-00-00", "all zeros"),
        ("ff:ff:ff:ff:ff:ff", "broadcast"),
        ("garbage", "not a MAC address"),
        ("", "not a MAC address"),
        ("fa:16:3e:00:00", "not a MAC address"),
        ("fa:16:3e:00:00:01:02", "not a MAC address"),
        ("gg:16:3e:00:00:01", "not a MAC address"),
        ("fa:16:3e:00:00:100", "not a MAC address"),
    ],
)
def test_bad_requested_mac_is_rejected_with_reason(value, reason):
    with pytest.raises(InvalidInput, match=reason) as excinfo:
        macs.normalize_mac(value)
    assert excinfo.value.status_code == 400


@pytest.fixture
def instance(project):
    return Instance.objects.create(name="vm", hostname="vm", project=project)


@pytest.fixture
def network(make_network):
    return make_network()


def _inserter(instance, network, position=0):
    def insert(mac):
        return VIF.objects.create(instance=instance, network=network, position=position, mac=mac)

    return insert


def test_mac_uniqueness_is_a_database_constraint(instance, network):
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    with pytest.raises(IntegrityError), transaction.atomic():
        VIF.objects.create(instance=instance, network=network, position=1, mac="fa:16:3e:00:00:01")


def test_collision_is_caught_from_the_database_and_retried(instance, network):
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    suffixes = iter([[0, 0, 1], [0, 0, 2]])  # the first draw collides
    with mock.patch.object(macs, "random_suffix", side_effect=lambda: next(suffixes)) as draw:
        vif = macs.insert_with_unique_mac(_inserter(instance, network, 1), VIF)
    assert vif.mac == "fa:16:3e:00:00:02"
    assert draw.call_count == 2
    assert VIF.objects.count() == 2


def test_collisions_give_up_after_the_configured_attempts(settings, instance, network):
    settings.MULTINIC_MAC_GENERATION_RETRIES = 3
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    with mock.patch.object(macs, "random_suffix", return_value=[0, 0, 1]) as draw:
        with pytest.raises(MacGenerationFailed, match="3 attempts") as excinfo:
            macs.insert_with_unique_mac(_inserter(instance, network, 1), VIF)
    assert draw.call_count == 3
    assert excinfo.value.status_code == 409
    # Each attempt ran in a savepoint: the surrounding transaction is still usable.
    assert VIF.objects.count() == 1


def test_requested_mac_in_use_is_a_conflict(instance, network):
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    with pytest.raises(MacAddressInUse, match="fa:16:3e:00:00:01"):
        macs.insert_with_unique_mac(_inserter(instance, network, 1), VIF, "FA-16-3E-00-00-01")


def test_requested_mac_is_stored_normalised(instance, network):
    vif = macs.insert_with_unique_mac(_inserter(instance, network), VIF, "FA163E0000AA")
    vif.refresh_from_db()
    assert vif.mac == "fa:16:3e:00:00:aa"


def test_other_integrity_errors_are_not_mistaken_for_mac_collisions(instance, network):
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    with pytest.raises(IntegrityError):
        # Same position, fresh MAC: the position constraint fails, and must surface.
        macs.insert_with_unique_mac(_inserter(instance, network, 0), VIF)
