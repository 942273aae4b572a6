"""Zep's protocol (routes.py) over mnemo's services."""
