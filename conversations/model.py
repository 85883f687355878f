"""The core's vocabulary: what comes in, what goes out, and what a flow is made of.

Frozen dataclasses only, standard library only, so every channel and every handler speaks the
same language and the engine stays pure.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, fields, replace
from datetime import date
from decimal import Decimal
from typing import Any

from conversations.versions import content_version


def N_(msgid: str) -> str:
    """Marks a msgid for extraction; translation happens when a reply is rendered."""
    return msgid


# --- inbound -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Contact:
    phone: str
    name: str | None = None


@dataclass(frozen=True)
class Photo:
    """A photo or a PDF document, kept as evidence (the media store checks its content)."""

    file_id: str
    caption: str | None = None


# Why a file is not kept: told at once when the platform says so (its declared type or size),
# or after the download when the content says so (handlers/core/media_check.py).
FILE_REFUSALS = {
    "size": N_("Sorry, that file is larger than 10 MB. Please send a smaller photo or PDF."),
    "type": N_("Sorry, only photos and PDF files can be kept. Please send a photo or a PDF."),
}


@dataclass(frozen=True)
class Inbound:
    """One user message, already unwrapped from its channel.

    `button` is the value of a pressed button whose token the runtime has already checked;
    a button whose token failed never reaches the engine.
    """

    text: str = ""
    button: str | None = None
    location: Location | None = None
    contact: Contact | None = None
    photo: Photo | None = None
    unsupported: bool = False
    refused_file: str | None = None  # a file refused on what the platform says: FILE_REFUSALS


# --- outbound ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Money:
    """A Rupiah amount in a message parameter; the renderer formats it."""

    amount: Decimal


@dataclass(frozen=True)
class Day:
    """A calendar date in a message parameter; the renderer formats it."""

    value: date


@dataclass(frozen=True)
class Month:
    """A month ("2026-12", as a month answer is stored) in a message parameter; the renderer
    formats it ("Desember 2026")."""

    value: str


@dataclass(frozen=True)
class Text:
    """A msgid plus its parameters; `literal` text (a desa name, a typed answer) is not translated."""

    msgid: str
    params: tuple[tuple[str, Any], ...] = ()
    literal: bool = False

    @staticmethod
    def of(msgid: str, **params: Any) -> Text:
        return Text(msgid, tuple(sorted(params.items())))

    @staticmethod
    def raw(value: str) -> Text:
        return Text(value, (), True)


@dataclass(frozen=True)
class Choice:
    value: str
    label: Text
    description: Text | None = None


@dataclass(frozen=True)
class Reply:
    """A message to the person who wrote. `choices` become buttons (or a numbered list).

    `request` asks the channel for a special keyboard: "contact" or "location".
    """

    parts: tuple[Text, ...]
    choices: tuple[Choice, ...] = ()
    request: str | None = None


# --- flows ---------------------------------------------------------------------------------

INPUT_TYPES = (
    "text",
    "integer",
    "decimal",
    "money",
    "choice",
    "multi_choice",
    "yes_no",
    "date",
    "month",
    "photo",
    "location",
    "contact",
)


@dataclass(frozen=True)
class Condition:
    """Data form of a skip condition: skip when answer `key` `op` `value` (op: eq, ne, in, missing).

    With `scope="context"` the key names an entry of the flow's start context instead of an
    answer (e.g. "rawat_inap": a question only some puskesmas are asked).
    """

    key: str
    op: str
    value: Any = None
    scope: str = "answers"  # answers, context


@dataclass(frozen=True)
class Rule:
    """A hard cross-field rule checked when `key` is answered: answers[key] <op> answers[other].

    With `scope="context"` `other` names a figure of the flow's start context instead (the
    puskesmas's sasaran, known only at run time); the rule is moot when the figure is absent."""

    key: str
    op: str  # le, lt, ge, gt
    other: str
    message: str  # msgid with {label} / {other} placeholders ({value}: the other figure)
    scope: str = "answers"  # answers, context


@dataclass(frozen=True)
class Step:
    key: str
    prompt: str
    type: str
    help: str | None = None
    required: bool = True
    min: Decimal | int | None = None
    max: Decimal | int | None = None
    max_length: int | None = None
    min_length: int | None = None
    pattern: str | None = None  # "name": letters, spaces and . ' -
    choices: tuple[Choice, ...] = ()
    provider: str | None = None
    skip_if: Condition | None = None
    soft_max: int | None = None  # above this a value asks "yakin?" once
    label: str | None = None  # short msgid for the summary; defaults to prompt
    code: str | None = None  # quick-entry code, e.g. "K1"
    source: str | None = None  # "juknis" or "usulan"
    summable: bool = True  # False: a running count ("cases so far"), never added over reports
    unit: str | None = None
    max_days_back: int | None = None  # for dates


@dataclass(frozen=True)
class Flow:
    name: str
    title: str
    steps: tuple[Step, ...]
    review: bool = True  # show a summary with Kirim / Ubah / Batal before submitting
    rules: tuple[Rule, ...] = ()
    intro: str | None = None

    @functools.cached_property
    def version(self) -> int:
        """Derived from the form's content: a changed step, choice, condition or rule is a new
        version, and a conversation begun on the old one is told to start afresh (the engine's
        version check); a reworded text is not. Fits the database's 32-bit integer columns."""
        return content_version(self)

    def step(self, key: str) -> Step:
        for step in self.steps:
            if step.key == key:
                return step
        raise KeyError(key)

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.steps)


# --- state and events ----------------------------------------------------------------------


@dataclass
class State:
    """Everything the engine needs to continue a conversation; stored as JSON by the caller."""

    flow: str
    version: int
    step: str | None
    answers: dict[str, Any] = field(default_factory=dict)
    history: list[str] = field(default_factory=list)
    context: dict[str, Any] = field(default_factory=dict)
    pending: dict[str, Any] = field(default_factory=dict)
    status: str = "active"  # active, done, cancelled
    updated_at: str = ""  # ISO timestamp of the last change
    nonce: int = 0  # bumped on every question, so old buttons can be told apart

    def copy(self) -> State:
        """A copy to change: what `copy.deepcopy` gives, several times faster."""
        return replace(
            self,
            answers=clone(self.answers),
            history=list(self.history),
            context=clone(self.context),
            pending=clone(self.pending),
        )

    def to_json(self) -> dict[str, Any]:
        """The fields as a dict for the JSON column; shares their values (`dataclasses.asdict`
        copies every level, a cost paid on every message)."""
        return {name: getattr(self, name) for name in _STATE_FIELDS}


_STATE_FIELDS = tuple(f.name for f in fields(State))


def clone(value: Any) -> Any:
    """A copy of JSON-shaped data: dicts and lists copied at every level, the rest (str,
    numbers, dates, tuples of them) shared because nothing changes them in place."""
    if isinstance(value, dict):
        return {key: clone(item) for key, item in value.items()}
    if isinstance(value, list):
        return [clone(item) for item in value]
    return value


@dataclass(frozen=True)
class ReplyEvent:
    reply: Reply


@dataclass(frozen=True)
class ResultSaved:
    key: str
    value: Any


@dataclass(frozen=True)
class Submitted:
    flow: str
    answers: dict[str, Any]


@dataclass(frozen=True)
class Ended:
    reason: str  # submitted, cancelled, menu, outdated, restarted


Event = ReplyEvent | ResultSaved | Submitted | Ended


@dataclass(frozen=True)
class Outcome:
    state: State
    events: tuple[Event, ...]

    @property
    def replies(self) -> tuple[Reply, ...]:
        return tuple(e.reply for e in self.events if isinstance(e, ReplyEvent))
