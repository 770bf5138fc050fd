"""Values whose spelling YAML 1.1 (PyYAML's reading) turns into something other than what a
person, or YAML 1.2, sees: `stock: 010` is 8, `price: 19_99` is 1999, `1:20` is 80, `on` is
true. The file is still read as YAML 1.1 (changing what a catalog means would be a silent
change of its own); each such value gets a located warning saying what it was read as.
"""

from __future__ import annotations


def number_surprise(text: str, number: object) -> str | None:
    """The warning for a number YAML 1.1 reads otherwise than YAML 1.2, or None."""
    digits = text.lstrip("+-")
    if ":" in digits:
        why = "base 60 in YAML 1.1, as for times"
    elif "_" in digits:
        why = "YAML 1.1 ignores _ in numbers"
    elif digits[:2].lower() == "0b":
        why = "binary in YAML 1.1"
    elif digits[:1] == "0" and digits[1:2].isdigit():
        why = "a leading 0 makes it octal in YAML 1.1"
    else:  # 0x1F, .inf, 1e3, 12: read alike by YAML 1.1 and 1.2
        return None
    return _read_as(text, repr(number), why)


def bool_surprise(text: str, value: bool) -> str | None:
    """The warning for yes/no/on/off (YAML 1.1 booleans, text in YAML 1.2), or None."""
    if text.lower() in ("true", "false"):
        return None
    return _read_as(text, "true" if value else "false", "a YAML 1.1 boolean")


def _read_as(text: str, shown: str, why: str) -> str:
    return (
        f"{text} is read as {shown} ({why}): write {shown} if that is meant, "
        f'or "{text}" in quotes for text'
    )
