"""Bad input of every kind, at every step: never a crash, always an Indonesian answer, a sensible step."""

import asyncio
import itertools
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_engine import EVERY_TYPE, NOW, WORDS, _at

from conversations import engine
from conversations.model import Inbound
from db.database import Database
from handlers.app import build_runtime
from handlers.core.turn import Incoming

pytestmark = pytest.mark.slow  # hypothesis drives the engine and the runtime

NASTY = st.one_of(
    st.text(max_size=60),
    st.text(alphabet=st.characters(categories=["So", "Cc", "Cf", "Zs"]), max_size=30),
    st.just("x" * 5000),
    st.sampled_from(
        [
            "",
            "   ",
            "'; DROP TABLE app_user; --",
            "1.5",
            "1,500,000",
            "-0",
            "1e9",
            "999999999999999999999999",
            "Rp -5.000",
            "١٢٣",
            "😀😀",
            "/batal extra",
            "/",
            "\x00\x1b[2J",
            "lewati",
            "9" * 5000,  # beyond int()
            "⁵",  # a digit to str.isdigit(), not to int()
            "①",
        ]
    ),
    st.from_regex(r"-?[0-9]{1,12}([.,][0-9]{1,4}){0,3}", fullmatch=True),
    st.text(alphabet=string.digits + ".,- rpRPjutaJTrb", max_size=20),
)
INBOUND = st.one_of(
    NASTY.map(lambda text: Inbound(text=text)),
    st.just(Inbound(unsupported=True)),
    NASTY.map(lambda text: Inbound(button=text[:64])),
)
STEPS = [s.key for s in EVERY_TYPE.steps if s.key != "kasus"]


@settings(max_examples=400, deadline=None)
@given(key=st.sampled_from(STEPS), inbound=INBOUND)
def test_the_engine_never_crashes_and_always_answers(key, inbound):
    state = _at(key)
    outcome = engine.resume(EVERY_TYPE, state, inbound, NOW, words=WORDS)
    assert outcome.replies or outcome.state.status != "active"
    allowed = {key, *state.history, "_review", None} | set(EVERY_TYPE.keys)
    assert outcome.state.step in allowed
    for step_key in state.answers:
        assert step_key in outcome.state.answers or outcome.state.status != "active"
    again = (
        engine.current_reply(EVERY_TYPE, outcome.state)
        if outcome.state.status == "active"
        else None
    )
    assert again is None or again.parts


_ids = itertools.count()


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(texts_list=st.lists(NASTY, min_size=1, max_size=4), callback=st.one_of(st.none(), NASTY))
def test_the_runtime_answers_anything_in_indonesian(db_url, texts, texts_list, callback):
    english = {m for m in texts.catalogs["id"]._catalog if isinstance(m, str) and m}
    english -= {"Menu", "Kabupaten Rejang Lebong", "{label}: {value}", "administrator"}

    async def go():
        db = Database(db_url)
        runtime = build_runtime(db, texts)
        for text in texts_list:
            msg = Incoming(
                "test",
                "fuzz",
                f"fuzz-{next(_ids)}",
                NOW,
                Inbound(text=text),
                callback=None if callback is None else callback[:64],
            )
            for out in await runtime.handle(msg):
                assert out.text.strip()
                assert out.text not in english
                assert "{" not in out.text or "{" in text
        await db.dispose()

    asyncio.run(go())
