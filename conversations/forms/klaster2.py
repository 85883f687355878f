"""Klaster 2 Ibu dan Anak, daily: the continuum of care K1 → K4 → K6 → persalinan → KF → KN,
immunisation and growth (S/D/T, stunting as a status of the children measured), and new
nutrition problems (juknis Bab X, klaster 2 dashboard).

A kader reports the posyandu items only (S, D, T, measured, stunting, gizi, KEK); the rest is
skipped. K4 ≤ K1 holds over the year, not on a day (a woman's K1 and K4 fall on different days):
/rekap checks it on the year's totals (conversations/forms/consistency.py)."""

from conversations.forms.report_common import (
    JUKNIS,
    NOT_AT_POSYANDU,
    count,
    form,
    not_more_than,
)
from conversations.model import N_, Condition, Rule

PEOPLE = N_("people")
# The context figure S is checked against: the puskesmas's sasaran balita of the year, when known.
SASARAN_BALITA = "sasaran_balita"

FLOW = form(
    "2",
    N_("Cluster 2 Mother and Child report"),
    steps=(
        count(
            "K1",
            N_("How many pregnant women had their first antenatal visit (K1)?"),
            N_("Pregnant women, new K1"),
            N_(
                "Count each pregnant woman whose first antenatal check-up was on this day. Type 0 if none."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=20,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "K4",
            N_("How many pregnant women reached their fourth antenatal visit (K4)?"),
            N_("Pregnant women reaching K4"),
            N_(
                "K4 = at least 4 antenatal visits (1 in the first trimester, 1 in the second, 2 in the third). Count those completed on this day. The Dinkes profile still reports K4 beside K1 and K6 (perlu konfirmasi Dinkes)."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=20,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "K6",
            N_("How many pregnant women reached their sixth antenatal visit (K6)?"),
            N_("Pregnant women reaching K6"),
            N_(
                "K6 = at least 6 antenatal visits, 2 of them with a doctor and USG. Count those completed on this day."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=20,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "SALIN",
            N_("How many deliveries took place in a health facility?"),
            N_("Deliveries in a health facility"),
            N_(
                "Count births attended in the puskesmas or another health facility. Type 0 if none."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=10,
            max=200,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "KF",
            N_("How many mothers completed their postnatal visits (KF complete)?"),
            N_("Postnatal visits complete (KF)"),
            N_(
                "KF complete = KF1 to KF4 done. Count mothers whose last visit (KF4) was on this day."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=20,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "KN",
            N_("How many newborns completed their neonatal visits (KN complete)?"),
            N_("Neonatal visits complete (KN)"),
            N_("KN complete = KN1 to KN3 done. Count babies whose KN3 was on this day."),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=20,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "IDL",
            N_("How many babies completed basic immunisation (IDL)?"),
            N_("Babies with complete basic immunisation"),
            N_("Count babies who received their last basic immunisation dose on this day."),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=30,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "BALITASPM",
            N_("How many under-fives completed this year's standard service package?"),
            N_("Under-fives with the year's standard services complete (SPM)"),
            N_(
                "Count a child once a year, on the day the year's package is complete: weighing and length or height, development check, vitamin A and immunisation as scheduled. The exact package is to be confirmed by the Dinkes."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=30,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "S",
            N_("How many children under five live in the area of this posyandu (S)?"),
            N_("Under-fives in the area (S)"),
            N_(
                "S = all children under five living in the area of the posyandu of this report, weighed or not, as in the posyandu register (SKDN). It gives D/S, the weighing participation. Press Skip for the report of the puskesmas building. It cannot be more than the sasaran balita of the puskesmas."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=500,
            max=5000,
            required=False,
        ),
        count(
            "D",
            N_("How many children under five were weighed (D)?"),
            N_("Under-fives weighed (D)"),
            N_(
                "D = children under five weighed on this day at the place of this report only: in the building, inside the puskesmas building (not at posyandu); for a posyandu, at that posyandu; for a desa, home visits and the pustu."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=400,
        ),
        count(
            "T",
            N_("Of them, how many did not gain enough weight (T)?"),
            N_("Under-fives not gaining weight (T)"),
            N_(
                "T = weighed children whose weight did not rise adequately. T cannot be more than D."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=100,
            skip_if=Condition("d", "eq", 0),
        ),
        count(
            "UKUR",
            N_("How many children under five had their length or height measured?"),
            N_("Under-fives measured (length or height)"),
            N_(
                "Count the children under five whose length (PB) or height (TB) was measured on this day at the place of this report. Type 0 if none."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=400,
        ),
        count(
            "STUNT",
            N_("Of them, how many are stunted (short or very short for their age)?"),
            N_("Measured under-fives who are stunted"),
            N_(
                "Stunting is a status, not a new case: count every measured child whose length or height for age is short or very short (below −2 SD), also those known before. Cannot be more than those measured."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=60,
            max=500,
            skip_if=Condition("ukur", "in", (0, None)),
        ),
        count(
            "GIZI",
            N_("How many new cases of undernourished or severely undernourished under-fives?"),
            N_("Under-fives with new undernutrition"),
            N_(
                "Count children found underweight or wasted (gizi kurang or gizi buruk) for the first time."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=20,
            max=500,
        ),
        count(
            "KEK",
            N_("How many new pregnant women with chronic energy deficiency (KEK)?"),
            N_("Pregnant women with new KEK"),
            N_("KEK = upper-arm circumference (LiLA) under 23.5 cm. Count new cases only."),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=15,
            max=500,
        ),
        count(
            "ANEMIA",
            N_("How many new pregnant women with anaemia?"),
            N_("Pregnant women with new anaemia"),
            N_("Anaemia in pregnancy = Hb under 11 g/dL. Count new cases only."),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=15,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "ANAKSKR",
            N_("How many school-age children were screened (penjaringan)?"),
            N_("School-age children screened"),
            N_(
                "School health screening of children in grades 1 to 9, each child once a year (SPM usia pendidikan dasar). Press Skip if there was none."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=300,
            max=5000,
            required=False,
            skip_if=NOT_AT_POSYANDU,
        ),
    ),
    rules=(
        not_more_than(
            "d",
            "s",
            N_("D (weighed) cannot be more than S (in the area). Please check both numbers."),
        ),
        Rule(
            key="s",
            op="le",
            other=SASARAN_BALITA,
            message=N_(
                "S cannot be more than the sasaran balita of the puskesmas ({value}). Please check the number."
            ),
            scope="context",
        ),
        not_more_than(
            "t",
            "d",
            N_(
                "T (not gaining weight) cannot be more than D (weighed). Please check both numbers."
            ),
        ),
        not_more_than(
            "ukur",
            "s",
            N_("Children measured cannot be more than S (in the area). Please check both numbers."),
        ),
        not_more_than(
            "stunt",
            "ukur",
            N_(
                "Stunted children cannot be more than children measured. Please check both numbers."
            ),
        ),
    ),
)
