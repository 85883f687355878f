"""The console: one chat on stdin/stdout, for trying the bot."""
