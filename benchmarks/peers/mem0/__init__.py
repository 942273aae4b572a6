"""mem0 OSS as a peer: install.sh (its own venv), runner.py (run in that venv, imports no mnemo)."""
