"""Reading the CPU's instruction-set features from /proc/cpuinfo (what the ONNX engines run on)."""

from __future__ import annotations

from pathlib import Path

from smguard.toxicity.cpu import cpu_info, parse_cpuinfo

#: An AMD EPYC of the Zen 2 kind, as many cloud instances report it: AVX2, no AVX-512, no VNNI.
ZEN2 = """processor\t: 0
vendor_id\t: AuthenticAMD
model name\t: AMD EPYC 7B12
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx \
fxsr sse sse2 ht syscall nx mmxext fxsr_opt pdpe1gb rdtscp lm constant_tsc rep_good nopl \
xtopology nonstop_tsc cpuid pni pclmulqdq ssse3 fma cx16 sse4_1 sse4_2 movbe popcnt aes xsave \
avx f16c rdrand hypervisor lahf_lm cmp_legacy abm sse4a misalignsse 3dnowprefetch bmi1 avx2 \
smep bmi2 rdseed adx smap clflushopt clwb sha_ni xsaveopt xsavec xgetbv1 clzero arat umip rdpid

processor\t: 1
model name\t: AMD EPYC 7B12
flags\t\t: fpu avx512f
"""

ZEN4_FLAGS = (
    "fpu sse sse2 ssse3 fma sse4_1 sse4_2 avx f16c avx2 avx512f avx512dq avx512ifma avx512cd "
    "avx512bw avx512vl avx512_bf16 avx512vbmi avx512_vbmi2 avx512_vnni avx512_bitalg"
)
SAPPHIRE_FLAGS = ZEN4_FLAGS + " avx_vnni amx_bf16 avx512_fp16 amx_tile amx_int8"
ALDER_FLAGS = "sse sse2 fma avx f16c avx2 avx_vnni"


def test_avx2_only_epyc_is_recognised() -> None:
    cpu = parse_cpuinfo(ZEN2)
    assert cpu.model == "AMD EPYC 7B12"
    assert cpu.has("avx2") and cpu.has("fma") and not cpu.has("avx512f")  # first CPU only
    assert cpu.features == ("avx2", "fma", "f16c")
    assert cpu.avx2_only and cpu.int8_path == "AVX2 (no VNNI)"
    assert cpu.summary() == "AMD EPYC 7B12: avx2 fma f16c (int8 on AVX2 (no VNNI))"


def test_vnni_and_amx_cpus() -> None:
    zen4 = parse_cpuinfo(f"model name : AMD EPYC 9R14\nflags : {ZEN4_FLAGS}\n")
    assert not zen4.avx2_only and zen4.int8_path == "AVX-512 VNNI"
    assert "avx512_vnni" in zen4.features and "amx_int8" not in zen4.features
    sapphire = parse_cpuinfo(f"model name : Intel Xeon\nflags : {SAPPHIRE_FLAGS}\n")
    assert sapphire.int8_path == "AMX" and sapphire.features[-3:] == (
        "amx_tile",
        "amx_int8",
        "amx_bf16",
    )
    alder = parse_cpuinfo(f"flags : {ALDER_FLAGS}\n")
    assert alder.int8_path == "AVX-VNNI" and not alder.avx2_only and alder.model == ""


def test_unknown_or_unreadable_cpuinfo(tmp_path: Path) -> None:
    arm = parse_cpuinfo("processor : 0\nFeatures : fp asimd asimddp sve\nCPU part : 0xd40\n")
    assert arm.has("asimddp") and arm.features == () and arm.int8_path == "Arm dot product"
    empty = cpu_info(tmp_path / "missing")
    assert empty.flags == frozenset() and empty.int8_path == "unknown"
    assert empty.summary().startswith("unknown CPU: none of")
    here = cpu_info()  # this machine (Linux in CI): a model name or at least some flags
    assert here.flags or not Path("/proc/cpuinfo").exists()
