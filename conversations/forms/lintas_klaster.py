"""Lintas klaster, daily: the shared services — emergency care, inpatients (only a rawat-inap
puskesmas is asked), external referrals and laboratory examinations."""

from conversations.forms.report_common import JUKNIS, count, form
from conversations.model import N_, Condition

FLOW = form(
    "lk",
    N_("Cross-cluster report"),
    steps=(
        count(
            "UGD",
            N_("How many emergency (UGD) visits?"),
            N_("Emergency visits"),
            N_(
                "Count every patient seen in the emergency room or ruang tindakan for an emergency."
            ),
            unit=N_("visits"),
            source=JUKNIS,
            soft_max=60,
            max=2000,
        ),
        count(
            "RANAP",
            N_("How many patients were admitted as inpatients?"),
            N_("Inpatients admitted"),
            N_("Count new admissions to the puskesmas inpatient ward on this day."),
            unit=N_("people"),
            source=JUKNIS,
            soft_max=20,
            max=500,
            skip_if=Condition("rawat_inap", "ne", True, scope="context"),
        ),
        count(
            "RUJUK",
            N_("How many patients were referred to a hospital (rujukan keluar)?"),
            N_("External referrals"),
            N_("Count patients referred to a hospital or other advanced facility (FKRTL)."),
            unit=N_("people"),
            source=JUKNIS,
            soft_max=30,
            max=1000,
        ),
        count(
            "LAB",
            N_("How many laboratory examinations were done?"),
            N_("Laboratory examinations"),
            N_("Count examinations of patients' samples (not patients). Press Skip if unknown."),
            unit=N_("tests"),
            source=JUKNIS,
            soft_max=150,
            max=5000,
            required=False,
        ),
    ),
)
