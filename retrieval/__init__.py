"""The read side: ranking policy, budget packing, presentation and the retrieval pipeline."""
