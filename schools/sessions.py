"""Database sessions that also read the data's version, in the same query.

Every signed-in request loads its session first; reading ``ContentVersion.n`` in the same
statement gives the request the version its cached pages, user row and access checks are
looked up under (``schools.caching``) without a query of its own. Sessions themselves are never
cached: a session ended in one process (logout) is ended for all of them at once.
"""

from django.contrib.sessions.backends import db
from django.core.exceptions import SuspiciousOperation
from django.db.models import Subquery
from django.utils import timezone

from .caching import note_version
from .models import ContentVersion


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        try:
            session = self.model.objects.annotate(
                content_version=Subquery(ContentVersion.objects.filter(id=1).values("n")[:1])
            ).get(session_key=self.session_key, expire_date__gt=timezone.now())
        except (self.model.DoesNotExist, SuspiciousOperation):
            # The base class logs the suspicious key and forgets it.
            return super()._get_session_from_db()
        note_version(session.content_version)
        return session
