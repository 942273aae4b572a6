"""The real engines behind the ports in `mnemo.memtypes.ports`.

`qdrant_edge` (the embedded default) and `qdrant_client` (a Qdrant server, or qdrant-client's local
mode) both implement `VectorIndex` and pass the same test suite (tests/backends/).
"""
