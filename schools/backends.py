"""The model authentication backend, with the signed-in user's row remembered per data version.

Django loads the user's row on every request; it changes only when a row of ``auth_user``
changes, which changes the data's version (``schools.caching``). So the row is read once per
version and process, and a changed password, a deactivated login or a new flag is seen by the
very next request.
"""

from django.contrib.auth.backends import ModelBackend

from .caching import remember


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        return remember(
            ("user", user_id), lambda: super(CachedModelBackend, self).get_user(user_id)
        )
