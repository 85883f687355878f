"""Dana desa: the permohonan, the kades' decision, realisasi, notices and
reminders."""
