"""The key and token formats of SMG-SECRET-001, read from ``rules/secrets/token_formats.yaml``
(one data file, kept in step with gitleaks and detect-secrets), and how a placeholder or a
documentation key is told from a real one."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["TokenFormat", "documentation_values", "formats", "formats_file", "placeholder"]


@dataclass(frozen=True)
class TokenFormat:
    id: str
    name_en: str
    name_id: str
    source: str
    pattern: re.Pattern[str]
    #: The format's fixed start, left out when judging whether the rest is random.
    prefix: re.Pattern[str]
    #: A literal the token must hold; None: a run of 20 key characters.
    needs: str | None
    leak: tuple[str, ...]
    ok: tuple[str, ...]


def formats_file() -> Path:
    import smguard.rules

    return Path(smguard.rules.__file__).resolve().parent / "secrets" / "token_formats.yaml"


@cache
def _data() -> dict[str, Any]:
    from smguard.guard.packs.load import load_yaml_data

    # Through the rule packs' JSON cache: YAML is parsed (and imported) only for new content.
    path = formats_file()
    data = load_yaml_data(path.read_bytes())
    if not isinstance(data, dict) or not isinstance(data.get("formats"), list):
        raise ValueError(f"{path}: expected a 'formats' list")
    return data


@cache
def formats() -> tuple[TokenFormat, ...]:
    out = []
    for entry in _data()["formats"]:
        name = entry["name"]
        out.append(
            TokenFormat(
                id=entry["id"],
                name_en=name["en"],
                name_id=name["id"],
                source=entry.get("source", ""),
                pattern=re.compile(entry["pattern"]),
                prefix=re.compile(entry.get("prefix") or ""),
                needs=entry.get("needs"),
                leak=tuple(entry.get("leak") or ()),
                ok=tuple(entry.get("ok") or ()),
            )
        )
    return tuple(out)


@cache
def documentation_values() -> frozenset[str]:
    return frozenset(str(v) for v in _data().get("documentation_values") or ())


#: Words a filler value is made of: ``your_api_key_here``, ``<token>``, ``changeme``.
_FILLER_WORDS = re.compile(
    r"example|your|here|placeholder|changeme|change_me|dummy|sample|redacted|insert|replace|"
    r"xxxx|contoh|rahasia_anda|isi_di_sini",
    re.I,
)


_ENV_VAR = re.compile(r"\$[A-Z_][A-Z0-9_]*")


def placeholder(value: str, prefix: re.Pattern[str] | None = None) -> bool:
    """Whether ``value`` stands in for a key rather than being one: a documentation key, a
    filler (``xxxx…``, ``0000…``, ``<token>``, ``${VAR}``, ``your_key_here``), or a rest so
    repetitive that no key generator made it."""
    if value in documentation_values():
        return True
    rest = value
    if prefix is not None and prefix.pattern:
        m = prefix.match(value)
        if m is not None:
            rest = value[m.end() :]
    core = re.sub(r"[\W_]", "", rest)
    if not core:
        return True
    if value[:1] in "<%{[" or "${" in value or "{{" in value or _ENV_VAR.fullmatch(value):
        return True  # <token>, ${API_KEY}, {{ secret }}, $API_KEY
    if _FILLER_WORDS.search(rest):
        return True
    if re.search(r"(.)\1{5,}", core):
        return True  # six of one character in a row: ghp_xxxx…, AIzaSyXXXX…, 000000
    return len(set(core.lower())) <= max(2, len(core) // 8)
