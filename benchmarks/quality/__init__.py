"""Retrieval quality: mnemo against baselines, ablations and leave-one-out folds on the dev datasets."""
