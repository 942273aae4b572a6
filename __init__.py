"""mnemo: semantic memory for LLM agents, installed as the one import package `mnemo`.

The repository root *is* the package (pyproject maps `mnemo` to `.`), so the mission's folders
(`api/`, `ingest/`, `retrieval/`, `memtypes/`, `backends/`, `cli/`, `benchmarks/`) stay at the top of
the repository and install as `mnemo.api`, `mnemo.ingest`, …. Inside the package, modules import each
other relatively; tests, examples and users import `mnemo.…`. ARCHITECTURE.md is the map.
"""
