"""The main menu: one choice among the use cases the user's role may start; and the offer to
continue a form that was left for another (a draft)."""

from conversations.model import N_, Choice, Flow, Step, Text

MENU = Flow(
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

DRAFT = Flow(
    name="lanjutkan",
    title=N_("Unfinished form"),
    review=False,
    steps=(
        Step(
            key="pilihan",
            prompt=N_("Continue the unfinished report? {title}, {count} answers so far."),
            type="choice",
            choices=(
                Choice("continue", Text(N_("Continue"))),
                Choice("restart", Text(N_("Start over"))),
            ),
            help=N_("Continue: the form goes on where you left it. Start over: its answers go."),
        ),
    ),
)

FLOWS = (MENU, DRAFT)
