"""Settings, the `MNEMO_CONFIG` file of resources and bindings, and logging: read once at start."""
