"""Database sessions that also read the data's version, in the same query.

Every signed-in request loads its session first; reading ``ContentVersion.n`` in the same
statement gives the request the version its cached pages, user row and access checks are
looked up under (``schools.caching``) without a query of its own. Sessions themselves are never
cached: a session ended in one process (logout) is ended for all of them at once.

The statement is written out: it is the one query of most requests, and building it with the
ORM took four times as long as running it.

It is also the first query of a signed-in request, on the connection the process kept from its
previous request (``CONN_MAX_AGE``). When PostgreSQL has restarted since, that connection is
dead: the query fails, the connection is closed and the query run once more on a new one — what
Django's ``CONN_HEALTH_CHECKS`` would do with a ``SELECT 1`` before every request's first query,
a round trip that took as long as the rest of a stored PDF's request (``bench/run.py``). Only
this read is repeated, never a write, and never inside a transaction.
"""

from contextlib import suppress

from django.contrib.sessions.backends import db
from django.db import DatabaseError, connections, router
from django.db.utils import InterfaceError, OperationalError
from django.utils import timezone

from .caching import VERSION_TABLE, note_version


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        model = self.model
        table = model._meta.db_table
        connection = connections[router.db_for_read(model)]
        quote = connection.ops.quote_name
        expire_date = model._meta.get_field("expire_date")
        # Only the data is read: the expiry that matters is the one the query compares.
        sql = (
            f"SELECT {quote('session_data')}, "
            f"(SELECT n FROM {VERSION_TABLE} WHERE id = 1) FROM {quote(table)} "
            f"WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
        )
        params = [self.session_key, expire_date.get_db_prep_value(timezone.now(), connection)]
        try:
            row = _fetch_one(connection, sql, params)
        except (OperationalError, InterfaceError):
            if connection.in_atomic_block:
                raise
            # A connection the server dropped (a restart): once more, on a new one. If the
            # server is still away this fails too, and the request is answered 503.
            with suppress(DatabaseError):  # a dropped connection may refuse to be closed
                connection.close()
            row = _fetch_one(connection, sql, params)
        if row is None:
            self._session_key = None
            return None
        session_data, version = row
        note_version(version)
        return model(session_key=self.session_key, session_data=session_data)


def _fetch_one(connection, sql, params):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()
