"""Settings for the test suite: production settings with fast hashing and no TLS redirect."""

import os

os.environ.setdefault(
    "DJANGO_SECRET_KEY", "test-only-secret-key-that-is-long-enough-for-django-0123456789"
)
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")
# Browser tests talk plain HTTP to the live server; secure cookies would never be sent back.
os.environ.setdefault("DJANGO_SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("DJANGO_CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
os.environ.setdefault("SITE_URL", "http://testserver")
# Tasks (PDF rendering, mail) run at once, in the test's process.
os.environ.setdefault("DJANGO_TASKS_IMMEDIATE", "1")

from .settings import *  # noqa: E402,F403
from .settings import BASE_DIR, STORAGES  # noqa: E402

# Hashing with PBKDF2 would dominate the suite's time; tests do not test the hasher.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
# A backend that only records what is enqueued, for tests of what is queued and when.
TASKS = {**TASKS, "recording": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}  # noqa: F405

# A test's transaction is rolled back, never committed: a trigger deferred to the commit would
# never count its changes, so in tests it counts them at once (tests/test_caching.py checks the
# deferred one with committed transactions).
CONTENT_VERSION_DEFERRED = False
