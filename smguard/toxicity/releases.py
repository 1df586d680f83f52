"""The models detoxify publishes, and where ``smguard models pull`` downloads them from.

A release's file name carries the first hex digits of its SHA-256 (torch.hub's
``name-<sha256 prefix>.ext`` rule): a download, or a file copied from elsewhere, is recognised
as an official release by that prefix.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass

__all__ = [
    "DEFAULT_BASE_URL",
    "ENV_BASE_URL",
    "KNOWN_MODELS",
    "KnownModel",
    "base_url",
    "official_match",
]

ENV_BASE_URL = "SMGUARD_MODEL_BASE_URL"
#: detoxify's own release location (``detoxify.detoxify.DOWNLOAD_URL``).
DEFAULT_BASE_URL = "https://github.com/unitaryai/detoxify/releases/download/"


@dataclass(frozen=True)
class KnownModel:
    """A model detoxify publishes: where its checkpoint lives and what it is built on."""

    name: str
    #: Path of the checkpoint below the base URL (same as ``detoxify.detoxify.MODEL_URLS``).
    file: str
    #: The Hugging Face model its tokenizer and config come from.
    model_type: str
    description: str
    #: Languages it was trained for (``*``: many).
    languages: tuple[str, ...] = ("en",)

    @property
    def sha256_prefix(self) -> str | None:
        """The hash prefix in the file name (torch.hub's ``name-<sha256 prefix>.ext`` rule)."""
        match = re.search(r"-([0-9a-f]{6,64})\.[A-Za-z0-9]+$", self.file)
        return match.group(1) if match else None

    def url(self, base_url: str) -> str:
        return base_url.rstrip("/") + "/" + self.file


KNOWN_MODELS: Mapping[str, KnownModel] = {
    m.name: m
    for m in (
        KnownModel(
            "original",
            "v0.1-alpha/toxic_original-c1212f89.ckpt",
            "bert-base-uncased",
            "BERT trained on the Jigsaw toxic comment challenge (English)",
        ),
        KnownModel(
            "unbiased",
            "v0.3-alpha/toxic_debiased-c7548aa0.ckpt",
            "roberta-base",
            "RoBERTa trained on the Jigsaw unintended-bias challenge (English)",
        ),
        KnownModel(
            "multilingual",
            "v0.4-alpha/multilingual_debiased-0b549669.ckpt",
            "xlm-roberta-base",
            "XLM-RoBERTa trained on Jigsaw multilingual data (many languages)",
            languages=("*",),
        ),
        KnownModel(
            "original-small",
            "v0.1.2/original-albert-0e1d6498.ckpt",
            "albert-base-v2",
            "ALBERT version of 'original': smaller and faster (English)",
        ),
        KnownModel(
            "unbiased-small",
            "v0.1.2/unbiased-albert-c8519128.ckpt",
            "albert-base-v2",
            "ALBERT version of 'unbiased': smaller and faster (English)",
        ),
    )
}


def base_url(override: str | None = None, env: Mapping[str, str] | None = None) -> str:
    """Where ``pull`` downloads from: ``override``, ``SMGUARD_MODEL_BASE_URL``, detoxify's site."""
    env = os.environ if env is None else env
    return override or env.get(ENV_BASE_URL) or DEFAULT_BASE_URL


def official_match(sha256: str) -> KnownModel | None:
    """The official release whose hash prefix ``sha256`` starts with, if any."""
    for known in KNOWN_MODELS.values():
        prefix = known.sha256_prefix
        if prefix and sha256.startswith(prefix):
            return known
    return None
