import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import call_command

from multinic_api.models import FreeRange, Network, Project, Subnet

pytestmark = pytest.mark.django_db


def _counts():
    return tuple(m.objects.count() for m in (get_user_model(), Project, Network, Subnet,
                                             FreeRange))


def test_demo_data_is_idempotent_and_complete():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = _counts()
    call_command("load_demo_data", "--password", "other", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert _counts() == first

    admin = authenticate(username="admin", password="other")
    demo = authenticate(username="demo", password="other")
    assert admin is not None and admin.is_superuser
    assert demo is not None and not demo.is_superuser
    assert list(admin.projects.values_list("name", flat=True)) == ["admin"]
    assert list(demo.projects.values_list("name", flat=True)) == ["demo"]

    public = Network.objects.get(name="public")
    assert public.shared
    assert sorted((s.ip_version, s.ip_network.prefixlen, s.ipv6_address_mode)
                  for s in public.subnets.all()) == [(4, 24, None), (6, 64, "slaac")]
    private = Network.objects.get(name="private")
    assert private.project.name == "demo" and not private.shared
    assert [s.ip_version for s in private.subnets.all()] == [4]
    assert Subnet.objects.filter(enable_dhcp=True, ip_version=4).exists()


def test_default_password_is_multinic():
    call_command("load_demo_data", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert authenticate(username="demo", password="multinic") is not None
