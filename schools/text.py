"""What text a form of the product accepts, shared by every app's forms.

No stored text holds control characters (C0 and C1: NUL, escape, the backspace or form feed a
copy from a terminal or an old editor brings along): PostgreSQL refuses a NUL in text outright,
and the others print as nothing or as boxes in an act. A field shown as one line — every text
input but a textarea — holds no line break or tab either: a name, a number or a position is
printed on one line of an act, a header or a table cell. A textarea keeps its line breaks and
tabs.

Lengths are the model's ``max_length``; a field that has none (a comment, remarks, the body of
an act, stored as text) is still bounded, so that no submission makes a page or a PDF of
megabytes.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

# What a line of text never holds: C0 and C1 control characters (tab, line feed and carriage
# return among them) and the Unicode line and paragraph separators.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# What a text of several lines never holds: the same, but for its line breaks and tabs.
CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# The longest text without a length of its own: a line; several lines (some 50 pages).
MAX_LINE = 1000
MAX_TEXT = 100_000


def validate_one_line(value):
    if CONTROL.search(value):
        raise ValidationError(
            _("Пишется в одну строку, без табуляций, переводов строки и управляющих символов."),
            code="one_line",
        )


def validate_text(value):
    if CONTROL_IN_TEXT.search(value):
        raise ValidationError(
            _(
                "В тексте есть невидимые управляющие символы (так бывает при копировании): "
                "удалите их."
            ),
            code="control_characters",
        )


def text_validator(field):
    """The check a text field of a form needs, or None (not text, or a password)."""
    if not isinstance(field, forms.CharField) or isinstance(field.widget, forms.PasswordInput):
        return None
    return validate_text if isinstance(field.widget, forms.Textarea) else validate_one_line


class CheckedText:
    """A form mixin (put it first among the bases): every text field refuses control
    characters, and one shown as a single line refuses line breaks and tabs as well; a text
    field without a ``max_length`` gets ``MAX_LINE`` or ``MAX_TEXT``.

    The checks are added when the form is cleaned, so they reach the fields a form adds or
    replaces in its ``__init__`` too; a password is any string and is never checked."""

    def full_clean(self):
        for field in self.fields.values():
            validator = text_validator(field)
            if validator is None or validator in field.validators:
                continue
            field.validators.append(validator)
            if field.max_length is None:
                limit = MAX_TEXT if validator is validate_text else MAX_LINE
                field.validators.append(MaxLengthValidator(limit))
        super().full_clean()
