"""Realisasi of an approved dana desa request: what was used, when, and the receipt."""

from conversations.model import N_, Flow, Step

FLOW = Flow(
    name="dana_realisasi",
    title=N_("Dana desa realisation"),
    steps=(
        Step(
            key="jumlah",
            prompt=N_("{reference}: {approved} was approved. How much was actually used?"),
            label=N_("Amount used"),
            type="money",
            min=0,
            help=N_("Type the amount spent, for example 1.950.000. Type 0 if nothing was used."),
        ),
        Step(
            key="tanggal",
            prompt=N_("On which date was it used (the day of the activity)?"),
            label=N_("Date"),
            type="date",
            max_days_back=400,
            help=N_("Type a date, for example 22/11 or kemarin."),
        ),
        Step(
            key="foto",
            prompt=N_("Send a photo of the receipt (kuitansi), or press Skip."),
            label=N_("Receipt photo"),
            type="photo",
            required=False,
            help=N_("Take a clear photo of the kuitansi and send it here, or type lewati."),
        ),
    ),
)
