"""Form widgets the project's long choice lists use.

Django renders a ``<select>`` through a template per option (``select_option.html``), and
before that builds a dictionary of a dozen keys per option (``optgroups``); a filter that lists
a region's schools — 1,600 options for the regional observer — spent most of its page's time
there (a third of the resources search's 120 ms on the generated region). ``PlainSelect``
writes the same markup in Python, straight from the choices.
"""

from django import forms
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A ``forms.Select`` whose markup is written in Python, option by option, as Django's
    templates write it: the same attributes on the ``<select>`` (``id``, ``required``,
    ``multiple``…), ``selected`` on the chosen option (the first match only, unless multiple),
    ``<optgroup>`` for grouped choices, every value and label escaped
    (``tests/test_resources.py`` compares it with Django's own)."""

    def render(self, name, value, attrs=None, renderer=None):
        select_attrs = self.build_attrs(self.attrs, attrs)
        if self.allow_multiple_selected:
            select_attrs["multiple"] = True
        wanted = set(self.format_value(value))
        parts = [f'<select name="{escape(name)}"{_attributes(select_attrs)}>']
        chosen = False

        def option(option_value, label):
            nonlocal chosen
            text = "" if option_value is None else str(option_value)
            selected = text in wanted and (self.allow_multiple_selected or not chosen)
            chosen = chosen or selected
            parts.append(
                f'<option value="{escape(text)}"{" selected" if selected else ""}>'
                f"{conditional_escape(label)}</option>"
            )

        for group_value, group_label in self.choices:
            if isinstance(group_label, (list, tuple)):
                parts.append(format_html('<optgroup label="{}">', group_value))
                for option_value, label in group_label:
                    option(option_value, label)
                parts.append("</optgroup>")
            else:
                option(group_value, group_label)
        parts.append("</select>")
        return mark_safe("".join(parts))


def _attributes(attrs):
    """The attributes as Django's ``attrs.html`` writes them: in their order, ``True`` as the
    bare name, ``False`` left out."""
    return "".join(
        f" {escape(key)}" if value is True else f' {escape(key)}="{escape(value)}"'
        for key, value in attrs.items()
        if value is not False
    )
