"""Klaster 4 Penanggulangan Penyakit Menular dan Kesehatan Lingkungan, daily: TB finding
(diagnosed, and of them bacteriologically confirmed), HIV testing, kesling (IKL, larva checks
for the ABJ), the priority diseases, and "ada dugaan KLB?" — a yes starts the same-day alert
(the 1×24 hour rule of the juknis), so the details are asked at once."""

from conversations.forms.report_common import (
    JUKNIS,
    count,
    first_time,
    form,
    not_more_than,
    within,
    yes_no,
)
from conversations.model import N_, Condition, Step

PEOPLE, CASES = N_("people"), N_("cases")
NO_OUTBREAK = Condition("klb", "ne", True)

FLOW = form(
    "4",
    N_("Cluster 4 Communicable Disease and Environmental Health report"),
    steps=(
        count(
            "TBDUGA",
            N_("How many people with presumed TB were examined?"),
            N_("Presumed TB examined"),
            N_(
                "Count people with TB symptoms who had a clinical and laboratory (TCM/BTA) examination."
            ),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=30,
            max=1000,
        ),
        count(
            "TB",
            N_("How many new TB cases were diagnosed (bacteriological or clinical)?"),
            N_("New TB diagnosed (bacteriological + clinical)"),
            N_(
                "Count TB diagnoses made on this day, confirmed by TCM/BTA or diagnosed clinically."
            ),
            unit=CASES,
            source=JUKNIS,
            soft_max=5,
            max=500,
        ),
        count(
            "TBBAKT",
            N_("Of them, how many were bacteriologically confirmed (TCM or BTA positive)?"),
            N_("TB bacteriologically confirmed"),
            N_(
                "TBC terkonfirmasi bakteriologis: a positive TCM, BTA or culture result. Clinical diagnoses are not counted here (the programme's definition, perlu konfirmasi Dinkes)."
            ),
            unit=CASES,
            source=JUKNIS,
            soft_max=5,
            max=500,
            skip_if=Condition("tb", "in", (0, None)),
        ),
        count(
            "TBKONTAK",
            N_("How many contacts of TB patients were investigated?"),
            N_("TB contacts investigated"),
            N_("Count household and close contacts visited and screened (investigasi kontak)."),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=30,
            max=1000,
        ),
        count(
            "HIV",
            N_("How many HIV tests were done for people at risk?"),
            N_("HIV tests of people at risk"),
            N_(
                "Pregnant women, TB patients, STI patients, key populations: count every HIV test done on this day."
            ),
            unit=N_("tests"),
            source=JUKNIS,
            soft_max=50,
            max=1000,
        ),
        first_time(
            "HIVSPM",
            "HIV",
            N_("Of them, how many people were tested for the first time this year?"),
            N_("People at risk, first HIV test this year (SPM)"),
            N_(
                "SPM HIV counts people: count a person only at their first HIV test this year. Key populations tested again every 3 to 6 months are counted once a year."
            ),
            soft_max=50,
            max=1000,
        ),
        count(
            "IKL",
            N_("How many environmental health inspections (IKL) were done?"),
            N_("Environmental health inspections (IKL)"),
            N_(
                "Inspeksi kesehatan lingkungan of houses, schools, food places, water sources and public places. Count the places inspected on this day. Type 0 if none."
            ),
            unit=N_("places"),
            source=JUKNIS,
            soft_max=30,
            max=1000,
        ),
        count(
            "PJB",
            N_("How many houses were checked for mosquito larvae (PJB)?"),
            N_("Houses checked for larvae (PJB)"),
            N_(
                "Pemeriksaan jentik berkala: count the houses whose water containers were checked on this day, by staff or jumantik. Type 0 if none."
            ),
            unit=N_("houses"),
            source=JUKNIS,
            soft_max=300,
            max=5000,
        ),
        count(
            "PJBBEBAS",
            N_("Of them, how many houses were free of larvae?"),
            N_("Houses free of larvae"),
            N_(
                "Houses with no larvae in any container. Free ÷ checked is the ABJ (angka bebas jentik); its target is perlu konfirmasi Dinkes."
            ),
            unit=N_("houses"),
            source=JUKNIS,
            soft_max=300,
            max=5000,
            skip_if=Condition("pjb", "in", (0, None)),
        ),
        count(
            "DBD",
            N_("How many dengue (DBD) cases?"),
            N_("Dengue (DBD) cases"),
            N_("Count new dengue haemorrhagic fever cases found or reported on this day."),
            unit=CASES,
            source=JUKNIS,
            soft_max=10,
            max=500,
        ),
        count(
            "MAL",
            N_("How many positive malaria cases?"),
            N_("Positive malaria"),
            N_("Count malaria cases confirmed by microscope or rapid test."),
            unit=CASES,
            source=JUKNIS,
            soft_max=10,
            max=500,
        ),
        count(
            "DIARE",
            N_("How many diarrhoea cases?"),
            N_("Diarrhoea cases"),
            N_("Count new diarrhoea cases of all ages."),
            unit=CASES,
            source=JUKNIS,
            soft_max=30,
            max=1000,
        ),
        count(
            "PNEU",
            N_("How many cases of pneumonia in children under five?"),
            N_("Pneumonia in under-fives"),
            N_("Count under-fives classified as pneumonia or severe pneumonia (MTBS)."),
            unit=CASES,
            source=JUKNIS,
            soft_max=10,
            max=500,
        ),
        count(
            "CAMPAK",
            N_("How many suspected measles cases?"),
            N_("Suspected measles"),
            N_("Fever with rash plus cough, runny nose or red eyes. Count suspected cases."),
            unit=CASES,
            source=JUKNIS,
            soft_max=5,
            max=500,
        ),
        count(
            "AFP",
            N_("How many cases of acute flaccid paralysis (AFP) in children under 15?"),
            N_("Acute flaccid paralysis (AFP)"),
            N_(
                "Sudden weakness or floppiness of an arm or leg in a child under 15, not caused by injury. One case is an alert."
            ),
            unit=CASES,
            source=JUKNIS,
            soft_max=1,
            max=100,
        ),
        count(
            "DIFTERI",
            N_("How many suspected diphtheria cases?"),
            N_("Suspected diphtheria"),
            N_(
                "Sore throat with fever and a grey-white membrane on the tonsils or throat that bleeds when scraped. One case is an alert."
            ),
            unit=CASES,
            source=JUKNIS,
            soft_max=1,
            max=100,
        ),
        count(
            "GHPR",
            N_("How many bites by animals that can carry rabies (GHPR)?"),
            N_("Rabies-risk animal bites (GHPR)"),
            N_(
                "Bites or scratches by dogs, cats, monkeys and other animals that can carry rabies."
            ),
            unit=CASES,
            source=JUKNIS,
            soft_max=5,
            max=500,
        ),
        yes_no(
            "KLB",
            N_("Is there a suspected outbreak (KLB) in your area?"),
            N_("Suspected outbreak (KLB)"),
            N_(
                "Answer Yes if cases are unusually many or a dangerous disease appears. The Dinkes is alerted the same day."
            ),
            source=JUKNIS,
        ),
        Step(
            key="klb_penyakit",
            prompt=N_("Which disease is suspected?"),
            type="text",
            min_length=3,
            max_length=100,
            label=N_("Suspected disease"),
            help=N_("Type the disease name, for example: diare, DBD, campak, keracunan makanan."),
            skip_if=NO_OUTBREAK,
        ),
        count(
            "KLBKASUS",
            N_("How many cases so far?"),
            N_("Outbreak cases so far"),
            N_("Count every case linked to the suspected outbreak, including today's."),
            unit=CASES,
            source=JUKNIS,
            soft_max=200,
            min=1,
            skip_if=NO_OUTBREAK,
            summable=False,
        ),
        count(
            "KLBMATI",
            N_("How many of them have died?"),
            N_("Outbreak deaths so far"),
            N_("Count the people who died of the suspected outbreak so far. Type 0 when none."),
            unit=PEOPLE,
            source=JUKNIS,
            soft_max=2,
            max=100,
            skip_if=NO_OUTBREAK,
            summable=False,
        ),
        Step(
            key="klb_desa",
            prompt=N_("In which desa?"),
            type="choice",
            provider="desa",
            label=N_("Outbreak desa"),
            help=N_("Choose the desa where most cases live."),
            skip_if=NO_OUTBREAK,
        ),
    ),
    rules=(
        within("HIVSPM", "HIV"),
        not_more_than(
            "tbbakt",
            "tb",
            N_("Confirmed TB cannot be more than the new TB diagnosed. Please check both numbers."),
        ),
        not_more_than(
            "pjbbebas",
            "pjb",
            N_(
                "Houses free of larvae cannot be more than houses checked. Please check both numbers."
            ),
        ),
    ),
)
