"""The write path: how well it judges what it is told, and ingest throughput."""
