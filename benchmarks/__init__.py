"""Benchmarks: datasets, generators, the harness, results."""
