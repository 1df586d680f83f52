"""Every YAML file people give smguard is read by the rules of pack files: a key that is not
text, or a key written twice, is one clear error naming the file, the line and the key.

Before, a plan post with a ``null:`` key lost that value silently, one with ``text:`` twice was
checked with the last text only (a publisher whose parser keeps the first would post another),
and a key that is a list gave YAML's own multi-line message about ``<unicode string>``.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from smguard.errors import SmguardError
from smguard.planning.days import load_rules
from smguard.planning.planfile import read_plan
from smguard.records.clarify.templates import _read_template
from smguard.watch.yamldetector import load_file

_PLAN = "- {when: '2026-12-05T09:00:00+07:00', account: x, text: hi%s}\n"
_DETECTOR = "detectors:\n  - {id: X-1, name: x%s}\n"
_DAYS = "days:\n  - {key: x, name: {en: x}%s}\n"
_TEMPLATE = "sections: {what_happened: x%s}\n"

READERS: dict[str, tuple[str, Callable[[Path], Any]]] = {
    "plan": (_PLAN, lambda p: read_plan(p, lambda account: None)),
    "detector": (_DETECTOR, load_file),
    "calendar": (_DAYS, load_rules),
    "template": (_TEMPLATE, lambda p: _read_template(p, "account_change", "en")),
}

BAD_KEYS = [
    (", null: 1", r"a key must be text, not empty \('null' is null\)"),
    (", yes: 1", r"a key must be text, not 'yes' \(a boolean\)"),
    (", 7: 1", r"a key must be text, not '7' \(a number\)"),
    (", ? [a, b] : 1", r"a key must be text, not a value"),
]


@pytest.mark.parametrize("reader", sorted(READERS))
@pytest.mark.parametrize(("extra", "said"), BAD_KEYS)
def test_a_key_that_is_not_text_is_one_clear_error(
    tmp_path: Path, reader: str, extra: str, said: str
) -> None:
    template, read = READERS[reader]
    path = tmp_path / "file.yaml"
    path.write_text(template % extra, encoding="utf-8")
    with pytest.raises(SmguardError, match=r"file\.yaml.*not valid YAML at line \d+, column \d+: "):
        read(path)
    with pytest.raises(SmguardError, match=said) as err:
        read(path)
    assert "\n" not in str(err.value) and "<unicode string>" not in str(err.value)


@pytest.mark.parametrize("reader", sorted(READERS))
def test_a_key_written_twice_is_one_clear_error(tmp_path: Path, reader: str) -> None:
    template, read = READERS[reader]
    path = tmp_path / "file.yaml"
    first_key = template.split("{", 1)[1].split(":", 1)[0].strip()
    path.write_text(template % f", {first_key}: again", encoding="utf-8")
    said = rf"at line \d+, column \d+: duplicate key '{first_key}'"
    with pytest.raises(SmguardError, match=said):
        read(path)
