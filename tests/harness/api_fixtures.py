"""Users, projects and clients for the API tests."""

from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from multinic_api.models import Project
from multinic_api.services import subnets
from multinic_identity import services as identity


class Cloud:
    """Two tenants and an admin, each with an authenticated client, and some networks."""

    def __init__(self):
        users = get_user_model().objects
        self.project_a = Project.objects.create(name="project-a")
        self.project_b = Project.objects.create(name="project-b")
        self.admin_project = Project.objects.create(name="admin")
        self.alice = users.create_user("alice", password="pw-alice")
        self.bob = users.create_user("bob", password="pw-bob")
        self.root = users.create_superuser("root", password="pw-root")
        identity.add_member(self.project_a, self.alice)
        identity.add_member(self.project_b, self.bob)
        identity.add_member(self.admin_project, self.root)
        self.a = self._client(self.alice)
        self.b = self._client(self.bob)
        self.admin = self._client(self.root)
        self.anonymous = APIClient()

        self.net_a = subnets.create_network(self.project_a, "net-a")
        self.sub_a4 = subnets.create_subnet(self.net_a, "10.0.0.0/24", name="net-a-v4")
        self.sub_a6 = subnets.create_subnet(self.net_a, "2001:db8:a::/64", name="net-a-v6",
                                            ipv6_address_mode="slaac")
        self.net_b = subnets.create_network(self.project_b, "net-b")
        self.sub_b4 = subnets.create_subnet(self.net_b, "10.1.0.0/24", name="net-b-v4")
        self.shared = subnets.create_network(self.admin_project, "shared", shared=True)
        self.sub_shared = subnets.create_subnet(
            self.shared, "192.0.2.0/29", name="shared-v4",
            allocation_pools=[{"start": "192.0.2.2", "end": "192.0.2.4"}])

    @staticmethod
    def _client(user):
        client = APIClient()
        client.force_authenticate(user)
        return client
