"""The confirmation of a change to the desa → puskesmas map (/wilayah, Dinkes)."""

from conversations.model import N_, Flow, Step

WILAYAH = Flow(
    name="wilayah_ubah",
    title=N_("Wilayah kerja"),
    review=False,
    steps=(
        Step(
            key="confirm",
            prompt=N_("{desa} will be served by {after} (now: {before}). Save this change?"),
            label=N_("Confirmation"),
            type="yes_no",
            help=N_("Answer Yes to save the change, or No to leave the map as it is."),
        ),
    ),
)

FLOWS = (WILAYAH,)
