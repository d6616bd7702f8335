"""manage.py spawn: the virt driver handoff for a launched instance."""

import io
import xml.etree.ElementTree as ET

import pytest
from django.core.management import CommandError, call_command

from multinic_api.guest.iso import read_iso
from tests.factories import InstanceFactory


@pytest.fixture
def launched(make_subnet, project):
    first = make_subnet("10.20.0.0/24")
    second = make_subnet("10.21.0.0/24")
    return InstanceFactory(project=project, name="vm", config_drive=True,
                           nics=[first.network, second.network])


def test_prints_the_domain_xml_with_interfaces_in_nic_order(launched):
    out = io.StringIO()
    call_command("spawn", str(launched.uuid), stdout=out)
    text = out.getvalue()
    assert text.startswith("driver: libvirt\n")
    xml, rest = text.split("\n", 1)[1].split("</domain>")
    domain = ET.fromstring(xml + "</domain>")
    assert "disk.config: application/x-iso9660-image" in rest  # binary: its size only
    macs = [i.find("mac").get("address") for i in domain.iter("interface")]
    assert macs == [vif.mac for vif in launched.vifs.order_by("position")]


def test_writes_every_artifact(launched, tmp_path):
    call_command("spawn", str(launched.uuid), "--output", str(tmp_path), stdout=io.StringIO())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["disk.config", "domain.xml"]
    drive = read_iso((tmp_path / "disk.config").read_bytes())
    assert "openstack/latest/network_data.json" in drive


def test_the_bare_metal_driver_hands_over_only_the_config_drive(launched, tmp_path):
    call_command("spawn", str(launched.uuid), "--driver", "baremetal", "--output",
                 str(tmp_path), stdout=io.StringIO())
    assert [p.name for p in tmp_path.iterdir()] == ["configdrive.iso"]


@pytest.mark.parametrize("ref", ["not-a-uuid", "00000000-0000-4000-8000-000000000000"])
def test_unknown_instance_is_a_clear_error(db, ref):
    with pytest.raises(CommandError, match="No instance"):
        call_command("spawn", ref, stdout=io.StringIO())
