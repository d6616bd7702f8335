"""Creation serials for ports and port groups (models.serials).

Rows that exist already are numbered in the best order known for them: ``created``, then the
primary key where timestamps tie.
"""

from django.db import migrations, models

import multinic_api.models.serials


def number_existing_rows(apps, schema_editor):
    db = schema_editor.connection.alias
    ticket = apps.get_model("multinic_api", "CreationTicket")
    for name in ("Port", "PortGroup"):
        model = apps.get_model("multinic_api", name)
        for pk in model.objects.using(db).order_by("created", "pk").values_list("pk", flat=True):
            serial = ticket.objects.using(db).create().pk
            model.objects.using(db).filter(pk=pk).update(serial=serial)
    ticket.objects.using(db).all().delete()


class Migration(migrations.Migration):

    dependencies = [
        ("multinic_api", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="CreationTicket",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.AddField(
            model_name="port",
            name="serial",
            field=multinic_api.models.serials.CreationSerialField(null=True, unique=False),
        ),
        migrations.AddField(
            model_name="portgroup",
            name="serial",
            field=multinic_api.models.serials.CreationSerialField(null=True, unique=False),
        ),
        migrations.RunPython(number_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="port",
            name="serial",
            field=multinic_api.models.serials.CreationSerialField(),
        ),
        migrations.AlterField(
            model_name="portgroup",
            name="serial",
            field=multinic_api.models.serials.CreationSerialField(),
        ),
        migrations.AlterModelOptions(
            name="port",
            options={"ordering": ["serial"]},
        ),
        migrations.AlterModelOptions(
            name="portgroup",
            options={"ordering": ["serial"], "verbose_name": "port group"},
        ),
    ]
