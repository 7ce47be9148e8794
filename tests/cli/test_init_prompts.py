"""`cyberdiag init` asks for what its options did not give: each field checked as it is typed,
asked again with the reason, nothing typed lost (CliRunner input); Ctrl-C on a real terminal."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cyberdiag.cli import main
from cyberdiag.cli.app import app


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("CYBERDIAG_LANG", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.chdir(tmp_path)


def init(text: str, *args: str, lang: str = "fr"):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(app, ["init", *args], input=text, env={"CYBERDIAG_LANG": lang})


def written() -> dict:  # type: ignore[type-arg]
    data: dict = yaml.safe_load(Path("municipality.yaml").read_text())  # type: ignore[type-arg]
    return data


def lines(*typed: str) -> str:
    return "".join(t + "\n" for t in typed)


def test_init_asks_everything_in_plain_words() -> None:
    res = init(
        lines(
            "Petiteville", "59001", "1 200", "12", "n", "Presta Nord",
            "mairie@petiteville.test",
            "",  # the domain offered from the address is kept with Enter
            "o", "n", "n", "o",  # website, online services, own mail server, equipment
            "",  # DKIM selectors: unknown
            "",  # public addresses: unknown
        )
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    data = written()
    assert data["population"] == 1200 and data["it_provider"] == "Presta Nord"
    assert data["official_email"] == "mairie@petiteville.test"
    assert data["domains"] == ["petiteville.test"] and data["it_staff"] is False
    assert data["has_website"] is True and data["online_services"] is False
    assert data["own_mail_server"] is False and data["has_ot"] is True
    assert "[petiteville.test]" in res.output  # the domain offered
    assert "démarches en ligne" in res.output and "vidéoprotection" in res.output
    assert "Strate 1" in res.output


def test_each_wrong_field_is_asked_again_with_its_reason_and_nothing_is_lost() -> None:
    res = init(
        lines(
            "Petiteville",
            "59000",  # a postal code: refused, with where to find the INSEE code
            "20167",  # a Corsican postal code
            "5900",
            "59001",
            "deux cents", "200",
            "12", "peut-être", "n", "",
            "https://www.petiteville.test/contact",  # a web address in the e-mail field
            "mairie@petiteville.test",
            "https://www.petiteville.test/contact petite_ville autre.test",
            "",  # the wrong one is dropped; the two right ones are kept
            "o", "o", "n", "n", "", "10.0.0.1", "81.2.69.160/29",
        )
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    out = res.output
    assert "« 59000 » est un code postal" in out and "insee.fr" in out
    assert "2A ou 2B" in out and "« 5900 » n'est pas un code INSEE" in out
    assert "Un nombre entier est attendu" in out
    assert "Répondez o (oui) ou n (non)." in out
    assert "n'est pas une adresse e-mail" in out
    assert "est l'adresse d'un site : son domaine, petiteville.test, est retenu." in out
    assert "« petite_ville » n'est pas un nom de domaine" in out and "ce qui suit le @" in out
    assert "Corrigez « petite_ville »" in out
    assert "adresse privée" in out and "Corrigez « 10.0.0.1 »" in out
    data = written()
    assert (data["name"], data["insee"], data["population"], data["agents"]) == (
        "Petiteville", "59001", 200, 12,
    )  # fmt: skip
    assert "it_provider" not in data
    assert data["domains"] == ["petiteville.test", "autre.test"]
    assert data["public_addresses"] == ["81.2.69.160/29"]
    assert data["online_services"] is True


def test_a_code_ending_in_0_is_confirmed() -> None:
    res = init(
        lines("Lille", "59350", "n", "59350", "o", "236000", "3000", "o", "", "", "")
        + lines("o", "o", "n", "")  # website, online services, equipment, addresses
    )
    assert res.exit_code == 0, res.output
    assert "se termine par 0, comme la plupart des codes postaux" in res.output
    assert res.output.count("est-il bien le code INSEE de la commune ?") == 2
    assert written()["insee"] == "59350"


def test_a_consumer_mailbox_is_known_and_not_asked_again() -> None:
    res = init(
        lines(
            "Petiteville", "59001", "600", "4", "n", "",
            "mairie.petiteville@wanadoo.fr",
            "orange.fr",  # a provider's domain is not the commune's
            "",
            "o", "n", "n",  # website, online services, equipment: no mail server question
            "",
        )
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "grand public (wanadoo.fr) : c'est noté" in res.output
    assert "orange.fr appartient à un fournisseur de messagerie grand public" in res.output
    assert "serveur à elle" not in res.output and "DKIM" not in res.output
    data = written()
    assert data["official_email"] == "mairie.petiteville@wanadoo.fr"
    assert data["domains"] == [] and data["own_mail_server"] is False


def test_english_and_an_e_mail_typed_as_the_domain() -> None:
    res = init(
        lines("1200", "Presta", "", "x@Grandeville.TEST", "y", "n", "y", "n", "", ""),
        "--name", "Grandeville", "--insee", "59002", "--population", "200000", "--it-staff",
        lang="en",
    )  # fmt: skip
    assert res.exit_code == 0, res.output
    assert "'x@Grandeville.TEST' is an e-mail address: its domain, grandeville.test" in res.output
    assert written()["domains"] == ["grandeville.test"] and written()["own_mail_server"]
    assert "Tier 4" in res.output and "NIS2: probably an" in res.output


def test_options_only_ask_nothing() -> None:
    res = init("", "--name", "X", "--insee", "59003", "--population", "50", "--agents", "1")
    assert res.exit_code == 0, res.output
    data = written()
    assert data["has_website"] is True and data["has_ot"] is False
    assert data["online_services"] is False and data["own_mail_server"] is False


def test_input_that_ends_is_a_clear_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("Petiteville\n"))
    assert main(["init"]) == 1
    err = capsys.readouterr().err
    assert "Saisie interrompue : « Code INSEE de la commune" in err
    assert not Path("municipality.yaml").exists()


def _read_until(fd: int, marker: bytes, timeout: float = 20.0) -> bytes:
    seen, deadline = b"", time.monotonic() + timeout
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def test_ctrl_c_on_a_real_terminal_exits_130_and_writes_nothing(tmp_path: Path) -> None:
    """Ctrl-C typed on a pseudo-terminal: the line discipline sends SIGINT, as for a person."""
    master, slave = pty.openpty()

    def controlling_terminal() -> None:  # in the child, after setsid
        fcntl.ioctl(0, termios.TIOCSCTTY, 0)

    env = {**os.environ, "CYBERDIAG_LANG": "fr", "NO_COLOR": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "cyberdiag", "init"],
        stdin=slave,
        stdout=slave,
        stderr=slave,
        cwd=tmp_path,
        env=env,
        start_new_session=True,
        preexec_fn=controlling_terminal,
    )
    os.close(slave)
    try:
        assert b"Nom de la commune" in _read_until(master, b"Nom de la commune :")
        os.write(master, b"Petiteville\r")
        assert b"Code INSEE" in _read_until(master, b"postal) :")
        # The prompt is written just before input() blocks: a signal in between would wait
        # for the next one (CPython checks it on EINTR). A person types later than that.
        time.sleep(0.5)
        os.write(master, b"\x03")  # Ctrl-C
        rest = _read_until(master, b"Interrompu.")
        assert proc.wait(timeout=20) == 130
    finally:
        if proc.poll() is None:
            proc.kill()
        os.close(master)
    text = rest.decode("utf-8", "replace")
    assert "Profil non écrit (municipality.yaml) : relancez cyberdiag init" in text
    assert "Interrompu." in text and "Traceback" not in text
    assert not (tmp_path / "municipality.yaml").exists()
