"""Each ``/api/`` resource through the shared tests (tests/harness/api_cases.py): what it
shows, to whom, and what its writes do. What only one resource does is tested beside it,
in test_api.py, test_baremetal_api.py and test_keypairs.py."""

import pytest

from multinic_api.models import Instance, Keypair, Network, Node, Port, PortGroup, Subnet
from tests.factories import (
    InstanceFactory,
    KeypairFactory,
    NetworkFactory,
    NodeFactory,
    PortFactory,
    PortGroupFactory,
    SubnetFactory,
)
from tests.harness.api_cases import (
    AdminWritesTestCase,
    CreateObjectViewTestCase,
    DeleteObjectViewTestCase,
    GetObjectViewTestCase,
    ListObjectsViewTestCase,
    UpdateObjectViewTestCase,
)
from tests.harness.helpers import ED25519

pytestmark = pytest.mark.django_db


class TestNetworks(GetObjectViewTestCase, ListObjectsViewTestCase, CreateObjectViewTestCase,
                   UpdateObjectViewTestCase, DeleteObjectViewTestCase):
    url = "/api/networks/"
    model = Network
    fields = frozenset({"id", "name", "project_id", "project_name", "shared", "mtu",
                        "physical_network", "vif_type", "subnets", "may_change", "created"})
    updater = "admin"  # a network's VIF type is the operator's

    @pytest.fixture
    def objects(self, cloud):
        return NetworkFactory.create_batch(3, project=cloud.project_a)

    @pytest.fixture
    def hidden(self, cloud):
        return NetworkFactory(project=cloud.project_b)

    @pytest.fixture
    def create_data(self):
        return [{"name": "made-1"}, {"name": "made-2", "mtu": 9000}]

    @pytest.fixture
    def invalid_create_data(self):
        return {"name": "x", "mtu": 10}

    @pytest.fixture
    def update_data(self):
        return {"vif_type": "vhostuser"}


class TestSubnets(GetObjectViewTestCase, ListObjectsViewTestCase, CreateObjectViewTestCase,
                  DeleteObjectViewTestCase):
    url = "/api/subnets/"
    model = Subnet
    fields = frozenset({"id", "network_id", "name", "cidr", "ip_version", "gateway_ip",
                        "allocation_pools", "dns_nameservers", "host_routes", "enable_dhcp",
                        "dhcp_server", "ipv6_address_mode", "created"})

    @pytest.fixture
    def objects(self, cloud):
        return SubnetFactory.create_batch(3, network__project=cloud.project_a)

    @pytest.fixture
    def hidden(self, cloud):
        return SubnetFactory(network__project=cloud.project_b)

    @pytest.fixture
    def create_data(self, cloud):
        network = str(NetworkFactory(project=cloud.project_a).pk)
        return [{"network_id": network, "cidr": "172.30.0.0/24", "name": "made-v4"},
                {"network_id": network, "cidr": "2001:db8:30::/64", "name": "made-v6",
                 "ipv6_address_mode": "slaac"}]

    @pytest.fixture
    def invalid_create_data(self, cloud):
        return {"network_id": str(cloud.net_a.pk), "cidr": "172.30.0.5/24"}


class TestInstances(GetObjectViewTestCase, ListObjectsViewTestCase, CreateObjectViewTestCase,
                    DeleteObjectViewTestCase):
    url = "/api/instances/"
    model = Instance
    lookup = key = "uuid"
    fields = frozenset({"uuid", "name", "hostname", "project_id", "project_name",
                        "availability_zone", "metadata", "key_name", "config_drive",
                        "reservation_id", "launch_index", "node_uuid", "node_name", "created",
                        "interfaces"})
    create_extra_fields = frozenset({"warnings"})

    @pytest.fixture
    def objects(self, cloud):
        return InstanceFactory.create_batch(3, nics=[cloud.net_a])

    @pytest.fixture
    def hidden(self, cloud):
        return InstanceFactory(nics=[cloud.net_b])

    @pytest.fixture
    def create_data(self, cloud):
        return [{"name": "made-1", "nics": [{"network_id": str(cloud.net_a.pk)}]},
                {"name": "made-2", "metadata": {"role": "db"}, "config_drive": True,
                 "nics": [{"network_id": str(cloud.net_a.pk)},
                          {"network_id": str(cloud.shared.pk)}]}]

    @pytest.fixture
    def invalid_create_data(self, cloud):
        return {"name": "x", "nics": [{"network_id": str(cloud.net_a.pk), "fixed_ips": ["no"]}]}


class TestKeypairs(GetObjectViewTestCase, ListObjectsViewTestCase, CreateObjectViewTestCase,
                   DeleteObjectViewTestCase):
    url = "/api/keypairs/"
    model = Keypair
    lookup = key = "name"
    fields = frozenset({"name", "type", "public_key", "fingerprint", "created"})
    paginated = False

    @pytest.fixture
    def objects(self, cloud):
        return KeypairFactory.create_batch(3, user=cloud.alice)

    @pytest.fixture
    def hidden(self, cloud):
        return KeypairFactory(user=cloud.bob, name="bobs")

    @pytest.fixture
    def create_data(self):
        return [{"name": "laptop", "public_key": ED25519},
                {"name": "desktop", "public_key": ED25519}]

    @pytest.fixture
    def invalid_create_data(self):
        return {"name": "x", "public_key": "not a key"}


class BareMetalResource(GetObjectViewTestCase, ListObjectsViewTestCase,
                        CreateObjectViewTestCase, UpdateObjectViewTestCase,
                        DeleteObjectViewTestCase, AdminWritesTestCase):
    lookup = "pk"
    key = "uuid"
    writer = updater = "admin"
    # A tenant may not write bare metal at all: refused before any object is looked up, so
    # the answer says nothing about whether it exists.
    hidden_write_status = 403


class TestNodes(BareMetalResource):
    url = "/api/nodes/"
    model = Node
    fields = frozenset({"uuid", "name", "project_id", "project_name", "properties", "ports",
                        "port_groups", "instances", "created"})

    @pytest.fixture
    def objects(self, cloud):
        return NodeFactory.create_batch(3, project=cloud.project_a)

    @pytest.fixture
    def hidden(self, cloud):
        return NodeFactory(project=cloud.project_b)

    @pytest.fixture
    def create_data(self, cloud):
        return [{"name": "made-1", "project_id": cloud.project_a.pk},
                {"name": "made-2", "properties": {"cpus": 8}}]

    @pytest.fixture
    def invalid_create_data(self):
        return {"name": "has space"}

    @pytest.fixture
    def update_data(self):
        return {"name": "renamed", "properties": {"cpus": 4}}


class TestPorts(BareMetalResource):
    url = "/api/ports/"
    model = Port
    fields = frozenset({"uuid", "node_uuid", "mac", "physical_network", "pxe_enabled",
                        "port_group_uuid", "local_link_connection", "vif_uuid", "created"})

    @pytest.fixture
    def objects(self, cloud):
        return PortFactory.create_batch(3, node=NodeFactory(project=cloud.project_a))

    @pytest.fixture
    def hidden(self, cloud):
        return PortFactory(node__project=cloud.project_b)

    @pytest.fixture
    def create_data(self, cloud):
        node = str(NodeFactory(project=cloud.project_a).pk)
        return [{"node_uuid": node, "mac": "52:54:00:ee:00:01", "physical_network": "physnet1"},
                {"node_uuid": node, "mac": "52:54:00:ee:00:02", "pxe_enabled": False,
                 "local_link_connection": {"switch_id": "00:1c:73:00:00:01",
                                           "port_id": "Ethernet1/2"}}]

    @pytest.fixture
    def invalid_create_data(self, cloud):
        return {"node_uuid": str(NodeFactory(project=cloud.project_a).pk),
                "mac": "01:00:5e:00:00:01"}

    @pytest.fixture
    def update_data(self):
        return {"pxe_enabled": False, "physical_network": "physnet7"}


class TestPortGroups(BareMetalResource):
    url = "/api/portgroups/"
    model = PortGroup
    fields = frozenset({"uuid", "node_uuid", "name", "mac", "mode", "properties",
                        "standalone_ports_supported", "ports", "physical_network",
                        "instance_uuid", "vif_uuid", "created"})
    create_extra_fields = frozenset({"warnings"})

    @pytest.fixture
    def objects(self, cloud):
        node = NodeFactory(project=cloud.project_a)
        return [PortGroupFactory(node=node, ports=PortFactory.create_batch(2, node=node),
                                 mode="active-backup")
                for _ in range(3)]

    @pytest.fixture
    def hidden(self, cloud):
        return PortGroupFactory(node__project=cloud.project_b)

    @pytest.fixture
    def create_data(self, cloud):
        node = NodeFactory(project=cloud.project_a)
        ports = [str(port.pk) for port in PortFactory.create_batch(2, node=node)]
        return [{"node_uuid": str(node.pk), "name": "made-bond0", "mode": "802.3ad",
                 "properties": {"miimon": 100}, "ports": ports},
                {"node_uuid": str(node.pk), "name": "made-bond1"}]

    @pytest.fixture
    def invalid_create_data(self, cloud):
        return {"node_uuid": str(NodeFactory(project=cloud.project_a).pk), "name": "g",
                "mode": "4"}

    @pytest.fixture
    def update_data(self):
        return {"mode": "balance-xor", "properties": {"miimon": 200}}
