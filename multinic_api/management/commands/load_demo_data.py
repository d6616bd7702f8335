"""Load the local demo: two users in two projects and a few networks. Safe to run again."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from multinic_api.models import Network, Project
from multinic_api.services import subnets

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
]


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
            projects[username].members.add(user)

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
        self.stdout.write(
            f"Demo data ready: users admin and demo, {created} new network(s); "
            f"{Network.objects.count()} network(s) in all."
        )
