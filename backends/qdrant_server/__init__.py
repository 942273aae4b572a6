"""The vector index on a Qdrant server (or qdrant-client's in-process mode), with its breaker and sharding."""
