"""mnemo's MCP tools (`tools.py`) and the `mnemo-mcp` stdio server (`stdio.py`); needs the `mcp` extra."""
