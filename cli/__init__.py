"""The `mnemo` command line."""
