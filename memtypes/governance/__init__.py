"""Per-subject forget and per-memory change history: what callers ask and what they get back."""
