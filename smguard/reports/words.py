"""The words of a report, in English and Indonesian (one table, so the two stay in step)."""

from __future__ import annotations

from typing import Any

__all__ = ["WORDS", "Words", "word"]

WORDS: dict[str, dict[str, str]] = {
    "title_week": {"en": "Weekly report", "id": "Laporan mingguan"},
    "title_month": {"en": "Monthly report", "id": "Laporan bulanan"},
    "all_accounts": {"en": "all accounts", "id": "semua akun"},
    "demo": {
        "en": "DEMO DATA — made up by `smguard demo`, not a real account",
        "id": "DATA DEMO — dibuat oleh `smguard demo`, bukan akun sungguhan",
    },
    "generated": {"en": "Made {when}", "id": "Dibuat {when}"},
    "publishing": {"en": "What went out", "id": "Yang terbit"},
    "through_smguard": {
        "en": "Published through smguard (in the ledger)",
        "id": "Terbit lewat smguard (tercatat di ledger)",
    },
    "second_person": {
        "en": "of them approved by a second person",
        "id": "di antaranya disetujui orang kedua",
    },
    "seen_live": {"en": "Posts seen live by the watch", "id": "Unggahan terlihat oleh pemantau"},
    "unapproved_live": {
        "en": "Live posts nobody approved (not in the ledger)",
        "id": "Unggahan tanpa persetujuan (tidak ada di ledger)",
    },
    "via_smguard": {"en": "through smguard", "id": "lewat smguard"},
    "live": {"en": "live", "id": "terlihat"},
    "unapproved": {"en": "unapproved", "id": "tanpa persetujuan"},
    "apps": {"en": "Published with", "id": "Diterbitkan dengan"},
    "checks": {"en": "Checks", "id": "Pemeriksaan"},
    "checked": {"en": "Posts checked", "id": "Unggahan diperiksa"},
    "allow": {"en": "allowed", "id": "diizinkan"},
    "review": {"en": "held for review", "id": "ditahan untuk ditinjau"},
    "block": {"en": "blocked", "id": "diblokir"},
    "by_category": {"en": "Findings by category", "id": "Temuan per kategori"},
    "top_rules": {"en": "Rules that fired most", "id": "Aturan yang paling sering muncul"},
    "top_authors": {
        "en": "Authors with held posts",
        "id": "Penulis dengan unggahan yang ditahan",
    },
    "hold_to_approval": {"en": "From hold to approval", "id": "Dari ditahan sampai disetujui"},
    "incidents": {"en": "Incidents", "id": "Insiden"},
    "opened": {"en": "opened", "id": "dibuka"},
    "acknowledged": {"en": "acknowledged", "id": "ditangani"},
    "resolved": {"en": "resolved", "id": "selesai"},
    "open_at_end": {"en": "still open at the end", "id": "masih terbuka di akhir periode"},
    "tta": {"en": "Time to acknowledge", "id": "Waktu sampai ditangani"},
    "ttr": {"en": "Time to resolve", "id": "Waktu sampai selesai"},
    "durations": {
        "en": "median {median}, 90% within {p90}, longest {max} ({n})",
        "id": "median {median}, 90% dalam {p90}, terlama {max} ({n})",
    },
    "none_yet": {"en": "none in this period", "id": "tidak ada pada periode ini"},
    "by_severity": {"en": "Opened by severity", "id": "Dibuka per tingkat bahaya"},
    "clarifications": {"en": "Clarifications published", "id": "Klarifikasi diterbitkan"},
    "alerts": {"en": "Alerts", "id": "Peringatan"},
    "alerts_line": {
        "en": "{delivered} delivered ({retried} after a retry), {failed} failed, {pending} waiting",
        "id": "{delivered} terkirim ({retried} setelah dicoba ulang), {failed} gagal, "
        "{pending} menunggu",
    },
    "hygiene": {"en": "2FA hygiene", "id": "Kebersihan 2FA"},
    "hygiene_line": {
        "en": "{critical} critical, {warning} warning(s), {info} note(s)",
        "id": "{critical} kritis, {warning} peringatan, {info} catatan",
    },
    "critical": {"en": "critical", "id": "kritis"},
    "hygiene_first": {
        "en": "First report: nothing to compare with yet.",
        "id": "Laporan pertama: belum ada pembanding.",
    },
    "hygiene_since": {
        "en": "Since the report of {when}: {new} new, {fixed} fixed",
        "id": "Sejak laporan {when}: {new} baru, {fixed} sudah beres",
    },
    "new": {"en": "new", "id": "baru"},
    "fixed": {"en": "fixed", "id": "beres"},
    "engagement": {
        "en": "Engagement by hour of the week",
        "id": "Interaksi per jam dalam seminggu",
    },
    "engagement_note": {
        "en": "Mean likes + reposts + replies per post, last {days} days ({n} posts), {zone}",
        "id": "Rata-rata suka + bagikan + balasan per unggahan, {days} hari terakhir "
        "({n} unggahan), {zone}",
    },
    "prime_time": {"en": "Prime time", "id": "Jam ramai"},
    "recommended": {
        "en": "Post at {slots} ({zone})",
        "id": "Unggah pukul {slots} ({zone})",
    },
    "evidence": {
        "en": "{slot}: a typical post gets {median} interactions, {lift}× the account's "
        "typical {typical} ({n} posts)",
        "id": "{slot}: unggahan biasa mendapat {median} interaksi, {lift}× dari biasanya "
        "{typical} ({n} unggahan)",
    },
    "not_enough_data": {
        "en": "Not enough data: {n} posts with engagement counts in the last {days} days "
        "(at least {min} needed, spread over several hours). Keep `smguard watch` running or "
        "ingest the platform's archive; until then the configured prime time ({configured}) holds.",
        "id": "Data belum cukup: {n} unggahan dengan jumlah interaksi dalam {days} hari terakhir "
        "(perlu setidaknya {min}, tersebar di beberapa jam). Jalankan `smguard watch` atau impor "
        "arsip platform; sementara itu jam ramai yang diatur ({configured}) tetap dipakai.",
    },
    "no_clear_difference": {
        "en": "No hour stands out over {n} posts in the last {days} days: keep the configured "
        "prime time ({configured}).",
        "id": "Tidak ada jam yang menonjol dari {n} unggahan dalam {days} hari terakhir: tetap "
        "pakai jam ramai yang diatur ({configured}).",
    },
    "quiet_hours": {"en": "Posts in quiet hours", "id": "Unggahan pada jam tenang"},
    "quiet_none": {"en": "None.", "id": "Tidak ada."},
    "account": {"en": "Account", "id": "Akun"},
    "count": {"en": "Count", "id": "Jumlah"},
    "rule": {"en": "Rule", "id": "Aturan"},
    "author": {"en": "Author", "id": "Penulis"},
    "day": {"en": "Day", "id": "Hari"},
    "hour": {"en": "Hour", "id": "Jam"},
    "posts": {"en": "posts", "id": "unggahan"},
    "checks_per_day": {"en": "Checks per day", "id": "Pemeriksaan per hari"},
    "summary": {"en": "In short", "id": "Ringkasnya"},
    "next": {"en": "Full report", "id": "Laporan lengkap"},
    "full_report": {
        "en": "`smguard report --period {kind} --of {key} --format html -o report.html`",
        "id": "`smguard report --period {kind} --of {key} --format html -o laporan.html`",
    },
}


def word(name: str, lang: str, /, **values: Any) -> str:
    """``WORDS[name]`` in ``lang`` (English when missing), filled with ``values``."""
    texts = WORDS[name]
    template = texts.get(lang) or texts["en"]
    return template.format(**values) if values else template


class Words:
    """:func:`word` in one language: ``w = Words("id"); w("checked")``."""

    def __init__(self, lang: str) -> None:
        self.lang = lang

    def __call__(self, name: str, /, **values: Any) -> str:
        return word(name, self.lang, **values)
