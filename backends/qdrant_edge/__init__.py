"""The embedded vector index: Qdrant Edge shards on disk, their writes, reads, rebuilds and repair."""
