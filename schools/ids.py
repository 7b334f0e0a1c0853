"""Ids read from a request — in the address, a query parameter, a form's list of choices — are
whole numbers an id can be, or they find nothing (404, or the form's «select a valid choice»).

``str.isdigit`` is not the test: «²» and «١» are digits to it, and ``int`` refuses the first;
``int`` refuses a string of more than 4,300 digits; and SQLite refuses a number past 64 bits in a
query (PostgreSQL compares it), which Django guards against only when the id is the primary key
itself, not a foreign key or a list of ids.
"""

from django import forms

# The largest id a table holds (a bigint primary key).
MAX_ID = 2**63 - 1


def id_param(value) -> int | None:
    """``value`` as a positive whole number that an id can be, or None."""
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 19:
        number = int(value)
        if 0 < number <= MAX_ID:
            return number
    return None


class IdConverter:
    """``<id:pk>`` in the URL patterns (registered by ``SchoolsConfig.ready``): the digits of
    an id within its range; any other number does not match, and the address answers 404 as for
    an object that does not exist."""

    regex = "[0-9]+"

    def to_python(self, value):
        number = id_param(value)
        if number is None:
            raise ValueError(value)
        return number

    def to_url(self, value):
        return str(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Django's field, refusing an id out of range as an invalid value before the query (which
    SQLite would fail)."""

    def clean(self, value):
        if self.to_field_name is None and isinstance(value, (list, tuple)):
            for pk in value:
                if id_param(str(pk)) is None:
                    raise forms.ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super().clean(value)
