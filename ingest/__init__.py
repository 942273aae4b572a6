"""The write side: pre-filter, dedup, importance, the write pipeline and batch ingestion."""
