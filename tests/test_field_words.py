"""The words the field trial typed as phones write them: keywords with a capital first letter,
a bare invite code, names with titles, and help that is the same however it is asked."""

import pytest
from report_steps import K3_ANSWERS, quick

ASKS_NAME = ["Siapa nama lengkap Anda?"]
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
    assert replies[1].startswith("Mohon periksa jawaban Anda (Laporan Klaster 3"), replies


@pytest.mark.parametrize("keyword", ["Menu", "menu", "Bantuan", "Profil"])
async def test_a_keyword_with_a_capital_is_a_command_outside_a_form(registered, keyword):
    siti = await registered("petugas", "805")
    replies = await siti.send(keyword)
    assert "tidak mengerti" not in replies[0], replies
