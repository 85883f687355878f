"""Realisasi of an approved dana desa request, in two parts: the desa, which spends and accounts
for the money, confirms the dana terealisasi with its SPJ reference; the puskesmas, the technical
partner, reports the health output. The request is complete when both are in."""

from conversations.model import N_, Flow, Step

DESA = Flow(
    name="dana_realisasi",
    title=N_("Dana desa realised"),
    steps=(
        Step(
            key="jumlah",
            prompt=N_("{reference}: {approved} was approved. How much dana desa was realised?"),
            label=N_("Dana realised"),
            type="money",
            min=1,
            help=N_(
                "Type the amount paid from dana desa, for example 1.950.000. Other funds are "
                "recorded separately."
            ),
        ),
        Step(
            key="tanggal",
            prompt=N_("On which date was it paid?"),
            label=N_("Date"),
            type="date",
            max_days_back=400,
            help=N_("Type a date, for example 22/11 or kemarin."),
        ),
        Step(
            key="spj",
            prompt=N_("The SPJ reference (the number in Siskeudes or the SPJ file)?"),
            label=N_("SPJ reference"),
            type="text",
            min_length=3,
            max_length=120,
            help=N_("For example: SPJ 014/DS-SU/XII/2026."),
        ),
        Step(
            key="foto",
            prompt=N_("Send a photo or a PDF of the kuitansi or SPJ, or press Skip."),
            label=N_("Receipt photo"),
            type="photo",
            required=False,
            help=N_("Take a clear photo, or send the PDF, here; or type lewati."),
        ),
    ),
)

HASIL = Flow(
    name="dana_hasil",
    title=N_("Activity output"),
    steps=(
        Step(
            key="tanggal",
            prompt=N_("{reference}: on which date did the activity take place?"),
            label=N_("Date"),
            type="date",
            max_days_back=400,
            help=N_("Type a date, for example 22/11 or kemarin."),
        ),
        Step(
            key="terlayani",
            prompt=N_("How many of the {sasaran} people planned were served?"),
            label=N_("People served"),
            type="integer",
            min=0,
            max=100_000,
            help=N_("Type the number of people served, for example 118."),
        ),
    ),
)

FLOWS = (DESA, HASIL)
