"""What a dashboard viewer may open: pages and the puskesmas or desa they cover, from the
role's capabilities (handlers/people/roles.py), never from the role's name. The server checks
it for every page and every download."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from conversations.model import N_
from db.models import User
from handlers.people import roles
from handlers.people.coaching import followed_desa
from handlers.people.roles import Can, Place


class Page(StrEnum):
    RINGKASAN = "ringkasan"
    CAPAIAN = "capaian"
    PWS = "pws"
    PUSKESMAS = "puskesmas"
    DANA = "dana"
    DESA = "desa"
    UNDUH = "unduh"


PAGE_LABELS = {
    Page.RINGKASAN: N_("Summary"),
    Page.CAPAIAN: N_("SPM achievement"),
    Page.PWS: N_("PWS per desa"),
    Page.PUSKESMAS: N_("Puskesmas"),
    Page.DANA: N_("Dana desa"),
    Page.DESA: N_("My desa"),
    Page.UNDUH: N_("Download"),
}
REPORT_PAGES = (Page.RINGKASAN, Page.CAPAIAN, Page.PWS, Page.PUSKESMAS)


@dataclass(frozen=True)
class Viewer:
    user_id: int
    name: str
    role: str
    pages: tuple[Page, ...]  # in menu order; the first is the landing page
    puskesmas: tuple[int, ...] | None  # None: the whole district
    desa: int | None  # a desa role: its desa only
    desa_set: tuple[int, ...] | None = None  # a camat or pendamping desa: the desa they coach

    def may(self, page: Page) -> bool:
        return page in self.pages

    def sees_puskesmas(self, puskesmas_id: int | None) -> bool:
        if self.desa is not None or self.desa_set is not None:
            return False
        return self.puskesmas is None or puskesmas_id in self.puskesmas


def pages_of(role: str) -> tuple[Page, ...]:
    at, out = roles.place(role), []
    if roles.can(role, Can.RECAP):
        out += REPORT_PAGES
    if roles.can(role, Can.DANA_OVERSEE) or (roles.can(role, Can.RECAP) and at != Place.DESA):
        out.append(Page.DANA)
    if roles.can(role, Can.DANA_FOLLOW):
        out.append(Page.DANA)
    if roles.can(role, Can.DANA_DECIDE) and at == Place.DESA:
        out += [Page.DESA, Page.DANA]
    if roles.can(role, Can.EXPORT):
        out.append(Page.UNDUH)
    return tuple(dict.fromkeys(out))


async def viewer_of(session: AsyncSession, user: User) -> Viewer | None:
    """None: the role has no page, or its place is missing."""
    pages = pages_of(user.role)
    if not pages:
        return None
    at = roles.place(user.role)
    if roles.can(user.role, Can.DANA_FOLLOW):
        followed = await followed_desa(session, user)
        return Viewer(user.id, user.name, user.role, pages, (), None, tuple(followed or ()))
    if at == Place.DISTRICT:
        return Viewer(user.id, user.name, user.role, pages, None, None)
    if at == Place.PUSKESMAS and user.puskesmas_id is not None:
        return Viewer(user.id, user.name, user.role, pages, (user.puskesmas_id,), None)
    if at == Place.DESA and user.desa_id is not None:
        return Viewer(user.id, user.name, user.role, pages, (), user.desa_id)
    return None


def roles_with_pages() -> tuple[str, ...]:
    return tuple(r.value for r in roles.Role if pages_of(r.value))
