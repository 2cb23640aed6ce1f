"""The one skeleton of the library's middleware: sync- and async-capable, never adapted.

Its own module so that the middleware defined beside what they use (the failed-auth
guard, in ``throttling.guard``) build on it without importing ``middleware``.
"""

from __future__ import annotations

from collections.abc import Callable

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.http import HttpRequest, HttpResponseBase

GetResponse = Callable[[HttpRequest], HttpResponseBase]


class SyncAndAsyncMiddleware:
    """The skeleton of the library's middleware: sync- and async-capable, no adapter.

    Django's async handler wraps a sync-only middleware in ``sync_to_async`` on every
    request; one that declares both and marks itself a coroutine function when the
    next layer is one is called directly (django-cors-headers' ``middleware.py`` is
    the model). Subclasses write ``__call__`` (sync) and ``__acall__`` (async) over
    the same steps.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response
        self.async_mode = iscoroutinefunction(get_response)
        if self.async_mode:
            markcoroutinefunction(self)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        raise NotImplementedError
