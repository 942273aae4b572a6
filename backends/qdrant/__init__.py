"""What both Qdrant indexes share: collection schema, search planning, config and the history store."""
