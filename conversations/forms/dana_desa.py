"""Dana desa support request: first the desa (a kelurahan is stopped there), then what, for
whom, how much and when. Withdrawing asks once more."""

from conversations.model import N_, Choice, Flow, Step, Text

MIN_AMOUNT = 10_000
MAX_AMOUNT = 2_000_000_000  # absurd above this: a typo, never a real request

KATEGORI = (
    Choice(
        "penyakit_menular",
        Text(N_("Communicable diseases")),
        Text(N_("TBC, DBD, malaria: contact tracing, PSN 3M Plus, case finding")),
    ),
    Choice(
        "penyakit_tidak_menular",
        Text(N_("Non-communicable diseases")),
        Text(N_("Screening for hypertension, diabetes and other PTM")),
    ),
    Choice(
        "stunting_pmt",
        Text(N_("Stunting / PMT")),
        Text(N_("Supplementary food for toddlers and pregnant women, nutrition education")),
    ),
    Choice(
        "posyandu_kader",
        Text(N_("Posyandu and kader")),
        Text(N_("Posyandu operations and kader incentives")),
    ),
    Choice(
        "transportasi_rujukan",
        Text(N_("Referral transport")),
        Text(N_("Taking patients to a health facility")),
    ),
    Choice(
        "kesehatan_lingkungan",
        Text(N_("Environmental health")),
        Text(N_("Latrines, clean water, mosquito nest eradication, sanitation")),
    ),
    Choice("lainnya", Text(N_("Other health activity"))),
)

PILIH_DESA = Flow(
    name="dana_pilih_desa",
    title=N_("Dana desa request"),
    review=False,
    steps=(
        Step(
            key="desa",
            prompt=N_("Dana desa request. For which desa?"),
            type="choice",
            provider="dana_desa",
            help=N_(
                "Only the desa your puskesmas serves are listed. Press a button or type the name."
            ),
        ),
    ),
)

REQUEST = Flow(
    name="dana_desa",
    title=N_("Dana desa request"),
    steps=(
        Step(
            key="kategori",
            prompt=N_("Request to {desa}. What kind of activity needs funding?"),
            label=N_("Category"),
            type="choice",
            choices=KATEGORI,
            help=N_("Choose the group that fits best; describe the activity in the next question."),
        ),
        Step(
            key="uraian",
            prompt=N_("Describe the activity in one or two sentences: what, where and why."),
            label=N_("Activity"),
            type="text",
            min_length=10,
            max_length=500,
            help=N_(
                "For example: PSN 3M Plus dan pemantauan jentik di RT 03 dan RT 04 setelah 2 "
                "kasus DBD bulan ini."
            ),
        ),
        Step(
            key="sasaran",
            prompt=N_("How many people will it reach?"),
            label=N_("People reached"),
            type="integer",
            min=1,
            max=100_000,
            help=N_("Type the number of people (sasaran or penerima), for example 120."),
        ),
        Step(
            key="jumlah",
            prompt=N_("How much do you request, in rupiah?"),
            label=N_("Amount"),
            type="money",
            min=MIN_AMOUNT,
            max=MAX_AMOUNT,
            help=N_("Type the amount, for example 2.500.000 or 2,5 juta."),
        ),
        Step(
            key="bulan",
            prompt=N_("In which month will the activity take place?"),
            label=N_("Month"),
            type="month",
            help=N_("Type the month, for example Desember or 12/2026."),
        ),
    ),
)

TARIK = Flow(
    name="dana_tarik",
    title=N_("Withdraw a dana desa request"),
    review=False,
    steps=(
        Step(
            key="ok",
            prompt=N_("Withdraw request {reference} to {desa}? The kepala desa will be told."),
            type="yes_no",
            help=N_("Answer Yes to withdraw the request, or No to keep it."),
        ),
    ),
)

FLOWS = (PILIH_DESA, REQUEST, TARIK)
