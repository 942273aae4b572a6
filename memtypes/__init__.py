"""The vocabulary of mnemo: memory types, records, queries, the ranking formula, errors and ports.

Nothing in this package does I/O; every other package depends on it and it depends on none.
"""
