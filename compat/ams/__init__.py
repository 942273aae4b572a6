"""Redis Agent Memory Server's protocol (routes.py) over mnemo's services."""
