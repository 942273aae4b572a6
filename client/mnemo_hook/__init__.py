"""`mnemo-hook …` (and the server's `mnemo hook …`): coding-agent hooks that read and write memory around
each prompt and tool call. Standard library only, and apart from mnemo_client: a hook process starts
on every prompt, so it imports nothing it does not use."""
