"""Uploaded files are limited while they are read, not after.

``network_center.middleware.UploadLimitMiddleware`` refuses a body whose declared length is over
``UPLOAD_MAX_BYTES`` before reading any of it. A body under that limit can still carry one file
larger than any form accepts (``UPLOAD_FILE_MAX_BYTES``): this handler, first of Django's upload
handlers, counts each file's bytes as they arrive and stops reading the request at the first
byte over the limit — the rest of the body is never taken, nothing is spooled to disk, and the
middleware answers 413 before any view could act on a half-received form.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload


class FileTooLarge(StopUpload):
    """Reading stopped: a file went over ``UPLOAD_FILE_MAX_BYTES``."""

    def __init__(self):
        # connection_reset: Django does not read the rest of the body to discard it.
        super().__init__(connection_reset=True)


class LimitedUploadHandler(FileUploadHandler):
    """Counts the bytes of each file and stops the upload at the first one over the limit,
    marking the request (``request.upload_refused``) for the middleware."""

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > settings.UPLOAD_FILE_MAX_BYTES:
            self.request.upload_refused = True
            raise FileTooLarge()
        return raw_data  # the next handlers store it

    def file_complete(self, file_size):
        return None  # the next handlers make the file
