"""Settings of the page benchmark (``bench/run.py``); never used by the product.

The project's own settings, production-like (DEBUG off: cached templates, manifest static files,
no debug cursor), served over plain HTTP on the loopback. Only the benchmark adds to them: the
reference views (``bench/urls.py``), the middleware that reports each request's query count
(``bench/middleware.py``) and its own folders for static and media files under ``var/bench/``.
"""

import os
from urllib.parse import urlsplit

# Settings derived from DEBUG (static files storage, WhiteNoise finders) must be production's,
# whatever the shell says; the key only has to exist for the project's settings to load.
os.environ["DJANGO_DEBUG"] = "0"
os.environ.setdefault(
    "DJANGO_SECRET_KEY", "bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"
)

from network_center.settings import *  # noqa: E402, F403
from network_center.settings import BASE_DIR, MIDDLEWARE  # noqa: E402

DEBUG = False
SECRET_KEY = os.environ["DJANGO_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

ROOT_URLCONF = "bench.urls"
# First, so that it counts the queries of every other middleware too (session, user, messages).
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]

STATIC_ROOT = BASE_DIR / "var" / "bench" / "static"
# One folder per database: a benchmark that drops its database empties its own stored files
# only, never those of another benchmark's database (bench/run.py beside bench/faults.py).
MEDIA_ROOT = (
    BASE_DIR
    / "var"
    / "bench"
    / "media"
    / (urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/") or "default")
)
