"""What the schemathesis modules share: the seed and example counts (and their environment
variables), the configuration every run starts from, the data the cases run against, the
swapping of generated values for real ones, and running cases through Django's WSGI handler
without losing the test's transaction.

``tests/system/test_schemathesis.py`` fuzzes ``/api/``;
``tests/system/test_schemathesis_faces.py`` the compute, identity and image faces."""

import base64
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.core.parameters import ParameterLocation

from multinic_api.models import Instance
from multinic_api.services import instances, keypairs
from multinic_api.services.instances import BondRequest, CarrierRequest, NicRequest
from tests.harness.api_fixtures import Cloud
from tests.harness.baremetal_fixtures import BuiltNode, build_node
from tests.harness.helpers import ED25519

# Hypothesis keeps caches (Unicode tables, constants it found in our code) in a .hypothesis/
# directory of the working directory; here they go to the temporary directory instead.
set_hypothesis_home_dir(Path(tempfile.gettempdir()) / "multinic-hypothesis")

DEFAULT_SEED = 20240808
SEED = int(os.environ.get("MULTINIC_SCHEMATHESIS_SEED", DEFAULT_SEED))
#: Fuzzing examples per operation and caller (each module scales it); schemathesis' coverage
#: phase (boundary values, wrong types, missing fields, unexpected methods) adds its own.
EXAMPLES = int(os.environ.get("MULTINIC_SCHEMATHESIS_EXAMPLES", "10"))
#: What CI must run at the least: in all for /api/, per face for the OpenStack faces.
MIN_CASES = 1000
#: Hypothesis' health checks that a fixture-backed, database-backed run trips by design.
HEALTH_CHECKS = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                 HealthCheck.filter_too_much]

USER_DATA = base64.b64encode(b"#cloud-config\nhostname: fuzz\n").decode()
ADDRESSES = ["10.0.0.5", "10.0.0.1", "10.0.0.255", "10.1.0.9", "192.0.2.3", "192.0.2.7",
             "2001:db8:a::5", "2001:db8:a::", "fe80::1", "0.0.0.0", "255.255.255.255",
             "10.9.0.1", "10.9.0.200", "2001:db8:9::1", "::", "::1"]


def config(max_examples: int, operations: list[dict] = (), checks: dict | None = None,
           **extra: Any) -> schemathesis.Config:
    """A run's configuration: this seed, no example database, every built-in check but one
    (``checks`` configures them further)."""
    return schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {
            # No .hypothesis/ directory in the working tree.
            "database": "none",
            # Authentication is the test's (a real token per caller), not generated noise.
            "with-security-parameters": False,
            "max-examples": max_examples,
        },
        # positive_data_acceptance wants every schema-valid request accepted. A schema says
        # "a string" for a CIDR, an OpenSSH key, a fixed IP, a network uuid; whether it is a
        # usable one (in the subnet, free, the caller's) is the services' rule, and the
        # answer a 4xx with a message. So that check cannot hold for these APIs and is the
        # one not run; every other built-in check is.
        "checks": {"positive_data_acceptance": {"enabled": False}, **(checks or {})},
        "operations": list(operations),
        **extra,
    })


@dataclass
class World:
    """The data every case runs against (see :func:`build_world`)."""

    cloud: Cloud
    node: BuiltNode
    vm: Instance
    bare_metal: Instance
    other: Instance


def build_world() -> World:
    """Networks with IPv4 and IPv6 subnets (tests.harness.api_fixtures.Cloud), a bare-metal node
    with ports and a bond, key pairs, and three instances: alice's VM (config drive, key,
    user data, metadata, a tagged NIC), alice's bare-metal instance with a bonded NIC, and
    bob's VM."""
    cloud = Cloud()
    built = build_node("rack-1", cloud.project_a,
                       [("physnet1", True), ("physnet1", True), ("physnet2", True),
                        ("physnet2", False), (None, True)],
                       groups=[{"name": "bond0", "ports": [0, 1], "mode": "802.3ad",
                                "properties": {"miimon": 100, "xmit_hash_policy": "layer3+4"}}])
    keypairs.import_keypair(cloud.alice.user_id, "key-a", ED25519)
    keypairs.import_keypair(cloud.root.user_id, "key-root", ED25519)
    vm = instances.launch_instance(
        project=cloud.project_a, name="vm", config_drive=True, key_name="key-a",
        public_key=ED25519, user_data=USER_DATA, metadata={"role": "web"},
        nics=[NicRequest(cloud.net_a.pk, tag="mgmt"), NicRequest(cloud.shared.pk)])
    bare_metal = instances.launch_instance(
        project=cloud.project_a, name="bm", node=built.node.pk,
        nics=[NicRequest(cloud.net_a.pk),
              NicRequest(cloud.net_a.pk, carrier=CarrierRequest(bond=BondRequest(
                  ports=[str(built.ports[2].pk), str(built.ports[3].pk)], mode="balance-alb")))])
    other = instances.launch_instance(project=cloud.project_b, name="vm-b",
                                      nics=[NicRequest(cloud.net_b.pk)])
    return World(cloud=cloud, node=built, vm=vm, bare_metal=bare_metal, other=other)


# --- real values for generated ones ----------------------------------------------------------

def pick(rnd: Random, values: Any) -> Any:
    """One of ``values`` (a list, or a function returning one), or None if there are none."""
    values = values() if callable(values) else values
    return rnd.choice(values) if values else None


def swap_body(value: Any, rnd: Random, values: dict, items: dict | None = None) -> Any:
    """``value`` with, at random, the fields named in ``values`` swapped for one of theirs,
    and the items of the list fields named in ``items`` for some of theirs, at any depth."""
    items = items or {}
    if isinstance(value, list):
        return [swap_body(item, rnd, values, items) for item in value]
    if not isinstance(value, dict):
        return value
    swapped = {}
    for key, item in value.items():
        if key in values and rnd.random() < 0.6:
            item = pick(rnd, values[key])
        elif key in items and isinstance(item, list) and rnd.random() < 0.6:
            item = [pick(rnd, items[key]) for _ in range(rnd.randint(1, 3))]
        swapped[key] = swap_body(item, rnd, values, items)
    return swapped


def generated_valid(case, location: ParameterLocation) -> bool:
    """Whether ``case`` has this part and it was generated to match the schema. Only those
    are swapped: a part generated to be invalid stays invalid, so the API must refuse it."""
    component = case.meta.components.get(location) if case.meta is not None else None
    return component is not None and component.mode.is_positive


@pytest.fixture(autouse=True)
def one_connection():
    """Requests reach Django's WSGI handler directly (not through its test client), whose
    request signals would close the database connection after each request, and with it the
    test's transaction (PostgreSQL). Django's test client disconnects them the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
