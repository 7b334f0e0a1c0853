import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("monitoring", "0004_seed_risk_factors"),
        ("plans", "0004_line_needed_resources"),
    ]

    operations = [
        migrations.AddField(
            model_name="line",
            name="risk_factor",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="monitoring.riskfactor",
                verbose_name="фактор риска",
            ),
        ),
    ]
