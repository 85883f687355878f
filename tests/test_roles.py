"""The roles live in one module (handlers/people/roles.py): elsewhere the code asks what a role
can do, never which role it is, so adding a role touches that module, a migration (with the
CHECK mirror `ROLES` in db/models.py) and the catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from db.models import ROLES
from handlers.people.roles import TABLE, Can, Place, Role, roles_that

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "handlers", "conversations", "db")
ALLOWED = {Path("handlers/people/roles.py"), Path("db/models.py")}
VALUES = {r.value for r in Role}


def product_modules() -> list[Path]:
    return [
        p.relative_to(ROOT)
        for pkg in PRODUCT
        for p in (ROOT / pkg).rglob("*.py")
        if "migrations" not in p.parts
    ]


def role_literals(node: ast.AST) -> list[str]:
    """Role values written as a string, alone or in a tuple, list or set."""
    if isinstance(node, ast.Constant) and node.value in VALUES:
        return [node.value]
    if isinstance(node, ast.Tuple | ast.List | ast.Set):
        return [v for e in node.elts for v in role_literals(e)]
    return []


def bare_roles(source: str, where: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            operands = [node.left, *node.comparators]
            found += [f"{where}:{node.lineno} {v}" for o in operands for v in role_literals(o)]
        elif isinstance(node, ast.Tuple | ast.List | ast.Set):
            found += [f"{where}:{node.lineno} {v}" for v in role_literals(node)]
    return found


def test_no_module_but_the_roles_module_names_a_role_to_compare_with():
    found = [
        hit
        for p in product_modules()
        if p not in ALLOWED
        for hit in bare_roles((ROOT / p).read_text(), str(p))
    ]
    assert found == []


@pytest.mark.parametrize(
    "source",
    [
        'user.role == "kades"',
        'if role in ("petugas", "kepala_puskesmas"): pass',
        'STAFF = ["dinkes"]',
        'select(User).where(User.role != "pmd")',
    ],
)
def test_the_scan_sees_a_bare_role(source):
    assert bare_roles(source, "example.py") != []


def test_every_role_is_in_the_table_and_the_database_check():
    assert list(TABLE) == list(Role)
    assert tuple(Role) == ROLES


@pytest.mark.parametrize("role", list(Role))
def test_every_role_has_a_translated_label_a_place_and_capabilities(role, texts):
    info = TABLE[role]
    assert texts.has(info.label)
    assert isinstance(info.place, Place)
    assert info.can != Can(0)


def test_every_capability_belongs_to_some_role():
    assert [c for c in Can if not roles_that(c)] == []


def test_the_readme_names_every_role():
    readme = (ROOT / "README.md").read_text()
    assert [r for r in Role if f"`{r}`" not in readme] == []


def test_what_each_role_may_do():
    """The table as the commands and the recipients used it when it was bare strings."""
    assert roles_that(Can.REPORT) == ("petugas", "kader", "kepala_puskesmas")
    assert roles_that(Can.RECAP) == ("kepala_puskesmas", "dinkes", "admin")
    assert roles_that(Can.UNLOCK) == ("dinkes", "admin")
    assert roles_that(Can.EXPORT) == ("kepala_puskesmas", "dinkes", "admin")
    assert roles_that(Can.DANA_REQUEST) == ("petugas", "kader", "kepala_puskesmas")
    assert roles_that(Can.DANA_DECIDE) == ("kades",)
    assert roles_that(Can.DANA_OVERSEE) == ("dinkes", "pmd", "admin")
    assert roles_that(Can.DANA_FOLLOW) == ("camat", "pendamping_desa")
    assert roles_that(Can.PAUSE_REMINDERS) == ("petugas", "kepala_puskesmas", "kades")
    assert roles_that(Can.HEAR_REMINDERS) == ("petugas", "kepala_puskesmas")
    assert roles_that(Can.HEAR_DIGEST) == ("dinkes",)
    assert roles_that(Can.HEAR_WEEKLY) == ("kepala_puskesmas",)
    assert roles_that(Can.HEAR_ALERTS, Place.DISTRICT) == ("dinkes",)
    assert roles_that(Can.HEAR_ALERTS, Place.PUSKESMAS) == ("kepala_puskesmas",)
    assert roles_that(Can.HEAR_DANA_APPROVALS) == ("dinkes", "pmd")
    assert roles_that(Can.HEAR_DANA_LATE) == ("pmd", "camat", "pendamping_desa")
    assert roles_that(Can.HEAR_DANA_LATE, Place.KECAMATAN) == ("camat",)
    assert roles_that(Can.HEAR_DANA_LATE, Place.ASSIGNED) == ("pendamping_desa",)
    assert roles_that(Can.DESA_PROFILE) == ("kades",)
    assert [r for r in Role if TABLE[r].place is Place.DESA] == ["kader", "kades", "operator_desa"]
    assert roles_that(Can.DANA_ACCOUNT) == ("kades", "operator_desa")
    assert roles_that(Can.INVITE_OPERATOR) == ("kades",)
