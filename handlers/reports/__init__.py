"""Klaster reports: /lapor and quick entry, submission, /status and /rekap,
the indicator catalogue and the SPM targets (sasaran)."""
