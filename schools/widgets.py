"""Form widgets the project's long choice lists use.

Django renders a ``<select>`` through a template per option (``select_option.html``); a filter
that lists a region's schools — 1,600 options for the regional observer — spent most of its
page's time there. ``PlainSelect`` writes the same markup in Python.
"""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.safestring import mark_safe


class PlainSelect(forms.Select):
    """A ``forms.Select`` whose markup is written in Python, option by option, as Django's
    templates write it: the same attributes (``selected``, ``multiple``, ``disabled``…),
    ``<optgroup>`` for grouped choices, every value and label escaped."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = [format_html('<select name="{}"{}>', widget["name"], flatatt(widget["attrs"]))]
        for group_name, options, _index in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            for option in options:
                parts.append(
                    format_html(
                        '<option value="{}"{}>{}</option>',
                        "" if option["value"] is None else str(option["value"]),
                        flatatt(option["attrs"]),
                        option["label"],
                    )
                )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))
