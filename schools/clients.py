"""Who is asking, as far as the network says: the client's address, and per-client rate limits.

Behind a reverse proxy every request comes from the proxy's address; the client's is the one the
proxy appended to ``X-Forwarded-For``. That header is believed only when the deployment says how
many proxies of its own stand in front (``DJANGO_TRUSTED_PROXY_HOPS``): otherwise anyone could
send a made-up address and lock another's login out, or escape a limit.
"""

import hashlib
import time
from datetime import UTC, datetime

from django.conf import settings
from django.db import connection


def client_ip(request) -> str:
    """The client's address (login lockout, rate limits)."""
    hops = getattr(settings, "TRUSTED_PROXY_HOPS", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if hops <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [a for a in forwarded if a]
    # Each trusted proxy appended the address it received from: the one added by the first of
    # ours is the client's.
    return forwarded[-hops] if len(forwarded) >= hops else remote


def rate_limited(request, scope: str, *, limit: int, window: int) -> bool:
    """Whether this client has made more than ``limit`` requests of ``scope`` in the current
    ``window`` seconds (a fixed window). Counted in the database by one atomic upsert, so the
    limit is the same whatever number of worker processes and machines serve the site; the
    first request of a window sweeps the counters of windows past."""
    from .models import RateCount

    now = time.time()
    bucket = int(now // window)
    address = hashlib.sha256(client_ip(request).encode()).hexdigest()[:16]
    key = f"{scope}:{address}:{bucket}"
    expires = datetime.fromtimestamp((bucket + 1) * window, tz=UTC)
    table = connection.ops.quote_name(RateCount._meta.db_table)
    with connection.cursor() as cursor:
        # PostgreSQL and SQLite (3.35+) alike.
        cursor.execute(
            f'INSERT INTO {table} ("key", "count", "expires_at") VALUES (%s, 1, %s) '
            f'ON CONFLICT ("key") DO UPDATE SET "count" = {table}."count" + 1 RETURNING "count"',
            [key, expires],
        )
        (count,) = cursor.fetchone()
    if count == 1:
        RateCount.objects.filter(expires_at__lt=datetime.fromtimestamp(now, tz=UTC)).delete()
    return count > limit
