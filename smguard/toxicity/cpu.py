"""The CPU's instruction-set features that decide how fast the ONNX engines run.

ONNX Runtime picks its matrix kernels by what the processor offers: int8 products run on AMX,
AVX-512 VNNI or AVX-VNNI where present (one instruction multiplies and adds four byte pairs), and
on plain AVX2 with a two-step sequence that is about half as fast and can saturate 16-bit sums
when both operands use the full int8 range (which is why smguard's int8 export keeps weights
to 7 bits, ``reduce_range``). The benchmark prints these features next to its figures, and
``export.json`` records those of the machine that made and checked an export.

Reads ``/proc/cpuinfo`` (Linux); elsewhere the features are unknown and reported as such.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["FEATURES", "CpuInfo", "cpu_info", "parse_cpuinfo"]

#: The flags that matter for transformer inference, in the order they are printed.
FEATURES: tuple[str, ...] = (
    "avx2",
    "fma",
    "f16c",
    "avx512f",
    "avx512bw",
    "avx512vl",
    "avx512_vnni",
    "avx512_bf16",
    "avx_vnni",
    "amx_tile",
    "amx_int8",
    "amx_bf16",
)

CPUINFO = Path("/proc/cpuinfo")


@dataclass(frozen=True)
class CpuInfo:
    """A processor's model name and the instruction-set flags it reports."""

    model: str
    flags: frozenset[str]

    def has(self, flag: str) -> bool:
        return flag in self.flags

    @property
    def features(self) -> tuple[str, ...]:
        """Which of :data:`FEATURES` this CPU has, in that order."""
        return tuple(f for f in FEATURES if f in self.flags)

    @property
    def int8_path(self) -> str:
        """The int8 matrix instructions ONNX Runtime can use here, in words."""
        if not self.flags:
            return "unknown"
        if "amx_int8" in self.flags:
            return "AMX"
        if "avx512_vnni" in self.flags:
            return "AVX-512 VNNI"
        if "avx_vnni" in self.flags:
            return "AVX-VNNI"
        if "avx512bw" in self.flags:
            return "AVX-512 (no VNNI)"
        if "avx2" in self.flags:
            return "AVX2 (no VNNI)"
        if "i8mm" in self.flags or "asimddp" in self.flags:
            return "Arm dot product"
        return "SSE" if "sse2" in self.flags else "unknown"

    @property
    def avx2_only(self) -> bool:
        """AVX2 without any AVX-512 or VNNI: the CPUs of issue 15."""
        return "avx2" in self.flags and not any(
            f.startswith(("avx512", "amx")) or f == "avx_vnni" for f in self.flags
        )

    def summary(self) -> str:
        """One line: model, the features that matter, the int8 path."""
        features = " ".join(self.features) or "none of " + " ".join(FEATURES[:4])
        return f"{self.model or 'unknown CPU'}: {features} (int8 on {self.int8_path})"


def parse_cpuinfo(text: str) -> CpuInfo:
    """The first processor's model name and flags in ``/proc/cpuinfo``'s text.

    ``flags`` is the x86 line; ARM kernels call it ``Features`` (their flags, e.g. ``asimddp``,
    are kept as they are).
    """
    model = ""
    flags: frozenset[str] | None = None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if not sep:
            continue
        key = key.strip().lower()
        if key in ("model name", "cpu model", "hardware") and not model:
            model = " ".join(value.split())
        elif key in ("flags", "features") and flags is None:
            flags = frozenset(value.split())
        if model and flags is not None:
            break
    return CpuInfo(model, flags or frozenset())


def cpu_info(path: Path = CPUINFO) -> CpuInfo:
    """This machine's :class:`CpuInfo` (empty when ``/proc/cpuinfo`` cannot be read)."""
    try:
        return parse_cpuinfo(path.read_text(encoding="utf-8", errors="replace"))
    except OSError:
        return CpuInfo("", frozenset())
