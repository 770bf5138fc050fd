"""Secrets audit: every command, run as a real process with sentinel credentials, never shows them.

The client secret, the bearer token (a sandbox configured to issue tokens that start with a
sentinel), a wrong secret and the GitHub token are searched, as written and URL- or
base64-encoded, in each command's stdout and stderr and in every file under the working
folder once the commands ran: saved plans, reports, journals (.catalog/), packages, summaries,
imported catalogs. Failure paths too: a refused secret (exit 7), a marketplace answering 500
with an echo of the request, a throttled one, a garbled answer, each also with --debug.
"""

from __future__ import annotations

import base64
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
import urllib.parse
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from reconciler.resources import DEMO_CATALOG

SECRET = "SENTINEL-client-secret-7f3a9c"
TOKEN_PREFIX = "SENTINEL-token-2b8e1d"
WRONG_SECRET = "SENTINEL-wrong-secret-9e0f"
GITHUB_TOKEN = "ghs_SENTINELgithubtoken4c6d"
CLIENT_ID = "audit-client"
SENTINELS = (SECRET, TOKEN_PREFIX, WRONG_SECRET, GITHUB_TOKEN)
STAND_IN = Path(__file__).resolve().parent.parent / "github" / "github_stand_in.py"


def forms(secret: str) -> list[bytes]:
    """A secret as written, URL-encoded and in base64 (as in a Basic header), as bytes."""
    raw = secret.encode()
    return [raw, urllib.parse.quote(secret).encode(), base64.b64encode(raw).rstrip(b"=")]


FORMS = [(s, f) for s in SENTINELS for f in forms(s)]


def leaks(data: bytes) -> list[str]:
    return sorted({secret for secret, form in FORMS if form in data})


def base_env(**extra: str) -> dict[str, str]:
    names = ("OCTOPIA_", "GITHUB_", "CATALOG_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(names)}
    env.update(
        OCTOPIA_CLIENT_ID=CLIENT_ID,
        OCTOPIA_CLIENT_SECRET=SECRET,
        GITHUB_TOKEN=GITHUB_TOKEN,
        CATALOG_NOW="2026-12-01T12:00:00+01:00",
        COLUMNS="120",
    )
    env.update(extra)
    return env


class Audit:
    """Runs commands in `work` and checks what they print and write."""

    def __init__(self, work: Path, env: dict[str, str]):
        self.work = work
        self.env = env
        self.ran: list[str] = []

    def run(self, *args: str, codes: tuple[int, ...] = (0,), **env: str) -> str:
        command = [sys.executable, "-m", "reconciler.cli.main", *args]
        result = subprocess.run(
            command, cwd=self.work, env={**self.env, **env}, capture_output=True, timeout=120
        )
        shown = result.stdout + result.stderr
        text = shown.decode(errors="replace")
        assert result.returncode in codes, (args, result.returncode, text[-3000:])
        assert leaks(shown) == [], (args, text[-3000:])
        self.ran.append(" ".join(args))
        return text

    def files(self) -> Iterator[Path]:
        for path in sorted(self.work.rglob("*")):
            if path.is_file() and not path.is_symlink():
                yield path

    def assert_files_clean(self) -> int:
        checked = 0
        for path in self.files():
            assert leaks(path.read_bytes()) == [], path
            checked += 1
        return checked


def load_stand_in():
    spec = importlib.util.spec_from_file_location("github_stand_in_for_audit", STAND_IN)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while building
    spec.loader.exec_module(module)
    return module


def shop_catalog(root: Path, api_url: str, auth_url: str, store_url: str) -> Path:
    """The demo catalog pointed at a served marketplace instead of the embedded sandbox."""
    shutil.copytree(DEMO_CATALOG, root, ignore=shutil.ignore_patterns(".catalog"))
    settings = root / "catalog.yaml"
    text = re.sub(
        r"marketplace:\n  sandbox: embedded[^\n]*\n",
        f"marketplace:\n  api_url: {api_url}\n  auth_url: {auth_url}\n",
        settings.read_text(encoding="utf-8"),
    )
    text += f'package_store:\n  type: http-put\n  url: "{store_url}"\n'
    settings.write_text(text, encoding="utf-8")
    return root


def demo_gtins() -> list[str]:
    gtins = set()
    for path in (DEMO_CATALOG / "offers").glob("*.yaml"):
        gtins |= {offer["gtin"] for offer in yaml.safe_load(path.read_text())["offers"]}
    return sorted(gtins)


@pytest.fixture
def audited_sandbox(sandbox_factory):
    market = sandbox_factory(
        clients=[{"client_id": CLIENT_ID, "client_secret": SECRET, "seller_ids": [98979]}],
        token_prefix=TOKEN_PREFIX,
    )
    market.seed_products(demo_gtins())
    return market


@pytest.fixture
def github_pr(tmp_path: Path):
    stand_in = load_stand_in()
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": stand_in.PR_NUMBER}}))
    with stand_in.serve(stand_in.GitHubStandIn(token=GITHUB_TOKEN)) as github:
        env = {
            "GITHUB_REPOSITORY": "octo/shop",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_API_URL": github.base_url,
        }
        yield github, env


def test_every_command_keeps_the_secrets(tmp_path: Path, audited_sandbox, github_pr) -> None:
    market = audited_sandbox
    github, github_env = github_pr
    work = tmp_path / "work"
    work.mkdir()
    store = market.base_url + "/sandbox/blobs/{name}"
    shop_catalog(work / "shop", market.api_url, market.auth_url, store)
    actions = {
        "GITHUB_STEP_SUMMARY": str(work / "summary.md"),
        "GITHUB_OUTPUT": str(work / "outputs.txt"),
    }
    audit = Audit(work, base_env(**github_env, **actions))

    audit.run("validate", "shop")
    audit.run("schema", "--out", "schemas")
    assert "+ " in audit.run("plan", "shop")  # the sentinel credentials did reach the shop
    audit.run("plan", "shop", "--format", "json")
    audit.run("plan", "shop", "--format", "markdown")
    audit.run("plan", "shop", "--out", "plan.json", "--detailed-exitcode", codes=(2,))
    for output in ("text", "json", "markdown"):
        audit.run("show", "plan.json", "--format", output)
    audit.run("package", "shop", "--out", "packages")
    audit.run("comment", "--github", "--plan", "plan.json")
    # a token pasted with its newline is the token; one with a control character cannot go in
    # a header, and httpx's error quotes the header it refused: never shown
    audit.run("comment", "--github", "--plan", "plan.json", GITHUB_TOKEN=GITHUB_TOKEN + "\n")
    for debug in ((), ("--debug",)):
        broken = {"GITHUB_TOKEN": GITHUB_TOKEN + "\nX"}
        audit.run(*debug, "comment", "--github", "--plan", "plan.json", codes=(1,), **broken)
    # a token httpx could not even encode is refused before any request, and not quoted
    accented = {"GITHUB_TOKEN": GITHUB_TOKEN + "é"}
    shown = audit.run(
        "--debug", "comment", "--github", "--plan", "plan.json", codes=(1,), **accented
    )
    assert "GITHUB_TOKEN holds characters no token has" in shown and "Traceback" not in shown
    audit.run("apply", "shop", "--plan", "plan.json", "--auto-approve", "--report", "report.json")
    audit.run("plan", "shop", "--detailed-exitcode")
    audit.run("operations", "shop")
    audit.run("import", "shop", "--out", "imported")
    audit.run("comment", "--github", "shop")
    audit.run("--debug", "plan", "shop", "--format", "json")

    assert github.requests  # the comment was posted with the sentinel token
    assert list((work / "shop" / ".catalog").rglob("*.*"))  # a journal was written, is checked
    assert "plan_hash=" in (work / "outputs.txt").read_text()
    assert (work / "summary.md").read_text().strip()
    assert (work / "report.json").is_file() and (work / "imported" / "catalog.yaml").is_file()
    assert list((work / "packages").glob("*.zip"))
    assert audit.assert_files_clean() >= 10
    # zips are compressed: their entries are checked as well
    for path in work.rglob("*.zip"):
        with zipfile.ZipFile(path) as package:
            for name in package.namelist():
                assert leaks(package.read(name)) == [], (path, name)


@pytest.mark.parametrize("debug", [(), ("--debug",)])
def test_a_refused_secret_is_not_echoed(tmp_path: Path, audited_sandbox, debug) -> None:
    market = audited_sandbox
    work = tmp_path / "work"
    work.mkdir()
    shop_catalog(work / "shop", market.api_url, market.auth_url, market.base_url + "/b/{name}")
    audit = Audit(work, base_env(OCTOPIA_CLIENT_SECRET=WRONG_SECRET))
    text = audit.run(*debug, "plan", "shop", codes=(7,))
    assert "authentication refused" in text
    audit.run(*debug, "apply", "shop", "--auto-approve", codes=(7,))
    audit.run(*debug, "import", "shop", "--out", "imported", codes=(7,))
    audit.assert_files_clean()


def test_a_wrong_github_token_is_not_echoed(tmp_path: Path, audited_sandbox) -> None:
    stand_in = load_stand_in()
    market = audited_sandbox
    work = tmp_path / "work"
    work.mkdir()
    shop_catalog(work / "shop", market.api_url, market.auth_url, market.base_url + "/b/{name}")
    event = work / "event.json"
    event.write_text(json.dumps({"pull_request": {"number": stand_in.PR_NUMBER}}))
    with stand_in.serve(stand_in.GitHubStandIn(token="another-token")) as github:
        env = {
            "GITHUB_REPOSITORY": "octo/shop",
            "GITHUB_EVENT_PATH": str(event),
            "GITHUB_API_URL": github.base_url,
        }
        audit = Audit(work, base_env(**env))
        assert "Bad credentials" in audit.run("comment", "--github", "shop", codes=(1,))
        audit.run("--debug", "comment", "--github", "shop", codes=(1,))
    audit.assert_files_clean()


class EchoingMarketplace(BaseHTTPRequestHandler):
    """A broken marketplace: tokens are issued, then every call is answered with `mode`.

    Its error bodies echo the request back, headers included, as some gateways do: whatever the
    client quotes of an answer must not carry the token it sent.
    """

    mode = "500"

    def log_message(self, *args: object) -> None:  # quiet: the test reads our output only
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        form = self.rfile.read(length).decode()
        if "/token" in self.path:
            # a token with a newline cannot go in a header: httpx's error would quote it
            token = f"{TOKEN_PREFIX}.echo" + ("\n" if self.mode == "newline-token" else "")
            self.answer(200, {"access_token": token, "expires_in": 300, "token_type": "Bearer"})
        else:
            self.answer(
                500, {"message": "internal error", "echo": dict(self.headers), "form": form}
            )

    def do_GET(self) -> None:
        echo = {"path": self.path, "headers": dict(self.headers)}
        if self.mode == "bad-link" and "delivery-modes" in self.path:
            modes = [
                {"code": code, "name": code} for code in ("TRK", "REG", "STD", "LV2", "LV1", "LV3")
            ]
            self.answer(200, {"count": len(modes), "items": modes})
        elif self.mode == "bad-link":  # a next page no client can follow
            authorization = self.headers.get("authorization", "").replace(" ", "%20")
            link = f'<http://[{authorization}/offers>; rel="next"'
            self.answer(200, {"items": [], "itemsPerPage": 0}, {"Link": link})
        elif self.mode == "garbled":
            self.answer(200, b"{'items': [" + json.dumps(echo).encode())
        elif self.mode in ("400", "401", "403", "404"):
            authorization = self.headers.get("authorization")
            body = {"message": f"{authorization} may not do this", "errors": echo, "detail": echo}
            self.answer(int(self.mode), body)
        else:
            self.answer(int(self.mode), {"message": "internal error", "echo": echo})

    def answer(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


@contextmanager
def broken_marketplace(mode: str) -> Iterator[str]:
    handler = type("Handler", (EchoingMarketplace,), {"mode": mode})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.parametrize(
    "mode", ["500", "503", "400", "401", "403", "404", "garbled", "newline-token", "bad-link"]
)
def test_a_broken_marketplace_answer_does_not_leak(tmp_path: Path, mode: str) -> None:
    work = tmp_path / "work"
    work.mkdir()
    with broken_marketplace(mode) as base:
        api, auth = f"{base}/seller/v2", f"{base}/auth/token"
        shop_catalog(work / "shop", api, auth, base + "/blobs/{name}")
        audit = Audit(work, base_env(CATALOG_TIME_BUDGET="0.3"))
        audit.run("plan", "shop", codes=(1, 7))
        audit.run("--debug", "plan", "shop", codes=(1, 7))
        audit.run("--debug", "apply", "shop", "--auto-approve", codes=(1, 7))
    audit.assert_files_clean()


def test_the_demo_keeps_the_secrets(tmp_path: Path) -> None:
    """The demo's embedded sandbox: with the sentinels exported, and with its own credentials."""
    work = tmp_path / "work"
    work.mkdir()
    audit = Audit(work, base_env())
    # the embedded sandbox uses its own client: exported credentials are neither used nor shown
    audit.run("demo", "demo")
    own = base_env()
    del own["OCTOPIA_CLIENT_ID"], own["OCTOPIA_CLIENT_SECRET"]
    Audit(work, own).run("demo", "demo")
    audit.assert_files_clean()


def test_a_partly_failed_apply_keeps_the_secrets(tmp_path: Path, sandbox_factory) -> None:
    """Offers rejected (exit 5) and tokens renewed mid-run: the report and journal stay clean."""
    market = sandbox_factory(
        clients=[{"client_id": CLIENT_ID, "client_secret": SECRET, "seller_ids": [98979]}],
        token_prefix=TOKEN_PREFIX,
        token_expires_in=2,
        faults={"offer_reject_share": 0.5, "seed": 7},
    )
    market.seed_products(demo_gtins())
    work = tmp_path / "work"
    work.mkdir()
    shop_catalog(
        work / "shop", market.api_url, market.auth_url, market.base_url + "/sandbox/blobs/{name}"
    )
    audit = Audit(work, base_env())
    shown = audit.run("apply", "shop", "--auto-approve", "--report", "report.json", codes=(5,))
    assert "rejected" in shown
    assert "rejected" in (work / "report.json").read_text()
    audit.run("--debug", "apply", "shop", "--auto-approve", "--max-failures", "1", codes=(5,))
    audit.assert_files_clean()


def test_the_s3_store_keeps_its_keys_and_its_presigned_links(
    tmp_path: Path, audited_sandbox, s3
) -> None:
    """An s3 package store: the storage key never shows, nor any part of a presigned link
    (its signature, its query, the access key id it carries), in output or files."""
    from tests.s3_server import KEY_ID, REGION, SECRET_KEY
    from tests.s3_server import env as s3_env

    market = audited_sandbox
    work = tmp_path / "work"
    work.mkdir()
    shop = shop_catalog(work / "shop", market.api_url, market.auth_url, "http://x/{name}")
    settings = shop / "catalog.yaml"
    text = settings.read_text().split("package_store:")[0] + (
        f"package_store:\n  type: s3\n  bucket: shop\n  prefix: audit/\n  region: {REGION}\n"
        f"  endpoint_url: {s3.endpoint_url}\n  link_expiry: 2h\n"
    )
    settings.write_text(text)
    audit = Audit(work, base_env(**s3_env(s3)))
    wrong = "SENTINEL-wrong-s3-secret-4a"
    shown = [audit.run("plan", "shop", "--out", "plan.json", "--detailed-exitcode", codes=(2,))]
    with s3.authenticating():  # a refused storage key: exit 7, nothing sent, not echoed
        for debug in ((), ("--debug",)):
            refused = audit.run(
                *debug, "apply", "shop", "--auto-approve", codes=(7,), AWS_SECRET_ACCESS_KEY=wrong
            )
            assert "credentials were refused" in refused
            shown.append(refused)
    shown += [
        audit.run(
            "--debug",
            "apply",
            "shop",
            "--plan",
            "plan.json",
            "--auto-approve",
            "--report",
            "r.json",
        ),
        audit.run("plan", "shop", "--detailed-exitcode"),
        audit.run("packages", "prune", "shop", "--older-than", "7d", "--dry-run"),
    ]
    assert re.search(r"cdiscount: [1-9]\d* integrated, 0 rejected", shown[3]), shown[3]
    # what the marketplace received: the presigned links, to be found nowhere else
    with market.client("CDISFR") as client:
        rows = client.get(market.base_url + "/sandbox/submissions").json()["items"]
        ids = {r["packageId"] for r in rows if r["kind"] == "xml"}
        links = [client.get(f"/offer-integration-packages/{i}").json()["url"] for i in ids]
    assert links and all("X-Amz-Signature=" in link for link in links)
    secrets_ = [SECRET_KEY, KEY_ID, wrong] + [link.split("?", 1)[1] for link in links]
    secrets_ += [link.split("X-Amz-Signature=")[1][:64] for link in links]
    written = [(str(path), path.read_bytes()) for path in audit.files()]
    for where, data in written + [(f"output {i}", o.encode()) for i, o in enumerate(shown)]:
        assert not [s for s in secrets_ for f in forms(s) if f in data], where
    assert audit.assert_files_clean() >= 5
