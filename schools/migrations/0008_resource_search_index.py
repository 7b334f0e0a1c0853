"""The GIN index of the resources' Russian full-text search, on PostgreSQL only.

An index on the expression the search computes (``schools.resource_search.search_vector``: the
weighted ``russian`` vector of title, keywords and description), not a stored column — why, see
that module. Created here and not in ``Resource.Meta.indexes``: SQLite has no ``to_tsvector``,
and the migration state must not hold an index one of the two databases cannot build. The
expression is written out here as it was when the index was made; a test on PostgreSQL checks
that the search's query still uses it.
"""

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector
from django.db import migrations

INDEX_NAME = "resource_search"


def _index():
    vector = (
        SearchVector("title", weight="A", config="russian")
        + SearchVector("keywords", weight="B", config="russian")
        + SearchVector("description", weight="C", config="russian")
    )
    return GinIndex(vector, name=INDEX_NAME)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.add_index(apps.get_model("schools", "Resource"), _index())


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(INDEX_NAME)}")


class Migration(migrations.Migration):
    dependencies = [("schools", "0007_seed_subjects")]

    operations = [migrations.RunPython(create_index, drop_index)]
