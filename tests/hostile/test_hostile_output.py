"""Output that others interpret: a CI log (workflow commands), a pull-request comment (markdown),
an error message (secrets). Catalog text and marketplace answers are shown, never obeyed.
"""

from __future__ import annotations

import base64
import json
import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from reconciler.cli.main import cli
from reconciler.render.markdown import render_markdown
from reconciler.render.text import render_text
from reconciler.scrub import scrub
from tests.offers import make_plan, offer

HOSTILE = Path(__file__).resolve().parent.parent / "fixtures" / "hostile"
FORGED = "\n::error file=catalog.yaml,line=1::forged\n"


def workflow_commands(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.lstrip().startswith("::")]


def test_a_file_name_with_a_newline_cannot_forge_a_workflow_command(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    (root / "offers" / f"mugs{FORGED}x.yaml").write_text("offers: nope\n")
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 4, result.output
    assert workflow_commands(result.output) == []
    assert "mugs\\n::error file=catalog.yaml,line=1::forged\\nx.yaml:1:9: offers:" in result.output


def test_a_sku_with_a_newline_cannot_forge_a_workflow_command_in_the_plan() -> None:
    plan = make_plan([offer(sku=f"MUG{FORGED}", comment=f"nice{FORGED}")], [])
    text = render_text(plan)
    assert workflow_commands(text) == []
    assert "MUG\\n::error file=catalog.yaml,line=1::forged\\n" in text


def test_catalog_text_in_the_comment_is_text_not_markdown() -> None:
    comment = (
        "[win a prize](https://evil.example/x) ![pixel](http://evil.example/p.png) "
        "cc @octo-org/sellers see #12 <img src=x onerror=alert(1)> www.evil.example *now*"
    )
    plan = make_plan([offer(sku="MUG-[1](http://x)", comment=comment)], [])
    md = render_markdown(plan)
    assert "](http" not in md  # no link or image
    assert "<img" not in md
    assert "@octo-org" not in md and "@\u2060octo-org" in md  # no mention
    assert "#12" not in md and "#\u206012" in md  # no issue reference
    assert "https://" not in md and "www.evil" not in md  # no bare link
    assert "*now*" not in md and "&#42;now&#42;" in md  # no emphasis
    assert "&#91;win a prize&#93;(https:\u2060//evil.example/x)" in md  # shown as written


class _EchoingGateway(BaseHTTPRequestHandler):
    """A token endpoint, and an API that refuses every call quoting the request's token."""

    token = "eyJhbGciOiJSUzI1NiJ9.pay+load/sig="

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        self._answer(200, {"access_token": self.token, "expires_in": 300})

    def do_GET(self) -> None:  # noqa: N802
        header = self.headers.get("Authorization", "")
        dump = base64.b64encode(f"GET {self.path}\nAuthorization: {header}\n".encode()).decode()
        detail = f"bad request: access_token={quote(self.token, safe='')} (request: {dump})"
        self._answer(400, {"title": "Bad Request", "detail": detail})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def gateway() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoingGateway)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_a_token_echoed_url_encoded_or_in_base64_is_scrubbed(tmp_path: Path, gateway: str) -> None:
    root = tmp_path / "shop"
    shutil.copytree(HOSTILE / "valid-crlf", root)
    settings = root / "catalog.yaml"
    settings.write_text(
        settings.read_text().replace(
            "marketplace: {sandbox: embedded}",
            f"marketplace: {{api_url: {gateway}/api, auth_url: {gateway}/token}}",
        )
    )
    env = {"OCTOPIA_CLIENT_ID": "me", "OCTOPIA_CLIENT_SECRET": "s3cret-s3cret"}
    result = CliRunner().invoke(cli, ["plan", str(root)], env=env)
    assert result.exit_code == 7, result.output
    assert "refused (HTTP 400)" in result.output and "access_token=***" in result.output
    token = _EchoingGateway.token
    for shown in (token, quote(token, safe=""), base64.b64encode(token.encode()).decode()):
        assert shown not in result.output
    for encoded in result.output.replace("(", " ").replace(")", " ").split():
        try:
            decoded = base64.b64decode(encoded + "==")
        except ValueError:
            continue
        assert token.encode() not in decoded  # not even inside the request dump


@pytest.mark.parametrize("before", ["", "a", "ab", "Authorization: Bearer "])
def test_base64_of_a_text_holding_the_token_is_scrubbed_at_any_alignment(before: str) -> None:
    token = "ghs_16C7e42F292c6912E7710c838347Ae178B4a"
    encoded = base64.b64encode(f"{before}{token} and more".encode()).decode()
    scrubbed = scrub(f"echo: {encoded}", token)
    left = scrubbed.removeprefix("echo: ").split("***")
    assert len(left) == 2  # the token's characters went, what only its neighbours make stays
    assert len(encoded) - len("".join(left)) >= len(token) * 4 // 3 - 3


def test_apply_log_lines_stay_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    from reconciler.apply.report import Progress
    from reconciler.cli.apply import echo_line

    Progress(echo_line).note(f"rejected MUG{FORGED}(create): the marketplace said{FORGED}")
    assert workflow_commands(capsys.readouterr().out) == []
