"""A busy hour: messages that arrive together share one transaction (group commit), and each
sender is still answered only for what was committed."""

import asyncio
import time

import pytest
from sqlalchemy import event, func, select

from conversations.model import Inbound
from db.database import is_transient
from db.models import Conversation, Outbox, ProcessedInbound
from handlers.core.group_commit import GroupCommit
from handlers.core.inbound import Command
from handlers.core.turn import Incoming

NAMES = [
    "Ani",
    "Lestari",
    "Devi",
    "Eka",
    "Fitri",
    "Gita",
    "Hana",
    "Indah",
    "Juli",
    "Kartika",
    "Lina",
    "Maya",
    "Nur",
    "Putri",
    "Rani",
    "Sari",
]


def count_commits(db) -> list[int]:
    commits = [0]

    @event.listens_for(db.engine.sync_engine, "commit")
    def _commit(_conn) -> None:
        commits[0] += 1

    return commits


async def processed(db) -> int:
    async with db.transaction() as session:
        return await session.scalar(select(func.count()).select_from(ProcessedInbound))


async def test_sixteen_bidan_writing_at_once_share_transactions(registered, db):
    bidan = [
        await registered("petugas", str(600 + n), f"Bidan {name}") for n, name in enumerate(NAMES)
    ]
    before, commits = await processed(db), count_commits(db)
    replies = await asyncio.gather(*(b.send("/profil") for b in bidan))
    for name, reply in zip(NAMES, replies, strict=True):  # each her own profile
        assert reply == [
            f"Bapak/Ibu terdaftar sebagai Bidan {name}, petugas puskesmas untuk Puskesmas Sumber Urip."
        ]
    assert await processed(db) - before == 16
    assert 1 <= commits[0] < 16


async def test_twenty_new_people_writing_at_once_get_their_conversations_together(chat, db):
    """A wave of first messages (an invite sent to a whole puskesmas): the group creates their
    conversations in one INSERT, not one per person, and each is greeted once."""
    inserts = [0]

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _count(_conn, _cursor, statement: str, *_args) -> None:
        inserts[0] += statement.startswith("INSERT INTO conversation ")

    commits = count_commits(db)
    people = [chat(str(900 + n)) for n in range(20)]
    replies = await asyncio.gather(*(p.send("halo") for p in people))
    assert len({tuple(r) for r in replies}) == 1 and replies[0]  # the same greeting for each
    assert 1 <= inserts[0] <= commits[0] < 20
    async with db.transaction() as session:
        chats = await session.scalars(
            select(Conversation.chat_id).where(Conversation.chat_id.like("9__"))
        )
        assert sorted(chats) == [str(900 + n) for n in range(20)]


async def test_a_groups_writes_take_one_statement_on_postgresql(registered, runtime, db):
    """Sixteen bidan at once behind the webhook: each group writes its dedupe rows, states and
    replies in one round trip on PostgreSQL (one statement per table on SQLite)."""
    bidan = [
        await registered("petugas", str(620 + n), f"Bidan {name}") for n, name in enumerate(NAMES)
    ]
    runtime.replies_via_outbox = True
    statements: list[str] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement: str, *_args) -> None:
        statements.append(statement.split("(")[0].split()[0:3])

    commits = count_commits(db)
    await asyncio.gather(*(b.send("/menu") for b in bidan))
    writes = [" ".join(words) for words in statements if words[0] in ("INSERT", "UPDATE", "WITH")]
    if db.is_sqlite:
        assert writes.count("INSERT INTO processed_inbound") == commits[0]
        assert writes.count("INSERT INTO outbox") == commits[0]
    else:
        assert writes == ["WITH fresh AS"] * commits[0]
    async with db.transaction() as session:
        queued = await session.scalars(
            select(Outbox.chat_id).where(Outbox.chat_id.in_([b.chat_id for b in bidan]))
        )
        assert sorted(queued) == sorted(b.chat_id for b in bidan)  # one menu each


async def test_groups_of_any_size_lock_their_chats_with_one_statement_on_postgresql(
    registered, runtime, db
):
    """One bidan alone, then sixteen at once: on PostgreSQL the chats' lock is one statement
    text whatever the group's size, so each connection prepares it once (an IN list would be a
    new statement for every length). The locked rows are the group's chats, and only those."""
    bidan = [
        await registered("petugas", str(660 + n), f"Bidan {name}") for n, name in enumerate(NAMES)
    ]
    runtime.replies_via_outbox = True
    locks: list[tuple[str, int]] = []

    @event.listens_for(db.engine.sync_engine, "before_cursor_execute")
    def _seen(_conn, _cursor, statement: str, parameters, *_args) -> None:
        if "FROM conversation LEFT OUTER JOIN channel_identity" in statement:
            chats = sum(len(p) if isinstance(p, list) else 1 for p in parameters) - 1
            locks.append((statement, chats))

    commits = count_commits(db)
    await bidan[0].send("/profil")
    await asyncio.gather(*(b.send("/profil") for b in bidan))
    assert commits[0] < 1 + len(bidan)  # some group held more than one chat
    assert len({size for _, size in locks}) > 1  # groups of more than one size were locked
    texts = {statement for statement, _ in locks}
    assert len(texts) == 1 if not db.is_sqlite else len(texts) > 1
    async with db.transaction() as session:
        answered = await session.scalar(
            select(func.count()).where(Outbox.chat_id.in_([b.chat_id for b in bidan]))
        )
    assert answered == 1 + len(bidan)


async def test_an_update_redelivered_among_new_ones_changes_nothing_twice(
    registered, runtime, db, clock
):
    """Telegram sends an update again while other bidan write: the group that holds it runs
    again with its dedupe rows first; the others are answered once, the copy not at all."""
    ani, sari = (
        await registered("petugas", "640", "Bidan Ani"),
        await registered("petugas", "641", "Bidan Sari"),
    )
    profile = Incoming("test", ani.chat_id, "u-640-profil", clock(), Inbound(text="/profil"))
    assert await runtime.handle(profile)
    before = await processed(db)
    again, hers = await asyncio.gather(runtime.handle(profile), sari.send("/profil"))
    assert again == []
    assert hers == [
        "Bapak/Ibu terdaftar sebagai Bidan Sari, petugas puskesmas untuk Puskesmas Sumber Urip."
    ]
    assert await processed(db) - before == 1
    both = [
        Incoming("test", ani.chat_id, "u-640-menu", clock(), Inbound(text="/profil")),
        Incoming("test", ani.chat_id, "u-640-menu", clock(), Inbound(text="/profil")),
    ]
    first, copy = await asyncio.gather(*(runtime.handle(m) for m in both))
    assert (len(first), copy) == (1, [])  # two copies in one group: the first counts
    assert await processed(db) - before == 2


async def test_a_group_run_twice_counts_its_refusals_and_duplicates_once(
    registered, runtime, db, clock
):
    """Sari presses a forged button in the group that holds Ani's redelivered update: the group
    is rolled back and run again, and the metrics still see one refusal and one duplicate."""
    ani, sari = (
        await registered("petugas", "650", "Bidan Ani"),
        await registered("petugas", "651", "Bidan Sari"),
    )
    refused: list[tuple[str, str]] = []
    duplicates: list[str] = []
    runtime.on_refused.append(lambda msg, why: refused.append((msg.chat_id, why)))
    runtime.on_duplicate.append(lambda msg: duplicates.append(msg.external_id))
    rollbacks = [0]

    @event.listens_for(db.engine.sync_engine, "rollback")
    def _rollback(_conn) -> None:
        rollbacks[0] += 1

    profile = Incoming("test", ani.chat_id, "u-650-profil", clock(), Inbound(text="/profil"))
    assert await runtime.handle(profile)
    before = rollbacks[0]
    again, pressed = await asyncio.gather(runtime.handle(profile), sari.press_data("bukan:tombol"))
    assert again == []
    assert pressed[0].startswith("Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru.")
    assert rollbacks[0] > before  # the group did run twice
    assert refused == [(sari.chat_id, "forged")]
    assert duplicates == ["u-650-profil"]


async def test_one_message_that_fails_does_not_fail_its_neighbours(registered, runtime, db):
    async def broken(_turn, _arg: str) -> None:
        raise RuntimeError("a bug in one use case")

    runtime.add_command(Command("rusak", "Menu", ("*",), broken, in_menu=False))
    bidan = [await registered("petugas", str(700 + n), f"Bidan {NAMES[n]}") for n in range(6)]
    before = await processed(db)
    texts = ["/profil", "/profil", "/rusak", "/profil", "/profil", "/profil"]
    results = await asyncio.gather(
        *(b.send(t) for b, t in zip(bidan, texts, strict=True)), return_exceptions=True
    )
    assert isinstance(results[2], RuntimeError)
    assert all(isinstance(r, list) and r for i, r in enumerate(results) if i != 2)
    assert await processed(db) - before == 5  # the failed one is not recorded: a retry runs it


async def test_her_two_quick_messages_are_handled_in_the_order_she_sent_them(chat, invite):
    siti = chat("801")
    code = await invite("petugas")
    first, second = await asyncio.gather(siti.send(f"/start {code}"), siti.send("Siti Aminah"))
    assert first == ["Siapa nama lengkap Bapak/Ibu?"]
    assert second[-1].startswith("Siti Aminah, kode ini mendaftarkan Bapak/Ibu sebagai petugas")


class DeadlockVictim(Exception):
    """What SQLAlchemy raises when PostgreSQL picks this transaction as a deadlock's victim."""

    orig = type("AsyncpgError", (), {"sqlstate": "40P01"})()


async def test_a_deadlock_victim_is_run_again_alone_and_answered():
    """Two groups that locked a day's reference number and a chat in opposite orders: PostgreSQL
    fails one; its messages run again one by one, and a victim again once more."""
    runs: list[list[str]] = []

    async def run(messages: list[str]) -> list[str]:
        runs.append(messages)
        if len(runs) <= 2:
            raise DeadlockVictim()
        return [m.upper() for m in messages]

    group = GroupCommit(run, key=lambda m: m, transient=is_transient)
    answers = await asyncio.gather(group.submit("a"), group.submit("b"))
    assert answers == ["A", "B"]
    assert runs == [["a", "b"], ["a"], ["a"], ["b"]]


async def test_a_slow_group_does_not_hold_up_the_few_messages_behind_it():
    """On PostgreSQL a further group starts once 8 messages wait. Two bidan writing while a
    kades's decision waits on a lock held elsewhere are still answered within moments."""
    released = asyncio.Event()

    async def run(messages: list[str]) -> list[str]:
        if "decision" in messages:
            await released.wait()  # the row lock another worker holds
        return [m.upper() for m in messages]

    group = GroupCommit(run, key=lambda m: m, lanes=4, limit=20, quorum=8)
    decision = asyncio.create_task(group.submit("decision"))
    await asyncio.sleep(0.01)  # its group is running
    async with asyncio.timeout(1):
        assert await asyncio.gather(group.submit("ani"), group.submit("sari")) == ["ANI", "SARI"]
    assert not decision.done()
    released.set()
    assert await decision == "DECISION"


@pytest.mark.slow  # a steady rate for a second
async def test_at_a_steady_rate_messages_are_not_split_into_many_small_groups():
    """On PostgreSQL every group pays its round trips and the CPU between them. Bidan writing
    steadily, fewer than a quorum at a time, share one lane's groups: a further lane is for a
    backlog, or for messages that waited `patience`, not for a queue that is never empty."""
    groups: list[int] = []

    async def run(messages: list[int]) -> list[int]:
        groups.append(len(messages))
        for _round_trip in range(3):
            time.sleep(0.0008 + 0.0003 * len(messages))  # the process's CPU: nothing else runs
            await asyncio.sleep(0.002)  # the database's part
        return messages

    group = GroupCommit(run, key=lambda m: m, lanes=4, limit=20, quorum=8, patience=0.1)
    sent = []
    for n in range(200):  # one every 4 ms: 250 a second
        sent.append(asyncio.create_task(group.submit(n)))
        await asyncio.sleep(0.004)
    assert await asyncio.gather(*sent) == list(range(200))
    assert sum(groups) == 200
    assert len(groups) <= 100, groups  # lanes started for a queue never empty: ~130 groups
