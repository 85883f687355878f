"""Dates, times and money as an Indonesian reader expects them."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from conversations.model import Day, Money, Text
from handlers.core.text import format_day, format_money, format_number


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (2_500_000, "Rp 2.500.000"),
        (Decimal("1500000"), "Rp 1.500.000"),
        (0, "Rp 0"),
        (750, "Rp 750"),
    ],
)
def test_money_reads_as_rupiah_without_cents(amount, shown):
    assert format_money(amount) == shown


def test_dates_and_times_are_in_indonesian_and_in_wib(texts):
    assert format_day(date(2026, 11, 23)) == "Senin, 23 November 2026"
    assert (
        texts.moment(datetime(2026, 11, 23, 14, 5, tzinfo=UTC))
        == "Senin, 23 November 2026 21.05 WIB"
    )
    assert texts.today(datetime(2026, 11, 23, 18, 0, tzinfo=UTC)) == date(2026, 11, 24)


def test_numbers_use_dots_for_thousands_and_commas_for_decimals():
    assert format_number(1234567) == "1.234.567"
    assert format_number(Decimal("1.5")) == "1,5"


def test_a_message_renders_its_parameters_for_the_reader(texts):
    text = Text.of("{label}: {value}", label=Text("Name"), value=Money(Decimal(2500000)))
    assert texts.render(text) == "Nama: Rp 2.500.000"
    assert texts.render(
        Text.of("{label}: {value}", label="Tanggal", value=Day(date(2026, 11, 22)))
    ) == ("Tanggal: Minggu, 22 November 2026")
    assert texts.render(Text.raw("{tidak diterjemahkan}")) == "{tidak diterjemahkan}"


def test_the_catalogue_has_one_plural_form_for_indonesian(texts):
    # With the default nplurals=2 header, ngettext falls back to English for n != 1 (tech.md §6).
    catalog = texts.catalogs["id"]
    assert [catalog.plural(n) for n in (0, 1, 3, 21)] == [0, 0, 0, 0]
