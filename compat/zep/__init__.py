"""Zep's protocol, its API v3 (routes.py), over mnemo's services (operations.py), in Zep's shapes
(shapes.py)."""
