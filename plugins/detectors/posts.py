"""Live posts: is each one in the publish ledger, and would the guard have let it out?"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from smguard.types import ActivityEvent, Severity
from smguard.watch.context import DetectContext
from smguard.watch.detectors import Detection, Detector

if TYPE_CHECKING:
    from smguard.types import Verdict

__all__ = ["UnauthorisedPost", "UnsafePostLive"]


def _worst(verdict: Verdict) -> Mapping[str, Any]:
    worst = max(verdict.findings, key=lambda f: f.severity, default=None)
    if worst is None:
        return {"rule": None, "category": None}
    return {"rule": worst.rule, "category": worst.category}


class UnauthorisedPost(Detector):
    """A live post that nobody approved: the motivating incident (an account takeover)."""

    id = "SMG-DET-001"
    name = "Unauthorised post"
    level = Severity.HIGH
    incident = "unauthorized_post"
    kinds = frozenset({"post_published"})
    needs_guard = True
    source = __name__
    description: Mapping[str, str] = {
        "en": "A post is live on the account but has no entry in the publish ledger: nobody "
        "approved it through smguard. Its fingerprint survives what platforms do to a text "
        "(Mastodon HTML, t.co links, whitespace, emoji variants). Critical when the guard would "
        "have blocked it.",
        "id": "Sebuah unggahan tayang di akun tetapi tidak tercatat di catatan publikasi: tidak "
        "ada yang menyetujuinya lewat smguard. Sidik jarinya tahan terhadap perubahan oleh "
        "platform (HTML Mastodon, tautan t.co, spasi, varian emoji). Kritis jika guard akan "
        "memblokirnya.",
    }
    message: Mapping[str, str] = {
        "en": "Unauthorised post on {account} at {local_time}: it is not in the publish ledger",
        "id": "Unggahan tanpa izin di {account} pada {local_time}: tidak tercatat di catatan "
        "publikasi",
    }
    message_blocked: Mapping[str, str] = {
        "en": "Unauthorised post on {account} at {local_time} with content the guard blocks "
        "({category}, {rule}): it is not in the publish ledger",
        "id": "Unggahan tanpa izin di {account} pada {local_time} berisi konten yang diblokir "
        "guard ({category}, {rule}): tidak tercatat di catatan publikasi",
    }
    falsepositives = (
        "posts published outside smguard on purpose (the platform's own app, a scheduler that "
        "does not record publications): record them with `record_publication` or publish "
        "through smguard",
        "a post edited on the platform after approval (its text no longer matches)",
        "none from posts older than the ledger: without [detectors] since, only posts from the "
        "account's first recorded publication on (less an hour) are judged; set since when the "
        "ledger is complete from an earlier date",
        "boosts and retweets (`RT @name:`) of other people's posts are not checked against the "
        "ledger (only the guard's verdict on them counts, SMG-DET-002); quote posts are",
    )

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        if isinstance(event.raw, Mapping) and (event.raw.get("reblog") or event.raw.get("retweet")):
            # a boost or retweet of someone else's post: only the guard's verdict counts (002);
            # a quote post is the account's own words and is judged like any post
            return ()
        match = ctx.in_ledger(event)
        if match.matched or not ctx.ledger_covers(event):
            return ()  # approved, or older than the ledger (unsafe content is still SMG-DET-002)
        verdict = ctx.verdict(event)
        blocked = verdict.decision == "block"
        worst = _worst(verdict)
        facts = {
            "ledger": {
                "found": False,
                "fingerprint": match.fingerprint,
                "entries_on_account": match.entries,
            },
            "guard_decision": verdict.decision,
        }
        return (
            self.detection(
                event,
                facts=facts,
                values={"local_time": ctx.local_time(event), **worst},
                severity=max(self.level, Severity.CRITICAL) if blocked else self.level,
                message=self.message_blocked if blocked else self.message,
                category=worst["category"] if blocked else None,
            ),
        )


class UnsafePostLive(Detector):
    """A live post the guard blocks, approved or not."""

    id = "SMG-DET-002"
    name = "Unsafe post live"
    level = Severity.CRITICAL
    incident = "unsafe_post_published"
    kinds = frozenset({"post_published"})
    needs_guard = True
    source = __name__
    description: Mapping[str, str] = {
        "en": "Every live post runs through the guard; a post it blocks (pornography, gambling "
        "promotion, phishing links, SARA hatred …) is live on the account, whether or not it was "
        "approved. An unapproved one becomes part of the unauthorised-post incident.",
        "id": "Setiap unggahan yang tayang diperiksa guard; unggahan yang diblokir guard "
        "(pornografi, promosi judi, tautan phishing, kebencian SARA …) sedang tayang di akun, "
        "disetujui atau tidak. Yang tidak disetujui menjadi bagian dari insiden unggahan tanpa "
        "izin.",
    }
    message: Mapping[str, str] = {
        "en": "A post the guard blocks is live on {account} ({category}, {rule}) since "
        "{local_time}",
        "id": "Unggahan yang diblokir guard tayang di {account} ({category}, {rule}) sejak "
        "{local_time}",
    }
    falsepositives = (
        "a rule that is too broad for this account (tune it with [rules] disable or the "
        "account's policy; `smguard rules show ID` explains each finding)",
        "a quoted phrase in a clarification or a news post that reports on offensive content",
    )

    def detect(self, event: ActivityEvent, ctx: DetectContext) -> Sequence[Detection]:
        verdict = ctx.verdict(event)
        if verdict.decision != "block":
            return ()
        match = ctx.in_ledger(event)
        worst = _worst(verdict)
        facts = {"approved": match.matched, "ledger_match": match.how, "guard_decision": "block"}
        return (
            self.detection(
                event,
                key=[match.fingerprint[:16]],
                facts=facts,
                values={"local_time": ctx.local_time(event), **worst},
                category=worst["category"],
            ),
        )
