"""One error tree: every smguard error carries a message in English and Indonesian, and every
error class is drawn in ``smguard/errors.py``'s docstring."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from smguard import errors
from smguard.errors import ConfigError, InputError, SmguardError, Text
from smguard.records.errors import IncidentNotFound, RecordError, RecordInputError
from smguard.security.errors import KeyConfigError, Refused, SecurityProblem


def test_a_plain_message_reads_the_same_in_both_languages() -> None:
    error = ConfigError("smguard.toml: alerts.max_attempts: must be a whole number")
    assert str(error) == "smguard.toml: alerts.max_attempts: must be a whole number"
    assert error.text("id") == error.text("en") == str(error)
    assert error.texts == {"en": str(error), "id": str(error)}


def test_a_bilingual_message_is_english_for_logs_and_translated_on_request() -> None:
    error = InputError("a note needs some text", "catatan perlu berisi teks")
    assert str(error) == "a note needs some text"
    assert error.text("id") == "catatan perlu berisi teks"
    assert error.text("fr") == "a note needs some text"  # no such language: English
    same = InputError(Text("a note needs some text", "catatan perlu berisi teks"))
    assert (
        same.texts
        == error.texts
        == {
            "en": "a note needs some text",
            "id": "catatan perlu berisi teks",
        }
    )


def test_text_picks_a_language_and_falls_back_to_english() -> None:
    text = Text("blocked", "diblokir")
    assert (str(text), text.pick("en"), text.pick("id")) == ("blocked", "blocked", "diblokir")
    assert Text("blocked").pick("id") == "blocked"


def test_records_and_security_errors_are_smguard_errors_in_their_categories() -> None:
    assert issubclass(RecordInputError, RecordError) and issubclass(RecordInputError, InputError)
    assert issubclass(Refused, SecurityProblem) and issubclass(KeyConfigError, ConfigError)
    assert issubclass(RecordError, SmguardError) and issubclass(SecurityProblem, SmguardError)
    missing = IncidentNotFound(7)
    assert missing.incident_id == 7 and "insiden #7" in missing.text("id")
    with pytest.raises(SmguardError, match="no incident #7"):
        raise missing


def _all_error_classes() -> set[type[SmguardError]]:
    import smguard.plugins

    # smguard.plugins is installed from plugins/, so it is walked on its own.
    for package in (smguard, smguard.plugins):
        for module in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            # Migrations run inside alembic, not on import.
            if not module.name.startswith("smguard.records.migrations"):
                importlib.import_module(module.name)
    found: set[type[SmguardError]] = set()
    todo: list[type[SmguardError]] = [SmguardError]
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("smguard.") and cls not in found:
            found.add(cls)
            todo.extend(cls.__subclasses__())
    return found


def test_every_error_class_is_drawn_in_the_tree() -> None:
    classes = _all_error_classes()
    # The walk reaches every area, plugins included.
    names = {cls.__name__ for cls in classes}
    assert {"DeliveryError", "ClarificationNotFound", "DetectorFileError", "LeaseLost"} <= names
    tree = errors.__doc__ or ""
    missing = sorted(
        f"{cls.__module__}.{cls.__name__}"
        for cls in classes
        if f" {cls.__name__} " not in tree.replace("\n", " ").replace(",", " ")
    )
    assert missing == [], f"smguard/errors.py's docstring does not draw {missing}"
