"""S3 conditional writes made atomic: moto 5.2.5 answers `If-None-Match: *` on
PutObject with 412 PreconditionFailed when the key exists (what Terraform's S3
backend relies on for `use_lockfile = true`), but its check and its write are two
steps, so two PUTs arriving together under the threaded server could both pass the
check. Real S3 makes the pair atomic; here every conditional PUT runs under one lock.
"""

import threading

_lock = threading.Lock()


def middleware(app):
    def wrapped(environ, start_response):
        conditional = environ.get("REQUEST_METHOD") == "PUT" and (
            "HTTP_IF_NONE_MATCH" in environ or "HTTP_IF_MATCH" in environ
        )
        if not conditional:
            return app(environ, start_response)
        with _lock:
            # The body is produced inside the lock too: the write is done by then.
            result = app(environ, start_response)
            try:
                return [b"".join(result)]
            finally:
                if hasattr(result, "close"):
                    result.close()

    return wrapped
