"""WhatsApp Cloud API: wire format, webhook, sender, templates and the
24-hour window."""
