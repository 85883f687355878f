"""Registration: the invite code (when not in the link), the name, a last look at what it grants."""

from conversations.model import N_, Flow, Step

INVITE_CODE = Flow(
    name="invite_code",
    title=N_("Registration"),
    review=False,
    steps=(
        Step(
            key="code",
            prompt=N_("Please type your invitation code (for example K7QX2-M9PRT)."),
            type="text",
            min_length=5,
            max_length=40,
            help=N_("The code comes from your puskesmas or the Dinas Kesehatan."),
        ),
    ),
)

REGISTRATION = Flow(
    name="registration",
    title=N_("Registration"),
    review=False,
    steps=(
        Step(
            key="name",
            prompt=N_("What is your full name?"),
            label=N_("Name"),
            type="text",
            min_length=2,
            max_length=80,
            pattern="name",
            help=N_("Type your name as your colleagues know it, for example: Siti Aminah."),
        ),
        Step(
            key="confirm",
            prompt=N_("{name}, this code registers you as {role} for {place}. Is that right?"),
            label=N_("Confirmation"),
            type="yes_no",
            help=N_("Answer Yes to finish registration, or No to type your name again."),
        ),
    ),
)

# A roster's invitation knows the name: one question, answered with one tap.
REGISTRATION_NAMED = Flow(
    name="registration_named",
    title=N_("Registration"),
    review=False,
    steps=(
        Step(
            key="confirm",
            prompt=N_("Are you {name}? This code registers you as {role} for {place}."),
            label=N_("Confirmation"),
            type="yes_no",
            help=N_("Answer Yes to finish registration, or No if the code is not yours."),
        ),
    ),
)

LINK = Flow(
    name="link_identity",
    title=N_("Registration"),
    review=False,
    steps=(
        Step(
            key="confirm",
            prompt=N_(
                "This code links this chat to the account of {name}, {role} for {place}. "
                "Is that you?"
            ),
            label=N_("Confirmation"),
            type="yes_no",
            help=N_("Answer Yes if this is your account, or No if the code is not yours."),
        ),
    ),
)

FLOWS = (INVITE_CODE, REGISTRATION, REGISTRATION_NAMED, LINK)
