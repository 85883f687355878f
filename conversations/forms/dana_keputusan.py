"""The kepala desa's decision on a dana desa request, after pressing a button of the request.
Every approval names its budget route (already in the APBDes, through a perubahan APBDes, or
belanja tidak terduga); proposing it to the musdes / RKP Desa of the next year is a decision of
its own. The amount, the route, the APBDes kegiatan, the reason or the note come first where
needed, then one last Yes/No before anything counts."""

from conversations.model import N_, Choice, Flow, Step, Text

# The routes a partial approval may take (the full approvals have a button each).
RUTE = (
    Choice("apbdes", Text(N_("Already in the APBDes"))),
    Choice("perubahan", Text(N_("Through a perubahan APBDes"))),
    Choice("btt", Text(N_("Belanja tidak terduga (KLB/emergency)"))),
)

# What a revision round may ask for: the parts of the request a kades decides on.
MINTA = (
    Choice("rab", Text(N_("Cost breakdown (RAB)"))),
    Choice("volume", Text(N_("Volume / output"))),
    Choice("pelaksana", Text(N_("Who carries it out"))),
    Choice("lainnya", Text(N_("Something else"))),
)

SEBAGIAN = Flow(
    name="dana_sebagian",
    title=N_("Partial approval"),
    review=False,
    steps=(
        Step(
            key="jumlah",
            prompt=N_("{reference}: {requested} was requested. How much do you approve?"),
            type="money",
            help=N_("Type an amount up to the requested one, for example 2.000.000 or 2 juta."),
        ),
    ),
)

JALUR = Flow(
    name="dana_rute",
    title=N_("Budget route"),
    review=False,
    steps=(
        Step(
            key="rute",
            prompt=N_("Through which budget route of {tahun} is it funded?"),
            type="choice",
            choices=RUTE,
            help=N_(
                "Dana desa is spent only through the APBDes: choose where this amount is "
                "budgeted (perlu konfirmasi Dinas PMD)."
            ),
        ),
    ),
)

APBDES = Flow(
    name="dana_apbdes",
    title=N_("APBDes kegiatan"),
    review=False,
    steps=(
        Step(
            key="kegiatan",
            prompt=N_("{reference}: which kegiatan of the APBDes {tahun} funds it?"),
            type="choice",
            provider="dana_kegiatan",
            help=N_(
                "The health kegiatan of Sub Bidang 2.2 Kesehatan (Permendagri 20/2018; "
                "perlu konfirmasi Dinas PMD). Press a button or type the code, for example 2.2.02."
            ),
        ),
    ),
)

SETUJU = Flow(
    name="dana_setuju",
    title=N_("Approval"),
    review=False,
    steps=(
        Step(
            key="ok",
            prompt=N_("Approve {amount} for {reference} ({desa}: {kegiatan}), funded {route}?"),
            type="yes_no",
            help=N_("Answer Yes to approve, or No to decide later."),
        ),
    ),
)

RKP = Flow(
    name="dana_rkp",
    title=N_("Proposal to the RKP Desa"),
    review=False,
    steps=(
        Step(
            key="ok",
            prompt=N_(
                "Propose {reference} ({desa}: {kegiatan}) to the musdes for the RKP Desa "
                "{tahun}? Nothing is approved for now; you decide again once the APBDes {tahun} "
                "is set."
            ),
            type="yes_no",
            help=N_("Answer Yes to propose it to the musdes, or No to decide later."),
        ),
    ),
)

TOLAK = Flow(
    name="dana_tolak",
    title=N_("Rejection"),
    review=False,
    steps=(
        Step(
            key="alasan",
            prompt=N_("Why do you reject {reference}? The requester will read your reason."),
            type="text",
            min_length=5,
            max_length=500,
            help=N_("For example: Anggaran kesehatan tahun ini sudah habis terpakai."),
        ),
        Step(
            key="ok",
            prompt=N_("Reject {reference} ({desa}) with this reason: “{alasan}”?"),
            type="yes_no",
            help=N_("Answer Yes to reject, or No to decide later."),
        ),
    ),
)

REVISI = Flow(
    name="dana_revisi",
    title=N_("Revision request"),
    review=False,
    steps=(
        Step(
            key="minta",
            prompt=N_("What do you need to decide on {reference}?"),
            type="choice",
            choices=MINTA,
            help=N_("Choose what the requester should add or change."),
        ),
        Step(
            key="catatan",
            prompt=N_("What should be changed in {reference}? The requester will read your note."),
            type="text",
            min_length=5,
            max_length=500,
            help=N_("For example: Mohon rincian biaya per kegiatan dan jumlah sasaran per RT."),
        ),
        Step(
            key="ok",
            prompt=N_("Send {reference} ({desa}) back for revision with this note: “{catatan}”?"),
            type="yes_no",
            help=N_("Answer Yes to send it back, or No to decide later."),
        ),
    ),
)

FLOWS = (SEBAGIAN, JALUR, APBDES, SETUJU, RKP, TOLAK, REVISI)
