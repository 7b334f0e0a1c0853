from django.db import migrations, models


def create_row(apps, schema_editor):
    apps.get_model("schools", "ContentVersion").objects.using(
        schema_editor.connection.alias
    ).get_or_create(id=1)


class Migration(migrations.Migration):
    dependencies = [("schools", "0001_initial")]

    operations = [
        migrations.CreateModel(
            name="ContentVersion",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(default=1, primary_key=True, serialize=False),
                ),
                ("n", models.BigIntegerField(default=0, verbose_name="версия данных")),
                ("txid", models.BigIntegerField(editable=False, null=True)),
            ],
            options={"verbose_name": "версия данных", "verbose_name_plural": "версия данных"},
        ),
        migrations.RunPython(create_row, migrations.RunPython.noop),
    ]
