"""What the clock sends: the Dinkes digest, weekly summaries, reminders to report
and the outbreak alerts."""
