"""MAC addresses: generation, validation of requested ones, and insertion with retry.

Generated MACs are the configured 3-octet prefix (``MULTINIC_MAC_PREFIX``, default
``fa:16:3e``) plus three random octets, lowercase and colon-separated, as Nova and Neutron
make them. Uniqueness is the database's job (``vif_unique_mac``): a generated MAC is not
pre-checked, an insert that hits the constraint is retried with a fresh MAC, up to
``MULTINIC_MAC_GENERATION_RETRIES`` times, then the caller gets a 409.

Who holds a MAC (a VIF, a bare-metal port, a port group) is :func:`holders`.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import netaddr
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models, transaction

from multinic_api.exceptions import InvalidInput, MacAddressInUse, MacGenerationFailed
from multinic_api.models import VIF, Port, PortGroup

Row = TypeVar("Row", bound=models.Model)

_DIALECT = netaddr.mac_unix_expanded  # "fa:16:3e:0a:0b:0c", lowercase, zero-padded
_BROADCAST = "ff:ff:ff:ff:ff:ff"
_ZERO = "00:00:00:00:00:00"


def mac_prefix() -> list[int]:
    """The configured prefix as three octets; a prefix that would make multicast MACs is refused."""
    raw = str(settings.MULTINIC_MAC_PREFIX)
    try:
        octets = [int(part, 16) for part in raw.replace("-", ":").split(":")]
    except ValueError:
        octets = []
    if len(octets) != 3 or not all(0 <= o <= 0xFF for o in octets):
        raise ImproperlyConfigured(f"MULTINIC_MAC_PREFIX must be three hex octets, not {raw!r}")
    if octets[0] & 0x01:
        raise ImproperlyConfigured(
            f"MULTINIC_MAC_PREFIX {raw!r} has the multicast bit set; guests would drop traffic"
        )
    return octets


def random_suffix() -> list[int]:
    """Three random octets (the part of a MAC that varies)."""
    return list(secrets.token_bytes(3))


def generate_mac() -> str:
    return ":".join(f"{octet:02x}" for octet in mac_prefix() + random_suffix())


def normalize_mac(value: str) -> str:
    """Parse a MAC in any notation netaddr reads and return it lowercase colon-separated.

    Rejects what cannot work as a NIC's own address: multicast (bit 0 of the first octet),
    all-zero and broadcast.
    """
    text = str(value).strip()
    try:
        eui = netaddr.EUI(text, version=48, dialect=_DIALECT)
    except (netaddr.AddrFormatError, TypeError, ValueError):
        raise InvalidInput(
            f"'{value}' is not a MAC address; use six octets such as fa:16:3e:12:34:56"
        ) from None
    mac = str(eui)
    if mac == _ZERO:
        raise InvalidInput(f"MAC address {mac} is all zeros and cannot identify a NIC")
    if mac == _BROADCAST:
        raise InvalidInput(f"MAC address {mac} is the broadcast address and cannot identify a NIC")
    if eui.words[0] & 0x01:
        raise InvalidInput(
            f"MAC address {mac} is multicast (bit 0 of the first octet is set); "
            "a NIC needs a unicast address"
        )
    return mac


def insert_with_unique_mac(
    insert: Callable[[str], Row], model: type[Row], requested_mac: str | None = None
) -> Row:
    """Insert a row with a MAC that no other row has, letting the database decide.

    ``insert(mac)`` creates the row. Each attempt runs in a savepoint, so a collision rolls
    back only that attempt and leaves the caller's transaction usable. A requested MAC gets
    one attempt; a generated one is retried with fresh random octets.
    """
    if requested_mac is not None:
        mac = normalize_mac(requested_mac)
        row = _try_insert(insert, model, mac)
        if row is None:
            raise MacAddressInUse(f"MAC address {mac} is already in use by another interface")
        return row

    attempts = max(1, int(settings.MULTINIC_MAC_GENERATION_RETRIES))
    for _ in range(attempts):
        row = _try_insert(insert, model, generate_mac())
        if row is not None:
            return row
    raise MacGenerationFailed(
        f"Could not generate a unique MAC address in {attempts} attempts; the MAC prefix "
        f"{settings.MULTINIC_MAC_PREFIX} may be nearly exhausted. Try again, or ask an "
        "administrator to configure another prefix."
    )


def insert_all_with_unique_macs(
    build: Callable[[str, int], Row], model: type[Row], requested_macs: list[str | None]
) -> list[Row]:
    """Rows ``build(mac, index)``, one per entry of ``requested_macs`` (a MAC, or None for a
    generated one), inserted in one statement: a launch's cost per NIC must not include a
    round trip per VIF. Should any MAC be taken, that insert is undone and the rows go in one
    by one through :func:`insert_with_unique_mac` (fresh MACs for generated ones, a 409 for
    a requested one), so the rules are the same either way. Either way the rows go in in
    MAC order (see below) and come back in the order of ``requested_macs``."""
    macs = [normalize_mac(mac) if mac is not None else generate_mac() for mac in requested_macs]
    rows = [build(mac, index) for index, mac in enumerate(macs)]
    # Inserted in MAC order, not NIC order: an insert holds its MAC's entry in the unique
    # index until commit, and one that meets another transaction's uncommitted entry waits
    # for it. Two launches requesting the same MACs in different NIC orders could each hold
    # one the other waits for: PostgreSQL's "deadlock detected", a 500 instead of a 409. In
    # one order for everyone, the later of two waits at their first shared MAC holding
    # none of the others. (Sorting is stable, so a MAC requested twice goes in NIC order.)
    order = sorted(range(len(rows)), key=macs.__getitem__)
    if len(set(macs)) == len(macs):  # else the one-by-one path says which MAC is taken twice
        try:
            with transaction.atomic():
                inserted = model._default_manager.bulk_create([rows[i] for i in order])
        except IntegrityError:
            pass
        else:
            by_index = dict(zip(order, inserted, strict=True))
            return [by_index[index] for index in range(len(rows))]  # NIC order again

    def insert_one(index: int) -> Callable[[str], Row]:
        def insert(mac: str) -> Row:
            row = build(mac, index)
            row.save(force_insert=True)
            return row
        return insert

    # One by one in the same MAC order, for the same reason: the batch's savepoint gave its
    # entries back, and here each insert holds its MAC while the next one may wait, so NIC
    # order could deadlock with a batch, or another fallback, taking the MACs the other way.
    # (A redrawn generated MAC is out of order, but it is fresh: nobody else waits for it.)
    # A requested MAC that is taken is still a 409; with several taken, it names the first
    # in MAC order rather than in NIC order.
    inserted_rows = {index: insert_with_unique_mac(insert_one(index), model,
                                                   requested_macs[index])
                     for index in order}
    return [inserted_rows[index] for index in range(len(rows))]


def _try_insert(insert: Callable[[str], Row], model: type[Row], mac: str) -> Row | None:
    """The inserted row, or None when the MAC is taken; other integrity errors propagate."""
    try:
        with transaction.atomic():
            return insert(mac)
    except IntegrityError:
        # The failed statement waited for any concurrent holder of this MAC to commit, so a
        # plain read now sees that row. If nobody holds the MAC, the error was another
        # constraint's and is not ours to swallow.
        if model._default_manager.filter(mac=mac).exists():
            return None
        raise


@dataclass(frozen=True)
class MacHolders:
    """What holds one normalised MAC. A bare-metal VIF has its carrier's MAC, so a VIF and
    a port or port group may both hold it; all three are None when nobody does."""

    mac: str
    vif: VIF | None
    port: Port | None
    port_group: PortGroup | None

    @property
    def found(self) -> bool:
        return self.kind is not None

    @property
    def kind(self) -> str | None:
        """What answers for the MAC: "vif", else "port", else "port_group"; None if none."""
        for kind in ("vif", "port", "port_group"):
            if getattr(self, kind) is not None:
                return kind
        return None


def holders(mac: str) -> MacHolders:
    """Who holds ``mac``, in any notation (:class:`InvalidInput` if it is no usable MAC).

    Loaded with what GET /api/macs/<mac>/ and the admin MAC page show: the VIF as
    ``VIF.objects.with_addresses()`` with its instance's project; a port with its node, its
    VIF and its group's VIF (and their instances); a group with its node, VIF, launching
    instance and members.
    """
    mac = normalize_mac(mac)
    vif = (VIF.objects.with_addresses().select_related("project")
           .filter(mac=mac).first())
    port = (Port.objects.select_related("node", "vif__instance", "port_group__vif__instance")
            .filter(mac=mac).first())
    group = (PortGroup.objects.select_related("node", "vif__instance", "instance")
             .prefetch_related("ports").filter(mac=mac).first())
    return MacHolders(mac=mac, vif=vif, port=port, port_group=group)
