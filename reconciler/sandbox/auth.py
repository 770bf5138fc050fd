"""Client-credentials tokens, signed with a key kept in the state folder.

A token carries its client and expiry and is checked by its signature, so tokens survive a
restart of the sandbox, as they survive a restart of the real gateway.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from pathlib import Path

TOKEN_PATH = "/auth/realms/maas/protocol/openid-connect/token"


def signing_key(state_dir: Path) -> bytes:
    path = Path(state_dir) / "token.key"
    if not path.exists():
        path.write_bytes(secrets.token_bytes(32))
        path.chmod(0o600)
    return path.read_bytes()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue(key: bytes, client_id: str, expires_in: float) -> str:
    payload = json.dumps(
        {"c": client_id, "exp": time.time() + expires_in, "n": secrets.token_hex(4)}
    )
    body = _b64(payload.encode())
    return f"{body}.{_b64(hmac.new(key, body.encode(), hashlib.sha256).digest())}"


def verify(key: bytes, token: str) -> str | None:
    """The client id of a valid, unexpired token; None otherwise."""
    body, _, signature = token.partition(".")
    expected = _b64(hmac.new(key, body.encode(), hashlib.sha256).digest())
    if not signature or not hmac.compare_digest(signature, expected):
        return None
    try:
        payload = json.loads(_unb64(body))
    except ValueError:
        return None
    if payload.get("exp", 0) <= time.time():
        return None
    return payload.get("c")
