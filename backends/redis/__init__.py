"""Redis: working memory, threads, locks, rate limits and scopes, on one server or a cluster."""
