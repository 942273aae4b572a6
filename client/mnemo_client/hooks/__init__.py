"""`mnemo hook …`: coding-agent hooks that read and write memory around each prompt and tool call."""
