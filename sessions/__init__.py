"""The session state held in Redis: conversation threads and working memory, each with its models, its
ports and its use cases (threads: `threads.py`, `thread_writes.py`, `thread_history.py`; working memory:
`working.py`, `working_memory.py`; both stores and the write pipeline: `ports.py`).

It stands below the pipelines: the read path packs a task's working memory, forget deletes tasks and
threads, and the Redis engines implement its ports. What it writes as memories goes through the write
pipeline behind `ports.WritePipeline`, handed in by the composition root (api/http/services.py).
"""
