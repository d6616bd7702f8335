import django.db.models.deletion
from django.db import migrations, models

MODES = [("slaac", "SLAAC"), ("dhcpv6-stateful", "DHCPv6 stateful"),
         ("dhcpv6-stateless", "DHCPv6 stateless")]


def own_by_instance_project(apps, schema_editor):
    """Every VIF so far is an instance's: its project is the instance's."""
    VIF = apps.get_model("multinic_api", "VIF")
    Instance = apps.get_model("multinic_api", "Instance")
    for project_id in Instance.objects.values_list("project_id", flat=True).distinct():
        VIF.objects.filter(instance__project_id=project_id).update(project_id=project_id)


class Migration(migrations.Migration):

    dependencies = [
        ("multinic_api", "0003_network_vif_type"),
    ]

    operations = [
        migrations.AddField(
            model_name="vif",
            name="project",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="vifs", to="multinic_api.project"),
        ),
        migrations.RunPython(own_by_instance_project, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="vif",
            name="project",
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT,
                                    related_name="vifs", to="multinic_api.project"),
        ),
        migrations.AlterField(
            model_name="vif",
            name="instance",
            field=models.ForeignKey(blank=True, null=True,
                                    on_delete=django.db.models.deletion.CASCADE,
                                    related_name="vifs", to="multinic_api.instance"),
        ),
        migrations.AlterField(
            model_name="vif",
            name="position",
            field=models.PositiveSmallIntegerField(blank=True, help_text="NIC order: 0 is eth0",
                                                   null=True),
        ),
        migrations.AddField(
            model_name="vif",
            name="name",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
        migrations.AddField(
            model_name="vif",
            name="description",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
        migrations.AddField(
            model_name="vif",
            name="preserve_on_delete",
            field=models.BooleanField(default=False),
        ),
        migrations.AddConstraint(
            model_name="vif",
            constraint=models.CheckConstraint(
                condition=models.Q(("instance__isnull", True), ("position__isnull", True))
                | models.Q(("instance__isnull", False), ("position__isnull", False)),
                name="vif_position_iff_instance"),
        ),
        migrations.AddField(
            model_name="subnet",
            name="ipv6_ra_mode",
            field=models.CharField(blank=True, choices=MODES, max_length=16, null=True),
        ),
    ]
