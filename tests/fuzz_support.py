"""The webhook fuzz's parts (tests/test_fuzz_webhooks.py): what people and platforms send, the
forms walked step by step, the Indonesian check, and a fuzz per platform.

Each example takes a chat already standing at the drawn step (chats are walked there through
the webhook and reused while they stay at a known step), so the examples stay cheap."""

from __future__ import annotations

import functools
import itertools
import re
import string
import time
from dataclasses import dataclass
from typing import Any

from dana_steps import FOGGING
from hypothesis import event
from hypothesis import strategies as st
from report_steps import K4
from sqlalchemy import select
from test_fuzz import NASTY

from bot.channels.telegram import send as telegram_send
from conversations import engine
from conversations.model import State
from conversations.parsing import normalize
from db import chats as chat_rows
from db.models import Conversation
from fakes.graph_api import (
    WaMessage,
    _inbound,
    wa_button_reply,
    wa_envelope,
    wa_image,
    wa_list_reply,
    wa_location,
    wa_status,
    wa_text,
)
from handlers.app import build_outbox_worker
from handlers.core.poison import APOLOGY
from handlers.core.text import Texts
from handlers.people.invites import create_invite

from tests.telegram_support import (
    Person,
    WebHarness,
    member_update,
    private_message,
)
from tests.telegram_support import register as register_on_telegram
from tests.whatsapp_support import WhatsAppWorld, labels, options, words
from tests.whatsapp_support import register as register_on_whatsapp

# --- what users type, and what platforms send --------------------------------------------

SEPARATED = st.from_regex(r"[-+−]?[0-9]{1,4}([ .,'_\u00a0\u202f٬][0-9]{3}){0,4}([.,][0-9]{1,3})?")
# Digits Python calls digits but int() refuses (⁵ ①), or refuses for length (over 4,300).
ODD_DIGITS = st.sampled_from(["⁵", "①", "١٢", "²³", "9" * 5000, "0" * 30, "", "-1"])
NUMBER = st.one_of(st.integers(-1, 3).map(str), ODD_DIGITS)
PLAIN = st.one_of(
    NASTY,
    SEPARATED,
    ODD_DIGITS,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.sampled_from(["Rp 2.500.000,-", "2,5 juta", "250rb", "1.5", "½", "1e309", "DD-2026-1"]),
)
# A command word with any argument, typed in the middle of the form.
COMMAND = st.sampled_from(
    ["/jeda", "/lanjut", "/dana", "/dana status", "/lapor", "/profil", "/rekap", "/menu"]
    + ["/bantuan", "/kembali", "/start", "LAPOR K4", "LAPOR", "DAFTAR", "JEDA"]
)
TYPED = st.one_of(PLAIN, st.builds("{} {}".format, COMMAND, PLAIN))
DATA = st.one_of(
    NASTY,
    st.builds("dd:{}:{}:{}".format, NUMBER, st.sampled_from("sptrx"), NUMBER),
    st.builds("dr:{}:{}:{}".format, NUMBER, st.sampled_from(["tarik", "rev", "x"]), NUMBER),
    st.sampled_from(["", ":", "v1", "v1::", "v1:-1:0", "v1:⁵:①", "menu", "dd", "dr:1"]),
)
# A press on a question of this conversation: `delta` away from its current nonce (0 = the
# question on screen: a real press, or an index out of range).
TOKEN_PRESS = st.tuples(st.just("token"), st.integers(-2, 1), st.integers(-1, 20))
COMMON = [
    TYPED.map(lambda text: ("text", text)),
    DATA.map(lambda data: ("callback", data)),
    TOKEN_PRESS,
    st.tuples(st.just("location"), st.floats(-90, 90), st.floats(-180, 180)),
    st.tuples(st.just("photo"), st.one_of(st.none(), NASTY)),
    TYPED.map(lambda phone: ("contact", phone)),
]
TG_INPUT = st.one_of(
    *COMMON,
    st.sampled_from(
        ["sticker", "voice", "video_note", "document", "dice", "animation", "empty"]
    ).map(lambda kind: (kind,)),
    NASTY.map(lambda text: ("poll", text)),
    NASTY.map(lambda text: ("old_poll", text)),  # from a server older than Bot API 9.6
    NASTY.map(lambda text: ("edited_message", text)),
    NASTY.map(lambda text: ("channel_post", text)),
    st.sampled_from(["member", "kicked"]).map(lambda status: ("my_chat_member", status)),
    st.text(string.ascii_lowercase + "_", min_size=1, max_size=20).map(lambda k: ("unknown", k)),
)
WA_INPUT = st.one_of(
    *COMMON,
    st.sampled_from(
        ["sticker", "audio", "video", "document", "unsupported", "no_body", "system", "no_id"]
    ).map(lambda kind: (kind,)),
    st.sampled_from(["order", "call", "request_welcome", "nfm_reply", "x" * 40]).map(
        lambda kind: ("wa_type", kind)
    ),
    NASTY.map(lambda emoji: ("reaction", emoji)),
    NASTY.map(lambda text: ("template_button", text)),
    DATA.map(lambda data: ("list_reply", data)),
    st.sampled_from(["sent", "delivered", "read", "failed", "deleted"]).map(
        lambda status: ("status", status)
    ),
)
# Inputs that are not a message from this person to the bot: nothing is answered.
SILENT = {"edited_message", "channel_post", "my_chat_member", "unknown", "empty", "reaction"}
SILENT |= {"system", "no_id", "status"}


def typed(kind: tuple) -> str:
    """The words a person typed in this input (what a reply may quote back)."""
    return " ".join(str(part) for part in kind[1:] if isinstance(part, str))


# --- the forms, walked step by step ---------------------------------------------------------


@dataclass(frozen=True)
class Move:
    how: str  # send, press, press_prefix
    what: str
    flow: str  # where the conversation stands afterwards
    step: str


DANA = (
    Move("send", "/dana", "dana_pilih_desa", "desa"),
    Move("press", "Desa Sumber Urip", "dana_desa", "kategori"),
    Move("press", "Penyakit menular", "dana_desa", "uraian"),
    Move("send", FOGGING, "dana_desa", "volume"),
    Move("send", "2 kali fogging di 2 RT", "dana_desa", "sasaran"),
    Move("send", "120", "dana_desa", "jumlah"),
    Move("send", "2,5 juta", "dana_desa", "bulan"),
    Move("send", "Desember", "dana_desa", "pelaksana"),
    Move("press", "Posyandu / kader", "dana_desa", "rab"),
    Move("send", "lewati", "dana_desa", engine.REVIEW),
)
_K4_COUNTS = ("tbduga", "tb", "tbbakt", "tbkontak", "hiv", "hivspm", "ikl", "pjb", "pjbbebas")
_K4_COUNTS += ("dbd", "mal", "diare", "pneu", "campak", "afp", "difteri", "ghpr")
_K4_VALUES = ("4", "1", "1", "6", "5", "3", "2", "20", "18", "2", "0", "7", "1", "0", "0", "0")
_K4_VALUES += ("1",)
K4_REPORT = (
    Move("send", "/lapor", "lapor", "klaster"),
    Move("press", K4, "lapor", "tanggal"),
    Move("press_prefix", "Hari ini", "lapor", "tempat"),
    Move("press", "Dalam gedung puskesmas", "lapor_k4", "tbduga"),
    *(
        Move("send", value, "lapor_k4", step)
        for value, step in zip(_K4_VALUES, [*_K4_COUNTS[1:], "klb"], strict=True)
    ),
    Move("press", "Ya", "lapor_k4", "klb_penyakit"),
    Move("send", "diare", "lapor_k4", "klbkasus"),
    Move("send", "12", "lapor_k4", "klbmati"),
    Move("send", "0", "lapor_k4", "klb_desa"),
    Move("press", "Kelurahan Air Duku (perlu konfirmasi)", "lapor_k4", "foto"),  # a shared desa
    Move("press", "Lewati", "lapor_k4", "lokasi"),
    Move("send", "Lewati", "lapor_k4", engine.REVIEW),  # the location step has a reply keyboard
)
FORMS = {"dana": DANA, "k4": K4_REPORT}
# Where an example starts: every step type once (tb…ghpr are counts like tbduga: walked past).
STATIONS = [
    (form, i)
    for form, moves in FORMS.items()
    for i, move in enumerate(moves)
    if move.step not in _K4_COUNTS[1:]
]
# The choosing flows start the form; a kelurahan chosen for dana desa is stopped there (no dana
# desa for a kelurahan), which may show the menu again.
CHAINED = {"lapor": ("lapor_k4", "lapor_ganti"), "lapor_ganti": ("lapor_k4",)}
CHAINED |= {"dana_pilih_desa": ("dana_desa", "menu")}
ENDS_ON_ANSWER = {"dana_pilih_desa"}
# Answers a chat must still have to walk on (a fuzzed /lapor may have chosen Klaster 2).
ON_THE_WAY = {"klaster": "4"}


# --- is it Indonesian? ---------------------------------------------------------------------

ENGLISH_WORDS = re.compile(
    r"\b(the|please|your|sorry|which|cannot|this|was|has|been|you|will|not|for|with|and)\b", re.I
)
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def english_fragments(texts) -> set[str]:
    """Pieces of every English msgid long enough not to occur by chance in Indonesian."""
    catalog = {k: v for k, v in texts.catalogs["id"]._catalog.items() if isinstance(k, str) and k}
    translated = "\n".join(catalog.values())
    fragments = set()
    for msgid, msgstr in catalog.items():
        for piece in re.split(r"\{[^}]*\}", msgid) if msgid != msgstr else ():
            piece = piece.strip(" .,:;!?()\n-–·")
            if len(piece) >= 12 and " " in piece and piece not in translated:
                fragments.add(piece)
    return fragments


def not_indonesian(reply: str, said: str) -> list[str]:
    """What in `reply` is English or unformatted; `said` is what the person typed (quoted back)."""
    problems = [f"English msgid {f!r}" for f in english() if f in reply and f not in said]
    problems += [
        f"English word {w!r}"
        for w in ENGLISH_WORDS.findall(reply)
        if not re.search(rf"\b{w}\b", said, re.I)
    ]
    problems += [f"placeholder {p}" for p in PLACEHOLDER.findall(reply) if p not in said]
    if not reply.strip():
        problems.append("an empty reply")
    return problems


# --- the two platforms ------------------------------------------------------------------------


@dataclass
class Seat:
    """A registered chat standing at `index` of a form's moves."""

    person: Any
    chat_id: str
    form: str
    index: int = -1
    said: str = ""  # everything typed here, which a reply (the review) may quote
    seen: int = 0  # messages to the chat already read


class TelegramSide:
    """`ilpbot web` with Telegram over ASGI; replies go out through the real outbox worker and
    Telegram deliverer to the fake Bot API right after each update. (The sender process keeps
    Telegram's 1 msg/s per chat, which would make walking a form take many seconds: a fresh
    deliverer per update starts each chat's bucket full.)"""

    channel = "telegram"

    def __init__(self, web: WebHarness, fake, client: telegram_send.Client) -> None:
        self.web, self.fake, self.client = web, fake, client
        self.runtime, self.db = web.app.runtime, web.app.db
        self.ids = itertools.count(610_001)

    async def post(self, update: dict) -> Any:
        response = await self.web.post(update)
        deliverer = telegram_send.TelegramSender(
            self.client.bot, lambda msgid: self.runtime.texts(msgid, "id")
        )
        await build_outbox_worker(self.runtime, {"telegram": deliverer}).drain()
        return response

    async def seat(self, form: str, code: str) -> Seat:
        chat_id = next(self.ids)
        person = Person(self.fake, self.db, chat_id, post=self.post, clock=self.runtime.clock)
        await register_on_telegram(person, code)
        seat = Seat(person, str(chat_id), form)
        self.replies(seat)
        return seat

    async def labels(self, seat: Seat) -> list[str]:
        return await seat.person.buttons()

    def replies(self, seat: Seat) -> list[str]:
        """Texts, captions and button labels delivered to the chat since the last call."""
        calls = self.fake.sent(int(seat.chat_id))
        new, seat.seen = calls[seat.seen :], len(calls)
        out = []
        for call in new:
            out.append(call.params.get("text") or call.params.get("caption") or "")
            markup = call.params.get("reply_markup") or {}
            rows = markup.get("inline_keyboard") or markup.get("keyboard") or []
            out += [button["text"] for row in rows for button in row]
        return out

    def violations(self) -> list[str]:
        return self.fake.violations

    def room(self, seat: Seat, moves: int) -> bool:
        return True  # each update is delivered by a fresh deliverer: no chat waits

    async def send(self, seat: Seat, kind: tuple, nonce: int | None) -> tuple[int, list[str]]:
        update = self.update(int(seat.chat_id), kind, nonce)
        response = await self.post(update)
        return response.status_code, self.replies(seat)

    def update(self, chat: int, kind: tuple, nonce: int | None) -> dict:
        fake, name = self.fake, kind[0]
        if name == "text":
            return fake.push_message(chat, kind[1])
        if name in ("callback", "token"):
            return fake.push_callback(chat, _callback_data(kind, nonce))
        if name == "edited_message":
            edited = private_message(chat, text=kind[1], edit_date=int(time.time()))
            return fake.push_raw({"edited_message": edited["message"]})
        if name == "channel_post":
            channel = {"id": -1001234567890, "type": "channel", "title": "Info Dinkes"}
            post = {"message_id": 7, "date": int(time.time()), "chat": channel, "text": kind[1]}
            return fake.push_raw({"channel_post": post})
        if name == "my_chat_member":
            return fake.push_raw(member_update(chat, kind[1]))
        if name == "unknown":
            return fake.push_raw({f"future_{kind[1]}": {"id": 1, "note": "not in Bot API 9"}})
        content = telegram_content(chat, kind) | {"message_id": fake.next_message_id(chat)}
        return fake.push_raw(private_message(chat, **content))


def _callback_data(kind: tuple, nonce: int | None) -> str:
    if kind[0] == "token":
        return f"v1:{(nonce or 0) + kind[1]}:{kind[2]}"
    return kind[1].encode()[:64].decode(errors="ignore")  # Telegram allows 1-64 bytes


def _file(prefix: str) -> dict:
    return {"file_id": f"{prefix}AgIAAxk", "file_unique_id": f"{prefix}AgAD"}


def telegram_content(chat: int, kind: tuple) -> dict:
    name = kind[0]
    extra = {"future_field": {"x": 1}}  # fields newer than our PTB are kept aside, not fatal
    if name == "location":
        return {"location": {"latitude": kind[1], "longitude": kind[2]}}
    if name == "photo":
        sizes = [
            _file("p") | {"width": 90, "height": 67},
            _file("P") | {"width": 1280, "height": 960},
        ]
        return {"photo": sizes} | ({"caption": kind[1]} if kind[1] else {})
    if name == "contact":
        return {"contact": {"phone_number": kind[1] or "0", "first_name": "Siti", "user_id": chat}}
    if name == "poll":
        answers = [{"text": "Ya", "voter_count": 0, "persistent_id": "a"}]
        poll = {"id": "5", "question": kind[1] or "?", "options": answers, "is_closed": False}
        poll |= {"total_voter_count": 0, "is_anonymous": True, "type": "regular"}
        poll |= {"allows_multiple_answers": False}
        return {"poll": poll | {"allows_revoting": False, "members_only": False}}
    if name == "old_poll":
        answers = [{"text": "Ya", "voter_count": 0}]
        poll = {"id": "5", "question": kind[1] or "?", "options": answers, "is_closed": False}
        poll |= {"total_voter_count": 0, "is_anonymous": True, "type": "regular"}
        return {"poll": poll | {"allows_multiple_answers": False}}
    media = {
        "sticker": {"sticker": _file("s") | {"width": 512, "height": 512, "is_animated": False}},
        "voice": {"voice": _file("v") | {"duration": 3, "mime_type": "audio/ogg"}},
        "video_note": {"video_note": _file("n") | {"length": 240, "duration": 5}},
        "document": {
            "document": _file("d") | {"file_name": "a.pdf", "mime_type": "application/pdf"}
        },
        "dice": {"dice": {"emoji": "🎲", "value": 3}},
        "animation": {"animation": _file("a") | {"width": 1, "height": 1, "duration": 1}},
        "empty": {},
    }[name]
    if name == "sticker":
        media["sticker"] |= {"is_video": False, "type": "regular"}
    return media | extra


class WhatsAppSide:
    """`ilpbot web` with WhatsApp and its real sender to the fake Graph API."""

    channel = "whatsapp"

    def __init__(self, world: WhatsAppWorld, graph) -> None:
        self.world, self.graph = world, graph
        self.runtime, self.db = world.app.runtime, world.db
        self.ids = itertools.count(1)
        graph.add_media(b"\xff\xd8\xff jpeg", media_id="fuzz-photo")

    async def seat(self, form: str, code: str) -> Seat:
        wa_id = f"62819{next(self.ids):07d}"
        person = await register_on_whatsapp(self.world, code, wa_id, "Siti Aminah")
        seat = Seat(person, wa_id, form)
        self.replies(seat)
        return seat

    async def labels(self, seat: Seat) -> list[str]:
        return seat.person.buttons

    def replies(self, seat: Seat) -> list[str]:
        """What reached the phone since the last call; the phone shows the newest question."""
        bodies = self.graph.messages(seat.chat_id)
        new, seat.seen = bodies[seat.seen :], len(bodies)
        seat.person.read_upto = len(bodies)
        if any(labels(body) for body in new):  # older lists stay on the phone, still tappable
            seat.person.last = new
        return [part for body in new for part in (words(body), *options(body))]

    def violations(self) -> list[str]:
        return self.graph.violations

    def room(self, seat: Seat, moves: int) -> bool:
        """Meta's pair rate allows a burst of about 40 messages to one person, then 1 per 6 s
        (and the test clock stands still): a chat is used only while the walk still to go and
        an example (up to two messages per move or input) fit in the burst."""
        return len(self.graph.messages(seat.chat_id)) + 2 * moves + 8 <= 38

    async def send(self, seat: Seat, kind: tuple, nonce: int | None) -> tuple[int, list[str]]:
        payload = self.payload(seat.chat_id, kind, nonce)
        response = await self.world.post(payload)
        await self.world.deliver()
        return response.status_code, self.replies(seat)

    def payload(self, wa_id: str, kind: tuple, nonce: int | None) -> dict:
        name = kind[0]
        if name == "status":
            errors = (
                [{"code": 131000, "title": "Something went wrong"}] if kind[1] == "failed" else None
            )
            return wa_envelope(statuses=[wa_status("wamid.unknown", kind[1], wa_id, errors)])
        return wa_envelope([self.message(wa_id, kind, nonce)])

    def message(self, wa_id: str, kind: tuple, nonce: int | None) -> WaMessage:
        name = kind[0]
        if name == "text":
            return wa_text(wa_id, kind[1])
        if name in ("callback", "token"):
            return wa_button_reply(wa_id, _callback_data(kind, nonce) or "x", "?")
        if name == "list_reply":
            return wa_list_reply(wa_id, kind[1] or "x", "?")
        if name == "location":
            return wa_location(wa_id, kind[1], kind[2])
        if name == "photo":
            return wa_image(wa_id, "fuzz-photo", caption=kind[1])
        if name == "template_button":
            return _inbound(wa_id, "button", {"text": kind[1], "payload": kind[1]})
        if name == "reaction":
            return _inbound(wa_id, "reaction", {"message_id": "wamid.x", "emoji": kind[1]})
        if name == "contact":
            card = {"name": {"formatted_name": "Rina"}, "phones": [{"phone": kind[1]}]}
            message = _inbound(wa_id, "contacts", {})
            message["contacts"] = [card]
            return message
        if name == "wa_type":  # a message type newer than this code
            return _inbound(wa_id, kind[1], {"id": "x1"})
        bodies = {
            "sticker": {"id": "st1", "mime_type": "image/webp", "animated": False},
            "audio": {"id": "au1", "mime_type": "audio/ogg; codecs=opus", "voice": True},
            "video": {"id": "vi1", "mime_type": "video/mp4"},
            "document": {"id": "do1", "mime_type": "application/pdf", "filename": "a.pdf"},
            "system": {"body": "Nomor berubah", "type": "user_changed_number"},
        }
        if name in bodies:
            return _inbound(wa_id, name, bodies[name])
        message = _inbound(wa_id, "text" if name in ("no_body", "no_id") else "unsupported", {})
        if name == "no_body":
            del message["text"]
        if name == "no_id":
            del message["id"]
        if name == "unsupported":
            del message["unsupported"]
            message["errors"] = [{"code": 131051, "title": "Message type unknown"}]
        return message


# --- the fuzz ---------------------------------------------------------------------------------


class Fuzz:
    def __init__(self, side: Any) -> None:
        self.side = side
        self.seats: list[Seat] = []
        self.apology = side.runtime.texts(APOLOGY, "id")  # what a turn that raised answers

    def __repr__(self) -> str:  # hypothesis prints the arguments of a failing example
        return f"Fuzz({self.side.channel}, {len(self.seats)} chats)"

    async def state(self, seat: Seat) -> State | None:
        async with self.side.db.transaction() as session:
            stmt = select(Conversation).where(
                Conversation.channel == self.side.channel, Conversation.chat_id == seat.chat_id
            )
            conversation = (await session.execute(stmt)).scalar_one_or_none()
            return chat_rows.load_state(conversation) if conversation else None

    async def at(self, form: str, index: int) -> Seat:
        """A chat standing at move `index` of the form: reused, walked on from an earlier
        move, or registered and walked from the start."""
        usable = [s for s in self.seats if s.form == form and s.index <= index]
        usable = [s for s in usable if self.side.room(s, index - s.index)]
        if usable:
            seat = max(usable, key=lambda s: s.index)
        else:
            async with self.side.db.transaction() as session:
                invite = await create_invite(
                    session, self.side.runtime.clock(), "petugas", puskesmas="Sumber Urip"
                )
            seat = await self.side.seat(form, invite.code)
            self.seats.append(seat)
        for move in FORMS[form][seat.index + 1 : index + 1]:
            await self.walk(seat, move)
            seat.index += 1
        return seat

    async def walk(self, seat: Seat, move: Move) -> None:
        person = seat.person
        if move.how == "send":
            await person.send(move.what)
        elif move.how == "press":
            await person.press(move.what)
        else:
            labels = await self.side.labels(seat)
            await person.press(next(label for label in labels if label.startswith(move.what)))
        state = await self.state(seat)
        if state is not None and state.flow == "lapor_ganti":  # a fuzzed K4 was sent earlier
            await person.press("Ya")
            state = await self.state(seat)
        self.side.replies(seat)
        assert state is not None and (state.flow, state.step) == (move.flow, move.step), (
            f"walking {move}: at {state and (state.flow, state.step)}"
        )

    async def run(self, form: str, index: int, inputs: list[tuple]) -> None:
        seat = await self.at(form, index)
        self.seats.remove(seat)  # back in the pool only when the example passes
        before = await self.state(seat)
        assert before is not None
        for kind in inputs:
            now = await self.state(seat)
            seat.said += " " + typed(kind)
            status, replies = await self.side.send(seat, kind, now.nonce if now else None)
            assert status == 200, (kind, status)
            if kind[0] not in SILENT:
                assert replies, f"no answer to {kind!r}"
            else:
                assert not replies, f"{kind!r} was answered: {replies}"
            for reply in replies:
                problems = not_indonesian(reply, seat.said)
                assert not problems, (kind, reply, problems)
                assert reply != self.apology, (kind, "the turn raised: see the log")
        assert self.side.violations() == []
        after = await self.state(seat)
        event(f"{before.step} -> {after.step if after else None}")
        problem = unsensible(before, after, inputs, self.side.runtime)
        assert problem is None, (problem, before, after)
        self.reseat(seat, after)

    def reseat(self, seat: Seat, state: State | None) -> None:
        """The chat goes back to the pool at the move where it now stands, else it retires."""
        moves = FORMS[seat.form]
        where = [
            i
            for i, move in enumerate(moves)
            if state is not None
            and not state.pending
            and (move.flow, move.step) == (state.flow, state.step)
            and all(state.answers.get(key, value) == value for key, value in ON_THE_WAY.items())
        ]
        if where:
            seat.index = where[0]
            self.seats.append(seat)


def commanding(inputs: list[tuple], runtime) -> bool:
    """Did the person type a command or a global word (batal, menu…)?"""
    for kind in inputs:
        if kind[0] not in ("text", "template_button"):
            continue
        word = kind[1].strip().split(" ")[0] if kind[1].strip() else ""
        name = word.lstrip("/").split("@")[0].casefold()
        if word.startswith("/") or engine.global_word(kind[1].strip(), runtime.texts.words_for()):
            return True
        if word.isupper() and name in runtime.commands:
            return True
    return False


def picks_at_review(inputs: list[tuple]) -> bool:
    """Pressed a button of the question on screen, or typed Kirim or Batal by word or number
    ("①" is 1 too: Kirim)."""
    for kind in inputs:
        if kind[0] == "token" and kind[1] == 0:
            return True
        if kind[0] in ("text", "template_button"):
            word = normalize(kind[1])
            if word in ("kirim", "batal") or (word.isdecimal() and len(word) <= 4):
                return True
    return False


def unsensible(before: State, after: State | None, inputs: list[tuple], runtime) -> str | None:
    """Why the conversation is not where it may be after these inputs, or None."""
    if commanding(inputs, runtime):
        return None  # a command may start anything, or this form anew
    if after is None or after.status != "active":
        answered = before.flow in ENDS_ON_ANSWER or (
            before.step == engine.REVIEW and picks_at_review(inputs)
        )
        return None if answered else "the form ended"
    if after.flow != before.flow:
        chained = after.flow in CHAINED.get(before.flow, ())
        return None if chained else f"moved to {after.flow}"
    keys = [s.key for s in runtime.flows[before.flow].steps]
    order = {key: i for i, key in enumerate(keys)}
    later = order.get(after.step, len(keys)) >= order.get(before.step, len(keys))
    if not (later or after.step in before.history or after.step.startswith("_")):
        return f"went back to {after.step}"
    lost = [key for key in before.answers if key not in after.answers]
    return f"lost answers {lost}" if lost else None


@functools.cache
def english() -> frozenset[str]:
    return frozenset(english_fragments(Texts.load()))
