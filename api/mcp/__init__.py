"""mnemo's MCP tools, served over stdio (`mnemo mcp`) and streamable HTTP (`/mcp`)."""
