"""The agreement check: how far an ONNX export's scores are from torch's (``models verify``).

An export is installed only when no label's score, on any text of the check, differs from the
torch model's by more than the tolerance; ``verify_onnx`` runs the same check again later, on
any text set.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from smguard.toxicity import onnx as onnxengine
from smguard.toxicity.errors import ModelInvalid, ModelStoreError
from smguard.toxicity.extras import EXPORT_FIX, extra_installed
from smguard.toxicity.loading import DetoxifyModel, load_detoxify
from smguard.toxicity.manifest import get_model

__all__ = [
    "DEFAULT_TOLERANCE",
    "VERIFY_TEXTS",
    "Agreement",
    "compare",
    "read_texts",
    "torch_scores",
    "verify_onnx",
]

#: Largest score difference from torch an export may show (any label, any text).
DEFAULT_TOLERANCE = 0.02


_LONG_EN = (
    "We know many of you have been waiting for an update on the outage that affected online "
    "payments this week, and we are sorry for the trouble it caused. Our engineers traced the "
    "problem to a faulty configuration change at one of our data centres, rolled it back, and "
    "have been watching the system closely since then. Every payment that failed was refunded "
    "automatically; if you still see a pending charge after three working days, please send us "
    "a direct message with your order number so that our team can check it for you. "
)


_LONG_ID = (
    "Kami memahami banyak pelanggan yang menunggu kabar tentang gangguan layanan pembayaran "
    "minggu ini, dan kami mohon maaf atas ketidaknyamanan yang terjadi. Tim teknis kami sudah "
    "menemukan penyebabnya, yaitu perubahan konfigurasi di salah satu pusat data, dan sudah "
    "memulihkannya. Semua transaksi yang gagal dikembalikan secara otomatis; jika dalam tiga "
    "hari kerja dana belum kembali, silakan kirim pesan langsung berisi nomor pesanan Anda. "
)


#: The agreement check's texts: English and Indonesian, polite and abusive, short and long (the
#: last ones run past 512 tokens, so truncation is compared too).
VERIFY_TEXTS: tuple[str, ...] = (
    "Thank you for your patience, the service is back to normal.",
    "Good morning! Our office hours this week are 08:00-16:00 WIB.",
    "Congratulations to the winners of our photo contest 🎉 #SeninCeria",
    "Please check https://example.go.id/info for the latest update.",
    "We're sorry to hear that, @budi_s. Could you DM us your ticket number?",
    "Reminder: the new fare applies from 1 July 2025.",
    "This is the dumbest policy I've ever seen.",
    "You are an idiot and everyone knows it.",
    "Shut up, nobody asked for your stupid opinion.",
    "I will find where you live and make you pay for this.",
    "What a load of crap, you useless morons.",
    "People like them should be kicked out of this country.",
    "Go to hell, you worthless piece of garbage.",
    "She looks so hot in that picture, send nudes",
    "Fuck this company and fuck your customer service.",
    "Honestly the app update is great, well done team!",
    "lol that's sick 🔥🔥",
    "I hate Mondays.",
    "Killing it today, team! 💪",
    "Terima kasih atas kesabarannya, layanan sudah kembali normal.",
    "Selamat pagi, Kak! Ada yang bisa kami bantu?",
    "Mohon maaf atas ketidaknyamanannya, tim kami sedang memperbaiki gangguan ini.",
    "Info lengkap cek di website resmi kami ya, Kak 🙏",
    "Dasar bodoh, kerja begitu saja tidak becus!",
    "Goblok banget sih adminnya, dari tadi nggak dibalas.",
    "Anjing lo, awas ya kalau ketemu.",
    "Kalian semua penipu, bangsat!",
    "Tunggu saja, rumahmu akan kubakar.",
    "Orang dari suku itu memang tidak bisa dipercaya.",
    "Bacot lu, diem aja deh.",
    "Promo spesial akhir pekan: diskon 50% untuk semua menu!",
    "Kak, pesanan saya belum sampai sudah seminggu 😡",
    "Wah keren banget acaranya, sukses terus ya!",
    "Jangan lupa ikuti kuis kami dan menangkan hadiahnya #KuisJumat",
    "Min, tolong dong dibantu, saldo saya terpotong dua kali.",
    "Pelayanan kalian payah, mending tutup aja.",
    "Thanks kak, udah beres masalahnya 👍",
    "OMG this is sooo bad, kalian parah banget!",
    "Selamat Hari Raya Idul Fitri, mohon maaf lahir dan batin.",
    "Kill all of them, they don't deserve to live.",
    "Your mother is a whore.",
    "I disagree with this decision, but I respect the process.",
    "Stupid bitch, learn to drive.",
    "Kontol, admin nggak guna!",
    "",
    "?!",
    _LONG_EN * 2,
    _LONG_ID * 3,
    (_LONG_EN + _LONG_ID) * 4,
    (_LONG_ID + " Dasar admin goblok, bodoh semua! ") * 12,
)


def read_texts(path: str | os.PathLike[str]) -> list[str]:
    """Texts for the agreement check: one per line, or JSON lines with a ``text`` field."""
    where = Path(path).expanduser()
    try:
        lines = where.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise ModelStoreError(f"{where}: cannot read the texts ({exc})") from None
    texts: list[str] = []
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.lstrip().startswith("{"):
            try:
                item = json.loads(line)
            except ValueError:
                raise ModelStoreError(f"{where}:{number}: not valid JSON") from None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ModelStoreError(f'{where}:{number}: a JSON line needs a "text" string')
            texts.append(item["text"])
        else:
            texts.append(line)
    if not texts:
        raise ModelStoreError(f"{where}: no texts in the file")
    return texts


@dataclass(frozen=True)
class Agreement:
    """How far ONNX scores are from torch's on a text set: engine -> label -> largest difference."""

    texts: int
    tolerance: float
    labels: tuple[str, ...]
    max_diff: Mapping[str, Mapping[str, float]]
    #: Engine -> index (in the text set) of the text with that engine's largest difference.
    worst_text: Mapping[str, int]

    def largest(self, engine: str) -> tuple[str, float]:
        """The label with ``engine``'s largest difference, and the difference."""
        diffs = self.max_diff[engine]
        label = max(diffs, key=lambda k: diffs[k]) if diffs else ""
        return label, diffs.get(label, 0.0)

    @property
    def failed(self) -> list[str]:
        """The engines whose largest difference exceeds the tolerance."""
        return [e for e in self.max_diff if self.largest(e)[1] > self.tolerance]

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line: each engine's largest difference and its label."""
        parts = []
        for engine in self.max_diff:
            label, diff = self.largest(engine)
            parts.append(f"{engine} {diff:.4f} ({label})")
        return ", ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "texts": self.texts,
            "tolerance": self.tolerance,
            "max_diff": {e: dict(d) for e, d in self.max_diff.items()},
            "worst_text": dict(self.worst_text),
            "ok": self.ok,
        }


def _as_matrix(scores: Mapping[str, Any], labels: Sequence[str], n: int) -> list[list[float]]:
    """``Detoxify.predict``'s label -> scores, as one row of floats per text."""
    columns: list[list[float]] = []
    for label in labels:
        values = scores[label]
        column = [float(values)] if isinstance(values, int | float) else [float(v) for v in values]
        if len(column) != n:
            raise ModelInvalid(f"the model returned {len(column)} scores for {n} texts")
        columns.append(column)
    return [list(row) for row in zip(*columns, strict=True)] if columns else [[] for _ in range(n)]


def torch_scores(model: DetoxifyModel, texts: Sequence[str], batch: int = 16) -> list[list[float]]:
    rows: list[list[float]] = []
    for start in range(0, len(texts), batch):
        chunk = list(texts[start : start + batch])
        rows.extend(_as_matrix(model.predict(chunk), model.class_names, len(chunk)))
    return rows


def compare(
    reference: Sequence[Sequence[float]],
    labels: Sequence[str],
    models: Mapping[str, onnxengine.OnnxModel],
    texts: Sequence[str],
    tolerance: float,
) -> Agreement:
    max_diff: dict[str, dict[str, float]] = {}
    worst: dict[str, int] = {}
    for engine, model in models.items():
        scores = model.scores(list(texts))
        diffs = dict.fromkeys(labels, 0.0)
        top = (-1.0, 0)
        for t, row in enumerate(reference):
            for j, label in enumerate(labels):
                d = abs(float(scores[t, j]) - row[j])
                if d > diffs[label]:
                    diffs[label] = d
                if d > top[0]:
                    top = (d, t)
        max_diff[engine] = diffs
        worst[engine] = top[1]
    return Agreement(len(texts), tolerance, tuple(labels), max_diff, worst)


def verify_onnx(
    root: Path,
    name: str,
    *,
    texts: Sequence[str] | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    engines: Sequence[str] | None = None,
    threads: int | None = None,
) -> Agreement:
    """Score ``texts`` with torch and with the installed export of ``name``; the differences."""
    installed = get_model(root, name)
    if installed is None or not installed.onnx:
        raise ModelStoreError(
            f"the '{name}' model has no ONNX export in {root}: smguard models export {name}"
        )
    if installed.onnx_only:
        raise ModelStoreError(
            f"verify compares with torch, and only the ONNX export of '{name}' is here (no "
            "checkpoint): run it where the model was exported"
        )
    if not installed.ok:
        raise ModelStoreError(f"the '{name}' model in {installed.folder}: {installed.problem}")
    if not (extra_installed() and onnxengine.available()):
        raise ModelStoreError(f"verify needs torch, detoxify and onnxruntime: {EXPORT_FIX}")
    wanted = list(engines or installed.onnx)
    missing = [e for e in wanted if e not in installed.onnx]
    if missing:
        raise ModelStoreError(f"the export of '{name}' has no {', '.join(missing)} model")
    texts = list(VERIFY_TEXTS if texts is None else texts)
    if not texts:
        raise ModelStoreError("the agreement check needs at least one text")
    model = load_detoxify(installed.checkpoint, installed.config_dir, trusted=installed.trusted)
    reference = torch_scores(model, texts)
    onnx_models = {e: onnxengine.OnnxModel(installed.onnx_dir, e, threads=threads) for e in wanted}
    labels = list(model.class_names)
    if list(onnx_models[wanted[0]].class_names) != labels:
        raise ModelStoreError(
            f"the export of '{name}' has other labels than its checkpoint: export it again"
        )
    return compare(reference, labels, onnx_models, texts, tolerance)
