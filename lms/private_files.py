"""Personal files: stored outside MEDIA_ROOT, served only after a check.

Certificate PDFs, ledger and research-along evidence, nomination attachments
and import spreadsheets hold teachers' personal data. Their fields use
``private_storage``: a filesystem storage rooted at ``PRIVATE_MEDIA_ROOT``,
which no web server publishes, whose ``url()`` is this module's view. So
``{{ field.url }}`` in any template keeps working and every request for the
file goes through the permission check.

Each app says who may fetch its files by registering a *file kind*: the
folder its names start with and a function ``(user, name)`` returning the
``PrivateFile`` the user may have, or None. Whoever may not have it (anonymous
visitors included) gets the same 404 as for a name that does not exist, so
the answer never confirms that a file is there.

See docs/decisions/0055-private-files.md and docs/operations.md.
"""

import mimetypes
from dataclasses import dataclass
from typing import Callable
from urllib.parse import quote

from django.conf import settings
from django.core.files.storage import FileSystemStorage, storages
from django.http import FileResponse, Http404, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.http import content_disposition_header

SERVE_DJANGO = "django"
SERVE_X_ACCEL_REDIRECT = "x-accel-redirect"
SERVE_X_SENDFILE = "x-sendfile"
SERVE_MODES = (SERVE_DJANGO, SERVE_X_ACCEL_REDIRECT, SERVE_X_SENDFILE)


class PrivateFileSystemStorage(FileSystemStorage):
    """Files under ``PRIVATE_MEDIA_ROOT``; their URL is the checked view."""

    @cached_property
    def base_location(self):
        return self._value_or_setting(self._location, settings.PRIVATE_MEDIA_ROOT)

    def _clear_cached_properties(self, setting, **kwargs):
        super()._clear_cached_properties(setting, **kwargs)
        if setting == "PRIVATE_MEDIA_ROOT":
            self.__dict__.pop("base_location", None)
            self.__dict__.pop("location", None)

    def url(self, name):
        return reverse("private_file", kwargs={"name": name})


def private_storage():
    """The ``storage=`` of every personal file field: a callable, so the
    migrations name it rather than a path on one machine."""
    return storages["private"]


@dataclass(frozen=True)
class PrivateFile:
    file: object  # the FieldFile
    filename: str  # the name the browser saves it as


FileKindResolver = Callable[[object, str], "PrivateFile | None"]
_kinds: dict[str, FileKindResolver] = {}


def private_file_kind_register(prefix: str, resolver: FileKindResolver) -> None:
    """Files whose stored name starts with ``prefix`` are looked up, for a
    user, by ``resolver``. Called from each app's ``ready()``."""
    _kinds[prefix] = resolver


def private_file_get_for_user(user, name: str):
    """The file called ``name`` if ``user`` may have it, else None."""
    if not name or ".." in name.split("/") or name.startswith("/"):
        return None
    for prefix in sorted(_kinds, key=len, reverse=True):
        if name.startswith(prefix):
            return _kinds[prefix](user, name)
    return None


def private_file_response(file, filename: str, *, as_attachment: bool = True):
    """The response that sends ``file`` (a FieldFile in private storage),
    saved as ``filename``: the bytes, or in production a header telling the
    web server which file to send (PRIVATE_MEDIA_SERVE)."""
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    mode = settings.PRIVATE_MEDIA_SERVE
    if mode == SERVE_X_ACCEL_REDIRECT:
        response = HttpResponse(content_type=content_type)
        response["X-Accel-Redirect"] = settings.PRIVATE_MEDIA_ACCEL_PREFIX.rstrip("/") + "/" + quote(file.name)
    elif mode == SERVE_X_SENDFILE:
        response = HttpResponse(content_type=content_type)
        response["X-Sendfile"] = file.storage.path(file.name)
    else:
        try:
            handle = file.open("rb")
        except FileNotFoundError:
            raise Http404 from None
        response = FileResponse(handle, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment, filename)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, private=True)
    return response


def private_file_view(request, name):
    """Any personal file, to whoever may have it; a 404 to everyone else."""
    found = private_file_get_for_user(request.user, name)
    if found is None or not found.file:
        raise Http404
    return private_file_response(found.file, found.filename)
