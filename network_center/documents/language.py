"""Legal documents are Russian, whatever the interface language of whoever makes or reads them.

The interface follows the user's profile (``network_center.middleware``); an act does not: its
text, the words the system adds to it (a kind's name, a role in a composition, the dative or
instrumental of a kind, a decision on the agreement sheet), its PDF, its file name and its name
in lists are the act's own, in the language it is issued in. Code that builds or renders an act
runs under ``in_russian``: a model's choice labels are looked up through gettext and would
otherwise come out English for a user who chose English.
"""

from functools import wraps

from django.utils import translation

DOCUMENT_LANGUAGE = "ru"


def in_russian(function):
    """Run ``function`` with Russian active (each call its own ``translation.override``, which
    keeps state: one shared override would not be safe across threads)."""

    @wraps(function)
    def wrapper(*args, **kwargs):
        with translation.override(DOCUMENT_LANGUAGE):
            return function(*args, **kwargs)

    return wrapper
