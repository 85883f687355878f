"""Steps the dana desa stories share: the people, a request typed in full, and the history."""

from __future__ import annotations

from sqlalchemy import select

from db import dana
from db.dana import DanaRequest
from db.models import AuditEvent

FOGGING = "Fogging DBD di RT 03 dan RT 04 setelah 2 kasus DBD bulan ini"
# The kades' decisions on a request for an activity in 2026 (the clock reads 23 November 2026).
APBDES = "Setujui — sudah ada di APBDes 2026"
PERUBAHAN = "Setujui — lewat perubahan APBDes"
BTT = "Setujui — belanja tidak terduga (KLB/darurat)"
RKP = "Usulkan ke musdes / RKP Desa 2027"
DECISIONS = [APBDES, PERUBAHAN, BTT, RKP, "Setujui sebagian", "Tolak", "Minta revisi"]
# What both sides read of a 2026 activity asked for after September.
AFTER_SEPTEMBER = (
    "RKP Desa ditetapkan paling lambat akhir September: bila belum ada di APBDes 2026, "
    "kegiatan ini dapat diusulkan ke musdes untuk RKP Desa 2027."
)
SUMBER_BENING = "17.02.11.2010"


async def people(registered):
    """Siti (petugas, Puskesmas Sumber Urip), Budi (kades of Desa Sumber Urip), Rina (Dinkes)."""
    siti = await registered("petugas", "100", "Siti Aminah")
    budi = await registered("kades", "200", "Budi Santoso")
    rina = await registered("dinkes", "300", "Rina Marlina")
    return siti, budi, rina


async def ask_for_dana(
    person, desa="Desa Sumber Urip", amount="2,5 juta", uraian=FOGGING, month="Desember"
):
    """Types a whole request (with its volume and pelaksana, no RAB photo) and sends it;
    returns the replies to Kirim."""
    await person.send("/dana")
    if desa in person.buttons:
        await person.press(desa)
    await person.press("Penyakit menular")
    await person.send(uraian)
    await person.send("2 kali fogging di 2 RT")
    await person.send("120")
    await person.send(amount)
    await person.send(month)
    await person.press("Posyandu / kader")
    await person.send("lewati")
    assert person.buttons == ["Kirim", "Ubah", "Batal"], person.text
    return await person.press("Kirim")


async def the_request(db, reference="DD-2026-1") -> DanaRequest:
    async with db.transaction() as session:
        return await dana.by_reference(session, reference)


async def history(db, request_id: int) -> list[AuditEvent]:
    async with db.transaction() as session:
        return await dana.history(session, request_id)


async def refusals(db) -> list[str]:
    async with db.transaction() as session:
        stmt = select(AuditEvent.action).where(
            AuditEvent.entity == dana.ENTITY, AuditEvent.action.like("refused%")
        )
        return list((await session.execute(stmt.order_by(AuditEvent.id))).scalars())
