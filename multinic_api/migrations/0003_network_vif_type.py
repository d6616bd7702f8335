import django.db.models
from django.db import migrations

import multinic_api.models.networks

CHOICES = [("bridge", "Linux bridge"), ("ovs", "Open vSwitch"),
           ("vhostuser", "vhost-user (OVS-DPDK)"), ("tap", "tap (made by the network backend)")]


class Migration(migrations.Migration):

    dependencies = [
        ("multinic_api", "0002_creation_serials"),
    ]

    operations = [
        # Networks from before were all plugged as Linux bridges (every VIF's type was
        # "bridge"): they keep that, whatever MULTINIC_DEFAULT_VIF_TYPE says for new ones.
        migrations.AddField(
            model_name="network",
            name="vif_type",
            field=django.db.models.CharField(choices=CHOICES, default="bridge", max_length=32),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="network",
            name="vif_type",
            field=django.db.models.CharField(
                choices=CHOICES, default=multinic_api.models.networks.default_vif_type,
                max_length=32),
        ),
    ]
