"""The real engines behind the ports in `mnemo.memtypes.ports` and `mnemo.sessions.ports`, one room
per engine.

`qdrant_edge/` (the embedded default) and `qdrant_server/` (a Qdrant server, or qdrant-client's
local mode) both implement `VectorIndex` over what `qdrant/` holds in common, and pass the same test
suite (tests/backends/); `redis/` holds working memory and threads (the stores that `mnemo.sessions`
declares) and locks; `embedding/` turns text into vectors; `transfer/` moves memories between stores.
"""
