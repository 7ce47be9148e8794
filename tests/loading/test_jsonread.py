"""Every JSON reader bounded (loading/jsonread.py, diagnostic_limits.py): through the CLI, with
crafted diagnostic.json and check files, each refused in one line naming the file, exit 1, in
well under 2 s of CPU and 200 MB; a UTF-8 BOM accepted."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest
from hostile_fixtures import cli, run_measured
from territory_fixtures import municipalities, real_diagnostic


@pytest.fixture(scope="module")
def good_diagnostic() -> dict[str, Any]:
    m = municipalities(1, seed=2)[0]
    data: dict[str, Any] = json.loads(real_diagnostic(m, random.Random(1)).model_dump_json())
    return data


def _write(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _refused(tmp_path: Path, path: Path, *words: str) -> str:
    code, err, cpu, peak_mb = run_measured(
        cli("report", str(path), "-o", str(tmp_path / "r.pdf")), tmp_path
    )
    assert code == 1, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0], err
    for w in words:
        assert w in lines[0], err
    assert cpu < 2.0 and peak_mb < 200, (cpu, peak_mb)
    assert not (tmp_path / "r.pdf").exists()
    return lines[0]


def test_ten_thousand_findings_refused(tmp_path: Path, good_diagnostic: dict[str, Any]) -> None:
    data = dict(good_diagnostic)
    one = data["findings"][0]
    data["findings"] = [dict(one, id=f"f{i}", rank=i + 1) for i in range(10_000)]
    line = _refused(tmp_path, _write(tmp_path / "d.json", data), "10\u202f000 constats")
    assert "au plus 2\u202f000" in line


def test_a_one_megabyte_comment_refused(tmp_path: Path, good_diagnostic: dict[str, Any]) -> None:
    data = json.loads(json.dumps(good_diagnostic))
    data["answers"][0]["comment"] = "x" * 1_000_000
    _refused(tmp_path, _write(tmp_path / "d.json", data), "commentaire", "au plus 5\u202f000")


def test_a_huge_text_anywhere_refused(tmp_path: Path, good_diagnostic: dict[str, Any]) -> None:
    data = json.loads(json.dumps(good_diagnostic))
    data["findings"][0]["title"]["fr"] = "y" * 300_000
    _refused(tmp_path, _write(tmp_path / "d.json", data), "texte")


def test_deep_nesting_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 400_000 + "]" * 400_000, encoding="utf-8")
    _refused(tmp_path, deep, "imbrication trop profonde")
    evidence = tmp_path / "evidence.json"
    nested: Any = 1
    for _ in range(500):
        nested = {"a": nested}
    evidence.write_text(json.dumps({"schema_version": "1.1", "x": nested}), encoding="utf-8")
    _refused(tmp_path, evidence, "imbrication trop profonde")


def test_dev_zero_refused_on_the_bytes_read(tmp_path: Path) -> None:
    _refused(tmp_path, Path("/dev/zero"), "fichier trop gros")


def test_a_check_file_is_bounded_too(tmp_path: Path) -> None:
    """`score --checks` reads JSON as well: /dev/urandom and deep nesting refused in a line."""
    profile = tmp_path / "m.yaml"
    profile.write_text('name: V\ninsee: "59350"\npopulation: 900\nagents: 3\n', encoding="utf-8")
    answers = tmp_path / "a.yaml"
    answers.write_text("questionnaire: complet\nanswers: {}\n", encoding="utf-8")
    deep = tmp_path / "checks.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    for bad, word in ((Path("/dev/urandom"), "trop gros"), (deep, "imbrication")):
        code, err, cpu, peak_mb = run_measured(
            cli("score", "-p", str(profile), "-a", str(answers), "-c", str(bad),
                "-o", str(tmp_path / "d.json")),
            tmp_path,
        )  # fmt: skip
        assert code == 1 and len(err.strip().splitlines()) == 1 and word in err, err
        assert str(bad) in err and cpu < 2.0 and peak_mb < 200


def test_a_bom_is_accepted(tmp_path: Path, good_diagnostic: dict[str, Any]) -> None:
    """Saved by a Windows editor: a UTF-8 BOM first. The report is made as usual."""
    path = tmp_path / "d.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(good_diagnostic).encode())
    code, err, _, _ = run_measured(
        cli("report", str(path), "-o", str(tmp_path / "plan.csv")), tmp_path
    )
    assert code == 0, err
    assert (tmp_path / "plan.csv").exists()
