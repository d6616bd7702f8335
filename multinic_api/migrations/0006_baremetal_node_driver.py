from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("multinic_api", "0005_instance_reservation_id"),
    ]

    operations = [
        migrations.AddField(
            model_name="node",
            name="driver",
            field=models.CharField(default="manual-management", max_length=255),
        ),
    ]
