"""/ekspor: which period (and, for Dinkes, which puskesmas) goes into the XLSX file.

A kepala puskesmas exports their own puskesmas, so the puskesmas question is skipped; the
handler turns the period into dates (a custom range asks its first and last day)."""

from conversations.model import N_, Choice, Condition, Flow, Step, Text

OWN_PUSKESMAS = Condition("own_puskesmas", "eq", True, scope="context")
CUSTOM = "pilih"

FLOW = Flow(
    name="ekspor",
    title=N_("Export reports"),
    review=False,
    steps=(
        Step(
            key="periode",
            prompt=N_("Which period do you want to export?"),
            type="choice",
            choices=(
                Choice("bulan_ini", Text(N_("This month so far"))),
                Choice("bulan_lalu", Text(N_("Last month"))),
                Choice("minggu_lalu", Text(N_("Last week (Monday to Sunday)"))),
                Choice(CUSTOM, Text(N_("Choose the dates"))),
            ),
            label=N_("Period"),
            help=N_("Press a period. With 'Choose the dates' you type the first and last day."),
        ),
        Step(
            key="dari",
            prompt=N_("From which day? For example 1/10 or 1 Oktober 2026."),
            type="date",
            max_days_back=800,
            label=N_("From"),
            help=N_("Type the first day of the export, for example 1/10/2026."),
            skip_if=Condition("periode", "ne", CUSTOM),
        ),
        Step(
            key="sampai",
            prompt=N_("Until which day? For example 31/10 or kemarin."),
            type="date",
            max_days_back=800,
            label=N_("Until"),
            help=N_("Type the last day of the export, for example 31/10/2026."),
            skip_if=Condition("periode", "ne", CUSTOM),
        ),
        Step(
            key="puskesmas",
            prompt=N_("Which puskesmas? Press All for the whole district."),
            type="choice",
            provider="puskesmas",
            label=N_("Puskesmas"),
            help=N_("Press one puskesmas, or All for every puskesmas of the district."),
            skip_if=OWN_PUSKESMAS,
        ),
    ),
)
