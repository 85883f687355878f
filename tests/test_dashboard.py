"""The dashboard (issue 21): a user signs in from the one-time link /dasbor sends, sees only
what the role and the place allow on every page and download, and the figures are the
database's. The browser stories are in tests/test_dashboard_browser.py."""

import io

import pytest
from dana_steps import PERUBAHAN, ask_for_dana, people
from dashboard_steps import PAGES, browser, dashboard_on, link_in, sign_in, signed_in
from PIL import Image
from pydantic import ValidationError
from report_steps import quick
from sqlalchemy import select

from bot.channels.whatsapp.client import WhatsAppClient
from bot.channels.whatsapp.delivery import WhatsAppDelivery
from bot.config import Settings
from bot.media_fetch import whatsapp_fetch
from bot.media_store import DirectoryStore
from conversations.model import Photo
from db.models import Desa, Puskesmas, User
from db.reports import Sasaran
from handlers.core import media
from handlers.dashboard import access
from handlers.people.accounts import set_active
from handlers.reports.indicators import catalog

# What each role gets on each page: 200 shown, 403 not for this role.
ALLOWED = {
    "dinkes": {"ringkasan", "capaian", "pws", "puskesmas", "dana", "unduh"},
    "admin": {"ringkasan", "capaian", "pws", "puskesmas", "dana", "unduh"},
    "kepala_puskesmas": {"ringkasan", "capaian", "pws", "puskesmas", "dana", "unduh"},
    "pmd": {"dana"},
    "kades": {"desa", "dana"},
    "camat": {"dana"},
    "pendamping_desa": {"dana"},
}
PLACE = {"camat": {"kecamatan": "Selupu Rejang"}}


@pytest.fixture
def app(runtime, db_url):
    return dashboard_on(runtime, db_url)


async def test_a_dinkes_user_signs_in_once_from_the_link_the_bot_sends(app, registered):
    dinkes = await registered("dinkes", chat_id="300", name="Rina Dinkes")
    link = link_in(await dinkes.send("/dasbor"))
    assert "10 menit" in dinkes.text
    client = browser(app)
    first = await sign_in(client, link)
    assert first.status_code == 303
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/dasbor" in cookie
    home = await client.get("/dasbor")
    assert home.status_code == 303 and home.headers["location"] == "/dasbor/ringkasan"
    page = await client.get("/dasbor/ringkasan")
    assert page.status_code == 200 and "Ringkasan" in page.text and "Rina Dinkes" in page.text
    again = await sign_in(browser(app), link)
    assert again.status_code == 400 and "tidak berlaku" in again.text


async def test_a_link_older_than_ten_minutes_opens_nothing(app, registered, clock):
    dinkes = await registered("dinkes", chat_id="300")
    link = link_in(await dinkes.send("/dasbor"))
    clock.advance(minutes=11)
    assert (await sign_in(browser(app), link)).status_code == 400


async def test_without_the_dashboard_on_the_bot_says_so(runtime, registered):
    dinkes = await registered("dinkes", chat_id="300")
    [*_, said] = await dinkes.send("/dasbor")
    assert "belum diaktifkan" in said


@pytest.mark.parametrize("role", sorted(ALLOWED))
async def test_every_page_answers_each_role_as_its_scope_allows(app, registered, role):
    person = await registered(role, chat_id="301", **PLACE.get(role, {}))
    client = await signed_in(app, person)
    for page in PAGES:
        response = await client.get(f"/dasbor/{page}")
        expected = 200 if page in ALLOWED[role] else 403
        assert response.status_code == expected, (role, page, response.text[:300])
    download = await client.get("/dasbor/unduh/file?jenis=csv&dari=2026-11-01&sampai=2026-11-23")
    assert download.status_code == (200 if "unduh" in ALLOWED[role] else 403), role


@pytest.mark.parametrize("role", ["petugas", "kader"])
async def test_roles_without_pages_get_no_link_and_no_session(app, registered, db, clock, role):
    person = await registered(role, chat_id="302")
    [*_, said] = await person.send("/dasbor")
    assert "/dasbor/masuk" not in said
    async with db.transaction() as session:
        user = (await session.execute(select(User).where(User.role == role))).scalar_one()
    link = await access.make_link(db, user.id, clock(), "http://dasbor.test")
    assert (await sign_in(browser(app), link)).status_code == 400


async def test_no_one_signed_in_sees_no_page_and_no_download(app):
    client = browser(app)
    for path in [*(f"/dasbor/{p}" for p in PAGES), "/dasbor", "/dasbor/dana/DD-2026-1"]:
        response = await client.get(path)
        assert response.status_code == 401, path
        assert "/dasbor" in response.text  # it says how to sign in
    download = await client.get("/dasbor/unduh/file?jenis=xlsx&dari=2026-11-01&sampai=2026-11-23")
    assert download.status_code == 401


async def test_a_forged_or_altered_cookie_is_refused_and_counted(app, registered):
    from prometheus_client import REGISTRY

    def refused() -> float:
        labels = {"channel": "dashboard", "why": "forged_cookie"}
        return REGISTRY.get_sample_value("ilpbot_refused_total", labels) or 0.0

    dinkes = await registered("dinkes", chat_id="300")
    client = await signed_in(app, dinkes)
    good = client.cookies["ilp_sesi"]
    before = refused()
    token, _, mac = good.rpartition(".")
    for forged in (f"{token}.{'0' * len(mac)}", f"x{token}.{mac}", "nothing"):
        client.cookies.set("ilp_sesi", forged, path="/dasbor")
        assert (await client.get("/dasbor/ringkasan")).status_code == 401
    assert refused() == before + 3


async def test_a_kepala_puskesmas_sees_his_puskesmas_only(app, registered, db):
    kepala = await registered("kepala_puskesmas", chat_id="303")
    client = await signed_in(app, kepala)
    async with db.transaction() as session:
        other = (
            (await session.execute(select(Puskesmas.id).where(Puskesmas.nama != "Sumber Urip")))
            .scalars()
            .first()
        )
    assert (await client.get(f"/dasbor/puskesmas?id={other}")).status_code == 403
    url = f"/dasbor/unduh/file?jenis=xlsx&dari=2026-11-01&sampai=2026-11-23&puskesmas={other}"
    assert (await client.get(url)).status_code == 403
    mine = await client.get("/dasbor/puskesmas")
    assert mine.status_code == 200 and "Sumber Urip" in mine.text
    ringkasan = await client.get("/dasbor/ringkasan")
    assert ringkasan.text.count('class="name"') == 4  # one row per daily klaster: his only


async def test_every_download_comes_in_the_viewers_scope(app, registered):
    dinkes = await registered("dinkes", chat_id="300")
    client = await signed_in(app, dinkes)
    for kind, starts in (("xlsx", b"PK"), ("csv", b"PK"), ("dhis2", b"{")):
        url = f"/dasbor/unduh/file?jenis={kind}&dari=2026-11-01&sampai=2026-11-23"
        response = await client.get(url)
        assert response.status_code == 200, response.text[:300]
        assert response.content.startswith(starts)
        assert "attachment" in response.headers["content-disposition"]
    bad = await client.get("/dasbor/unduh/file?jenis=exe&dari=2026-11-01&sampai=2026-11-23")
    assert bad.status_code == 400 and "tidak dapat dibaca" in bad.text


async def test_deactivating_a_user_ends_every_session_at_once(app, registered, db, clock):
    dinkes = await registered("dinkes", chat_id="300")
    client = await signed_in(app, dinkes)
    assert (await client.get("/dasbor/ringkasan")).status_code == 200
    async with db.transaction() as session:
        user = (await session.execute(select(User).where(User.role == "dinkes"))).scalar_one()
        await set_active(session, user.id, False, clock())
    assert (await client.get("/dasbor/ringkasan")).status_code == 401


async def test_a_session_idle_for_thirty_days_ends(app, registered, clock):
    client = await signed_in(app, await registered("dinkes", chat_id="300"))
    clock.advance(days=29)
    assert (await client.get("/dasbor/ringkasan")).status_code == 200
    clock.advance(days=31)
    assert (await client.get("/dasbor/ringkasan")).status_code == 401


async def test_signing_out_needs_the_pages_csrf_token(app, registered):
    client = await signed_in(app, await registered("dinkes", chat_id="300"))
    page = await client.get("/dasbor/ringkasan")
    token = page.text.split('name="csrf" value="')[1].split('"')[0]
    assert (await client.post("/dasbor/keluar", data={"csrf": "guess"})).status_code == 403
    assert (await client.get("/dasbor/ringkasan")).status_code == 200
    out = await client.post("/dasbor/keluar", data={"csrf": token})
    assert out.status_code == 303
    assert (await client.get("/dasbor/ringkasan")).status_code == 401


async def test_pages_carry_a_strict_policy_and_name_no_other_host(app, registered):
    client = await signed_in(app, await registered("dinkes", chat_id="300"))
    for page in ALLOWED["dinkes"]:
        response = await client.get(f"/dasbor/{page}")
        policy = response.headers["content-security-policy"]
        assert "default-src 'none'" in policy and "script-src 'none'" in policy
        assert response.headers["x-frame-options"] == "DENY"
        assert '<html lang="id">' in response.text
        for marker in ("http://", "https://", "//cdn"):
            assert marker not in response.text.replace("http://dasbor.test", ""), page


async def test_capaian_shows_the_persons_the_database_holds(app, registered, db, runtime):
    siti = await registered("petugas", chat_id="304")
    k3 = {c: 0 for c, i in catalog(runtime.flows).items() if i.klaster.key == "3"}
    await siti.send(quick("K3", k3 | {"HTLAYAN": 3, "HTSPM": 2}))
    await siti.press("Kirim")
    client = await signed_in(app, await registered("dinkes", chat_id="300"))
    page = await client.get("/dasbor/capaian")
    assert page.status_code == 200
    assert 'data-total="2"' in page.text  # hipertensi: the 2 first-time persons, not 3 visits
    assert 'data-total="3"' not in page.text
    heat = await client.get("/dasbor/ringkasan")
    async with db.transaction() as session:
        puskesmas = len((await session.execute(select(Puskesmas.id))).all())
    assert heat.text.count('class="cell ') == 4 * 14 * puskesmas


def test_the_dashboard_refuses_to_start_without_a_strong_secret_key():
    base = {"_env_file": None, "database_url": "postgresql://x@127.0.0.1/y"}
    base |= {"invite_secret": "invite-secret-for-tests", "public_url": "https://ilp.example.id"}
    with pytest.raises(ValidationError, match="SECRET_KEY is required"):
        Settings(**base)
    with pytest.raises(ValidationError, match="SECRET_KEY must be"):
        Settings(**base, secret_key="short")
    with pytest.raises(ValidationError, match="SECRET_KEY must be"):
        Settings(**base, secret_key="a" * 40)
    assert Settings(**base, secret_key="k7Qm2-xY9pL4_vB8nR3tW6zA1cE5fH0jK").public_url


async def test_a_national_heat_map_shows_the_least_complete_puskesmas(registered, db, runtime):
    from db.dashboard_queries import least_complete
    from handlers.reports.indicators import DAILY

    siti = await registered("petugas", chat_id="304")
    k3 = {c: 0 for c, i in catalog(runtime.flows).items() if i.klaster.key == "3"}
    await siti.send(quick("K3", k3))
    await siti.press("Kirim")
    day = runtime.clock().date()
    async with db.snapshot() as session:
        shown = await least_complete(session, day, day, [k.key for k in DAILY], None, 20)
        everyone = len((await session.execute(select(Puskesmas.id))).all())
    assert len(shown) == 20 == everyone - 1
    assert "Sumber Urip" not in shown.values()  # the one puskesmas that reported
    assert list(shown.values()) == sorted(shown.values())


async def test_a_death_and_an_early_warning_today_show_among_the_alerts(app, registered):
    siti = await registered("petugas", chat_id="304")
    await siti.send("LAPOR KM KMATIBU=1 KMATNEO=2 KMATBAYI=0 KMATBALITA=0 DKLB=tidak")
    await siti.press("Kirim")
    k4 = {"TBDUGA": 0, "TB": 0, "TBKONTAK": 0, "HIV": 0, "DBD": 0, "MAL": 0, "DIARE": 0}
    k4 |= {"IKL": 0, "PJB": 0}
    k4 |= {"PNEU": 0, "CAMPAK": 0, "AFP": 1, "DIFTERI": 0, "GHPR": 0, "KLB": "tidak"}
    await siti.send(quick("K4", k4))
    await siti.press("Kirim")
    client = await signed_in(app, await registered("dinkes", chat_id="300"))
    page = (await client.get("/dasbor/ringkasan")).text
    assert page.count('data-kind="death"') == 2  # kematian ibu and neonatal, one line each
    assert "Kematian ibu · Sumber Urip · 1 kematian" in page
    assert "Kematian neonatal (0–28 hari) · Sumber Urip · 2 kematian" in page
    assert page.count('data-kind="ews"') == 1 and "(AFP)" in page


async def test_the_dana_page_shows_each_decision_with_its_budget_route(app, registered, outbox):
    siti, budi, rina = await people(registered)
    await ask_for_dana(siti)
    await outbox.drain()
    outbox.read(budi)
    await budi.press(PERUBAHAN)
    await budi.press("Ya")
    client = await signed_in(app, rina)
    page = (await client.get("/dasbor/dana")).text
    assert '<tr data-route="perubahan"><td>2026</td><td>perubahan APBDes</td>' in page
    assert (await client.get("/dasbor/dana?jalur=btt")).text.count("/dasbor/dana/DD-") == 0
    assert (await client.get("/dasbor/dana?jalur=perubahan")).text.count("/dasbor/dana/DD-") == 1
    detail = (await client.get("/dasbor/dana/DD-2026-1")).text
    assert "Jalur anggaran</dt><dd>perubahan APBDes 2026" in detail


async def test_a_camat_sees_the_requests_of_his_kecamatan_only(app, registered, outbox):
    siti, budi, _ = await people(registered)
    await ask_for_dana(siti)  # Desa Sumber Urip, Kecamatan Selupu Rejang
    camat = await registered("camat", "320", "Pak Camat", kecamatan="Selupu Rejang")
    other = await registered("camat", "321", "Bu Camat", kecamatan="Curup")
    mine = await signed_in(app, camat)
    assert "DD-2026-1" in (await mine.get("/dasbor/dana")).text
    assert (await mine.get("/dasbor/dana/DD-2026-1")).status_code == 200
    theirs = await signed_in(app, other)
    assert "DD-2026-1" not in (await theirs.get("/dasbor/dana")).text
    assert (await theirs.get("/dasbor/dana/DD-2026-1")).status_code == 404
    assert (await theirs.get("/dasbor/ringkasan")).status_code == 403


async def test_pws_colours_each_desa_against_its_own_sasaran(app, registered, db, runtime):
    async with db.transaction() as session:
        pid = await session.scalar(select(Puskesmas.id).where(Puskesmas.nama == "Sumber Urip"))
        desa = await session.scalar(select(Desa.id).where(Desa.kode == "17.02.11.2009"))
        session.add(
            Sasaran(tahun=2026, puskesmas_id=pid, desa_id=desa, spm="hipertensi", target=12,
                    updated_at=runtime.clock())
        )  # fmt: skip
    siti = await registered("petugas", chat_id="304")
    k3 = {c: 0 for c, i in catalog(runtime.flows).items() if i.klaster.key == "3"}
    await siti.send(quick("K3", k3 | {"HTLAYAN": 12, "HTSPM": 11}, DESA="Sumber Urip"))
    await siti.press("Kirim")
    client = await signed_in(app, await registered("dinkes", chat_id="300"))
    page = (await client.get("/dasbor/pws?layanan=hipertensi&bulan=2026-11")).text
    row = page[page.index('<th scope="row">Sumber Urip') :].split("</tr>")[0]
    assert '<td class="num">11</td>' in row  # this month and since January: the 11 persons
    assert 'class="pws above"' in page  # 11 of 12 by November (pace 11): on target
    assert page.count('class="pws none"') >= 1  # the desa without a sasaran of their own


async def test_the_heat_map_shows_the_last_fourteen_working_days(app, registered):
    client = await signed_in(app, await registered("dinkes", chat_id="300"))
    page = (await client.get("/dasbor/ringkasan")).text
    # Monday 23 November back to Saturday 7 November: the two Sundays (15, 22) left out
    assert "Sumber Urip 07/11" in page and "Sumber Urip 23/11" in page
    assert "Sumber Urip 22/11" not in page and "Sumber Urip 15/11" not in page
    assert "Sumber Urip 06/11" not in page


async def test_a_kepala_desa_reads_his_desa_profile(app, registered):
    page = (
        await (await signed_in(app, await registered("kades", chat_id="330"))).get("/dasbor/desa")
    ).text
    assert "Profil kesehatan desa" in page and "Sumber Urip" in page
    assert "Capaian SPM" in page  # the profil's SPM line: the desa's sasaran, or where it is not


async def test_pws_for_one_puskesmas_and_never_another_ones(app, registered, db):
    async with db.snapshot() as session:
        curup = await session.scalar(select(Puskesmas.id).where(Puskesmas.nama == "Curup"))
    dinkes = await signed_in(app, await registered("dinkes", chat_id="300"))
    assert (await dinkes.get(f"/dasbor/pws?puskesmas={curup}")).status_code == 200
    kepala = await signed_in(app, await registered("kepala_puskesmas", chat_id="303"))
    assert (await kepala.get(f"/dasbor/pws?puskesmas={curup}")).status_code == 403


async def test_the_rab_photo_is_shown_to_who_may_see_the_request(
    runtime, db_url, registered, db, texts, clock, graph, tmp_path
):
    app = dashboard_on(runtime, db_url, media_dir=str(tmp_path / "media"))
    siti = await registered("petugas", chat_id="100")
    await registered("kades", chat_id="200")
    await siti.send("/dana")
    await siti.press("Desa Sumber Urip")
    await siti.press("Penyakit menular")
    for answer in ("Fogging DBD di RT 03", "2 kali fogging", "120", "2,5 juta", "Desember"):
        await siti.send(answer)
    await siti.press("Posyandu / kader")
    await siti.send(photo=Photo("rab-1", "RAB fogging"))
    await siti.press("Kirim")
    graph.add_media(jpeg(), "image/jpeg", media_id="rab-1")
    client = WhatsAppClient(graph.base_url, "test-token", "1234567890")
    fetch = whatsapp_fetch(WhatsAppDelivery(client, None, texts, clock))
    store = DirectoryStore(tmp_path / "media")
    await media.MediaWorker(db, {"test": fetch}, store, clock, texts).drain()
    await client.close()

    dinkes = await signed_in(app, await registered("dinkes", chat_id="300"))
    page = (await dinkes.get("/dasbor/dana/DD-2026-1")).text
    photo = page.split('<img src="')[1].split('"')[0]
    shown = await dinkes.get(photo)
    assert shown.status_code == 200 and shown.headers["content-type"] == "image/jpeg"
    assert shown.content[:2] == b"\xff\xd8"
    other = await signed_in(
        app, await registered("kepala_puskesmas", chat_id="301", puskesmas="Curup")
    )
    assert (await other.get(photo)).status_code == 404  # not his puskesmas's request


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (250, 250, 240)).save(out, format="JPEG")
    return out.getvalue()
