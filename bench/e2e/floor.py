"""The floor: the rows a launch writes, written by hand in raw SQL, to time the API
against."""

import random
import time
import uuid

from bench.e2e.fixture import NETWORKS, Fixture

# The floor's MACs: locally administered and unicast like the API's fa:16:3e ones, but a
# prefix the API never draws from, counting up from a random start (so reruns on one
# database do not collide).
FLOOR_MAC_PREFIX = 0x0E0000000000


def _insert_statement(model, batch: int = 1) -> tuple[str, list]:
    """``INSERT INTO <table> (<every column but an auto id>) VALUES (...)``."""
    from django.db import connection
    from django.db.models.fields import AutoFieldMixin

    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    quote = connection.ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (f"INSERT INTO {quote(model._meta.db_table)} "
           f"({', '.join(quote(f.column) for f in fields)}) VALUES {', '.join([row] * batch)}")
    return sql, fields


def _row(obj, fields) -> list:
    """The column values Django would send for ``obj`` (auto_now_add and defaults filled)."""
    from django.db import connection

    return [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]


class Floor:
    """The rows of one launch, written by hand: BEGIN, INSERT instance, INSERT each VIF,
    INSERT each fixed IP, COMMIT. Every value (UUIDs, MACs, addresses, timestamps, JSON
    adapters) is computed before the clock starts."""

    def __init__(self, fixture: Fixture, addresses: int):
        self.fixture = fixture
        self.next_address = iter(take_addresses(fixture.floor_subnet, addresses))
        self.next_mac = random.getrandbits(39)

    def launch_rows(self, nics: int, name: str):
        import netaddr

        from multinic_api.models import VIF, FixedIP, Instance

        subnet = self.fixture.floor_subnet
        instance = Instance(uuid=uuid.uuid4(), name=name, hostname=name,
                            project=self.fixture.project)
        vifs, ips = [], []
        for position in range(nics):
            self.next_mac += 1
            mac = str(netaddr.EUI(FLOOR_MAC_PREFIX + self.next_mac,
                                  dialect=netaddr.mac_unix_expanded))
            vif = VIF(uuid=uuid.uuid4(), mac=mac, network_id=subnet.network_id,
                      instance=instance, project=instance.project, position=position)
            vifs.append(vif)
            address = netaddr.IPAddress(next(self.next_address), subnet.ip_version)
            ips.append(FixedIP(vif=vif, subnet=subnet, address=str(address)))
        return instance, vifs, ips

    def plan(self, nics: int, name: str, batched: bool = False) -> list[tuple[str, list]]:
        """The statements of one launch, with their parameters."""
        from multinic_api.models import VIF, FixedIP, Instance

        instance, vifs, ips = self.launch_rows(nics, name)
        statements = []
        for model, rows in ((Instance, [instance]), (VIF, vifs), (FixedIP, ips)):
            if batched:
                sql, fields = _insert_statement(model, batch=len(rows))
                statements.append((sql, [v for row in rows for v in _row(row, fields)]))
            else:
                sql, fields = _insert_statement(model)
                statements += [(sql, _row(row, fields)) for row in rows]
        return statements


FLOOR_VARIANTS = {"1": (1, False), str(NETWORKS): (NETWORKS, False),
                  f"{NETWORKS} batched": (NETWORKS, True)}


class FloorRunner:
    """The floor, one round at a time: 1 and 4 NICs one INSERT per row, and 4 NICs with one
    INSERT per table, on a psycopg connection of its own. Rounds are interleaved with the
    API's (see :func:`bench.e2e.launches.sequential`), so both see the same moments of the
    machine."""

    def __init__(self, database_url: str, fixture: Fixture, rounds: int):
        import psycopg

        floor = Floor(fixture, floor_addresses_needed(rounds))
        self.plans = {key: [floor.plan(nics, f"floor-{key}-{i}", batched)
                            for i in range(rounds)]
                      for key, (nics, batched) in FLOOR_VARIANTS.items()}
        self.connection = psycopg.connect(database_url, autocommit=True)
        self.cursor = self.connection.cursor()

    def round(self, number: int) -> dict[str, float]:
        timings = {}
        for key, plans in self.plans.items():
            start = time.perf_counter()
            with self.connection.transaction():
                for sql, params in plans[number]:
                    self.cursor.execute(sql, params)
            timings[key] = time.perf_counter() - start
        return timings

    def close(self) -> None:
        self.connection.close()


def floor_addresses_needed(rounds: int) -> int:
    return rounds * sum(nics for nics, _ in FLOOR_VARIANTS.values())


def take_addresses(subnet, count: int) -> list[int]:
    """Hand the subnet's lowest ``count`` free addresses to the floor, as the allocator
    would (its free range then starts after them), so the subnet stays consistent once
    the floor has written them."""
    from django.db import transaction

    from multinic_api.models import FreeRange
    from multinic_api.services import ipam

    with transaction.atomic():
        (free,) = FreeRange.objects.select_for_update().filter(subnet=subnet)
        first = ipam.key_to_int(free.first)
        if first + count > ipam.key_to_int(free.last):
            raise ValueError(f"the floor needs more addresses than {subnet.cidr} holds")
        free.first = ipam.ip_key(first + count)
        free.save(update_fields=["first"])
    return [first + i for i in range(count)]
