import secrets

from django.db import migrations, models

_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz"


def give_each_instance_its_own_reservation(apps, schema_editor):
    """Instances launched before reservations were kept were each launched alone: each is
    its own reservation, as Nova would have recorded it."""
    Instance = apps.get_model("multinic_api", "Instance")
    for instance in Instance.objects.filter(reservation_id="").only("pk").iterator():
        code = "".join(secrets.choice(_ALPHABET) for _ in range(8))
        Instance.objects.filter(pk=instance.pk).update(reservation_id=f"r-{code}")


class Migration(migrations.Migration):

    dependencies = [
        ("multinic_api", "0004_vif_ports"),
    ]

    operations = [
        migrations.AddField(
            model_name="instance",
            name="reservation_id",
            field=models.CharField(db_index=True, default="", max_length=255),
        ),
        migrations.RunPython(give_each_instance_its_own_reservation, migrations.RunPython.noop),
    ]
