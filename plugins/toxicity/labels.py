"""How each detoxify label becomes a finding: its category, severity, threshold and wording.

The labels the rule reports, in smguard's own categories::

    toxicity, severe_toxicity -> toxicity      insult, threat -> harassment
    identity_attack           -> hate          obscene        -> profanity
    sexual_explicit           -> sexual
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from smguard.types import Severity

__all__ = ["CALM", "LABELS", "LabelSpec", "severity"]


@dataclass(frozen=True)
class LabelSpec:
    """How one detoxify label becomes a finding."""

    category: str
    severity: Severity
    threshold: float
    #: What the model says about the text, e.g. "insulting" / "menghina".
    says: Mapping[str, str]
    suggestion: Mapping[str, str]


CALM = {
    "en": "Rewrite it in a calm, polite tone before publishing; when answering a follower, "
    "address their concern instead of attacking them.",
    "id": "Tulis ulang dengan nada tenang dan sopan sebelum diterbitkan; saat membalas "
    "pengikut, tanggapi keluhannya tanpa menyerang.",
}


LABELS: Mapping[str, LabelSpec] = {
    "toxicity": LabelSpec(
        "toxicity",
        Severity.MEDIUM,
        0.7,
        {"en": "rude, disrespectful or toxic", "id": "kasar atau tidak sopan"},
        CALM,
    ),
    "severe_toxicity": LabelSpec(
        "toxicity",
        Severity.HIGH,
        0.5,
        {"en": "very hostile or hateful", "id": "sangat kasar dan penuh kebencian"},
        CALM,
    ),
    "identity_attack": LabelSpec(
        "hate",
        Severity.MEDIUM,
        0.5,
        {
            "en": "attacking people for who they are (ethnicity, religion, race or group)",
            "id": "menyerang orang karena identitasnya (suku, agama, ras, atau golongan)",
        },
        {
            "en": "Remove anything that targets people for their ethnicity, religion, race or "
            "group.",
            "id": "Hapus bagian yang menyasar orang karena suku, agama, ras, atau golongannya.",
        },
    ),
    "insult": LabelSpec(
        "harassment",
        Severity.MEDIUM,
        0.7,
        {"en": "insulting", "id": "menghina"},
        {
            "en": "Remove the insult: an official account criticises ideas, not people.",
            "id": "Hapus hinaannya: akun resmi mengkritik gagasan, bukan orang.",
        },
    ),
    "threat": LabelSpec(
        "harassment",
        Severity.HIGH,
        0.5,
        {"en": "threatening", "id": "mengancam"},
        {
            "en": "Remove anything that can be read as a threat, even as a joke.",
            "id": "Hapus kalimat yang bisa dibaca sebagai ancaman, walau hanya bercanda.",
        },
    ),
    "obscene": LabelSpec(
        "profanity",
        Severity.MEDIUM,
        0.7,
        {"en": "obscene or vulgar", "id": "cabul atau vulgar"},
        {
            "en": "Replace the vulgar words with neutral ones.",
            "id": "Ganti kata-kata kasar atau vulgar dengan kata yang netral.",
        },
    ),
    "sexual_explicit": LabelSpec(
        "sexual",
        Severity.MEDIUM,
        0.6,
        {"en": "sexually explicit", "id": "bermuatan seksual eksplisit"},
        {
            "en": "Remove the sexual content: it does not belong on an organisation's account.",
            "id": "Hapus konten seksualnya: konten seperti ini tidak pantas di akun organisasi.",
        },
    ),
}


def severity(base: Severity, score: float, high_at: float) -> Severity:
    if score >= high_at:
        return Severity(min(int(base) + 1, int(Severity.CRITICAL)))
    return base
