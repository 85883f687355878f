"""The small flows around a cluster report: what to report (klaster, period, desa), replacing an
existing report, and the Dinkes tools (unlock an old day, pick a puskesmas for /rekap).

The choices come from the handler (`context["choices"]`), computed from the sender's role and the
message's own date; a kader's desa is fixed, so the desa question is skipped for a kader."""

from conversations.model import N_, Condition, Flow, Step

CHOOSE = Flow(
    name="lapor",
    title=N_("Cluster report"),
    review=False,
    steps=(
        Step(
            key="klaster",
            prompt=N_("Which cluster do you want to report?"),
            type="choice",
            provider="klaster",
            label=N_("Cluster"),
            help=N_("Press the cluster whose services you report. Each cluster has its own form."),
        ),
        Step(
            key="tanggal",
            prompt=N_("For which day?"),
            type="choice",
            provider="tanggal",
            label=N_("Day"),
            help=N_("Reports count for the day the services were given, up to 7 days back."),
            skip_if=Condition("klaster", "eq", "1"),
        ),
        Step(
            key="minggu",
            prompt=N_("For which week?"),
            type="choice",
            provider="minggu",
            label=N_("Week"),
            help=N_("The management report is weekly: Monday to Sunday."),
            skip_if=Condition("klaster", "ne", "1"),
        ),
        Step(
            key="desa",
            prompt=N_(
                "For which desa or posyandu? Press Skip for services in the puskesmas building."
            ),
            type="choice",
            provider="desa",
            required=False,
            label=N_("Desa"),
            help=N_(
                "Choose the desa for a posyandu or pustu activity; Skip for the whole puskesmas."
            ),
            skip_if=Condition("kader", "eq", True, scope="context"),
        ),
    ),
)

REPLACE = Flow(
    name="lapor_ganti",
    title=N_("Replace report"),
    review=False,
    steps=(
        Step(
            key="ganti",
            prompt=N_(
                "There is already a report for {what} from {name}, {time} ({reference}). Replace it?"
            ),
            type="yes_no",
            label=N_("Replace"),
            help=N_(
                "Yes: your new report becomes the valid one and the old one is kept as history."
            ),
        ),
    ),
)

UNLOCK = Flow(
    name="buka_kunci",
    title=N_("Unlock an old report day"),
    steps=(
        Step(
            key="puskesmas",
            prompt=N_("Which puskesmas?"),
            type="choice",
            provider="puskesmas",
            label=N_("Puskesmas"),
            help=N_("Type part of the name, for example: sumber urip."),
        ),
        Step(
            key="tanggal",
            prompt=N_("Which day should be opened for reports and corrections? For example 2/11."),
            type="date",
            max_days_back=366,
            label=N_("Day"),
            help=N_("Type the date of the services, for example 2/11 or 2 November."),
        ),
    ),
)

PICK_PUSKESMAS = Flow(
    name="rekap_pilih",
    title=N_("Monthly recap"),
    review=False,
    steps=(
        Step(
            key="puskesmas",
            prompt=N_("The recap of which puskesmas?"),
            type="choice",
            provider="puskesmas",
            label=N_("Puskesmas"),
            help=N_("Type part of the name, for example: sumber urip."),
        ),
    ),
)

FLOWS = (CHOOSE, REPLACE, UNLOCK, PICK_PUSKESMAS)
