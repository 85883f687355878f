"""The main menu: one choice among the use cases the user's role may start."""

from conversations.model import N_, Flow, Step

FLOW = Flow(
    name="menu",
    title=N_("Menu"),
    review=False,
    steps=(
        Step(
            key="action",
            prompt=N_("What would you like to do?"),
            type="choice",
            provider="menu",
            help=N_("Press a button or type its number. You can type /menu at any time."),
        ),
    ),
)
