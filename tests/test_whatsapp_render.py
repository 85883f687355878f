"""What a reply looks like on WhatsApp: buttons, lists or a numbered menu, always within Meta's
limits (checked with the fake Graph API's own validator)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.channels.whatsapp.render import (
    Words,
    merge,
    plain,
    render,
    shorten,
    split_text,
)
from fakes.graph_api import check_message
from handlers.core.outgoing import Button, Outgoing

WORDS = Words(
    "Pilih",
    "Silakan pilih:",
    "Ketik nomor atau nama pilihan Bapak/Ibu.",
    "Kirim lokasi Anda lewat tombol 📎, lalu pilih Lokasi.",
    "Ketik nomor HP Anda, atau bagikan kontak lewat tombol 📎.",
)


def reply(text: str = "Pilih satu", labels: tuple[str, ...] = (), **kw) -> Outgoing:
    buttons = tuple(Button(label, f"v1:7:{i}") for i, label in enumerate(labels))
    return Outgoing("whatsapp", "628111", text, buttons, **kw)


def valid(bodies: list[dict]) -> list[dict]:
    for body in bodies:
        problems = check_message({"messaging_product": "whatsapp", "to": "628111", **body})
        assert problems == [], problems
    return bodies


def options(body: dict) -> list[dict]:
    action = body["interactive"]["action"]
    return [b["reply"] for b in action.get("buttons", [])] or action["sections"][0]["rows"]


def test_yes_and_no_are_two_reply_buttons_that_carry_the_runtime_token():
    (body,) = valid(render(reply("Benar?", ("Ya", "Tidak")), WORDS))
    assert body["interactive"]["type"] == "button"
    assert options(body) == [{"id": "v1:7:0", "title": "Ya"}, {"id": "v1:7:1", "title": "Tidak"}]


def test_a_label_longer_than_a_button_title_becomes_a_list_row_that_shows_it_whole():
    label = "Laporan klaster ibu hamil"  # 25 characters: no button, a row plus its description
    (body,) = valid(render(reply(labels=("Kirim", label)), WORDS))
    assert body["interactive"]["type"] == "list"
    rows = options(body)
    assert rows[1]["title"] == "Laporan klaster ibu…"
    assert rows[1]["description"] == label


@pytest.mark.parametrize("count, kind", [(1, "button"), (3, "button"), (4, "list"), (10, "list")])
def test_up_to_three_options_are_buttons_and_up_to_ten_a_list(count, kind):
    (body,) = valid(render(reply(labels=tuple(f"Desa {n}" for n in range(count))), WORDS))
    assert body["interactive"]["type"] == kind
    assert len(options(body)) == count


def test_more_than_ten_options_are_a_numbered_menu_to_answer_by_number_or_name():
    labels = tuple(f"Desa nomor {n}" for n in range(1, 13))
    (body,) = valid(render(reply("Desa mana?", labels), WORDS))
    assert body["type"] == "text"
    text = body["text"]["body"]
    assert text.startswith("Desa mana?\n\n1. Desa nomor 1\n2. Desa nomor 2\n")
    assert text.endswith("12. Desa nomor 12\n\nKetik nomor atau nama pilihan Bapak/Ibu.")


def test_a_long_question_sends_its_lead_as_text_and_keeps_the_buttons_body_within_1024():
    lead = "\n".join(f"Baris ringkasan nomor {n} dengan angka dan nama desa." for n in range(40))
    bodies = valid(render(reply(lead + "\nKirim laporan ini?", ("Kirim", "Ubah", "Batal")), WORDS))
    assert [b["type"] for b in bodies] == ["text", "interactive"]
    assert bodies[1]["interactive"]["body"]["text"].endswith("Kirim laporan ini?")
    rejoined = bodies[0]["text"]["body"] + "\n" + bodies[1]["interactive"]["body"]["text"]
    assert rejoined == lead + "\nKirim laporan ini?"


def test_a_long_text_is_split_at_line_breaks_into_parts_of_at_most_4096():
    lines = [f"{n}. Puskesmas dengan laporan yang belum lengkap minggu ini" for n in range(200)]
    parts = split_text("\n".join(lines))
    assert len(parts) > 1 and all(len(p) <= 4096 for p in parts)
    assert "\n".join(parts) == "\n".join(lines)  # nothing lost, no line cut in two


@pytest.mark.parametrize(
    "label, limit, short",
    [
        ("Ya", 20, "Ya"),
        ("Puskesmas Sumber Urip", 20, "PKM Sumber Urip"),
        ("Kelurahan Talang Rimbo Lama", 24, "Kel. Talang Rimbo Lama"),
        ("Ibu hamil (K1 murni)", 12, "Ibu hamil"),
        ("Pemberian makanan tambahan", 20, "Pemberian makanan…"),
        ("Supercalifragilisticexpialidocious", 20, "Supercalifragilisti…"),
        ("**Kirim**", 20, "Kirim"),
        ("***", 20, ""),
    ],
)
def test_labels_are_shortened_meaningfully_never_cut_mid_word_without_an_ellipsis(
    label, limit, short
):
    assert shorten(label, limit) == short
    assert len(short) <= limit


def test_markdown_whatsapp_would_show_raw_becomes_its_own_formatting():
    assert plain("**Penting**: lihat [panduan](https://x.id/p)\n## Ringkasan") == (
        "*Penting*: lihat panduan (https://x.id/p)\nRingkasan"
    )


def test_a_location_question_asks_with_the_location_request_message():
    (body,) = valid(render(reply("Bagikan lokasi kegiatan.", request="location"), WORDS))
    assert body["interactive"]["type"] == "location_request_message"


def test_words_before_a_question_travel_with_it_in_one_message():
    first = reply("Laporan tersimpan.")
    second = reply("Apa yang ingin Bapak/Ibu lakukan?", ("Lapor", "Profil"))
    (merged,) = merge([first, second])
    assert merged.text == "Laporan tersimpan.\n\nApa yang ingin Bapak/Ibu lakukan?"
    assert merged.buttons == second.buttons
    assert len(merge([second, first])) == 2  # buttons stay on the last message of a turn


label_text = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=60
).filter(str.strip)


@settings(max_examples=150, deadline=None)
@given(
    text=st.text(max_size=6000),
    labels=st.lists(label_text, max_size=14, unique=True),
    described=st.booleans(),
)
def test_any_reply_renders_within_metas_limits(text, labels, described):
    buttons = tuple(
        Button(label, f"v1:9:{i}", "keterangan " * 10 if described else None)
        for i, label in enumerate(labels)
    )
    out = Outgoing("whatsapp", "628111", text, buttons)
    bodies = valid(render(out, WORDS)) if (text.strip() or buttons) else render(out, WORDS)
    assert all(b["type"] in ("text", "interactive") for b in bodies)
