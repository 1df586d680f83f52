"""The model store's exceptions::

    SmguardError (smguard.errors)
    └── ModelStoreError     a model cannot be found, installed or read
        ├── ModelInvalid    a file is not a usable detoxify checkpoint or ONNX export
        ├── DownloadError   a model could not be downloaded
        └── ExportRefused   an ONNX export's scores stray from torch's: nothing was installed

Every message is one line written for the person who has to fix the problem.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from smguard.errors import SmguardError

if TYPE_CHECKING:
    from smguard.toxicity.agreement import Agreement

__all__ = ["DownloadError", "ExportRefused", "ModelInvalid", "ModelStoreError"]


class ModelStoreError(SmguardError):
    """A model cannot be found, installed or read."""


class ModelInvalid(ModelStoreError):
    """A file is not a usable detoxify checkpoint (corrupt, truncated, wrong content)."""


class DownloadError(ModelStoreError):
    """A model could not be downloaded."""


class ExportRefused(ModelStoreError):
    """An export's scores differ from torch's by more than the tolerance: nothing was installed."""

    def __init__(self, message: str, agreement: Agreement) -> None:
        super().__init__(message)
        self.agreement = agreement
