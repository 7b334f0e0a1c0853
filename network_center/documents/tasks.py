"""Slow work of the documents app, run by the task workers (``manage.py db_worker``).

A signed act's PDF is rendered after the signature commits, never in the request that signs
and never in a GET. A failed render is retried with growing delays; the document's pages say
«PDF готовится» meanwhile, and the signature stands whatever happens to the rendering.
"""

import logging
from datetime import timedelta

from django.utils import timezone
from django_tasks import task

logger = logging.getLogger(__name__)

# Delays before the 2nd, 3rd … attempt; after the last one the failure stays in the log and in
# the task's result for an operator to look at (the rendering is deterministic: a bug, a font).
RETRY_DELAYS = (
    timedelta(seconds=30),
    timedelta(minutes=2),
    timedelta(minutes=10),
    timedelta(hours=1),
    timedelta(hours=6),
)


@task()
def render_signed_pdf(document_id: int, attempt: int = 1) -> str:
    """Render and store the PDF of the signed document ``document_id`` (its SHA-256 returned)."""
    from .services import store_signed_pdf

    try:
        return store_signed_pdf(document_id).pdf_sha256
    except Exception:
        logger.exception(
            "Rendering the PDF of signed document %s failed (attempt %s)", document_id, attempt
        )
        backend = render_signed_pdf.get_backend()
        if attempt <= len(RETRY_DELAYS) and backend.supports_defer:
            render_signed_pdf.using(run_after=timezone.now() + RETRY_DELAYS[attempt - 1]).enqueue(
                document_id, attempt + 1
            )
        raise
