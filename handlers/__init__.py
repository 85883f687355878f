"""Use cases: what a message or a clock tick means, and who may do it."""
