"""The 12 SPM Kesehatan services of a kabupaten (PP 2/2018, standards in Permenkes 6/2024) and
what counts toward each: one table, read by the digest, the summaries, /rekap, the export and
/bantuan SPM, and checked against the report forms at start.

`numerator` is the indicator codes whose sum since January is the people who received the
standard service this year: a first-time-this-year count (HTSPM) or the day a series is complete
(K6, KN lengkap), never the day's visits. `confirm` says what rests on our reading of a regulation
we could not read in full ("perlu konfirmasi Dinkes"); docs/spm.md lists the same.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from conversations.model import N_, Flow


@dataclass(frozen=True)
class SpmService:
    key: str  # stored in sasaran.spm; the CSV accepts it or the number 1–12
    label: str  # msgid
    numerator: tuple[str, ...]  # indicator codes of the report forms
    confirm: str | None = None  # msgid: what the Dinkes must confirm, None when settled


SPM: tuple[SpmService, ...] = (
    SpmService(
        "ibu_hamil",
        N_("Pregnant women"),
        ("K6",),
        N_(
            "The standard is taken as K6 (6 visits, 2 with a doctor and USG), as in the ILP juknis."
        ),
    ),
    SpmService(
        "ibu_bersalin",
        N_("Women giving birth"),
        ("SALIN",),
        N_(
            "Counted as deliveries in a health facility; whether postnatal visits are required too."
        ),
    ),
    SpmService("bayi_baru_lahir", N_("Newborns"), ("KN",)),
    SpmService(
        "balita",
        N_("Children under five"),
        ("BALITASPM",),
        N_("The yearly package of an under-five (growth, development, vitamin A, immunisation)."),
    ),
    SpmService(
        "usia_pendidikan_dasar",
        N_("Basic-education-age children"),
        ("ANAKSKR",),
        N_("Counted as children screened at school (penjaringan), once a year."),
    ),
    SpmService(
        "usia_produktif",
        N_("Productive age (15–59)"),
        ("PRODSPM",),
        N_("Ages 15–59 as in the SPM (the ILP juknis says 18–59 for adults)."),
    ),
    SpmService("usia_lanjut", N_("Elderly (60+)"), ("LANSIASPM",)),
    SpmService(
        "hipertensi",
        N_("People with hypertension"),
        ("HTSPM",),
        N_("Counted at the first standard service of the year, not after a year of monthly care."),
    ),
    SpmService(
        "diabetes",
        N_("People with diabetes"),
        ("DMSPM",),
        N_("Counted at the first standard service of the year, not after a year of monthly care."),
    ),
    SpmService("odgj_berat", N_("People with severe mental illness (ODGJ berat)"), ("ODGJSPM",)),
    SpmService(
        "terduga_tbc",
        N_("People with presumed TB"),
        ("TBDUGA",),
        N_("Counted as presumed TB examined; the name of this service may have changed in 2024."),
    ),
    SpmService("risiko_hiv", N_("People at risk of HIV"), ("HIVSPM",)),
)
SPM_KEYS = tuple(s.key for s in SPM)
SPM_BY_KEY = {s.key: s for s in SPM}
SERVICE_OF = {code: s.key for s in SPM for code in s.numerator}  # indicator code → service


def check_table(flows: Iterable[Flow]) -> None:
    """Every service has a numerator, and every numerator code is a counted indicator of a
    report form (a renamed code would otherwise drop its service silently)."""
    counted = {
        step.code for flow in flows for step in flow.steps if step.code and step.type == "integer"
    }
    for service in SPM:
        if not service.numerator:
            raise ValueError(f"SPM service {service.key} has no numerator")
        for code in service.numerator:
            if code not in counted:
                raise ValueError(f"SPM service {service.key}: no counted indicator {code}")
    if len(SPM) != 12 or len(SERVICE_OF) != sum(len(s.numerator) for s in SPM):
        raise ValueError("the SPM table needs the 12 services, each code in one service")
