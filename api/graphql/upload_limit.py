"""The request-size limit with room for uploads: multipart bodies get the upload limit."""

from __future__ import annotations

from starlette.types import ASGIApp, Receive, Scope, Send

from api.graphql.limits import MAX_BODY_BYTES, RequestSizeLimit

# The operation and the map travel beside the file in a multipart body.
MULTIPART_OVERHEAD = MAX_BODY_BYTES


class BodyLimits:
    """JSON bodies to /graphql stay within the JSON limit; multipart ones (uploads) within the
    upload limit plus room for the operation, both refused with 413 past it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_upload_bytes: int,
        max_json_bytes: int = MAX_BODY_BYTES,
        path: str = "/graphql",
    ) -> None:
        self.json = RequestSizeLimit(app, max_bytes=max_json_bytes, path=path)
        self.multipart = RequestSizeLimit(
            app, max_bytes=max_upload_bytes + MULTIPART_OVERHEAD, path=path
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pick the limit by the declared content type."""
        content_type = dict(scope.get("headers") or ()).get(b"content-type", b"")
        multipart = content_type.split(b";", 1)[0].strip().lower() == b"multipart/form-data"
        await (self.multipart if multipart else self.json)(scope, receive, send)
