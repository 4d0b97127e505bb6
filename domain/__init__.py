"""Casework's domain: the four procedures as event-sourced aggregates, with deadlines as data."""
