"""The small flows around a cluster report: what to report (klaster, period, place), correcting
one's own report or adding to another's, and the Dinkes tools (unlock an old day, pick a
puskesmas for /rekap).

The choices come from the handler (`context["choices"]`), computed from the sender's role and the
message's own date: the places (in the building, a desa, a posyandu, or nihil), the desa and the
posyandu; a kader's desa is fixed (the handler fills it in), her posyandu are those of her desa."""

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
            key="tempat",
            prompt=N_("Where were the services given?"),
            type="choice",
            provider="tempat",
            label=N_("Place"),
            help=N_(
                "In the building: only services inside the puskesmas building, without posyandu "
                "or desa activities. Desa: pustu and home visits. Posyandu: one posyandu's day. "
                "Reports of different places and people add up. Nihil: no services in the "
                "building for this cluster and day."
            ),
        ),
        Step(
            key="desa",
            prompt=N_("For which desa?"),
            type="choice",
            provider="desa",
            label=N_("Desa"),
            help=N_("Choose the desa of the pustu activity or home visits."),
            skip_if=Condition("tempat", "ne", "desa"),
        ),
        Step(
            key="posyandu",
            prompt=N_("Which posyandu?"),
            type="choice",
            provider="posyandu",
            label=N_("Posyandu"),
            help=N_(
                "Type part of the name. A posyandu not in the list can be added by the kepala "
                "puskesmas with /posyandu."
            ),
            skip_if=Condition("tempat", "ne", "posyandu"),
        ),
    ),
)

REPLACE = Flow(
    name="lapor_ganti",
    title=N_("Correct report"),
    review=False,
    steps=(
        Step(
            key="ganti",
            prompt=N_(
                "You already sent a report for {what}, {time} ({reference}). "
                "Replace it with a correction?"
            ),
            type="yes_no",
            label=N_("Replace"),
            help=N_(
                "Yes: your new report becomes the valid one and the old one is kept as history. "
                "No: your report stays as it is."
            ),
        ),
    ),
)

ADD = Flow(
    name="lapor_tambah",
    title=N_("Add a report"),
    review=False,
    steps=(
        Step(
            key="tambah",
            prompt=N_(
                "{name} already reported {what} ({reference}). Your report will be ADDED to it, "
                "not replace it: report only services not counted there. Continue?"
            ),
            type="yes_no",
            label=N_("Add"),
            help=N_(
                "Yes: both reports count. No: nothing is sent. To change the other report, "
                "ask its sender to correct it."
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

FLOWS = (CHOOSE, REPLACE, ADD, UNLOCK, PICK_PUSKESMAS)
