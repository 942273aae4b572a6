"""Other memory systems timed beside mnemo on the latency benchmark's memories (benchmarks/peers/)."""
