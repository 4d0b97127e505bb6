"""Read models built from the event log: queues, search, trails, statistics."""
