"""On Telegram the digest's chart arrives as a photo and an export as a file: the real sender
uploads the PNG and the XLSX to the (fake) Bot API."""

import pytest
from clock_steps import export_to

from handlers.jobs import build_schedule

from tests.telegram_support import register, until


@pytest.mark.slow  # renders a chart and an XLSX and uploads both
async def test_the_digest_chart_and_an_export_reach_telegram_as_files(
    telegram_web, fake_telegram, invite, tmp_path
):
    app = telegram_web.app
    export_to(app.runtime, tmp_path)
    asep = telegram_web.person(fake_telegram, 8101)
    await register(asep, await invite("dinkes"), "drg. Asep")
    asep.read()

    await build_schedule(app.runtime).tick("digest")

    def digest_arrived() -> bool:
        return fake_telegram.sent(8101)[-1].params.get("text", "").startswith("📊")

    await until(digest_arrived, what="the digest")
    photo, digest = fake_telegram.sent(8101)[-2:]
    assert photo.params["photo"]["filename"] == "digest-2026-11-22.png"
    assert photo.params["photo"]["size"] > 10_000
    # Longer than a caption's 1,024 characters (a Sunday: the day-off note, 7 rawat-inap puskesmas
    # yet to report, those silent for 3 working days): it follows the photo.
    assert "caption" not in photo.params
    assert digest.params["text"].startswith("📊 Ringkasan ILP Minggu, 22 November 2026")
    assert len(digest.params["text"]) > 1024

    await asep.send("/ekspor")
    await asep.press("Bulan lalu")
    await asep.press("Semua puskesmas")
    document = fake_telegram.sent(8101)[-1]
    assert document.method == "sendDocument"
    assert document.params["document"]["filename"] == "ilp-semua-2026-10-01-2026-10-31.xlsx"
    assert document.params["caption"].startswith("Ekspor 01/10/2026 – 31/10/2026")
    assert fake_telegram.violations == []
