"""The kepala desa's decision on a dana desa request, after pressing a button of the request:
the approved amount or the reason first where needed, then one last Yes/No before it counts."""

from conversations.model import N_, Flow, Step

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

SETUJU = Flow(
    name="dana_setuju",
    title=N_("Approval"),
    review=False,
    steps=(
        Step(
            key="ok",
            prompt=N_("Approve {amount} for {reference} ({desa}: {kegiatan})?"),
            type="yes_no",
            help=N_("Answer Yes to approve, or No to decide later."),
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

FLOWS = (SEBAGIAN, SETUJU, TOLAK, REVISI)
