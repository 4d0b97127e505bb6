"""Casework's outer layer: settings, database, HTTP app, GraphQL schema and CLI."""
