"""Deaths and a suspected outbreak in the community, reported as soon as they are known (not a
daily form: nothing is missing on a day without one). A petugas or a kader (for the kader's
desa) files it from /lapor or by quick entry (`LAPOR KM KMATIBU=1`).

Counts only: no name, NIK or photo is asked here. Every death goes to the Dinkes and the kepala
puskesmas at once (handlers/digest/deaths.py), and the alert asks for the identifying details
through the official maternal and perinatal death notification route. A "yes" to the suspected
outbreak starts the same alert as klaster 4's KLB question (handlers/digest/alerts.py)."""

from conversations.forms.report_common import (
    JUKNIS,
    KLASTER_BY_KEY,
    check_indicators,
    count,
    yes_no,
)
from conversations.model import N_, Condition, Flow, Step

PEOPLE, CASES = N_("people"), N_("cases")
NO_OUTBREAK = Condition("dklb", "ne", True)
NO_NAMES = N_("Count only: do not type names or NIK here.")

# The death counts: each one above 0 alerts at once (KLBMATI is klaster 4's outbreak deaths).
DEATH_CODES = ("KMATIBU", "KMATNEO", "KMATBAYI", "KMATBALITA", "DKLBMATI", "KLBMATI")
# The yes/no step that starts the outbreak alert, and the running counts of that outbreak,
# per form: (cases so far, deaths so far).
OUTBREAK_ITEMS = {"klb": ("KLBKASUS", "KLBMATI"), "dklb": ("DKLBKASUS", "DKLBMATI")}


def death(code: str, prompt: str, label: str, help: str, **extra) -> Step:
    return count(
        code, prompt, label, help, unit=PEOPLE, source=JUKNIS, soft_max=2, max=100, **extra
    )


STEPS = (
    death(
        "KMATIBU",
        N_("How many maternal deaths (during pregnancy, birth or 42 days after)?"),
        N_("Maternal deaths"),
        N_(
            "A woman who died while pregnant, giving birth or within 42 days after, in your area. Type 0 when there was none."
        ),
    ),
    death(
        "KMATNEO",
        N_("How many neonatal deaths (babies 0–28 days old)?"),
        N_("Neonatal deaths (0–28 days)"),
        N_("Babies born alive who died within their first 28 days. Type 0 when there was none."),
    ),
    death(
        "KMATBAYI",
        N_("How many infant deaths (29 days to 11 months old)?"),
        N_("Infant deaths (29 days–11 months)"),
        N_("Babies who died aged 29 days to 11 months. Type 0 when there was none."),
    ),
    death(
        "KMATBALITA",
        N_("How many deaths of children aged 12–59 months?"),
        N_("Under-five deaths (12–59 months)"),
        N_("Children who died aged 1 to under 5 years. Type 0 when there was none."),
    ),
    yes_no(
        "DKLB",
        N_("Is there a suspected outbreak (KLB) in the community?"),
        N_("Suspected outbreak (KLB) in the community"),
        N_(
            "Answer Yes when more people than usual fall ill with the same symptoms, someone dies of it, or a dangerous disease appears (for example measles, diphtheria, food poisoning). The Dinkes is alerted the same day."
        ),
        source=JUKNIS,
    ),
    Step(
        key="klb_penyakit",
        prompt=N_("Which disease or which symptoms?"),
        type="text",
        min_length=3,
        max_length=100,
        label=N_("Suspected disease"),
        help=N_("Type the disease or the symptoms, for example: diare, demam dan ruam, keracunan."),
        skip_if=NO_OUTBREAK,
    ),
    count(
        "DKLBKASUS",
        N_("How many people are ill so far?"),
        N_("Outbreak cases so far (community)"),
        N_("Count every person ill with it so far, including today's."),
        unit=CASES,
        source=JUKNIS,
        soft_max=200,
        min=1,
        skip_if=NO_OUTBREAK,
        summable=False,
    ),
    death(
        "DKLBMATI",
        N_("How many of them have died?"),
        N_("Outbreak deaths so far (community)"),
        N_("Count the people who died of the suspected outbreak so far. Type 0 when none."),
        skip_if=NO_OUTBREAK,
        summable=False,
    ),
)

# Built like report_common.form but without the photo and location attachments: a photo of a
# death would carry exactly the identity this form must not collect.
FLOW = Flow(
    name=KLASTER_BY_KEY["km"].flow,
    title=N_("Deaths and suspected outbreak report"),
    steps=STEPS,
    review=True,
    intro=NO_NAMES,
)
check_indicators(FLOW)
