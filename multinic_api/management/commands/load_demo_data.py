"""Load the local demo: two users in two projects, a few networks and a bare-metal node.
Safe to run again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from multinic_api.models import Network, Node, Project
from multinic_api.services import baremetal, subnets
from multinic_identity import services as identity

DEMO_PASSWORD = "multinic"  # local demo only; README says so

# (name, owner, shared, mtu, physical_network, subnets)
NETWORKS = [
    (
        "public",
        "admin",
        True,
        1500,
        "physnet1",
        [
            {"name": "public-v4", "cidr": "203.0.113.0/24",
             "dns_nameservers": ["203.0.113.2"], "enable_dhcp": False},
            {"name": "public-v6", "cidr": "2001:db8:10::/64", "ipv6_address_mode": "slaac",
             "dns_nameservers": ["2001:db8:10::2"], "enable_dhcp": True},
        ],
    ),
    (
        "private",
        "demo",
        False,
        1450,
        None,
        [
            {"name": "private-v4", "cidr": "10.10.0.0/24", "enable_dhcp": False,
             "host_routes": [{"destination": "10.20.0.0/16", "nexthop": "10.10.0.254"}]},
        ],
    ),
    (
        "provisioning",
        "admin",
        True,
        1500,
        "physnet1",
        [
            {"name": "provisioning-v4", "cidr": "192.0.2.0/24", "enable_dhcp": True,
             "dhcp_server": "192.0.2.2",
             "allocation_pools": [{"start": "192.0.2.10", "end": "192.0.2.200"}]},
        ],
    ),
    (
        "storage",
        "admin",
        True,
        9000,
        "physnet2",
        [
            {"name": "storage-v4", "cidr": "198.51.100.0/24", "enable_dhcp": False,
             "gateway_ip": None},
        ],
    ),
]

# The demo project's bare-metal node: two ports on each physical network, the physnet1 pair
# bonded with LACP. (MAC, physical_network, pxe_enabled, switch port)
NODE = "demo-baremetal-1"
PORTS = [
    ("52:54:00:6d:00:01", "physnet1", True, "Ethernet1/1"),
    ("52:54:00:6d:00:02", "physnet1", True, "Ethernet1/2"),
    ("52:54:00:6d:00:03", "physnet2", True, "Ethernet1/3"),
    ("52:54:00:6d:00:04", "physnet2", False, "Ethernet1/4"),
]
SWITCH = "00:1c:73:00:00:99"
BOND = {"name": f"{NODE}-bond0", "mode": "802.3ad",
        "properties": {"miimon": 100, "xmit_hash_policy": "layer3+4"}}


class Command(BaseCommand):
    help = "Create (or refresh) the demo users, projects and networks."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            default=DEMO_PASSWORD,
            help=f"password for the admin and demo users (default: {DEMO_PASSWORD})",
        )

    @transaction.atomic
    def handle(self, *args, password: str, **options):
        projects = {
            name: Project.objects.get_or_create(
                name=name, defaults={"description": f"{name} project (demo data)"}
            )[0]
            for name in ("admin", "demo")
        }
        users = get_user_model().objects
        for username, superuser in (("admin", True), ("demo", False)):
            user, _ = users.get_or_create(username=username)
            user.is_superuser = user.is_staff = superuser
            user.set_password(password)
            user.save()
            identity.add_member(projects[username], user)

        created = 0
        for name, owner, shared, mtu, physnet, subnet_specs in NETWORKS:
            network, made = Network.objects.get_or_create(
                name=name,
                project=projects[owner],
                defaults={"shared": shared, "mtu": mtu, "physical_network": physnet},
            )
            created += made
            existing = set(network.subnets.values_list("name", flat=True))
            for spec in subnet_specs:
                if spec["name"] not in existing:
                    spec = dict(spec)
                    subnets.create_subnet(network, spec.pop("cidr"), **spec)
        node = self._node(projects["demo"])
        self.stdout.write(
            f"Demo data ready: users admin and demo, {created} new network(s); "
            f"{Network.objects.count()} network(s) in all; node {node.name} with "
            f"{node.ports.count()} ports and port group {BOND['name']}."
        )

    @staticmethod
    def _node(project: Project) -> Node:
        node = Node.objects.filter(name=NODE).first() or baremetal.create_node(
            NODE, project, {"cpus": 32, "memory_mb": 131072, "cpu_arch": "x86_64"})
        ports = []
        for mac, physnet, pxe, switch_port in PORTS:
            port = node.ports.filter(mac=mac).first() or baremetal.create_port(
                node, mac, physical_network=physnet, pxe_enabled=pxe,
                local_link_connection={"switch_id": SWITCH, "port_id": switch_port,
                                       "switch_info": "demo-tor-1"})
            ports.append(port)
        if not node.port_groups.filter(name=BOND["name"]).exists():
            baremetal.create_port_group(node, BOND["name"], mode=BOND["mode"],
                                        properties=BOND["properties"], ports=ports[:2])
        return node
