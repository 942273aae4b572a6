"""Latency: retrieval by stage and size, index builds, the explorer page, hooks, working memory."""
