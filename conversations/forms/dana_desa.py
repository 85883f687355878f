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

# Who carries the activity out: the desa spends its own money (swakelola); the puskesmas is the
# technical partner.
PELAKSANA = (
    Choice("tpk_kasi_kesra", Text(N_("TPK / Kasi Kesra"))),
    Choice("posyandu_kader", Text(N_("Posyandu / kader"))),
    Choice("pkk", Text(N_("PKK"))),
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
            key="volume",
            prompt=N_("The volume or output, as in the cost breakdown (RAB)?"),
            label=N_("Volume"),
            type="text",
            min_length=3,
            max_length=200,
            help=N_("For example: 30 balita × 90 hari PMT, or 4 kali PSN di 6 RT."),
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
        Step(
            key="pelaksana",
            prompt=N_("Who in the desa carries it out?"),
            label=N_("Carried out by"),
            type="choice",
            choices=PELAKSANA,
            help=N_("The desa spends the money itself; the puskesmas is the technical partner."),
        ),
        Step(
            key="rab",
            prompt=N_("Send a photo or a PDF of the cost breakdown (RAB), or press Skip."),
            label=N_("RAB photo"),
            type="photo",
            required=False,
            help=N_("A photo of the RAB helps the kepala desa decide; or type lewati."),
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
