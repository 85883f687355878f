"""Reading `LAPOR K2 K1=3 K6=2 …` as a field worker types it on a small keyboard."""

import pytest

from conversations.quick_entry import parse, suggest

CODES = ("K1", "K6", "SALIN", "D", "T", "KLB", "TGL", "DESA")
KLASTER = ("K1", "K2", "K3", "K4", "LK")


@pytest.mark.parametrize(
    ("text", "klaster", "values"),
    [
        ("K2 K1=3 K6=2 SALIN=1", "K2", {"K1": "3", "K6": "2", "SALIN": "1"}),
        ("k2 k1 = 3, k6:2; salin=1", "K2", {"K1": "3", "K6": "2", "SALIN": "1"}),
        ("K1=3 D=40", None, {"K1": "3", "D": "40"}),
        ("lk", "LK", {}),
        ("K4 KLB=ya", "K4", {"KLB": "ya"}),
        ("K2 TGL=20/11 D=4", "K2", {"TGL": "20/11", "D": "4"}),
        ("K2 DESA=Sumber Urip D=4", "K2", {"DESA": "Sumber Urip", "D": "4"}),
        ("K2 K1=", "K2", {"K1": ""}),
    ],
)
def test_codes_and_values_are_read_whatever_the_layout(text, klaster, values):
    entry = parse(text, CODES, KLASTER, multiword=("DESA",))
    assert (entry.klaster, entry.values, entry.unknown, entry.stray) == (klaster, values, [], [])


def test_an_unknown_code_comes_with_the_closest_known_one():
    entry = parse("K2 SALN=1 K7=2 ZZZZZ=1", CODES, KLASTER)
    assert entry.unknown == [("SALN", "SALIN"), ("K7", "K6"), ("ZZZZZ", None)]
    assert entry.values == {}


def test_words_that_are_not_code_value_pairs_are_set_aside():
    entry = parse("K2 tolong K1=3 K6 2", CODES, KLASTER)
    assert entry.values == {"K1": "3"}
    assert entry.stray == ["tolong", "K6 2"]


def test_a_code_written_twice_keeps_the_last_value_and_says_so():
    entry = parse("K1=3 K1=4", CODES)
    assert entry.values == {"K1": "4"} and entry.repeated == ["K1"]


def test_suggest_finds_near_misses_only():
    assert suggest("SALN", CODES) == "SALIN"
    assert suggest("QQQQQQ", CODES) is None
