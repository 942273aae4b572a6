"""The stages of a retrieval, in the order a request passes them: plan → search → rank → pack →
expand, then respond (mnemo.retrieval.pipeline runs them)."""
