"""API errors as JSON: the HTTP status, a stable type, the CLI's exit code, the message in both
languages.

Every error body reads ``{"error": {"type": …, "status": …, "exit_code": 3, "message": {"en": …,
"id": …}}}``. ``exit_code`` is the code ``smguard`` itself would exit with for the same failure
(3: bad input, configuration, refusal — docs/cli.md), so a tool that already drives the CLI keeps
its handling. A check's own result carries 0 (allow), 1 (review) or 2 (block) the same way.
"""

from __future__ import annotations

from smguard.errors import AuthError, InputError, SmguardError, StorageError, Text

__all__ = ["ApiError", "from_smguard"]

EXIT_BAD_INPUT = 3


class ApiError(Exception):
    """An error answered as JSON with ``status``."""

    def __init__(self, status: int, type_: str, en: str, id_: str = "", **extra: object) -> None:
        super().__init__(en)
        self.status = status
        self.type = type_
        self.message = Text(en, id_)
        self.extra = extra
        self.headers: dict[str, str] = {}

    def body(self) -> dict[str, object]:
        return {
            "error": {
                "type": self.type,
                "status": self.status,
                "exit_code": EXIT_BAD_INPUT,
                "message": self.message.as_dict(),
                **self.extra,
            }
        }


def from_smguard(exc: SmguardError) -> ApiError:
    """The HTTP answer to one of smguard's own errors."""
    from smguard.records.errors import (
        ClarificationNotFound,
        IncidentNotFound,
        InvalidTransition,
        RecordError,
    )
    from smguard.security.errors import InventoryError

    texts = exc.texts
    status, type_ = 400, "bad_input"
    if isinstance(exc, AuthError):
        status, type_ = 403, "refused"
    elif isinstance(exc, (IncidentNotFound, ClarificationNotFound)) or (
        isinstance(exc, InventoryError) and texts["en"].startswith("no ")
    ):
        status, type_ = 404, "not_found"
    elif isinstance(exc, InvalidTransition) or (
        isinstance(exc, RecordError) and not isinstance(exc, InputError)
    ):
        status, type_ = 409, "conflict"
    elif isinstance(exc, StorageError):
        status, type_ = 503, "storage"
    return ApiError(status, type_, texts["en"], texts["id"])
