"""What field workers type on their phones, and what the bot understands from it."""

from datetime import date
from decimal import Decimal

import pytest

from conversations import parsing as p
from conversations.model import Month
from conversations.parsing import Ambiguous, ParseError
from handlers.core.text import load_words

W = load_words()  # the Indonesian words these tables are written in

TODAY = date(2026, 11, 23)  # a Monday in Curup


def refusal(call, *args, **kwargs) -> ParseError:
    """The ParseError (not an Ambiguous) raised by call(*args, **kwargs)."""
    with pytest.raises(ParseError) as info:
        call(*args, **kwargs)
    assert type(info.value) is ParseError, f"expected a plain ParseError, got {info.value!r}"
    return info.value


def question(call, *args, **kwargs) -> Ambiguous:
    with pytest.raises(Ambiguous) as info:
        call(*args, **kwargs)
    return info.value


# --- normalize -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("  Sumber   URIP \n", "sumber urip"),
        ("Ya\u200b", "ya"),
        ("1\u00a0200", "1 200"),
        ("kemarin\tlusa", "kemarin lusa"),
        ("\x07Curup\x00", "curup"),
        ("", ""),
    ],
)
def test_what_a_phone_sends_is_tidied_before_reading(typed, expected):
    assert p.normalize(typed) == expected


# --- integers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12", 12),
        (" 12 ", 12),
        ("12.", 12),
        ("0", 0),
        ("007", 7),
        ("1.200", 1200),
        ("1.200.000", 1200000),
        ("1 200", 1200),
        ("999.999.999.999.999", 999999999999999),
    ],
)
def test_a_kader_counting_people_can_type_thousands_the_indonesian_way(typed, expected):
    assert p.parse_integer(typed) == expected


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("1,5", p.WHOLE_NUMBER),
        ("1.5", p.WHOLE_NUMBER),
        ("12,0", p.WHOLE_NUMBER),
        ("dua belas", p.WHOLE_NUMBER),
        ("12 orang", p.WHOLE_NUMBER),
        ("-3", p.NEGATIVE),
        ("- 3", p.NEGATIVE),
        ("\u22123", p.NEGATIVE),
        ("", p.EMPTY),
        ("   ", p.EMPTY),
        ("1234567890123456", p.TOO_LONG),
        ("1,500,000", p.SEPARATORS),
        ("1.20.000", p.SEPARATORS),
    ],
)
def test_a_kader_typing_something_that_is_not_a_headcount_is_told_what_to_type(typed, msgid):
    assert refusal(p.parse_integer, typed).msgid == msgid


def test_a_headcount_below_the_minimum_is_refused_with_the_minimum():
    error = refusal(p.parse_integer, "2", minimum=5, maximum=100)
    assert (error.msgid, error.params) == (p.TOO_SMALL, {"minimum": 5})


def test_a_headcount_above_the_maximum_is_refused_with_the_maximum():
    error = refusal(p.parse_integer, "1.000", minimum=5, maximum=100)
    assert (error.msgid, error.params) == (p.TOO_LARGE, {"maximum": 100})


def test_a_headcount_on_the_limits_is_accepted():
    assert p.parse_integer("5", minimum=5, maximum=100) == 5
    assert p.parse_integer("100", minimum=5, maximum=100) == 100


def test_a_parse_error_still_reads_as_its_msgid_in_logs():
    assert str(refusal(p.parse_integer, "abc")) == p.WHOLE_NUMBER


# --- decimals ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1,5", Decimal("1.5")),
        ("12,75", Decimal("12.75")),
        (",5", Decimal("0.5")),
        ("1.500,75", Decimal("1500.75")),
        ("1.500.000", Decimal("1500000")),
        ("1.234", Decimal("1234")),
        ("1 500,5", Decimal("1500.5")),
        ("42", Decimal("42")),
        ("-2,5", Decimal("-2.5")),
    ],
)
def test_a_bidan_writes_decimals_with_a_comma(typed, expected):
    assert p.parse_decimal(typed) == expected


@pytest.mark.parametrize(
    ("typed", "options"),
    [
        ("1.5", (Decimal("15"), Decimal("1.5"))),
        ("12.5", (Decimal("125"), Decimal("12.5"))),
        ("1.50", (Decimal("150"), Decimal("1.50"))),
        ("1234.567", (Decimal("1234567"), Decimal("1234.567"))),
        ("-1.5", (Decimal("-15"), Decimal("-1.5"))),
    ],
)
def test_a_bidan_typing_1_dot_5_is_asked_what_she_means(typed, options):
    asked = question(p.parse_decimal, typed)
    assert asked.msgid == p.WHICH_NUMBER
    assert asked.options == options
    assert asked.params == {"a": options[0], "b": options[1]}


def test_1_dot_5_is_never_silently_read_as_15_even_when_only_15_fits_the_range():
    asked = question(p.parse_decimal, "1.5", minimum=10)
    assert (asked.msgid, asked.options) == (p.WHICH_ONE, (Decimal("15"),))


# (typed, minimum, maximum) → the readings offered, or the refusal when none fits
MONEY_READINGS = [
    ("9999.9", 10_000, 2_000_000_000, (p.WHICH_ONE, (Decimal("99999"),))),
    ("1.5", 10_000, 2_000_000_000, (p.WHICH_ONE, (Decimal("1500000"),))),
    ("1.5", None, None, (p.WHICH_NUMBER, (Decimal("1500000"), Decimal("15")))),
    ("0.0", None, None, p.NOT_ZERO),
    ("0.00", 10_000, None, p.NOT_ZERO),
    ("2500.000001", 10_000, 2_000_000_000, p.TOO_LARGE),
    ("0.0015", 10_000, None, p.TOO_SMALL),
    ("-1.5", None, None, p.NEGATIVE),
]


@pytest.mark.parametrize(("typed", "minimum", "maximum", "expected"), MONEY_READINGS)
def test_only_readings_of_an_amount_that_fit_the_question_are_offered(
    typed, minimum, maximum, expected
):
    if isinstance(expected, str):
        assert refusal(p.parse_money, typed, minimum, maximum, words=W).msgid == expected
        return
    asked = question(p.parse_money, typed, minimum, maximum, words=W)
    assert (asked.msgid, asked.options) == expected


def test_zero_read_twice_is_one_reading_and_is_taken_where_zero_is_allowed():
    assert p.parse_money("0.0", minimum=0, words=W) == Decimal(0)


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("1,500,000", p.SEPARATORS),
        ("1.2.3", p.SEPARATORS),
        ("1.5,5", p.SEPARATORS),
        ("1,2,3", p.SEPARATORS),
        ("satu koma lima", p.NUMBER),
        ("1,5 kg", p.NUMBER),
        ("", p.EMPTY),
        ("1" * 16, p.TOO_LONG),
    ],
)
def test_a_bidan_mixing_up_separators_or_words_is_told_how_to_write_the_number(typed, msgid):
    assert refusal(p.parse_decimal, typed).msgid == msgid


def test_a_decimal_out_of_range_names_the_limit():
    low = refusal(p.parse_decimal, "0,5", minimum=Decimal("1"))
    high = refusal(p.parse_decimal, "45,5", maximum=Decimal("42"))
    assert (low.msgid, low.params) == (p.TOO_SMALL, {"minimum": Decimal("1")})
    assert (high.msgid, high.params) == (p.TOO_LARGE, {"maximum": Decimal("42")})


# --- money ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("2500000", 2500000),
        ("2.500.000", 2500000),
        ("2 500 000", 2500000),
        ("Rp 2.500.000", 2500000),
        ("Rp2.500.000,-", 2500000),
        ("Rp. 2.500.000,00", 2500000),
        ("Rp 2.500.000.-", 2500000),
        ("2.500.000 rupiah", 2500000),
        ("2,5 juta", 2500000),
        ("2,5jt", 2500000),
        ("2 jt", 2000000),
        ("2 juta", 2000000),
        ("2.5 juta", 2500000),
        ("Rp 2,5 Juta", 2500000),
        ("250rb", 250000),
        ("250 ribu", 250000),
        ("250 rb", 250000),
        ("250k", 250000),
        ("1,2 miliar", 1200000000),
        ("1,2 M", 1200000000),
        ("1,2 milyar", 1200000000),
        ("1 triliun", 10**12),
        ("1.000", 1000),
    ],
)
def test_a_kepala_desa_can_write_rupiah_the_way_he_says_it(typed, expected):
    amount = p.parse_money(typed, words=W)
    assert amount == Decimal(expected)
    assert amount.as_tuple().exponent == 0, "whole rupiah, without a fraction"


@pytest.mark.parametrize(
    ("typed", "options"),
    [
        ("1.5", (Decimal("1500000"), Decimal("15"))),
        ("Rp 2.75", (Decimal("2750000"), Decimal("275"))),
    ],
)
def test_a_bare_amount_with_a_lone_dot_asks_whether_juta_was_meant(typed, options):
    asked = question(p.parse_money, typed, words=W)
    assert (asked.msgid, asked.options) == (p.WHICH_NUMBER, options)
    assert asked.params == {"a": options[0], "b": options[1]}


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("0", p.NOT_ZERO),
        ("Rp 0,-", p.NOT_ZERO),
        ("-500.000", p.NEGATIVE),
        ("Rp -500.000", p.NEGATIVE),
        ("1,5", p.WHOLE_RUPIAH),
        ("250,000", p.WHOLE_RUPIAH),
        ("2.500,50", p.WHOLE_RUPIAH),
        ("1,0000005 juta", p.WHOLE_RUPIAH),
        ("1,500,000", p.SEPARATORS),
        ("dua juta", p.MONEY),
        ("2 dollar", p.MONEY),
        ("Rp", p.MONEY),
        ("", p.EMPTY),
        ("9" * 16, p.TOO_LONG),
    ],
)
def test_a_kepala_desa_typing_an_impossible_amount_is_told_what_to_type(typed, msgid):
    assert refusal(p.parse_money, typed, words=W).msgid == msgid


def test_zero_rupiah_is_accepted_when_the_form_allows_it():
    assert p.parse_money("0", minimum=0, words=W) == Decimal(0)


def test_a_trillion_rupiah_is_refused_by_the_maximum():
    error = refusal(p.parse_money, "1 triliun", maximum=Decimal("5000000000"), words=W)
    assert (error.msgid, error.params) == (p.TOO_LARGE, {"maximum": Decimal("5000000000")})


def test_too_small_an_amount_names_the_minimum():
    error = refusal(p.parse_money, "50rb", minimum=100000, words=W)
    assert (error.msgid, error.params) == (p.TOO_SMALL, {"minimum": 100000})


# --- yes / no ------------------------------------------------------------------------------

YES = ["ya", "Ya!", "y", "Y", "iya", "iyaa", "iy", "yes", "ok", "OK.", "oke", "benar", "betul"]
YES += ["setuju", "Ya, benar", "yaaa", "siap"]
NO = ["tidak", "Tidak.", "tdk", "t", "ga", "gak", "nggak", "enggak", "engga", "no", "bukan"]
NO += ["tak", "salah", "jangan", "GAK!!", "tidak, salah"]


@pytest.mark.parametrize("typed", YES)
def test_a_kader_agreeing_in_her_own_words_means_yes(typed):
    assert p.parse_yes_no(typed, words=W) is True


@pytest.mark.parametrize("typed", NO)
def test_a_kader_refusing_in_her_own_words_means_no(typed):
    assert p.parse_yes_no(typed, words=W) is False


@pytest.mark.parametrize("typed", ["1", "2", "mungkin", "ya tidak", "", "!!", "yatidak"])
def test_a_kader_answering_neither_yes_nor_no_is_asked_again(typed):
    assert refusal(p.parse_yes_no, typed, words=W).msgid == p.YES_NO


# --- dates ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("hari ini", date(2026, 11, 23)),
        ("hr ini", date(2026, 11, 23)),
        ("Sekarang", date(2026, 11, 23)),
        ("kemarin", date(2026, 11, 22)),
        ("kmrn", date(2026, 11, 22)),
        ("kmarin", date(2026, 11, 22)),
        ("kemarin lusa", date(2026, 11, 21)),
        ("2 hari lalu", date(2026, 11, 21)),
        ("5 hari yang lalu", date(2026, 11, 18)),
        ("10 hr yg lalu", date(2026, 11, 13)),
        ("senin", date(2026, 11, 23)),
        ("Selasa", date(2026, 11, 17)),
        ("rabu", date(2026, 11, 18)),
        ("kamis", date(2026, 11, 19)),
        ("jumat", date(2026, 11, 20)),
        ("Jum'at", date(2026, 11, 20)),
        ("hari sabtu", date(2026, 11, 21)),
        ("minggu", date(2026, 11, 22)),
        ("ahad", date(2026, 11, 22)),
        ("22/11", date(2026, 11, 22)),
        ("22-11", date(2026, 11, 22)),
        ("22.11", date(2026, 11, 22)),
        ("23/11", date(2026, 11, 23)),
        ("1/12", date(2025, 12, 1)),
        ("29/02", date(2024, 2, 29)),
        ("22/11/2026", date(2026, 11, 22)),
        ("22-11-26", date(2026, 11, 22)),
        ("2026-11-22", date(2026, 11, 22)),
        ("5/1/2025", date(2025, 1, 5)),
        ("22 nov", date(2026, 11, 22)),
        ("22 november", date(2026, 11, 22)),
        ("22 November 2026", date(2026, 11, 22)),
        ("22 Nop 2026", date(2026, 11, 22)),
        ("tgl 3 agt", date(2026, 8, 3)),
        ("17 Agustus 2026.", date(2026, 8, 17)),
        ("1 jan", date(2026, 1, 1)),
        ("14 peb 2026", date(2026, 2, 14)),
        ("31 des", date(2025, 12, 31)),
        ("9 sept 2026", date(2026, 9, 9)),
        ("30 okt", date(2026, 10, 30)),
        ("1 mei", date(2026, 5, 1)),
    ],
)
def test_a_bidan_reporting_a_visit_can_name_the_day_as_she_would_say_it(typed, expected):
    assert p.parse_date(typed, TODAY, words=W) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("1/12", date(2026, 12, 1)),
        ("besok", date(2026, 11, 24)),
        ("lusa", date(2026, 11, 25)),
        ("5 jan", date(2027, 1, 5)),
        ("1/6", date(2026, 6, 1)),
        ("senin", date(2026, 11, 23)),
    ],
)
def test_a_planned_activity_may_be_in_the_future_and_takes_the_nearest_date(typed, expected):
    assert p.parse_date(typed, TODAY, allow_future=True, words=W) == expected


@pytest.mark.parametrize(
    ("typed", "msgid"),
    [
        ("31/02", p.NO_SUCH_DATE),
        ("31/02/2026", p.NO_SUCH_DATE),
        ("29/02/2026", p.NO_SUCH_DATE),
        ("32 nov", p.NO_SUCH_DATE),
        ("12/13", p.NO_SUCH_DATE),
        ("24/11/2026", p.FUTURE),
        ("besok", p.FUTURE),
        ("2027-01-01", p.FUTURE),
        ("kapan-kapan", p.DATE),
        ("22 nopem", p.DATE),
        ("minggu lalu", p.DATE),
        ("", p.EMPTY),
    ],
)
def test_a_bidan_typing_an_impossible_or_future_date_is_told_why(typed, msgid):
    assert refusal(p.parse_date, typed, TODAY, words=W).msgid == msgid


def test_a_report_older_than_allowed_is_refused_with_the_number_of_days():
    error = refusal(p.parse_date, "1/11", TODAY, max_days_back=14, words=W)
    assert (error.msgid, error.params) == (p.TOO_OLD, {"days": 14})


def test_a_report_exactly_at_the_limit_is_accepted():
    assert p.parse_date("9/11", TODAY, max_days_back=14, words=W) == date(2026, 11, 9)


# --- months --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Desember", (2026, 12)),
        ("des", (2026, 12)),
        ("12", (2026, 12)),
        ("12/2026", (2026, 12)),
        ("12-2026", (2026, 12)),
        ("Desember 2026", (2026, 12)),
        ("des 26", (2026, 12)),
        ("2027-03", (2027, 3)),
        ("bulan ini", (2026, 11)),
        ("bulan depan", (2026, 12)),
        ("bulan lalu", (2026, 10)),
        ("November", (2026, 11)),
        ("Januari", (2027, 1)),
        ("1", (2027, 1)),
        ("bulan maret", (2027, 3)),
        ("Nop", (2026, 11)),
        ("Oktober 2026", (2026, 10)),
    ],
)
def test_a_kader_planning_an_activity_names_the_month(typed, expected):
    assert p.parse_month(typed, TODAY, words=W) == expected


def test_next_month_in_december_is_january_of_next_year():
    assert p.parse_month("bulan depan", date(2026, 12, 5), words=W) == (2027, 1)


@pytest.mark.parametrize("typed", ["13", "0", "13/2026", "desemberr", "akhir tahun", ""])
def test_a_kader_typing_something_that_is_not_a_month_is_asked_again(typed):
    assert refusal(p.parse_month, typed, TODAY, words=W).msgid == p.MONTH


@pytest.mark.parametrize(
    "typed",
    ["12/0000", "desember 0000", "0000-12", "12/0001", "1/9999", "9999-01", "10/2024", "12/2028"],
)
def test_a_month_years_away_is_refused_with_the_months_that_may_be_typed(typed):
    error = refusal(p.parse_month, typed, TODAY, words=W)
    assert (error.msgid, error.params) == (
        p.MONTH_WINDOW,
        {"first": Month("2024-11"), "last": Month("2028-11")},
    )


@pytest.mark.parametrize(
    ("typed", "expected"), [("11/2024", (2024, 11)), ("11/2028", (2028, 11)), ("12/26", (2026, 12))]
)
def test_the_months_at_the_edge_of_the_window_are_taken(typed, expected):
    assert p.parse_month(typed, TODAY, words=W) == expected


# --- choices -------------------------------------------------------------------------------

KECAMATAN = [
    ("17.02.01", ["Curup"]),
    ("17.02.02", ["Curup Tengah"]),
    ("17.02.03", ["Curup Timur"]),
    ("17.02.04", ["Curup Utara"]),
    ("17.02.05", ["Curup Selatan"]),
    ("17.02.06", ["Sumber Urip"]),
    ("17.02.07", ["Selupu Rejang"]),
    ("17.02.08", ["Bermani Ulu"]),
    ("17.02.09", ["Bermani Ulu Raya"]),
    ("17.02.10", ["Kota Padang"]),
    ("17.02.11", ["Bedeng SS."]),
    ("17.02.12", ["Padang Ulak Tanding"]),
    ("17.02.13", ["Sindang Kelingi"]),
    ("17.02.14", ["Binduriang"]),
    ("17.02.15", ["Sindang Beliti Ilir"]),
]


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("curup", "17.02.01"),
        ("CURUP", "17.02.01"),
        ("3", "17.02.03"),
        ("3.", "17.02.03"),
        ("no 3", "17.02.03"),
        ("No. 3", "17.02.03"),
        ("15", "17.02.15"),
        ("17.02.06", "17.02.06"),
        ("sumber urip", "17.02.06"),
        ("  Sumber   Urip ", "17.02.06"),
        ("smbr urip", "17.02.06"),
        ("sdg kelingi", "17.02.13"),
        ("rjg", "17.02.07"),
        ("urp", "17.02.06"),
        ("cu ut", "17.02.04"),
        ("bermani ulu", "17.02.08"),
        ("bermani ulu raya", "17.02.09"),
        ("Bedeng SS", "17.02.11"),
        ("bedeng ss.", "17.02.11"),
        ("selupu", "17.02.07"),
        ("curup sel", "17.02.05"),
        ("urip", "17.02.06"),
        ("tanding", "17.02.12"),
        ("curup tengha", "17.02.02"),
        ("binduriang", "17.02.14"),
        ("kota padang", "17.02.10"),
    ],
)
def test_a_kader_picks_her_kecamatan_by_number_name_or_a_rough_spelling(typed, expected):
    assert p.match_choice(typed, KECAMATAN, words=W) == expected


@pytest.mark.parametrize(
    ("typed", "candidates"),
    [
        ("curup t", ("17.02.02", "17.02.03")),
        ("bermani", ("17.02.08", "17.02.09")),
        ("ulu", ("17.02.08", "17.02.09")),
        ("sindang", ("17.02.13", "17.02.15")),
    ],
)
def test_a_kader_typing_the_start_of_several_names_is_asked_which_one(typed, candidates):
    asked = question(p.match_choice, typed, KECAMATAN, words=W)
    assert (asked.msgid, asked.options) == (p.WHICH_CHOICE, candidates)


@pytest.mark.parametrize("typed", ["xyz", "16", "0", "", "  ", "jakarta selatan"])
def test_a_kader_typing_an_unknown_kecamatan_is_told_to_type_the_number_or_name(typed):
    assert refusal(p.match_choice, typed, KECAMATAN, words=W).msgid == p.NO_CHOICE


def test_an_exact_label_beats_a_close_spelling_of_another_option():
    options = [("a", ["Curup Tengah"]), ("b", ["Curup Tenga"])]
    assert p.match_choice("curup tenga", options, words=W) == "b"
    assert p.match_choice("curup tengah", options, words=W) == "a"


def test_a_choice_can_be_made_by_any_of_its_labels():
    actions = [("kirim", ["Kirim", "Send"]), ("batal", ["Batal", "Cancel"])]
    assert p.match_choice("send", actions, words=W) == "kirim"
    assert p.match_choice("Batal!", actions, words=W) == "batal"
    assert p.match_choice("2", actions, words=W) == "batal"
    assert p.match_choice("KIRIM", actions, words=W) == "kirim"
