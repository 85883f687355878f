"""The operator imports a roster from the command line, twice; `make run`'s demo lets its
kepala puskesmas register from a named card in one tap and open /staf."""

import re

import pytest

from tests.test_cli import ilpbot

pytestmark = pytest.mark.slow  # runs the ilpbot command in subprocesses

LINKS = {"TELEGRAM_BOT_USERNAME": "ilp_rl_bot", "WHATSAPP_NUMBER": "6281100000000"}


def test_a_roster_imported_twice_prints_one_sheet_and_then_nothing_new(tmp_path):
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "Nama;Peran;Puskesmas;Desa/Posyandu;Telepon\n"
        "Siti Aminah;Bidan;Puskesmas Sumber Urip;;081234567890\n"
        "Ani Lestari;Kader;Sumber Urip;Desa Sumber Urip;\n",
        encoding="utf-8",
    )
    first = ilpbot(tmp_path, "invite", "import", str(roster), "--out", "sheets", **LINKS)
    assert first.returncode == 0, first.stderr
    assert first.stdout.splitlines()[0] == "roster.csv: created 2"
    pdf = re.search(r"PDF: (\S+)", first.stdout)[1]
    assert (tmp_path / pdf).stat().st_size > 1000
    again = ilpbot(tmp_path, "invite", "import", str(roster), **LINKS)
    assert again.stdout.splitlines() == [
        "roster.csv: unchanged 2",
        "nothing new to print: every person is invited or registered already",
    ]
    roster.write_text("nama,peran,puskesmas\nBudi,kapus,Sumbr Urup\n", encoding="utf-8")
    wrong = ilpbot(tmp_path, "invite", "import", str(roster))
    assert wrong.returncode == 2
    assert "Baris 2: tidak ada puskesmas bernama Sumbr Urup." in wrong.stderr
    assert "warning: TELEGRAM_BOT_USERNAME is not set" in wrong.stderr


def test_the_demo_kepala_puskesmas_registers_in_one_tap_and_sees_his_staff(tmp_path):
    demo = ilpbot(tmp_path, "run", stdin="")
    assert demo.returncode == 0, demo.stderr
    code = re.search(r"--chat 3, then DAFTAR (\S+),", demo.stdout)[1]
    kapus = ilpbot(tmp_path, "console", "--chat", "3", stdin=f"DAFTAR {code}\n1\n/staf\n")
    assert "bot> Apakah Anda Dr. Hendra?" in kapus.stdout
    assert "bot> Staf Anda (0 orang):" in kapus.stdout
    assert "Undang petugas puskesmas baru" in kapus.stdout
