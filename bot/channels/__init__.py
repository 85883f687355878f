"""One file per channel: wire data ⇄ core messages."""
