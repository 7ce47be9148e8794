"""HTML -> PDF fetches nothing and reads no file outside report_templates/.

A real HTTP server on 127.0.0.1 (free port) counts every request it receives. Hostile diagnostics
point their comments, names, explanations and evidence at it: after rendering, it has received
0 requests. Control tests prove the counter and the probes work: a direct request is counted,
and WeasyPrint's default fetcher does fetch the same markup when our fetcher is not used.
"""

from __future__ import annotations

import shutil
import subprocess
import threading
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from report_fixtures import extreme

from cyberdiag.report import FetchRefused, html_to_pdf, safe_url_fetcher, write_report
from cyberdiag.report import pdf as report_pdf
from cyberdiag.report.templating import templates_dir

PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


class CountingServer:
    def __init__(self) -> None:
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                server.paths.append(self.path)
                body = PNG_1PX if self.path.endswith(".png") else b"body{}"
                self.send_response(200)
                self.send_header(
                    "Content-Type", "image/png" if self.path.endswith(".png") else "text/css"
                )
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def count(self) -> int:
        return len(self.paths)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """urllib (and WeasyPrint's default fetcher in the control tests) must talk to 127.0.0.1
    directly, never through a proxy from the environment."""
    for name in ("http_proxy", "https_proxy", "all_proxy", "ftp_proxy"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.setenv("no_proxy", "*")


@pytest.fixture
def server() -> Iterator[CountingServer]:
    srv = CountingServer()
    srv.thread.start()
    try:
        yield srv
    finally:
        srv.httpd.shutdown()
        srv.httpd.server_close()


def test_counter_counts_a_direct_request(server: CountingServer) -> None:
    with urllib.request.urlopen(server.url + "/probe.png", timeout=5) as resp:  # 127.0.0.1 only
        assert resp.status == 200
    assert server.count == 1


def test_default_weasyprint_would_fetch_the_same_markup(server: CountingServer) -> None:
    """Control: without our fetcher, WeasyPrint fetches an <img> pointing at the server."""
    import weasyprint

    weasyprint.HTML(string=f'<p>x</p><img src="{server.url}/control.png">').write_pdf()
    assert server.count >= 1


@pytest.mark.parametrize("fmt", ["pdf", "html"])
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_hostile_diagnostic_makes_no_request(
    server: CountingServer, tmp_path: Path, fmt: str, lang: str
) -> None:
    out = tmp_path / f"r.{fmt}"
    write_report(extreme(server.url), out, fmt=fmt, lang=lang)  # type: ignore[arg-type]
    assert out.stat().st_size > 1000
    assert server.count == 0, server.paths


def test_fetcher_refuses_everything_outside_the_templates() -> None:
    for url in (
        "file:///etc/passwd",
        "file://localhost/etc/passwd",
        "file:///etc/../etc/passwd",
        (templates_dir() / ".." / "pyproject.toml").as_uri(),
        templates_dir().as_uri() + "/../pyproject.toml",
        templates_dir().as_uri() + "/%2e%2e/pyproject.toml",
        templates_dir().as_uri() + "/report.css%00.png",
        "http://127.0.0.1:9/x.png",
        "https://example.invalid/x.css",
        "ftp://127.0.0.1/x",
        "data:text/css,body{}",
        "file://evil.example/etc/passwd",
        templates_dir().as_uri(),  # a directory
        (templates_dir() / "report.css").as_uri() + "?x=1",
    ):
        with pytest.raises(FetchRefused):
            safe_url_fetcher(url)


def test_fetcher_serves_files_inside_the_templates() -> None:
    res = safe_url_fetcher((templates_dir() / "report.css").as_uri())
    assert res["mime_type"] == "text/css" and b"@page" in res["string"]


def test_symlink_escaping_the_templates_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "templates"
    root.mkdir()
    (root / "ok.css").write_text("p{}")
    secret = tmp_path / "secret.css"
    secret.write_text("p{}")
    (root / "link.css").symlink_to(secret)
    monkeypatch.setattr(report_pdf, "templates_dir", lambda: root.resolve())
    assert safe_url_fetcher((root / "ok.css").as_uri())["string"] == b"p{}"
    with pytest.raises(FetchRefused):
        safe_url_fetcher((root / "link.css").as_uri())


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils missing")
def test_raw_markup_reaching_weasyprint_is_still_contained(
    server: CountingServer, tmp_path: Path
) -> None:
    """Defence in depth: even unescaped markup (never produced by our templates) fetches
    nothing and reads no file outside report_templates/."""
    import weasyprint

    leak = tmp_path / "leak.css"
    leak.write_text('body::before { content: "LEAKED-FILE"; }')
    html = (
        f'<link rel="stylesheet" href="{leak.as_uri()}">'
        f'<link rel="stylesheet" href="{server.url}/remote.css">'
        f'<style>@import url("{server.url}/import.css"); '
        f'p {{ background: url("{server.url}/bg.png"); }}</style>'
        f'<p>texte</p><img src="{server.url}/img.png"><img src="file:///etc/passwd">'
        f'<object data="{server.url}/obj.png"></object>'
        f'<svg><image href="{server.url}/svg.png" width="5" height="5"/></svg>'
    )
    out = tmp_path / "raw.pdf"
    html_to_pdf(html, out)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], check=True, capture_output=True, text=True
    ).stdout
    assert "texte" in text and "LEAKED-FILE" not in text
    assert server.count == 0, server.paths
    # Control: the same markup with WeasyPrint's default fetcher reads the file and the server.
    control = weasyprint.HTML(string=html).write_pdf()
    (tmp_path / "control.pdf").write_bytes(control)
    control_text = subprocess.run(
        ["pdftotext", str(tmp_path / "control.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "LEAKED-FILE" in control_text
    assert server.count > 0
