"""Taking a secret out of a text we are about to print, in every form an answer may echo it.

A gateway that refuses a call may quote the request: the bearer token as sent, URL-encoded (a
query string, a form), JSON-escaped, as Python shows bytes, or inside base64 (a header dump,
a basic-auth pair). Each form is replaced by `***`.
"""

from __future__ import annotations

import base64
import json
from urllib.parse import quote, quote_plus

HIDDEN = "***"
_SHORTEST = 8  # shorter forms could hide ordinary words: no token is that short


def scrub(text: str, *secrets: str) -> str:
    """`text` without any of `secrets`, in any of the forms below."""
    for secret in secrets:
        if not secret:
            continue
        for form in sorted(secret_forms(secret), key=len, reverse=True):
            text = text.replace(form, HIDDEN)
    return text


def secret_forms(secret: str) -> set[str]:
    raw = secret.encode()
    forms = {
        secret,
        quote(secret, safe=""),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        repr(raw)[2:-1],
    }
    for encoded in _base64_forms(raw):
        forms |= {encoded, encoded.replace("+", "-").replace("/", "_")}
    # the secret itself always goes; a derived form only when long enough to be nothing else
    return {secret} | {form for form in forms if len(form) >= _SHORTEST}


def _base64_forms(raw: bytes) -> list[str]:
    """The base64 characters that depend on `raw` alone, at each of the 3 alignments it can
    have inside a longer encoded text (what precedes it shifts its bytes in the 3-byte groups)."""
    forms = [base64.b64encode(raw).decode()]  # encoded alone, padding included
    for shift in range(3):
        encoded = base64.b64encode(bytes(shift) + raw).decode()
        first = (0, 2, 3)[shift]  # characters that mix in the bytes before it
        last = (shift + len(raw)) // 3 * 4  # a last partial group mixes in the bytes after it
        forms.append(encoded[first:last])
    return forms
