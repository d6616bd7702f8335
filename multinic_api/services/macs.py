"""MAC addresses: generation, validation of requested ones, and insertion with retry.

Generated MACs are the configured 3-octet prefix (``MULTINIC_MAC_PREFIX``, default
``fa:16:3e``) plus three random octets, lowercase and colon-separated, as Nova and Neutron
make them. Uniqueness is the database's job (``vif_unique_mac``): a generated MAC is not
pre-checked; a transaction whose insert hits the constraint is rolled back and run again
with fresh MACs, up to ``MULTINIC_MAC_GENERATION_RETRIES`` times, then the caller gets a
409.

Who holds a MAC (a VIF, a bare-metal port, a port group) is :func:`holders`.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import netaddr
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, models

from multinic_api.exceptions import InvalidInput, MacAddressInUse, MacGenerationFailed
from multinic_api.models import VIF, Port, PortGroup
from multinic_api.services import transactions

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


def insert_all_with_unique_macs(
    build: Callable[[str, int], Row], model: type[Row], requested_macs: list[str | None],
    look_first: bool = False,
) -> list[Row]:
    """Rows ``build(mac, index)``, one per entry of ``requested_macs`` (a MAC, or None for a
    generated one), inserted in one statement: a launch's cost per NIC must not include a
    round trip per VIF, and a bulk launch inserts thousands. The rows go in in MAC order (see
    below) and come back in the order of ``requested_macs``.

    Called inside :func:`.transactions.run_in_transaction`: should the insert meet a MAC
    that is taken, the transaction is rolled back and one query then asks which of the
    batch's MACs are taken (:class:`_MacTaken`). A requested one is a 409; otherwise the
    transaction runs again, with the generated MACs drawn again (at most
    ``MULTINIC_MAC_GENERATION_RETRIES`` runs, then a 409). No savepoint is spent on the
    insert: a generated MAC is taken with odds of taken/2**24.

    ``look_first`` reads which of the generated MACs are taken before the insert and draws
    those again: one indexed read, where a batch of thousands among tens of thousands of
    VIFs nearly always meets a taken MAC, and a failed insert of thousands of rows, with the
    rest of the transaction run again, costs more than the read."""
    requested = [normalize_mac(mac) if mac is not None else None for mac in requested_macs]
    twice = _first_repeated(mac for mac in requested if mac is not None)
    if twice is not None:
        raise MacAddressInUse(f"MAC address {twice} is already in use by another interface")
    attempts = _attempts()
    wanted: list[str | None] = list(requested)
    if look_first and None in requested:
        drawn = _draw_missing(wanted, attempts)
        taken = _taken(model, drawn)
        wanted = [mac if asked is not None or mac not in taken else None
                  for asked, mac in zip(requested, drawn, strict=True)]
    macs = _draw_missing(wanted, attempts)
    rows = [build(mac, index) for index, mac in enumerate(macs)]
    # Inserted in MAC order, not NIC order: an insert holds its MAC's entry in the unique
    # index until commit, and one that meets another transaction's uncommitted entry waits
    # for it. Two launches requesting the same MACs in different NIC orders could each hold
    # one the other waits for: PostgreSQL's "deadlock detected", a 500 instead of a 409. In
    # one order for everyone, the later of two waits at their first shared MAC holding none
    # of the others. A failed insert is followed by the rollback of its whole transaction,
    # which gives every entry back, so the next run starts holding none either.
    order = sorted(range(len(rows)), key=macs.__getitem__)
    try:
        inserted = model._default_manager.bulk_create([rows[i] for i in order])
    except IntegrityError as error:
        raise _MacTaken(model, macs, requested, error) from error
    by_index = dict(zip(order, inserted, strict=True))
    return [by_index[index] for index in range(len(rows))]  # NIC order again


class _MacTaken(transactions.ExplainAfterRollback):
    """The batch insert of ``macs`` failed; whether on a taken MAC is read after the
    rollback, when PostgreSQL answers again."""

    def __init__(self, model: type[models.Model], macs: list[str],
                 requested: list[str | None], error: IntegrityError):
        super().__init__(f"the insert of {len(macs)} MAC(s) failed")
        self.model, self.macs, self.error = model, macs, error
        self.requested = [mac for mac in requested if mac is not None]

    def explain(self, attempt: int) -> None:
        # The failed insert waited for any concurrent holder of a MAC to commit, so a
        # plain read now sees it. If none is taken, another constraint failed: not ours.
        taken = _taken(self.model, self.macs)
        if not taken:
            raise self.error
        lost = sorted(mac for mac in self.requested if mac in taken)
        if lost:  # the first in MAC order, where the insert stopped
            raise MacAddressInUse(
                f"MAC address {lost[0]} is already in use by another interface") from None
        if attempt >= _attempts():
            raise MacGenerationFailed(
                f"Could not generate unique MAC addresses in {attempt} attempts; the MAC "
                f"prefix {settings.MULTINIC_MAC_PREFIX} may be nearly exhausted. Try again, "
                "or ask an administrator to configure another prefix."
            ) from None
        # A taken MAC was a generated one: run again. The run draws every generated MAC
        # anew, not just the taken ones; each draw has the same odds, and the rolled-back
        # run holds nothing the next could keep.


def _attempts() -> int:
    return max(1, int(settings.MULTINIC_MAC_GENERATION_RETRIES))


#: MACs asked about in one query: SQLite takes at most 32,766 values in a statement, and the
#: largest launch (1,000 instances of MULTINIC_MAX_NICS_PER_LAUNCH NICs) may hold more.
_LOOKUP_BATCH = 10_000


def _taken(model: type[Row], macs: list[str]) -> set[str]:
    """Which of ``macs`` rows of ``model`` hold (read without the model's ordering)."""
    taken: set[str] = set()
    for start in range(0, len(macs), _LOOKUP_BATCH):
        taken.update(model._default_manager.filter(mac__in=macs[start:start + _LOOKUP_BATCH])
                     .order_by().values_list("mac", flat=True))
    return taken


def _draw_missing(macs: list[str | None], attempts: int) -> list[str]:
    """``macs`` with each None replaced by a generated MAC, none drawn twice: among
    thousands drawn at once, two alike are likely (about even odds at 4,800 out of 2**24),
    and would fail the whole batch. A MAC is drawn again at most ``attempts`` times."""
    used = {mac for mac in macs if mac is not None}
    drawn: list[str] = []
    for mac in macs:
        if mac is None:
            mac = generate_mac()
            for _ in range(attempts - 1):
                if mac not in used:
                    break
                mac = generate_mac()
        used.add(mac)
        drawn.append(mac)
    return drawn


def _first_repeated(values) -> str | None:
    seen: set[str] = set()
    for value in values:
        if value in seen:
            return value
        seen.add(value)
    return None


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
