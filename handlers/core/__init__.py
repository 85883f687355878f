"""The runtime: the one inbound entry (dedupe → identify → lock + load → engine →
save + outbox), the turn, the group commit, the outbox worker, the words (gettext + Babel)."""
