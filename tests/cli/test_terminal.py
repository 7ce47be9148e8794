"""What the terminal receives (cli/terminal.outside, net/text.clean: the one cleaning function):
every outside string is printed as text, its controls shown visibly. Each command runs on a real
pseudo-terminal with hostile names, titles, values and DNS records; the bytes it writes are
checked: no OSC title or hyperlink, no BEL, no 8-bit CSI (0x9b), no bidi override, no crash."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from pathlib import Path

import yaml
from hostile_fixtures import assert_no_injection, cli, run_in_terminal
from territory_fixtures import Muni, make_diagnostic

from cyberdiag.resources import data_dir

# An OSC "set title", BEL, an 8-bit CSI, Rich markup (a link, a stray closing tag), a bidi
# override: each must arrive as visible text.
HOSTILE = "X[/bold] \x1b]0;PWNED\x07 \x9b31m [link=file:///etc/passwd]clic[/link] \u202eevil"


def _visible(out: bytes) -> str:
    return out.decode("utf-8", "replace")


def _assert_shown_as_text(out: bytes) -> None:
    assert_no_injection(out)
    text = _visible(out)
    assert "\\x1b]0;PWNED\\x07" in text  # shown, escaped
    assert "[link=file:///etc/passwd]clic[/link]" in text  # markup printed as it is


def _profile(folder: Path, name: str = HOSTILE) -> Path:
    path = folder / "municipality.yaml"
    data = {"name": name, "insee": "59350", "population": 2500, "agents": 30}
    path.write_text(yaml.safe_dump(data, allow_unicode=False), encoding="utf-8")
    return path


def _custom_questionnaire(folder: Path) -> Path:
    q = yaml.safe_load((data_dir("questionnaires") / "atelier.yaml").read_text("utf-8"))
    q["title"] = {"fr": "Titre " + HOSTILE, "en": "Title " + HOSTILE}
    first = q["questions"][0]
    first["text"] = {"fr": "Q " + HOSTILE, "en": "Q " + HOSTILE}
    first["why"] = {"fr": "W " + HOSTILE, "en": "W " + HOSTILE}
    first["options"][0]["label"] = {"fr": "L " + HOSTILE, "en": "L " + HOSTILE}
    path = folder / "mon-atelier.yaml"
    path.write_text(yaml.safe_dump(q, allow_unicode=False), encoding="utf-8")
    return path


def test_questionnaire_with_a_hostile_name_and_title(tmp_path: Path) -> None:
    _profile(tmp_path)
    custom = _custom_questionnaire(tmp_path)
    code, out = run_in_terminal(
        cli("questionnaire", "-q", str(custom)), tmp_path, [b"1\r", b"\r", b"?\r", b"q\r"]
    )
    assert code == 0, _visible(out)
    _assert_shown_as_text(out)
    assert "\\u202eevil" in _visible(out)


def test_workshop_with_a_trainers_hostile_questionnaire(tmp_path: Path) -> None:
    custom = _custom_questionnaire(tmp_path)
    code, out = run_in_terminal(
        cli("workshop", "-q", str(custom), "--participant", HOSTILE[:30], "--out", "atelier",
            "-f", "html"),
        tmp_path, [b"1\r", b"q\r"],
    )  # fmt: skip
    assert code == 0, _visible(out)
    _assert_shown_as_text(out)


def test_a_validation_error_echoes_the_value_as_text(tmp_path: Path) -> None:
    _profile(tmp_path, "Ville")
    answers = tmp_path / "answers.yaml"
    bad = {"questionnaire": "complet", "answers": {"gouv.referents": {"option": HOSTILE}}}
    answers.write_text(yaml.safe_dump(bad, allow_unicode=False), encoding="utf-8")
    code, out = run_in_terminal(cli("validate", str(answers)), tmp_path)
    assert code == 1
    _assert_shown_as_text(out)
    assert "trouvé « X[/bold] \\x1b]0;PWNED\\x07" in _visible(out)


def test_territory_status_and_import_with_hostile_names(tmp_path: Path) -> None:
    rng = random.Random(1)
    folder = tmp_path / "in"
    folder.mkdir()
    names = [HOSTILE, "[/bold]", "Normale"]
    for i, name in enumerate(names):
        m = Muni(insee=f"59{i + 1:03d}", name=name, population=2000)
        for day in (1, 2):  # twice: the import says which one it kept, quoting the name
            d = make_diagnostic(m, rng, created_at=datetime(2026, 3, day, tzinfo=UTC))
            (folder / f"{i}-{day}.json").write_text(d.model_dump_json(), encoding="utf-8")
    odd = folder / "\x1b]0;PWNED\x07.json"  # a file name is outside text too
    odd.write_text(json.dumps({"schema_version": "1.1", "x": 1}), encoding="utf-8")
    roster = tmp_path / "communes.csv"
    roster.write_text(
        "insee;name;domains;population\n59001;\x9b31m[/bold]Roster;a.test;2000\n"
        "59099;[link=file:///etc/passwd]x[/link];b.test;500\n",
        encoding="utf-8",
    )
    store = str(tmp_path / "t.sqlite")
    code, out = run_in_terminal(cli("territory", "import", str(folder), "--store", store), tmp_path)
    assert code == 1  # the odd file has a schema_version but is no diagnostic: refused
    assert_no_injection(out)
    assert "deux diagnostics" in _visible(out)
    code, out = run_in_terminal(
        cli("territory", "status", "-m", str(roster), "--store", store), tmp_path
    )
    assert code == 0, _visible(out)
    _assert_shown_as_text(out)
    assert "[/bold]" in _visible(out)


def test_check_shows_a_hostile_caa_record_as_text(tmp_path: Path) -> None:
    from scan_fixtures import nsd_server

    records = '@ IN CAA 0 issue "\\027]0;PWNED\\007\\155\\226\\128\\174ca.test"'
    with nsd_server(tmp_path / "nsd", "127.0.0.68", "ville-h.test", records) as port:
        code, out = run_in_terminal(
            cli("check", "ville-h.test", "--nameserver", f"127.0.0.68:{port}",
                "--only", "dns.caa"),
            tmp_path,
        )  # fmt: skip
    assert code in (0, 1), _visible(out)
    assert_no_injection(out)
    assert "PWNED" in _visible(out)  # the record is there, as text
