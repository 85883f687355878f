"""Migration 0011 keeps old reports readable: a report without a desa was the building's, one
with a desa a desa report; coming down again keeps one current report per old slot."""

from sqlalchemy import text
from test_migrations import empty_url, run_sync  # noqa: F401  (empty_url is a fixture)

from db.migrate import downgrade, upgrade

MASTER = [
    "INSERT INTO kecamatan (id, kode, nama) VALUES (1, '17.02.11', 'Sindang Kelingi')",
    "INSERT INTO desa (id, kode, nama, kecamatan_id, jenis) "
    "VALUES (1, '17.02.11.2009', 'Sumber Urip', 1, 'desa')",
    "INSERT INTO puskesmas (id, nama, kecamatan_id, kecamatan_uncertain, rawat_inap) "
    "VALUES (1, 'Sumber Urip', 1, false, false)",
    "INSERT INTO app_user (id, name, role, puskesmas_id, active, locale, created_at) "
    "VALUES (1, 'Siti', 'petugas', 1, true, 'id', '2026-11-23 03:00:00'),"
    " (2, 'Ani', 'kader', 1, true, 'id', '2026-11-23 03:00:00')",
]
REPORT = (
    "INSERT INTO report (id, ref_day, ref_seq, puskesmas_id, desa_id, klaster, period_start, "
    "period_end, version, is_current, user_id, channel, sent_at, received_at, form_version, klb) "
    "VALUES (:id, '2026-11-23', :id, 1, :desa, '2', '2026-11-23', '2026-11-23', 1, true, :user, "
    "'test', '2026-11-23 03:00:00', '2026-11-23 03:00:00', 1, false)"
)


def execute(url: str, *statements: str, **params) -> None:
    def work(conn) -> None:
        for sql in statements:
            conn.execute(text(sql), params)

    run_sync(url, work, begin=True)


def places(url: str) -> list[tuple]:
    sql = "SELECT id, place, posyandu_id, is_current FROM report ORDER BY id"
    return run_sync(url, lambda c: [tuple(r) for r in c.execute(text(sql))])


def test_old_reports_get_their_place_and_come_down_to_one_per_old_slot(empty_url):  # noqa: F811
    upgrade(empty_url, "0010")
    execute(empty_url, *MASTER)
    execute(empty_url, REPORT, id=1, desa=None, user=1)
    execute(empty_url, REPORT, id=2, desa=1, user=2)
    upgrade(empty_url, "0011")
    assert places(empty_url) == [(1, "gedung", None, True), (2, "desa", None, True)]
    # the bidan's report of the same desa adds (the application writes the place)
    execute(
        empty_url, REPORT, "UPDATE report SET place = 'desa' WHERE id = 3", id=3, desa=1, user=1
    )
    assert places(empty_url)[-1] == (3, "desa", None, True)
    downgrade(empty_url, "0010")
    current = run_sync(
        empty_url,
        lambda c: [*c.scalars(text("SELECT id FROM report WHERE is_current ORDER BY id"))],
    )
    assert current == [1, 3]
