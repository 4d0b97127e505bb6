"""Blob store in a directory: content named by its sha256, written whole or not at all."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO

from domain.documents import BlobNotFound, StoredBlob

CHUNK = 1 << 20


class FileBlobStore:
    """`<root>/ab/cd/abcd…` files; a temporary file is fsynced, then renamed into place."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, sha256: str) -> Path:
        """Where content with that fingerprint lives."""
        if len(sha256) != 64 or not all(c in "0123456789abcdef" for c in sha256):
            raise BlobNotFound(f"{sha256!r} is not a sha256 fingerprint")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def put(self, chunks: Iterable[bytes]) -> StoredBlob:
        """Store the content durably; the same content twice is stored once."""
        self.root.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        fd, temporary = tempfile.mkstemp(dir=self.root, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in chunks:
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            final = self.path(digest.hexdigest())
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(temporary, final)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        _fsync_dir(final.parent)
        return StoredBlob(digest.hexdigest(), size)

    def open(self, sha256: str) -> Iterator[bytes]:
        """The content in chunks; raises BlobNotFound."""
        path = self.path(sha256)
        try:
            handle = path.open("rb")
        except FileNotFoundError:
            raise BlobNotFound(f"no document content with fingerprint {sha256}") from None
        return _chunks(handle)

    def exists(self, sha256: str) -> bool:
        """Whether the content is here."""
        try:
            return self.path(sha256).is_file()
        except BlobNotFound:
            return False


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk


def _fsync_dir(directory: Path) -> None:
    # The rename is durable only once the directory entry is on disk.
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
