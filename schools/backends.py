"""The model authentication backend, with the signed-in user's row remembered per data version.

Django loads the user's row on every request; it changes only when a row of ``auth_user``
changes, which changes the data's version (``schools.caching``). So the row is read once per
version and process, and a changed password, a deactivated login or a new flag is seen by the
very next request. The same query reads the interface language of the user's profile
(``interface_language``, for ``network_center.middleware.ProfileLanguageMiddleware``), which
every request needs too.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import OuterRef, Subquery

from .caching import remember


class CachedModelBackend(ModelBackend):
    def get_user(self, user_id):
        return remember(("user", user_id), lambda: self._get_user(user_id))

    def _get_user(self, user_id):
        """Django's ``ModelBackend.get_user``, annotated with the profile's language (``None``
        for a user without a Person)."""
        from .models import Person

        User = get_user_model()
        language = Person.objects.filter(user=OuterRef("pk")).values("language")[:1]
        try:
            user = User._default_manager.annotate(interface_language=Subquery(language)).get(
                pk=user_id
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
