"""Agents and the memory resources they bind: the model of an `MNEMO_CONFIG`
file and how a request resolves.
"""
