"""What an incident opened by the watch tells the person on duty: its evidence.

What happened first (``summary``), then what to do (``containment`` and ``clarification``, for a
post nobody approved), then the details: the event as its account's team reads it, the guard's
verdict on a live post and every detection with what history said.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC
from typing import TYPE_CHECKING, Any

from smguard.types import ActivityEvent
from smguard.watch.detectors import Detection, fill
from smguard.watch.posttext import post_text

if TYPE_CHECKING:
    from smguard.types import Verdict
    from smguard.watch.context import DetectContext

__all__ = [
    "CLARIFY_KINDS",
    "CONTAINMENT",
    "incident_evidence",
    "verdict_facts",
    "with_clarification",
]

_TEXT_IN_EVIDENCE = 1000

#: The containment checklist an unauthorised-post incident carries (``{account}`` filled in).
CONTAINMENT: Mapping[str, tuple[str, ...]] = {
    "en": (
        "Remove the post from {account} (take a screenshot and keep its link for the record "
        "first).",
        "Change the account's password now, from a trusted device.",
        'End every other login session on the platform ("log out of all devices").',
        "Rotate the 2FA seed: reset two-step verification on the platform and store the new seed "
        "with `smguard vault add {account} --as OWNER --replace`; check who took codes with "
        "`smguard vault log {account} --since 7d`.",
        "Check the connected apps and remove any the team does not know.",
        "Check the recovery e-mail and phone number and put back the organisation's own.",
        "Publish a clarification in both languages (the commands are under 'clarification').",
    ),
    "id": (
        "Hapus unggahan itu dari {account} (simpan dulu tangkapan layar dan tautannya sebagai "
        "bukti).",
        "Segera ganti kata sandi akun dari perangkat yang tepercaya.",
        'Putuskan semua sesi login lain di platform ("keluar dari semua perangkat").',
        "Ganti seed 2FA: atur ulang verifikasi dua langkah di platform lalu simpan seed baru "
        "dengan `smguard vault add {account} --as OWNER --replace`; periksa siapa yang mengambil "
        "kode dengan `smguard vault log {account} --since 7d`.",
        "Periksa aplikasi yang terhubung dan cabut yang tidak dikenal tim.",
        "Periksa e-mail dan nomor telepon pemulihan, kembalikan ke milik organisasi.",
        "Terbitkan klarifikasi dalam dua bahasa (perintahnya ada di bagian 'clarification').",
    ),
}
CLARIFY_KINDS = frozenset({"unauthorized_post", "unsafe_post_published"})


def incident_evidence(
    lead: Detection, found: Sequence[Detection], event: ActivityEvent, ctx: DetectContext
) -> dict[str, Any]:
    """The evidence of the incident that one event's detections (``found``, led by ``lead``)
    open or add a sighting to."""
    # What the person on duty reads first: what happened, then what to do, then the details.
    evidence: dict[str, Any] = {"summary": dict(lead.message)}
    if lead.incident == "unauthorized_post":
        evidence["containment"] = {
            lang_: [
                f"{n}. {fill(step, {'account': event.account})}" for n, step in enumerate(steps, 1)
            ]
            for lang_, steps in CONTAINMENT.items()
        }
    evidence["event"] = _event_evidence(event, ctx)
    verdict = ctx.checked(event)
    if verdict is not None:
        evidence["guard"] = verdict_facts(verdict)
    evidence["detections"] = [
        {
            "detector": d.detector,
            "name": d.name,
            "severity": d.severity.label,
            "message": dict(d.message),
            **({"facts": dict(d.facts)} if d.facts else {}),
        }
        for d in sorted(found, key=lambda d: (-int(d.severity), d.detector))
    ]
    return evidence


def with_clarification(evidence: Mapping[str, Any], incident_id: int) -> dict[str, Any]:
    """``evidence`` with the commands that draft the incident's clarification, right after what
    to do (the incident's number is known only once it is opened)."""
    commands = {lng: f"smguard clarify draft {incident_id} --lang {lng}" for lng in ("id", "en")}
    head = ("summary", "containment")
    return {
        **{k: v for k, v in evidence.items() if k in head},
        "clarification": commands,
        **{k: v for k, v in evidence.items() if k not in head},
    }


def _event_evidence(event: ActivityEvent, ctx: DetectContext) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": event.id,
        "kind": event.kind,
        "platform": event.platform,
        "source": event.source,
        "at": event.at.astimezone(UTC).isoformat(),
        "local_time": ctx.local_time(event),
    }
    for name in ("actor", "ip", "device", "country", "city", "latitude", "longitude", "url"):
        value = getattr(event, name)
        if value is not None:
            out[name] = value
    if event.text:
        text = post_text(event.text) if event.kind == "post_published" else event.text
        out["text"] = text if len(text) <= _TEXT_IN_EVIDENCE else text[:_TEXT_IN_EVIDENCE] + "…"
    if event.links:
        out["links"] = list(event.links)
    return out


_MAX_FINDINGS = 10


def verdict_facts(verdict: Verdict) -> dict[str, Any]:
    """The guard's verdict as evidence: the decision and the worst findings, both languages."""
    findings = sorted(verdict.findings, key=lambda f: -int(f.severity))[:_MAX_FINDINGS]
    return {
        "decision": verdict.decision,
        "findings": [
            {
                "rule": f.rule,
                "category": f.category,
                "severity": f.severity.label,
                "message": dict(f.message),
            }
            for f in findings
        ],
    }
