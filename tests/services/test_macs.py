import re
from unittest import mock

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from multinic_api.exceptions import InvalidInput, MacAddressInUse, MacGenerationFailed
from multinic_api.models import VIF, Instance
from multinic_api.services import macs, transactions

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


def _vif(instance, network, position, mac):
    """An unsaved VIF of ``instance``, as a launch builds one for the batch insert."""
    return VIF(instance=instance, project_id=instance.project_id, network=network,
               position=position, mac=mac)


def _insert_all(instance, network, requested, first_position=0, look_first=False):
    """VIFs through the batch insert in a transaction of their own, as a launch makes them:
    a taken MAC is looked into after its rollback, and a generated one runs it again."""
    return transactions.run_in_transaction(lambda: macs.insert_all_with_unique_macs(
        lambda mac, index: _vif(instance, network, first_position + index, mac=mac),
        VIF, requested, look_first=look_first))


def _insert(instance, network, position=0, requested=None):
    """One VIF through the batch insert, as a launch of one NIC makes it."""
    (vif,) = _insert_all(instance, network, [requested], position)
    return vif


def test_mac_uniqueness_is_a_database_constraint(instance, network):
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    with pytest.raises(IntegrityError), transaction.atomic():
        VIF.objects.create(instance=instance, network=network, position=1, mac="fa:16:3e:00:00:01")


def test_collision_is_caught_from_the_database_and_retried(instance, network):
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    suffixes = iter([[0, 0, 1], [0, 0, 2]])  # the first draw collides
    with mock.patch.object(macs, "random_suffix", side_effect=lambda: next(suffixes)) as draw:
        vif = _insert(instance, network, 1)
    assert vif.mac == "fa:16:3e:00:00:02"
    assert draw.call_count == 2
    assert VIF.objects.count() == 2


def test_collisions_give_up_after_the_configured_attempts(settings, instance, network):
    settings.MULTINIC_MAC_GENERATION_RETRIES = 3
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    with mock.patch.object(macs, "random_suffix", return_value=[0, 0, 1]) as draw:
        with pytest.raises(MacGenerationFailed, match="3 attempts") as excinfo:
            _insert(instance, network, 1)
    assert draw.call_count == 3
    assert excinfo.value.status_code == 409
    # Each run was rolled back: the surrounding transaction is still usable.
    assert VIF.objects.count() == 1


def test_requested_mac_in_use_is_a_conflict(instance, network):
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    with pytest.raises(MacAddressInUse, match="fa:16:3e:00:00:01"):
        _insert(instance, network, 1, "FA-16-3E-00-00-01")


def test_requested_mac_is_stored_normalised(instance, network):
    vif = _insert(instance, network, 0, "FA163E0000AA")
    vif.refresh_from_db()
    assert vif.mac == "fa:16:3e:00:00:aa"


def test_other_integrity_errors_are_not_mistaken_for_mac_collisions(instance, network):
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:01")
    with pytest.raises(IntegrityError):
        # Same position, fresh MAC: the position constraint fails, and must surface.
        _insert(instance, network, 0)


def test_a_batch_meeting_a_taken_mac_is_drawn_again_and_goes_in_again(instance, network):
    """A collision costs the batch one more insert and one read, not a round trip per row,
    after the rollback of the first run: the insert runs again with its MACs drawn anew."""
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:02")
    draws = iter([[0, 0, 1], [0, 0, 2], [0, 0, 3], [0, 0, 4], [0, 0, 5], [0, 0, 6]])
    with mock.patch.object(macs, "random_suffix", side_effect=lambda: next(draws)):
        with CaptureQueriesContext(connection) as queries:
            rows = _insert_all(instance, network, [None, None, None], first_position=1)
    assert [row.mac for row in rows] == ["fa:16:3e:00:00:04", "fa:16:3e:00:00:05",
                                         "fa:16:3e:00:00:06"]
    assert sum("INSERT" in q["sql"] for q in queries) == 2
    assert sum(q["sql"].startswith("SELECT") for q in queries) == 1
    assert VIF.objects.count() == 4


def test_macs_drawn_twice_in_one_batch_are_drawn_again_before_the_insert(instance, network):
    draws = iter([[0, 0, 7], [0, 0, 7], [0, 0, 8]])
    with mock.patch.object(macs, "random_suffix", side_effect=lambda: next(draws)):
        with CaptureQueriesContext(connection) as queries:
            rows = _insert_all(instance, network, [None, None])
    assert [row.mac for row in rows] == ["fa:16:3e:00:00:07", "fa:16:3e:00:00:08"]
    assert sum("INSERT" in q["sql"] for q in queries) == 1


def test_a_mac_requested_twice_in_one_batch_is_a_conflict(instance, network):
    with pytest.raises(MacAddressInUse, match="fa:16:3e:00:00:09"):
        _insert_all(instance, network, ["fa:16:3e:00:00:09", "FA163E000009"])
    assert not VIF.objects.exists()


def test_a_batch_that_looks_first_draws_the_taken_macs_again_before_inserting(instance,
                                                                             network):
    """One read instead of a failed insert; requested MACs are left for the insert to judge."""
    VIF.objects.create(instance=instance, network=network, position=0, mac="fa:16:3e:00:00:02")
    draws = iter([[0, 0, 1], [0, 0, 2], [0, 0, 5]])
    with mock.patch.object(macs, "random_suffix", side_effect=lambda: next(draws)):
        with CaptureQueriesContext(connection) as queries:
            rows = _insert_all(instance, network, [None, None, "fa:16:3e:00:00:09"],
                               first_position=1, look_first=True)
    assert [row.mac for row in rows] == ["fa:16:3e:00:00:01", "fa:16:3e:00:00:05",
                                         "fa:16:3e:00:00:09"]
    assert sum("INSERT" in q["sql"] for q in queries) == 1
    assert sum(q["sql"].startswith("SELECT") for q in queries) == 1


def test_the_taken_macs_are_asked_in_batches_a_database_takes(instance, network, monkeypatch):
    monkeypatch.setattr(macs, "_LOOKUP_BATCH", 2)
    for position, mac in enumerate(["fa:16:3e:00:00:01", "fa:16:3e:00:00:05"]):
        VIF.objects.create(instance=instance, network=network, position=position, mac=mac)
    with CaptureQueriesContext(connection) as queries:
        taken = macs._taken(VIF, [f"fa:16:3e:00:00:0{n}" for n in range(1, 6)])
    assert taken == {"fa:16:3e:00:00:01", "fa:16:3e:00:00:05"}
    assert len(queries) == 3
