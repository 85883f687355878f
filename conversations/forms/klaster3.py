"""Klaster 3 Usia Dewasa dan Lansia, daily: PTM screening and care (hipertensi, DM), the SPM
screenings of the productive age and the elderly (SKILAS among them), severe mental illness
(ODGJ berat), catin screening and family planning (KB baru, KB aktif).

Each SPM service is asked twice: the day's visits (the workload) and, of them, the people
served for the first time this year (the SPM numerator: SPM counts people in the year).
A kader reports the screenings done at the posyandu; the care items are the puskesmas's."""

from conversations.forms.report_common import (
    FIRST_TIME_INTRO,
    JUKNIS,
    NOT_AT_POSYANDU,
    count,
    first_time,
    form,
    not_more_than,
    within,
)
from conversations.model import N_, Condition

PEOPLE, VISITS = N_("people"), N_("visits")
SERVED_FIRST = N_("Of them, how many people were served for the first time this year?")
SCREENED_FIRST = N_("Of them, how many people were screened for the first time this year?")

FLOW = form(
    "3",
    N_("Cluster 3 Adults and Elderly report"),
    steps=(
        count(
            "HTSKR",
            N_("How many people aged 15 or older were screened for hypertension?"),
            N_("Hypertension screening (15+)"),
            N_(
                "Count everyone aged 15 or older whose blood pressure was measured for screening on this day at the place of this report only: in the building, not at posyandu or in the desa (those have their own reports)."
            ),
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
            N_("How many visits of people with hypertension were served to the standard?"),
            N_("Hypertension visits served to standard"),
            N_(
                "Blood pressure measured, education and treatment given. Count every visit of the day, monthly check-ups included."
            ),
            unit=VISITS,
            source=JUKNIS,
            soft_max=100,
            skip_if=NOT_AT_POSYANDU,
        ),
        first_time(
            "HTSPM",
            "HTLAYAN",
            SERVED_FIRST,
            N_("Hypertension patients, first time this year (SPM)"),
            N_(
                "SPM hipertensi counts people, not visits: count a patient only on the day of their first standard service this year. A patient who comes every month is counted once a year."
            ),
            soft_max=100,
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
            N_("How many visits of people with diabetes were served to the standard?"),
            N_("Diabetes visits served to standard"),
            N_(
                "Blood sugar measured, education and treatment given. Count every visit of the day, monthly check-ups included."
            ),
            unit=VISITS,
            source=JUKNIS,
            soft_max=60,
            skip_if=NOT_AT_POSYANDU,
        ),
        first_time(
            "DMSPM",
            "DMLAYAN",
            SERVED_FIRST,
            N_("Diabetes patients, first time this year (SPM)"),
            N_(
                "SPM diabetes melitus counts people, not visits: count a patient only on the day of their first standard service this year. A patient who comes every month is counted once a year."
            ),
            soft_max=60,
        ),
        count(
            "PRODUKTIF",
            N_("How many people of productive age (15–59) received a health screening?"),
            N_("Productive age screened (15–59)"),
            N_(
                "Every screening of PTM risk factors for ages 15 to 59 done on this day at the place of this report only (in the building: not at posyandu; a posyandu's screenings go in its posyandu report)."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=300,
        ),
        first_time(
            "PRODSPM",
            "PRODUKTIF",
            SCREENED_FIRST,
            N_("Productive age, first screening this year (SPM)"),
            N_(
                "SPM usia produktif counts people: count a person only at their first screening this year. Someone screened again later in the year is not counted again."
            ),
            soft_max=300,
        ),
        count(
            "LANSIA",
            N_("How many elderly people (60+) received a health screening?"),
            N_("Elderly screened (60+)"),
            N_(
                "Every health screening of people aged 60 or older done on this day at the place of this report only (in the building: not at posyandu; a posyandu's screenings go in its posyandu report)."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=200,
        ),
        first_time(
            "LANSIASPM",
            "LANSIA",
            SCREENED_FIRST,
            N_("Elderly, first screening this year (SPM)"),
            N_(
                "SPM usia lanjut counts people: count an elderly person only at their first screening this year. Someone screened at every monthly posyandu is counted once a year."
            ),
            soft_max=200,
        ),
        count(
            "SKILAS",
            N_("Of the elderly screened, how many had the simple screening SKILAS?"),
            N_("Elderly screened with SKILAS"),
            N_(
                "SKILAS (skrining lansia sederhana) checks memory, movement, nutrition, sight, hearing and mood. Count each elderly person screened with it on this day; cannot be more than the elderly screened. Which form counts is perlu konfirmasi Dinkes."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=200,
            skip_if=Condition("lansia", "in", (0, None)),
        ),
        count(
            "ODGJ",
            N_("How many visits of people with severe mental illness (ODGJ berat) were served?"),
            N_("ODGJ berat visits served"),
            N_(
                "Count every visit of a person with psychosis who had a mental health check and education on this day."
            ),
            unit=VISITS,
            source=JUKNIS,
            soft_max=20,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        first_time(
            "ODGJSPM",
            "ODGJ",
            SERVED_FIRST,
            N_("ODGJ berat, first time this year (SPM)"),
            N_(
                "SPM ODGJ berat counts people, not visits: count a person only on the day of their first service this year."
            ),
            soft_max=20,
            max=500,
        ),
        count(
            "CATIN",
            N_("How many brides- and grooms-to-be (catin) were screened?"),
            N_("Catin screened (kespro catin)"),
            N_(
                "Count each catin who had the pre-marriage health check (kespro catin: status gizi, anaemia, and the like) on this day. Which checks make the standard is perlu konfirmasi Dinkes."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=20,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "KBBARU",
            N_("How many new family planning acceptors (peserta KB baru)?"),
            N_("New family planning acceptors (KB baru)"),
            N_(
                "Count people who started a contraceptive method for the first time, or again after stopping, on this day (postpartum KB included). The definition follows the BKKBN and is perlu konfirmasi Dinkes."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=30,
            max=500,
            skip_if=NOT_AT_POSYANDU,
        ),
        count(
            "KBAKTIF",
            N_("How many active family planning users were served again (peserta KB aktif)?"),
            N_("Active family planning users served (KB aktif)"),
            N_(
                "Count people already using a contraceptive method who came for their next injection, pills or check on this day. Do not count new acceptors again. The definition is perlu konfirmasi Dinkes."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=60,
            max=1000,
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
        within("HTSPM", "HTLAYAN"),
        within("DMSPM", "DMLAYAN"),
        within("PRODSPM", "PRODUKTIF"),
        within("LANSIASPM", "LANSIA"),
        not_more_than(
            "skilas",
            "lansia",
            N_(
                "Elderly screened with SKILAS cannot be more than the elderly screened. Please check both numbers."
            ),
        ),
        within("ODGJSPM", "ODGJ"),
    ),
    intro=FIRST_TIME_INTRO,
)
