"""Klaster 3 Usia Dewasa dan Lansia, daily: PTM screening and care (hipertensi, DM), the SPM
screenings of the productive age and the elderly, and severe mental illness (ODGJ berat).

A kader reports the screenings done at the posyandu; the care items are the puskesmas's."""

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
    "3",
    N_("Cluster 3 Adults and Elderly report"),
    steps=(
        count(
            "HTSKR",
            N_("How many people aged 15 or older were screened for hypertension?"),
            N_("Hypertension screening (15+)"),
            N_("Count everyone aged 15 or older whose blood pressure was measured for screening."),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=300,
        ),
        count(
            "HT",
            N_("Of them, how many had high blood pressure?"),
            N_("Hypertension detected"),
            N_(
                "Count screened people with blood pressure of 140/90 or higher. Cannot be more than those screened."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=50,
            skip_if=Condition("htskr", "eq", 0),
        ),
        count(
            "HTLAYAN",
            N_("How many people with hypertension were served according to the standard?"),
            N_("Hypertension patients served to standard"),
            N_("Blood pressure measured, education and treatment given (SPM hipertensi)."),
            unit=PEOPLE,
            source=JUKNIS,
            spm="hipertensi",
            soft_max=100,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "DMSKR",
            N_("How many people were screened for diabetes (blood sugar)?"),
            N_("Diabetes screening"),
            N_(
                "Count everyone whose blood sugar was checked for screening (age 40+, or 15+ with risk factors)."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=200,
        ),
        count(
            "DM",
            N_("Of them, how many had high blood sugar?"),
            N_("Diabetes detected"),
            N_(
                "Count screened people with a high blood sugar result. Cannot be more than those screened."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=30,
            skip_if=Condition("dmskr", "eq", 0),
        ),
        count(
            "DMLAYAN",
            N_("How many people with diabetes were served according to the standard?"),
            N_("Diabetes patients served to standard"),
            N_("Blood sugar measured, education and treatment given (SPM diabetes melitus)."),
            unit=PEOPLE,
            source=JUKNIS,
            spm="diabetes",
            soft_max=60,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "PRODUKTIF",
            N_("How many people of productive age (15–59) received a health screening?"),
            N_("Productive age screened (15–59)"),
            N_("SPM usia produktif: a yearly screening of PTM risk factors for ages 15 to 59."),
            unit=PEOPLE,
            source=JUKNIS,
            spm="usia_produktif",
            soft_max=300,
        ),
        count(
            "LANSIA",
            N_("How many elderly people (60+) received a health screening?"),
            N_("Elderly screened (60+)"),
            N_("SPM usia lanjut: a yearly health screening for people aged 60 or older."),
            unit=PEOPLE,
            source=JUKNIS,
            spm="usia_lanjut",
            soft_max=200,
        ),
        count(
            "ODGJ",
            N_("How many people with severe mental illness (ODGJ berat) were served?"),
            N_("ODGJ berat served"),
            N_("Count people with psychosis who had a mental health check and education."),
            unit=PEOPLE,
            source=JUKNIS,
            spm="odgj_berat",
            soft_max=20,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
    ),
    rules=(
        not_more_than(
            "ht",
            "htskr",
            N_(
                "Hypertension detected cannot be more than people screened. Please check both numbers."
            ),
        ),
        not_more_than(
            "dm",
            "dmskr",
            N_("Diabetes detected cannot be more than people screened. Please check both numbers."),
        ),
    ),
)
