"""A kepala puskesmas adds a posyandu (/posyandu tambah): its name and desa, confirmed on the
summary. The desa choices come from the handler (the desa the puskesmas serves)."""

from conversations.model import N_, Flow, Step

FLOW = Flow(
    name="posyandu_tambah",
    title=N_("Add a posyandu"),
    review=True,
    steps=(
        Step(
            key="nama",
            prompt=N_("What is the posyandu's name? For example: Melati 2."),
            type="text",
            min_length=2,
            max_length=100,
            label=N_("Posyandu name"),
            help=N_("Type the name as the puskesmas lists it, without the word Posyandu."),
        ),
        Step(
            key="desa",
            prompt=N_("In which desa is it?"),
            type="choice",
            provider="desa",
            label=N_("Desa"),
            help=N_("Type part of the desa's name or press its button."),
        ),
    ),
)
