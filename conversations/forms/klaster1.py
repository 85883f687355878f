"""Klaster 1 Manajemen, weekly: what blocks services — essential medicines out of stock,
broken equipment, an urgent budget need (the juknis klaster 1 dashboard: stok obat, logistik/alat
& sarpras, keuangan). An urgent need is to be reported to the Dinas Kesehatan: dana desa cannot buy puskesmas
medicines or equipment, only village-scale activities (handlers/reports/submit.py)."""

from conversations.forms.report_common import JUKNIS, USULAN, count, form, yes_no
from conversations.model import N_, Condition, Step

FLOW = form(
    "1",
    N_("Cluster 1 Management report (weekly)"),
    steps=(
        count(
            "OBAT",
            N_("How many kinds of essential medicine are out of stock?"),
            N_("Essential medicines out of stock"),
            N_(
                "Count the kinds of essential medicine (Fornas list) with no stock left this week. Type 0 if none."
            ),
            unit=N_("kinds"),
            source=JUKNIS,
            soft_max=20,
            max=300,
        ),
        Step(
            key="obat_nama",
            prompt=N_("Which medicines are out of stock?"),
            type="text",
            min_length=3,
            max_length=300,
            label=N_("Medicines out of stock"),
            help=N_("Type the names separated by commas, for example: amoksisilin, tablet Fe."),
            skip_if=Condition("obat", "eq", 0),
        ),
        count(
            "ALKES",
            N_("How many medical devices are broken?"),
            N_("Broken medical devices"),
            N_("Count devices that cannot be used this week (tensimeter, timbangan, alat lab…)."),
            unit=N_("items"),
            source=JUKNIS,
            soft_max=10,
            max=300,
        ),
        yes_no(
            "DANA",
            N_("Is there an urgent budget need?"),
            N_("Urgent budget need"),
            N_(
                "Answer Yes if a service will stop without money soon. Puskesmas medicines, "
                "equipment and operations are reported to the Dinas Kesehatan."
            ),
            source=USULAN,
        ),
    ),
)
