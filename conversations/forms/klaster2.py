"""Klaster 2 Ibu dan Anak, daily: the continuum of care K1 → K6 → persalinan → KF → KN,
immunisation and growth (S/D/T), and new nutrition problems (juknis Bab X, klaster 2 dashboard).

A kader reports the posyandu items only (D, T, gizi, stunting, KEK); the rest is skipped."""

from conversations.forms.report_common import (
    JUKNIS,
    NOT_AT_POSYANDU,
    count,
    form,
    not_more_than,
)
from conversations.model import N_, Condition

PEOPLE = N_("people")

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
            "STUNT",
            N_("How many new cases of stunting in under-fives?"),
            N_("Under-fives with new stunting"),
            N_("Count children found stunted (too short for their age) for the first time."),
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
            "t",
            "d",
            N_(
                "T (not gaining weight) cannot be more than D (weighed). Please check both numbers."
            ),
        ),
    ),
)
