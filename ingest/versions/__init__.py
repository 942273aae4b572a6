"""What replaces what and what depends on what: the write path's supersede decisions
(`supersede.py`), the memories a write names (`references.py`), validity ended (`validity.py`) and
stale dependents (`dependents.py`)."""
