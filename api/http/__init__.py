"""The HTTP service itself: the Litestar app, its routes, the providers that wire them and the error map."""
