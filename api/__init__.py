"""The HTTP service: Litestar app factory, settings, controllers and the error map."""
