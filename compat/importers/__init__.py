"""Readers of other memory systems' exports, each into mnemo memories with deterministic ids."""
