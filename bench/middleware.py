"""The benchmark's query counter: an ``X-Bench-Queries`` header on every response."""

from django.db import connection


class QueryCountMiddleware:
    """Counts the SQL statements the default database runs while the request is handled.

    Placed first in ``bench.settings.MIDDLEWARE``, so the count includes what the other
    middleware does (the session and the user are loaded lazily, by whoever asks first).
    A streamed body (a stored PDF) is read after this returns, but runs no queries.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        count = 0

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        response["X-Bench-Queries"] = str(count)
        return response
