import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from multinic_api.models import FreeRange, Network, Node, Port, PortGroup, Project, Subnet
from multinic_identity import services as identity

pytestmark = pytest.mark.django_db
DEFAULT = {"id": "default"}  # the built-in Identity's one domain


def _counts():
    return tuple(m.objects.count() for m in (get_user_model(), Project, Network, Subnet,
                                             FreeRange, Node, Port, PortGroup))


def test_demo_data_is_idempotent_and_complete():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("load_demo_data", "--password", "other", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first

    admin = identity.password_user({"name": "admin", "domain": DEFAULT}, "other",
                                   client_address=None)
    demo = identity.password_user({"name": "demo", "domain": DEFAULT}, "other",
                                  client_address=None)
    assert admin is not None and admin.is_superuser
    assert demo is not None and not demo.is_superuser
    assert list(identity.member_projects(admin).values_list("name", flat=True)) == ["admin"]
    assert list(identity.member_projects(demo).values_list("name", flat=True)) == ["demo"]

    public = Network.objects.get(name="public")
    assert public.shared
    assert sorted((s.ip_version, s.ip_network.prefixlen, s.ipv6_address_mode)
                  for s in public.subnets.all()) == [(4, 24, None), (6, 64, "slaac")]
    private = Network.objects.get(name="private")
    assert private.project.name == "demo" and not private.shared
    assert [s.ip_version for s in private.subnets.all()] == [4]
    assert Subnet.objects.filter(enable_dhcp=True, ip_version=4).exists()

    # the bare-metal node: four ports on two physical networks, two of them in an LACP bond
    node = Node.objects.get()
    assert node.project.name == "demo"
    assert sorted(node.ports.values_list("physical_network", flat=True)) == [
        "physnet1", "physnet1", "physnet2", "physnet2"]
    group = PortGroup.objects.get()
    assert (group.mode, group.properties) == ("802.3ad", {"miimon": 100,
                                                          "xmit_hash_policy": "layer3+4"})
    assert {p.physical_network for p in group.ports.all()} == {"physnet1"}
    assert group.ports.count() == 2


def test_demo_user_launches_onto_the_demo_node():
    from multinic_api.services import instances

    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    demo = Project.objects.get(name="demo")
    nics = [instances.NicRequest(Network.objects.get(name=n).id)
            for n in ("public", "storage", "private")]
    instance = instances.launch_instance(project=demo, name="bm", nics=nics,
                                         node="demo-baremetal-1")
    carriers = [v.port_group or v.port for v in instance.vifs.order_by("position")]
    assert carriers[0] == PortGroup.objects.get()  # public is physnet1: the bond
    assert carriers[1] == Port.objects.get(mac="52:54:00:6d:00:03")  # physnet2, PXE
    assert carriers[2] == Port.objects.get(mac="52:54:00:6d:00:04")  # private: any left


def test_default_password_is_multinic():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert identity.password_user({"name": "demo", "domain": DEFAULT}, "multinic",
                                  client_address=None).username \
        == "demo"
