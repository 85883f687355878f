"""The command line as an operator and a first-time user meet it: real processes, real files."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the ilpbot command in subprocesses

ILPBOT = str(Path(sys.executable).parent / "ilpbot")


def ilpbot(
    tmp_path: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess:
    environ = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "TELEGRAM_BOT_TOKEN": "",
        "TELEGRAM_BOT_USERNAME": "",
        "LOG_LEVEL": "WARNING",
        **env,
    }
    return subprocess.run(
        [ILPBOT, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        cwd=tmp_path,
        timeout=120,
    )


def test_a_scripted_console_registration_works_end_to_end(tmp_path):
    created = ilpbot(
        tmp_path, "invite", "create", "--role", "petugas", "--puskesmas", "Sumber Urip", "--json"
    )
    assert created.returncode == 0, created.stderr
    code = json.loads(created.stdout)["code"]
    run = ilpbot(tmp_path, "console", "--chat", "7", stdin=f"/start {code}\nSiti Aminah\n1\n")
    assert run.returncode == 0, run.stderr
    assert "bot> Siapa nama lengkap Bapak/Ibu?" in run.stdout
    assert "     1. Ya" in run.stdout
    assert (
        "bot> Selamat datang, Siti Aminah! Bapak/Ibu terdaftar sebagai petugas puskesmas untuk Puskesmas Sumber Urip."
        in run.stdout
    )
    again = ilpbot(tmp_path, "console", "--chat", "7", stdin="/profil\n")
    assert (
        "Bapak/Ibu terdaftar sebagai Siti Aminah, petugas puskesmas untuk Puskesmas Sumber Urip."
        in again.stdout
    )


def test_an_invite_prints_json_with_the_telegram_link_when_the_username_is_known(tmp_path):
    out = ilpbot(
        tmp_path,
        "invite",
        "create",
        "--role",
        "kades",
        "--desa",
        "Sumber Urip",
        "--json",
        TELEGRAM_BOT_USERNAME="ilp_rl_bot",
    )
    data = json.loads(out.stdout)
    assert data["role"] == "kades"
    assert re.fullmatch(r"[2-9A-HJKMNP-Z]{5}-[2-9A-HJKMNP-Z]{5}", data["code"])
    assert data["link"] == f"https://t.me/ilp_rl_bot?start={data['code']}"
    plain = ilpbot(
        tmp_path, "invite", "create", "--role", "dinkes", "--json", "--uses", "3", "--days", "2"
    )
    assert json.loads(plain.stdout)["link"] is None


def test_an_ambiguous_desa_name_lists_the_candidates_and_fails(tmp_path):
    out = ilpbot(tmp_path, "invite", "create", "--role", "kades", "--desa", "Kayu Manis")
    assert out.returncode != 0
    assert out.stderr.count("Kayu Manis (17.02.") == 2
    assert "Kemendagri code" in out.stderr


def test_invites_are_listed_and_revoked(tmp_path):
    ilpbot(tmp_path, "invite", "create", "--role", "petugas", "--puskesmas", "Curup")
    listed = ilpbot(tmp_path, "invite", "list")
    assert "\tpetugas\t0/1\tactive\t" in listed.stdout
    invite_id = listed.stdout.split("\t")[0]
    assert ilpbot(tmp_path, "invite", "revoke", invite_id).returncode == 0
    assert "\trevoked\t" in ilpbot(tmp_path, "invite", "list").stdout


def test_seed_is_idempotent_and_loads_another_district_of_the_same_shape(tmp_path):
    first = ilpbot(tmp_path, "seed")
    assert first.stdout.strip() == ilpbot(tmp_path, "seed").stdout.strip()
    assert "kecamatan 15, desa 156, puskesmas 21" in first.stdout
    other = tmp_path / "other"
    other.mkdir()
    (other / "wilayah_x_kecamatan.csv").write_text("kode,nama\n99.01.01,Alpha\n")
    (other / "wilayah_x_desa.csv").write_text(
        "kode,nama,kecamatan_kode,jenis\n99.01.01.2001,Satu,99.01.01,desa\n99.01.01.1002,Dua,99.01.01,kelurahan\n"
    )
    (other / "puskesmas_x.csv").write_text("nama,kecamatan,source_note\nAlpha,Alpha,test\n")
    loaded = ilpbot(tmp_path, "seed", "--dir", str(other))
    assert loaded.returncode == 0, loaded.stderr
    assert "kecamatan 1, desa 2, puskesmas 1, links 2" in loaded.stdout


@pytest.mark.parametrize("role", ["petugas", "kades"])
def test_an_invite_without_its_place_is_refused(tmp_path, role):
    out = ilpbot(tmp_path, "invite", "create", "--role", role)
    assert out.returncode == 2
    assert "needs --" in out.stderr
