"""mem0's protocol: its platform API and its open-source server's REST shape (routes.py), over
mnemo's services (operations.py), in mem0's shapes (shapes.py)."""
