"""Who is asking, as far as the network says: the client's address, and per-client rate limits.

Behind a reverse proxy every request comes from the proxy's address; the client's is the one the
proxy appended to ``X-Forwarded-For``. That header is believed only when the deployment says how
many proxies of its own stand in front (``DJANGO_TRUSTED_PROXY_HOPS``): otherwise anyone could
send a made-up address and lock another's login out, or escape a limit.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache


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
    ``window`` seconds (a fixed window; counted in the cache, per process unless the cache is
    shared)."""
    bucket = int(time.time() // window)
    address = hashlib.sha256(client_ip(request).encode()).hexdigest()[:16]
    key = f"rate:{scope}:{address}:{bucket}"
    if cache.add(key, 1, window):
        return False
    try:
        count = cache.incr(key)
    except ValueError:
        cache.set(key, 1, window)
        return False
    return count > limit
