"""Audit: event seals and their verification, checkpoints, export bundles, the blob store."""
