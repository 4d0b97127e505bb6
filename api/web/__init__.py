"""The web UI for case handlers: static pages at `/` that talk to the server through /graphql."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

STATIC = Path(__file__).parent / "static"


def mount_web(app: FastAPI) -> None:
    """Serve the UI at `/`; mount it after /graphql and /healthz so it never shadows them."""
    app.mount("/", StaticFiles(directory=STATIC, html=True), name="web")
