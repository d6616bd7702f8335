"""Every ``MULTINIC_*`` setting the plugin reads, with its default and environment override.

Django offers apps no defaults of their own, and ``multinic_api`` reads these directly
(``settings.MULTINIC_MAX_NICS_PER_LAUNCH`` even at import), so whatever settings module runs
the plugin must define them all. The standalone site's ``multinic_site.settings`` imports
this module; an OpenStack dashboard gets them from ``multinic_dashboard/local_settings.d/
_6000_multinic.py``, copied into its ``openstack_dashboard/local/local_settings.d/`` next to the
enabled files (see ``multinic_dashboard.enabled``).

Only names, no Django: this is imported while settings are still being built.
"""

import os

__all__ = [
    "MULTINIC_MAC_PREFIX",
    "MULTINIC_MAC_GENERATION_RETRIES",
    "MULTINIC_TOKEN_TTL_SECONDS",
    "MULTINIC_REGION",
    "MULTINIC_MAX_NICS_PER_LAUNCH",
    "MULTINIC_FLAVORS",
    "MULTINIC_IMAGES",
    "MULTINIC_INSTANCES_PATH",
    "MULTINIC_DEFAULT_VIF_TYPE",
]

# First three octets of every generated MAC. fa:16:3e is Nova's and Neutron's default:
# locally administered (bit 1 set) and unicast (bit 0 clear).
MULTINIC_MAC_PREFIX = os.environ.get("MULTINIC_MAC_PREFIX", "fa:16:3e")
# How many fresh random MACs to try when the database reports a collision before giving up
# with a 409. Neutron used 16 for years; a collision needs ~4,800 live VIFs to reach 50%.
MULTINIC_MAC_GENERATION_RETRIES = int(os.environ.get("MULTINIC_MAC_GENERATION_RETRIES", "16"))
# Lifetime of an Identity v3 token (Keystone's default is one hour).
MULTINIC_TOKEN_TTL_SECONDS = int(os.environ.get("MULTINIC_TOKEN_TTL_SECONDS", "3600"))
# Region named in the service catalog.
MULTINIC_REGION = os.environ.get("MULTINIC_REGION", "RegionOne")
# The most NICs one launch may ask for (Nova's own ceiling comes from the hypervisor's PCI
# slots; a few dozen is already far beyond any real guest).
MULTINIC_MAX_NICS_PER_LAUNCH = int(os.environ.get("MULTINIC_MAX_NICS_PER_LAUNCH", "32"))

# The small fixed catalogue the Nova-compatible API and the image endpoint offer. Nothing is
# booted from them; clients need real ids to look up on the way to creating a server.
MULTINIC_FLAVORS = [
    {"id": "1", "name": "m1.tiny", "ram": 512, "vcpus": 1, "disk": 1},
    {"id": "2", "name": "m1.small", "ram": 2048, "vcpus": 1, "disk": 20},
    {"id": "3", "name": "m1.medium", "ram": 4096, "vcpus": 2, "disk": 40},
    {"id": "baremetal", "name": "baremetal", "ram": 65536, "vcpus": 16, "disk": 400},
]
MULTINIC_IMAGES = [
    {"id": "6f1b1e4e-5b5b-4d5e-9a3c-0c1a2b3c4d01", "name": "cirros-0.6.3-x86_64-disk",
     "disk_format": "qcow2", "min_disk": 1, "min_ram": 128},
    {"id": "6f1b1e4e-5b5b-4d5e-9a3c-0c1a2b3c4d02", "name": "debian-12-genericcloud-amd64",
     "disk_format": "qcow2", "min_disk": 2, "min_ram": 512},
]

# Where the libvirt driver's domain XML says an instance's disks live on a compute host.
MULTINIC_INSTANCES_PATH = os.environ.get("MULTINIC_INSTANCES_PATH", "/var/lib/multinic/instances")

# The VIF type a new network gets unless an administrator names one: how compute hosts plug
# its NICs (``bridge``: Linux bridge, ``ovs``: Open vSwitch, ``vhostuser``: OVS-DPDK,
# ``tap``: a tap the network backend makes). ``bridge``, the default, is also how the NICs of
# networks made before the type could be chosen are plugged. A value outside those is reported
# by ``manage.py check``.
MULTINIC_DEFAULT_VIF_TYPE = os.environ.get("MULTINIC_DEFAULT_VIF_TYPE", "bridge")
