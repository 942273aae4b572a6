"""The explorer page at `/ui`: its route and the three static files it serves."""
