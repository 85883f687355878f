"""Posyandu master data: `ilpbot posyandu import FILE.csv` (the list a puskesmas keeps) and
/posyandu in chat (a kepala puskesmas lists his posyandu and adds one, confirmed).

The CSV: columns puskesmas, desa (name or kode), posyandu/nama, and optionally aktif (ya/tidak).
All or nothing: any invalid line refuses the whole file, each error naming its line, in
Indonesian. Importing the same file again changes nothing and says so; a posyandu missing from
the file is kept (a puskesmas may have added it in chat)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_, Flow, Text
from conversations.parsing import normalize
from conversations.quick_entry import suggest
from db import posyandu as posyandu_db
from db import queries
from db.database import Database
from db.models import Desa, Puskesmas, PuskesmasDesa
from handlers.core.inbound import Command, Runtime
from handlers.core.turn import Turn
from handlers.people.roles import Can, roles_that
from handlers.reports import places, words

ROLES = roles_that(Can.MANAGE_POSYANDU)
COLUMNS = {
    "puskesmas": "puskesmas",
    "desa": "desa",
    "kelurahan": "desa",
    "desa_kode": "desa",
    "posyandu": "nama",
    "nama": "nama",
    "nama_posyandu": "nama",
    "aktif": "active",
    "active": "active",
}
YES, NO = ("ya", "y", "1", "aktif", "yes", "true", ""), ("tidak", "t", "0", "nonaktif", "no")
NAME_MAX = 100
ADD_WORD = "tambah"  # `/posyandu tambah`: the command's argument, like the command word


@dataclass
class Imported:
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    errors: list[Text] = field(default_factory=list)
    unreadable: Text | None = None


@dataclass(frozen=True)
class _Row:
    line: int
    puskesmas_id: int
    desa_id: int
    nama: str
    active: bool


def clean_name(value: str) -> str:
    """ "posyandu  Melati " → "Melati": the word is the kind, not the name."""
    name = " ".join(value.split())
    if name.lower().startswith("posyandu "):
        name = name[len("posyandu ") :].strip()
    return name


async def _places(session: AsyncSession) -> tuple[dict[str, int], dict[int, dict[str, int]]]:
    """(puskesmas by normalised name, per puskesmas its desa by normalised name and by kode)."""
    puskesmas = {normalize(p.nama): p.id for p in await queries.all_puskesmas(session)}
    stmt = select(PuskesmasDesa.puskesmas_id, Desa.id, Desa.nama, Desa.kode).join(
        Desa, Desa.id == PuskesmasDesa.desa_id
    )
    served: dict[int, dict[str, int]] = {}
    for pid, did, nama, kode in (await session.execute(stmt)).all():
        served.setdefault(pid, {}).update({normalize(nama): did, kode: did})
    return puskesmas, served


def _row(line: int, row: dict, puskesmas: dict, served: dict, out: Imported) -> _Row | None:
    errors: list[Text] = []
    name = normalize(row.get("puskesmas", ""))
    pid = puskesmas.get(name)
    if pid is None:
        hint = suggest(name, puskesmas)
        errors.append(
            Text.of(N_("unknown puskesmas {name}"), name=row.get("puskesmas", ""))
            if not hint
            else Text.of(
                N_("unknown puskesmas {name} (did you mean {hint}?)"),
                name=row.get("puskesmas", ""),
                hint=hint.title(),
            )
        )
    desa_text = row.get("desa", "")
    did = served.get(pid, {}).get(desa_text) or served.get(pid, {}).get(normalize(desa_text))
    if pid is not None and did is None:
        errors.append(
            Text.of(N_("desa {desa} is not served by this puskesmas"), desa=desa_text or "-")
        )
    nama = clean_name(row.get("nama", ""))
    if not nama or len(nama) > NAME_MAX:
        errors.append(Text(N_("the posyandu name is empty or too long")))
    active = row.get("active", "").lower()
    if active not in YES + NO:
        errors.append(Text.of(N_("aktif {value} is not ya or tidak"), value=active))
    if errors:
        out.errors.extend(Text.of(N_("line {line}: {error}"), line=line, error=e) for e in errors)
        return None
    return _Row(line, pid, did, nama, active in YES)


def read_rows(text: str, puskesmas: dict, served: dict, out: Imported) -> list[_Row]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = {COLUMNS.get(normalize(h or "").replace(" ", "_")) for h in reader.fieldnames or []}
    missing = {"puskesmas", "desa", "nama"} - header
    if missing:
        out.errors.append(
            Text.of(N_("line 1: missing column(s) {columns}"), columns=", ".join(sorted(missing)))
        )
        return []
    rows: list[_Row] = []
    seen: dict[tuple[int, int, str], int] = {}
    for line, raw in enumerate(reader, start=2):
        row = {
            COLUMNS.get(normalize(k or "").replace(" ", "_")): (v or "").strip()
            for k, v in raw.items()
        }
        parsed = _row(line, row, puskesmas, served, out)
        if parsed is None:
            continue
        key = (parsed.puskesmas_id, parsed.desa_id, parsed.nama.lower())
        if key in seen:
            out.errors.append(
                Text.of(
                    N_("line {line}: the same posyandu as line {other}"),
                    line=line,
                    other=seen[key],
                )
            )
            continue
        seen[key] = line
        rows.append(parsed)
    return rows


async def import_posyandu(session: AsyncSession, path: Path, now: datetime) -> Imported:
    out = Imported()
    try:
        text = path.read_text(encoding="utf-8")
        rows = read_rows(text, *await _places(session), out)
    except (OSError, UnicodeDecodeError, csv.Error):
        out.unreadable = Text.of(N_("cannot read {path} as a UTF-8 CSV file"), path=str(path))
        return out
    if out.errors:
        return out
    for row in rows:
        item = await posyandu_db.find(session, row.puskesmas_id, row.desa_id, row.nama)
        if item is None:
            item = await posyandu_db.add(session, row.puskesmas_id, row.desa_id, row.nama, now)
            item.active = row.active
            out.added += 1
        elif item.active != row.active or item.nama != row.nama:
            item.active, item.nama, item.updated_at = row.active, row.nama, now
            out.changed += 1
        else:
            out.unchanged += 1
    return out


NOTHING_IMPORTED = N_("Nothing was imported: correct the lines above and import again.")


def summary(result: Imported) -> Text:
    return Text.of(
        N_("posyandu: {added} added, {changed} changed, {unchanged} unchanged"),
        added=result.added,
        changed=result.changed,
        unchanged=result.unchanged,
    )


async def import_file(db: Database, path: Path, now: datetime) -> Imported:
    """`ilpbot posyandu import`: the file in one unit of work (nothing written when it errs)."""
    async with db.transaction() as session:
        return await import_posyandu(session, path, now)


# --- /posyandu in chat ---------------------------------------------------------------------


async def posyandu_command(turn: Turn, arg: str) -> None:
    """/posyandu lists them; /posyandu tambah [name] adds one."""
    user = turn.user
    if user.puskesmas_id is None:
        turn.say("Your account is not linked to a puskesmas. Please contact the Dinas Kesehatan.")
        return
    first, _, rest = arg.strip().partition(" ")
    if normalize(first) == ADD_WORD:
        desa = await queries.desa_of_puskesmas(turn.session, user.puskesmas_id)
        context: dict[str, Any] = {
            "choices": {"desa": [[str(d.id), words.desa_name(d)] for d in desa]}
        }
        if rest.strip():
            context["prefill"] = {"nama": rest.strip()}
        await turn.start_flow("posyandu_tambah", context)
        return
    found = await posyandu_db.of_puskesmas(turn.session, user.puskesmas_id, active_only=False)
    puskesmas = await turn.session.get(Puskesmas, user.puskesmas_id)
    lines = [turn.t("Posyandu of Puskesmas {name}:", name=puskesmas.nama)]
    if not found:
        lines.append(turn.t("None yet."))
    for p in found:
        line = f"• {places.posyandu_label(p)}"
        lines.append(line if p.active else line + " " + turn.t("(not active)"))
    lines.append(turn.t("To add one, type /posyandu tambah."))
    turn.say_raw("\n".join(lines))


async def on_add(turn: Turn, _flow: Flow, answers: dict[str, Any]) -> None:
    user, nama = turn.user, clean_name(answers["nama"])
    desa_id = int(answers["desa"])
    desa = words.desa_name(await turn.session.get(Desa, desa_id))
    if await posyandu_db.find(turn.session, user.puskesmas_id, desa_id, nama) is not None:
        turn.say("Posyandu {name} in {desa} is already in the list.", name=nama, desa=desa)
        return
    item = await posyandu_db.add(turn.session, user.puskesmas_id, desa_id, nama, turn.now)
    await queries.audit(
        turn.session,
        turn.now,
        "posyandu",
        "added",
        actor_user_id=user.id,
        actor_role=user.role,
        channel=turn.msg.channel,
        entity_id=str(item.id),
    )
    turn.say(
        "Posyandu {name} in {desa} is added. Its kader and the bidan can now choose it in /lapor.",
        name=nama,
        desa=desa,
    )


def install(runtime: Runtime) -> None:
    runtime.submit_handlers["posyandu_tambah"] = on_add
    runtime.add_command(
        Command("posyandu", N_("Posyandu of the puskesmas"), ROLES, posyandu_command)
    )
