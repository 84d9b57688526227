from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rehab", "0029_exerciselog_sets_prescribed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="exerciselog",
            name="sets_prescribed",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="sets prescribed"),
        ),
    ]
