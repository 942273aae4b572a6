"""Text into vectors: the dense sentence-transformers embedder (ONNX or torch) and the sparse one."""
