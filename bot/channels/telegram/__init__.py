"""Telegram: wire format, webhook, long polling and the sender."""
