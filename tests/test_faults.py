"""The fault suite (fakes/faults.py; `make faults` runs it full size) at a small size: real `ilpbot` processes
against the fake Bot API, while deliveries repeat, the bot is killed (also mid-download),
the Bot API or PostgreSQL fails, and two workers take one chat at the same moment."""

import asyncio
import pprint

import pytest

from db import queries
from fakes import faults
from handlers.core.outbox import MAX_ATTEMPTS
from handlers.core.outgoing import Outgoing

from conftest import PG_URL, _pg_reset

pytestmark = pytest.mark.slow  # real ilpbot processes under faults


def checked(figures: dict) -> None:
    assert figures["ok"], pprint.pformat(figures, width=100)


async def test_an_update_delivered_twice_is_counted_once(db_url):
    # Report entries and the Kirim presses that file them, each posted to two web processes:
    # at the same moment, right after the first answer, or long after.
    figures = await faults.duplicated_deliveries(db_url, **faults.SMALL["duplicated deliveries"])
    checked(figures)
    assert figures["reports_counted"] == figures["reports_filed"]
    assert figures["totals_match"]
    assert figures["answers_doubled"] == figures["answers_lost"] == 0


async def test_a_bot_killed_at_random_moments_loses_and_doubles_no_answer(db_url):
    # People register and file a report by long polling while `ilpbot run` is killed with
    # SIGKILL and restarted; each finishes, and reads every answer once.
    figures = await faults.kill_and_restart(db_url, **faults.SMALL["kill -9 and restart"])
    checked(figures)
    assert figures["finished"] == figures["conversations"]
    assert figures["kills"] >= 1


async def test_a_bot_killed_mid_download_keeps_every_photo(db_url):
    # People send a photo with its GPS location by long polling; `ilpbot run` is killed with
    # SIGKILL while the media loop downloads one, and restarted. The photo cut off is fetched
    # again once its lease ends: every one is kept in MEDIA_DIR, whole and without its
    # location, and every person reads the bot's answer.
    figures = await faults.media_kill_restart(db_url, **faults.SMALL["kill -9 mid-download"])
    checked(figures)
    assert figures["kills_mid_download"] == figures["kills"] >= 1
    assert figures["stored"] == figures["photos"] and figures["lost"] == 0
    assert figures["downloads_started"] > figures["photos"]  # the cut ones were fetched again
    assert figures["location_kept"] == figures["part_files_left"] == 0
    assert figures["answers_lost"] == 0


async def test_bot_api_errors_and_429_storms_delay_messages_but_lose_none(db_url):
    # Every send refused with 502 for a while, then every send with 429: the messages wait,
    # then each arrives once, in its chat's order, within Telegram's limits.
    figures = await faults.bot_api_outage(db_url, **faults.SMALL["Bot API 5xx and 429 storms"])
    checked(figures)
    assert figures["refused_5xx"] > 0 and figures["refused_429"] > 0
    assert figures["failed_rows"] == figures["out_of_order_chats"] == 0


async def test_a_message_told_to_wait_more_often_than_its_attempts_still_goes_out(
    db, outbox, clock
):
    # A long 429 storm: each refusal names a wait, which is no fault of the message.
    async with db.transaction() as session:
        out = Outgoing("test", "777", "Pengingat laporan")
        await queries.add_outbox(
            session,
            channel="test",
            chat_id="777",
            payload=out.to_json(),
            kind="reminder",
            now=clock(),
        )
    outbox.retries["777"] = MAX_ATTEMPTS + 2
    for _ in range(MAX_ATTEMPTS + 3):
        await outbox.drain()
        clock.advance(seconds=6)
    assert [o.text for o in outbox.to("777")] == ["Pengingat laporan"]


async def test_two_workers_answering_one_chat_at_once_lose_no_answer(db_url):
    """Every answer is applied in the chat's order or refused as late: none is lost."""
    figures = await faults.one_chat_two_workers(db_url, **faults.SMALL["one chat, two workers"])
    checked(figures)
    assert figures["answers_stored"] + figures["refused_late"] == figures["answers_sent"]


@pytest.fixture
def pg_url(request) -> str:
    if not PG_URL:
        pytest.skip("PostgreSQL only: set TEST_DATABASE_URL")
    url = request.getfixturevalue("pg_database")
    asyncio.run(_pg_reset(url))
    if reason := faults.restart_skip_reason(url):
        pytest.skip(reason)
    return url


async def test_a_postgresql_restart_answers_5xx_while_down_and_recovers_by_itself(pg_url):
    try:
        figures = await faults.postgres_restart(pg_url, **faults.SMALL["PostgreSQL restart"])
    finally:
        assert await faults.pg_accepts(pg_url) is not None  # the next tests need the server
    checked(figures)
    assert figures["5xx_while_down"] > 0 and figures["other_while_down"] == 0
    assert figures["healthz_503_while_down"] > 0 and figures["healthz_after"] == 200
    assert figures["sent_doubled"] == figures["sent_lost"] == 0
