"""The words the field trial typed as phones write them: keywords with a capital first letter,
a bare invite code, names with titles, and help that is the same however it is asked."""

import pytest
from report_steps import K3_ANSWERS, quick

ASKS_NAME = ["Siapa nama lengkap Bapak/Ibu?"]
# how a code may arrive: {code} as printed, K7QX2-M9PRT
TYPED_CODES = [
    "Daftar {code}",
    "daftar {code}",
    "DAFTAR {code}",
    "/daftar {code}",
    "/Daftar {code}",
    "/start {code}",
    "  Daftar   {lower}  ",
    "Daftar\n{code}",
    "Daftar {plain}",
    "Daftar {spaced}",
    "{code}",
    "{lower}",
    "{plain}",
    " {spaced} ",
]


def typed(template: str, code: str) -> str:
    plain = code.replace("-", "")
    return template.format(
        code=code, lower=code.lower(), plain=plain, spaced=f"{plain[:5]} {plain[5:]}"
    )


@pytest.mark.parametrize("template", TYPED_CODES)
async def test_a_code_is_understood_however_the_phone_wrote_it(chat, invite, template):
    code = await invite("petugas")
    assert await chat("801").send(typed(template, code)) == ASKS_NAME


@pytest.mark.parametrize("template", ["Daftar {code}", "{lower}", "DAFTAR {spaced}"])
async def test_a_code_typed_where_the_code_is_asked_may_carry_the_keyword(chat, invite, template):
    code = await invite("petugas")
    person = chat("802")
    await person.send("/daftar")
    assert await person.send(typed(template, code)) == ASKS_NAME


async def test_a_greeting_is_not_taken_for_a_code(chat):
    [reply] = await chat("803").send("Selamat pagi")
    assert "DAFTAR" in reply and "tidak berlaku" not in reply


@pytest.mark.parametrize(
    "keyword",
    ["LAPOR ", "Lapor ", "lapor ", "/lapor ", "/Lapor ", "Laporan ", "LAPOR  ", "Lapor\n"],
)
async def test_a_quick_report_starts_with_the_keyword_in_any_case(registered, keyword):
    siti = await registered("petugas", "804")
    replies = await siti.send(quick("K3", K3_ANSWERS).replace("LAPOR ", keyword, 1))
    assert replies[1].startswith("Mohon periksa jawaban Bapak/Ibu (Laporan Klaster 3"), replies


@pytest.mark.parametrize("keyword", ["Menu", "menu", "Bantuan", "Profil"])
async def test_a_keyword_with_a_capital_is_a_command_outside_a_form(registered, keyword):
    siti = await registered("petugas", "805")
    replies = await siti.send(keyword)
    assert "tidak mengerti" not in replies[0], replies


NAMES = [
    "dr. Rina Marlina, M.Kes",
    "Hj. Siti Aminah, S.Keb., Bd.",
    "Ns. Yuni Kartika, S.Kep",
    "Budi Santoso, S.H.",
    "Siti 'Aisyah",
    "Ahmad Al-Farisi",
]


@pytest.mark.parametrize("name", NAMES)
async def test_a_name_with_titles_and_commas_is_accepted(chat, invite, name):
    person = chat("806")
    await person.send(f"DAFTAR {await invite('petugas')}")
    [confirm] = await person.send(name)
    assert confirm.startswith(f"{name}, kode ini mendaftarkan Bapak/Ibu sebagai petugas puskesmas")


@pytest.mark.parametrize("name", ["Siti 2", "1234", "-", "Budi, 123"])
async def test_a_name_with_digits_or_only_punctuation_is_still_refused(chat, invite, name):
    person = chat("807")
    await person.send(f"DAFTAR {await invite('petugas')}")
    replies = await person.send(name)
    assert "huruf" in replies[0] or "pendek" in replies[0], replies


async def test_no_at_the_name_confirmation_asks_the_name_again(chat, invite):
    person = chat("808")
    await person.send(f"DAFTAR {await invite('petugas')}")
    await person.send("Rina Marln")
    assert await person.press("Tidak") == [
        "Baik, silakan ketik ulang nama Bapak/Ibu. Jika kode ini bukan untuk Bapak/Ibu, ketik /batal.",
        "Siapa nama lengkap Bapak/Ibu?",
    ]
    await person.send("dr. Rina Marlina, M.Kes")
    [welcome, *_] = await person.press("Ya")
    assert welcome.startswith("Selamat datang, dr. Rina Marlina, M.Kes!")


async def test_help_typed_at_the_menu_is_the_help_of_the_button(registered):
    siti = await registered("petugas", "820")
    typed = await siti.send("/bantuan")
    await siti.send("/menu")
    assert await siti.press("Bantuan") == typed
    assert "/lapor" in typed[0] and "Tekan tombol" not in typed[0]


@pytest.mark.parametrize("tgl", ["1/11", "01-11-2026", "1/11/26", "15/11"])
async def test_a_quick_report_for_a_day_too_old_says_from_when_reports_can_be_made(registered, tgl):
    siti = await registered("petugas", "821")
    replies = await siti.send(f"LAPOR K2 TGL={tgl} K1=3")
    assert replies[0].endswith(
        "sudah tidak bisa dilaporkan: laporan bisa dibuat mulai Senin, 16 November 2026. "
        "Pilih hari di bawah, atau minta Dinas Kesehatan membuka hari itu."
    ), replies
    assert siti.buttons[-1] == "Senin 16/11"
    assert "tidak saya kenali" not in " ".join(replies)
