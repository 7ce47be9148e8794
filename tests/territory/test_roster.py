"""municipalities.csv: every mistake named with its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from cyberdiag.cli import main


def test_roster_errors_name_the_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    p = tmp_path / "c.csv"
    p.write_text(
        "insee,name,domains,population\n59001,A,a.test,100\n5900X,B,b.test,10\n"
        "59003,C,bad_domain!,12\n",
        encoding="utf-8",
    )
    assert main(["territory", "status", "--store", str(tmp_path / "t.sqlite"), "-m", str(p)]) == 1
    err = capsys.readouterr().err
    assert "c.csv:3" in err and "c.csv:4" in err
