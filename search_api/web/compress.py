"""Gzip the static site's text files when the browser accepts it (HTML, CSS, JS and JSON shrink 4 to 7 times)."""

from __future__ import annotations

import gzip
import mimetypes
import re
from functools import lru_cache
from pathlib import Path

from flask import Response, current_app, request, send_from_directory

COMPRESSIBLE = {".html", ".css", ".js", ".json", ".svg", ".xml", ".txt", ".map", ".webmanifest"}
MIN_BYTES = 1024  # smaller files gain less than the gzip header costs
# Material names its bundles after their content (main.57a0d79d.min.css): a new build gives a
# new name, so browsers may keep these for a year. Everything else is revalidated by ETag.
HASHED = re.compile(r"\.[0-9a-f]{8}\.min\.(?:js|css)$")


@lru_cache(maxsize=512)
def _gzipped(path: str, mtime_ns: int, size: int) -> bytes:
    """A file's gzip bytes, made once per version of the file (its mtime and size are the key)."""
    with open(path, "rb") as fh:
        # mtime=0: the same file always gives the same bytes.
        return gzip.compress(fh.read(), compresslevel=6, mtime=0)


def send(site: Path, rel: str) -> Response:
    """The file, gzipped when it is text and the browser accepts gzip, with its cache policy."""
    resp = _send(site, rel)
    if HASHED.search(rel) and resp.status_code in (200, 304):
        resp.cache_control.no_cache = None
        resp.cache_control.public = True
        resp.cache_control.max_age = 31536000
        resp.cache_control.immutable = True
    return resp


def _send(site: Path, rel: str) -> Response:
    """send_from_directory, but gzipped when the file is text and the browser accepts gzip."""
    file = site / rel
    text = file.suffix.lower() in COMPRESSIBLE
    st = file.stat()
    if not text or st.st_size < MIN_BYTES or not request.accept_encodings["gzip"]:
        resp = send_from_directory(site, rel)
        if text:
            resp.vary.add("Accept-Encoding")
        return resp
    mimetype = mimetypes.guess_type(file.name)[0] or "application/octet-stream"
    resp = current_app.response_class(_gzipped(str(file), st.st_mtime_ns, st.st_size), mimetype=mimetype)
    resp.headers["Content-Encoding"] = "gzip"
    resp.vary.add("Accept-Encoding")
    # Its own validator: the gzip bytes are another representation of the file.
    resp.set_etag(f"{st.st_mtime_ns:x}-{st.st_size:x}-gzip")
    resp.last_modified = st.st_mtime
    resp.cache_control.no_cache = True
    return resp.make_conditional(request)
