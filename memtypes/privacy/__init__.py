"""Secrets and personal data in memories: the detectors, the write policies and read masking. No I/O."""
