"""The web dashboard's use cases: signing in through the bot, what each role may see, and the
figures of each page (bot/dashboard renders them)."""
