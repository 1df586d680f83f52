"""The toxicity engines on a BERT-base-shaped model: raw detoxify, torch, ONNX fp32, ONNX int8.

    python benchmarks/bench_onnx.py                  # builds the model under /tmp once (~440 MB)
    python benchmarks/bench_onnx.py --runs 3 --cold 3   # quicker
    python benchmarks/bench_onnx.py --cpus 0 --threads 1  # one pinned core
    python benchmarks/bench_onnx.py --profile        # where the time goes, per operator type
    python benchmarks/bench_onnx.py --busy 2 --paths raw,onnx-int8,onnx-int8+spin  # shared cores

The model is random with exactly the shape of detoxify's ``original`` (BERT-base: hidden 768, 12
layers, 12 heads, intermediate 3072, vocabulary 30522; ``tests/support/tinymodel.py``), saved as a
real detoxify checkpoint: speed does not depend on the weight values. It is built in ``--work``
(default ``/tmp/smguard-bench-onnx``), installed in a model store there as ``original`` and exported
with ``smguard.toxicity.export.export_onnx`` (which runs the agreement check), and reused by later
runs. Posts are made of words the tokenizer knows whole, so a 97-character post is ~22 tokens, as
with BERT's real vocabulary.

The paths score the same posts (``--paths``, default all but the ``+spin`` ones):

* ``raw``        ``detoxify.Detoxify(checkpoint=..., huggingface_config_path=...).predict``;
* ``torch``      the toxicity rule with ``engine = "torch"`` (detoxify's model, smguard's
                 windows, labels, thresholds and findings);
* ``onnx``       the rule with ``engine = "onnx"`` (ONNX Runtime, fp32);
* ``onnx-int8``  the rule with ``engine = "onnx-int8"`` (dynamically quantised int8 weights);
* ``onnx-old``, ``onnx-int8-old``  the same on an export made as smguard did before issue 15
                 (no graph fusion, per-tensor full-range int8): ``export_onnx(..., fuse=False,
                 per_channel=False, reduce_range=False)`` in a second store, ``store-legacy``;
* ``NAME+spin``  an onnx path with ONNX Runtime's thread spinning on (default off).

``--busy N`` runs N CPU-burning processes on the same CPUs while the rounds are timed, as when
the guard shares its machine. ``--profile`` runs ONNX Runtime's profiler on the fp32 and int8
models (new and old exports) for one post and a batch of 64, and prints each operator type's
share of the time, and the tokeniser's share of a whole ``predict``. The CPU's model and its
instruction-set features (AVX2, AVX-512, VNNI, AMX ...) and onnxruntime's version are printed
with the figures: int8 speed depends on them most.

Measured in one run. Timing: each path runs in a process of its own (as in production, one
engine per process: torch's idle OpenMP threads would otherwise slow ONNX Runtime's, and the
other way round), loaded and warmed up first; then every round asks every process, in rotating
order (so that load from other processes on a shared machine hits all alike), for single-post
latencies (``--singles`` posts of 97 characters, one at a time) and one batch of 64 posts of 97
and of 280 characters, in wall-clock and in that process's CPU time (``time.process_time``,
which counts all its threads). Also, in fresh processes: the cold start of ``smguard check`` on
one post with each engine (``raw``: a script that loads Detoxify and predicts one post), and
each child's peak memory (its own ``VmHWM``; ``ru_maxrss`` of a child would count the pages of
the parent it was forked from) for that one-post check and for scoring 64 posts of 280
characters. Last, the largest score difference of each ONNX engine from torch (on
``smguard models verify``'s texts and on the benchmark's posts).

The process (and so every child) is pinned with ``os.sched_setaffinity`` to ``--cpus`` (default:
every CPU it may use); torch and ONNX Runtime get ``--threads`` threads (default: that many).
On a busy machine, ``--cpus 1 --threads 1`` gives the steadiest figures: with two threads on two
shared cores, every parallel region waits for whichever thread the scheduler has put aside,
which can make torch's single-post latency swing by 10x from one round to the next.
Medians of ``--runs`` rounds; ratios are between figures of the same run. No thresholds are
enforced; the targets of issue 6 are printed next to the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PATHS = ("raw", "torch", "onnx", "onnx-int8", "onnx-old", "onnx-int8-old")
#: Old exports: made as before issue 15 (no fusion, per-tensor full-range int8).
LEGACY_OPTIONS = {"fuse": False, "per_channel": False, "reduce_range": False}
#: Words the tiny tokenizer knows whole (``tests/support/tinymodel.py``), English and Indonesian.
WORDS = (
    "thank thanks please hello good bad great help service update team news office post "
    "terima kasih kak selamat pagi siang malam mohon maaf info layanan kami anda dan yang "
    "the a and or of to in on for with is are was be this that it you we they my your our "
    "idiot stupid hate bodoh goblok"
).split()


def make_post(n_chars: int, rng: random.Random) -> str:
    words: list[str] = []
    while len(" ".join(words)) < n_chars:
        words.append(rng.choice(WORDS))
    return " ".join(words)[:n_chars].rstrip()


def posts(n: int, n_chars: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return [make_post(n_chars, rng) for _ in range(n)]


# --------------------------------------------------------------------------- the model


def prepare(work: Path, rebuild: bool) -> tuple[Path, Path, dict[str, Any]]:
    """The checkpoint, its HF folder and the stores with ``original`` exported (``store``: as
    smguard exports now; ``store-legacy``: as before issue 15); the new export.json."""
    from smguard.toxicity.export import export_onnx
    from smguard.toxicity.importing import import_model
    from smguard.toxicity.manifest import get_model
    from tests.support.tinymodel import BERT_BASE, build_tiny_model

    checkpoint, hf = work / "base.ckpt", work / "base-hf"
    if rebuild and work.exists():
        shutil.rmtree(work)
    if not checkpoint.is_file():
        print(f"building a random BERT-base detoxify checkpoint in {work} ...", flush=True)
        build_tiny_model(work, name="base", biases=None, **BERT_BASE)
    for store, options in ((work / "store", {}), (work / "store-legacy", LEGACY_OPTIONS)):
        info_file = store / "original" / "onnx" / "export.json"
        if get_model(store, "original") is None:
            import_model(store, checkpoint, name="original")
        current = info_file.is_file() and (
            "optimizations" in json.loads(info_file.read_text(encoding="utf-8")) or options
        )
        if not current:
            print(f"exporting to ONNX in {store.name} {options or ''} ...", flush=True)
            result = export_onnx(store, "original", log=lambda m: print("  " + m), **options)
            print(f"  exported in {result.seconds:.0f} s ({result.exporter})", flush=True)
    info_file = work / "store" / "original" / "onnx" / "export.json"
    info = json.loads(info_file.read_text(encoding="utf-8"))
    return checkpoint, hf, info


def path_store(work: Path, name: str) -> tuple[Path, str, bool]:
    """Where a path's model store is, its engine, and whether threads spin."""
    spin = name.endswith("+spin")
    name = name.removesuffix("+spin")
    if name.endswith("-old"):
        return work / "store-legacy", name.removesuffix("-old"), spin
    return work / "store", name, spin


# --------------------------------------------------------------------------- timing workers


class Engine:
    """One path: how to score one post and a batch of posts."""

    def __init__(self, single: Callable[[str], object], batch: Callable[[list[str]], object]):
        self.single = single
        self.batch = batch


def build_engine(name: str, checkpoint: Path, hf: Path, store: Path, threads: int) -> Engine:
    from smguard.config import Config
    from smguard.guard.rule import CheckContext
    from smguard.types import Post

    if name == "raw":
        import torch
        from detoxify import Detoxify

        torch.set_num_threads(threads)
        logging: Any = __import__("transformers.utils.logging", fromlist=["x"])
        logging.disable_progress_bar()
        raw = Detoxify(checkpoint=str(checkpoint), huggingface_config_path=str(hf), device="cpu")
        return Engine(lambda text: raw.predict([text]), raw.predict)

    from smguard.plugins.toxicity.rule import ToxicityRule
    from smguard.plugins.toxicity.settings import parse_settings

    if name == "torch":
        import torch

        torch.set_num_threads(threads)
    settings = parse_settings({"engine": name, "device": "cpu", "threads": threads})
    rule = ToxicityRule.create(settings, root=store)
    config = Config()
    account = config.account(None)

    def run(texts: list[str]) -> object:
        items = []
        for text in texts:
            post = Post(text, language="en")
            items.append((post, CheckContext(post, frozenset({"en"}), config, account)))
        out = rule.check_batch(items)
        bad = [r for r in out if not isinstance(r, list)]
        if bad:
            raise SystemExit(f"{name}: {bad[0]}")
        return out

    return Engine(lambda text: run([text]), run)


def worker(name: str, work: Path, threads: int, singles: int) -> None:
    """``--worker NAME``: load one path, then time a round per "round" line on stdin."""
    one, b97, b280 = posts(max(singles, 1), 97, seed=1), posts(64, 97, 2), posts(64, 280, 3)
    store, engine_name, spin = path_store(work, name)
    if spin:
        from smguard.toxicity.onnx import ENV_SPINNING

        os.environ[ENV_SPINNING] = "1"
    engine = build_engine(engine_name, work / "base.ckpt", work / "base-hf", store, threads)
    engine.single(one[0])  # warm-up: allocators, kernel choice
    engine.batch(b97[:8])
    print("ready", flush=True)
    for line in sys.stdin:
        if line.strip() != "round":
            break
        got: dict[str, list[float]] = {"single": [], "single_cpu": []}
        for text in one[:singles]:
            w, c = time.perf_counter(), time.process_time()
            engine.single(text)
            got["single"].append(time.perf_counter() - w)
            got["single_cpu"].append(time.process_time() - c)
        for key, batch in (("b97", b97), ("b280", b280)):
            w, c = time.perf_counter(), time.process_time()
            engine.batch(batch)
            got[key] = [time.perf_counter() - w]
            got[f"{key}_cpu"] = [time.process_time() - c]
        print(json.dumps(got), flush=True)


def measure(
    work: Path, threads: int, runs: int, singles: int, paths: Sequence[str]
) -> dict[str, dict[str, list[float]]]:
    """Samples (seconds) per path, each path in its own process (as in production: one engine
    per process; torch's idle OpenMP threads would otherwise slow ONNX Runtime's, and back)."""
    procs: dict[str, subprocess.Popen[str]] = {}
    for name in paths:  # loaded one after the other, so that loading is not timed against it
        cmd = [sys.executable, __file__, "--worker", name, "--work", str(work),
               "--threads", str(threads), "--singles", str(singles)]  # fmt: skip
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        if proc.stdout.readline().strip() != "ready":
            raise SystemExit(f"the {name} worker failed to start")
        procs[name] = proc
    out: dict[str, dict[str, list[float]]] = {name: {} for name in paths}
    names = list(paths)
    try:
        for r in range(runs):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                proc = procs[name]
                assert proc.stdin is not None and proc.stdout is not None
                proc.stdin.write("round\n")
                proc.stdin.flush()
                line = proc.stdout.readline()
                if not line:
                    raise SystemExit(f"the {name} worker stopped")
                for key, values in json.loads(line).items():
                    out[name].setdefault(key, []).extend(values)
            print(f"  round {r + 1}/{runs} done", flush=True)
    finally:
        for proc in procs.values():
            if proc.stdin is not None:
                proc.stdin.close()
            proc.wait()
    return out


def pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --------------------------------------------------------------------------- child processes

#: Appended to each child: its own peak memory. (``ru_maxrss`` of a child counts the pages of the
#: parent it was forked from, which can be far larger; VmHWM is the new process's own.)
PEAK = """
import atexit, resource, sys
def _peak():
    try:
        with open("/proc/self/status") as fh:
            kb = next(int(l.split()[1]) for l in fh if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write("\\nsmguard-bench-peak-kb %d\\n" % kb)
atexit.register(_peak)
"""

CHECK_CHILD = (
    PEAK
    + """
sys.argv = ["smguard", *sys.argv[1:]]
from smguard.cli.main import main
sys.exit(main())
"""
)

RAW_CHILD = (
    PEAK
    + """
import json, warnings
warnings.filterwarnings("ignore")
import torch
torch.set_num_threads({threads})
from detoxify import Detoxify
model = Detoxify(checkpoint={checkpoint!r}, huggingface_config_path={hf!r}, device="cpu")
texts = json.loads(sys.argv[1])
for start in range(0, len(texts), 64):
    model.predict(texts[start:start + 64])
"""
)

RULE_CHILD = (
    PEAK
    + """
import json
from pathlib import Path
from smguard.config import Config
from smguard.plugins.toxicity.rule import ToxicityRule
from smguard.plugins.toxicity.settings import parse_settings
from smguard.guard.rule import CheckContext
from smguard.types import Post
settings = parse_settings({{"engine": {engine!r}, "device": "cpu", "threads": {threads}}})
rule = ToxicityRule.create(settings, root=Path({store!r}))
config = Config()
posts = [Post(t, language="en") for t in json.loads(sys.argv[1])]
items = [(p, CheckContext(p, frozenset({{"en"}}), config, config.account(None))) for p in posts]
out = rule.check_batch(items)
assert all(isinstance(r, list) for r in out), out
"""
)


def run_child(
    cmd: list[str], env: dict[str, str], cwd: str, ok: tuple[int, ...] = (0,)
) -> tuple[float, float, float, str]:
    """Wall seconds, CPU seconds, peak memory (MB) and stdout of one fresh process."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=err)
        _pid, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(cmd[:3])} … exited {proc.returncode}: {stderr[-800:]}")
    peaks = [line.split()[1] for line in stderr.splitlines() if "smguard-bench-peak-kb" in line]
    if not peaks:
        raise SystemExit(f"{' '.join(cmd[:3])} … did not report its peak memory: {stderr[-800:]}")
    return wall, usage.ru_utime + usage.ru_stime, int(peaks[-1]) / 1024, stdout


def cold_and_memory(
    work: Path,
    paths: Sequence[str],
    threads: int,
    runs: int,
    post: str,
    batch: list[str],
) -> dict[str, dict[str, float]]:
    """Per path: cold start of a one-post check (median wall/CPU) and peak memory (MB) of that
    check and of scoring a batch of 64 posts."""
    checkpoint, hf = work / "base.ckpt", work / "base-hf"
    env = {k: v for k, v in os.environ.items() if not k.startswith("SMGUARD_")}
    env.update(
        {
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "SMGUARD_PLUGINS__TOXICITY__ENABLED": "true",
            "SMGUARD_PLUGINS__TOXICITY__DEVICE": "cpu",
            "SMGUARD_PLUGINS__TOXICITY__THREADS": str(threads),
        }
    )
    cwd = tempfile.mkdtemp(prefix="smguard-bench-cwd-")
    out: dict[str, dict[str, float]] = {}
    batch_json = json.dumps(batch)
    for name in paths:
        store, engine, spin = path_store(work, name)
        env["SMGUARD_MODEL_DIR"] = str(store)
        env.pop("SMGUARD_ONNX_SPINNING", None)
        if spin:
            env["SMGUARD_ONNX_SPINNING"] = "1"
        if name == "raw":
            script = RAW_CHILD.format(threads=threads, checkpoint=str(checkpoint), hf=str(hf))
            one_cmd = [sys.executable, "-c", script, json.dumps([post])]
            batch_cmd = [sys.executable, "-c", script, batch_json]
            child_env = env
        else:
            child_env = {**env, "SMGUARD_PLUGINS__TOXICITY__ENGINE": engine}
            check = ["check", "--format", "json", "--language", "en", post]
            one_cmd = [sys.executable, "-c", CHECK_CHILD, *check]
            script = RULE_CHILD.format(engine=engine, threads=threads, store=str(store))
            batch_cmd = [sys.executable, "-c", script, batch_json]
        # smguard check exits 0, 1 or 2 by its decision (allow, review, block).
        run_child(one_cmd, child_env, cwd, (0, 1, 2))  # warm the file cache
        samples = [run_child(one_cmd, child_env, cwd, (0, 1, 2)) for _ in range(runs)]
        if name != "raw":
            verdict = json.loads(samples[-1][3])
            status = verdict["engines"].get("toxicity", {})
            if status.get("status") != "ok":
                raise SystemExit(f"smguard check with engine {name}: {status}")
        _w, _c, batch_peak, _o = run_child(batch_cmd, child_env, cwd)
        out[name] = {
            "cold": statistics.median(s[0] for s in samples),
            "cold_cpu": statistics.median(s[1] for s in samples),
            "rss_one": statistics.median(s[2] for s in samples),
            "rss_batch": batch_peak,
        }
        print(f"  cold start and memory of {name} done", flush=True)
    shutil.rmtree(cwd, ignore_errors=True)
    return out


# --------------------------------------------------------------------------- agreement


def score_diff(work: Path, paths: Sequence[str], texts: list[str]) -> dict[str, float]:
    """Largest score difference from torch per ONNX path: verify's texts and the bench's."""
    from smguard.toxicity.agreement import verify_onnx

    out: dict[str, float] = {}
    for store_name, suffix in (("store", ""), ("store-legacy", "-old")):
        if not any(p.removesuffix("+spin").endswith(suffix or "onnx-int8") for p in paths):
            continue
        for text_set in (None, texts):
            agreement = verify_onnx(work / store_name, "original", texts=text_set)
            for engine in agreement.max_diff:
                key = engine + suffix
                out[key] = max(out.get(key, 0.0), agreement.largest(engine)[1])
    return out


# --------------------------------------------------------------------------- busy neighbours

BURN = "import time\nwhile True:\n    sum(i * i for i in range(10000))\n"


def start_busy(n: int) -> list[subprocess.Popen[bytes]]:
    """``n`` processes that burn CPU on the same CPUs (they inherit the pinning)."""
    return [subprocess.Popen([sys.executable, "-c", BURN]) for _ in range(n)]


def stop_busy(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait()


# --------------------------------------------------------------------------- profile


def op_profile(model_file: Path, feeds: list[dict[str, Any]], threads: int) -> dict[str, float]:
    """Microseconds per operator type over ``feeds`` (ONNX Runtime's profiler)."""
    import onnxruntime

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads
    options.log_severity_level = 3
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = onnxruntime.InferenceSession(str(model_file), options, ["CPUExecutionProvider"])
    names = {i.name for i in session.get_inputs()}
    for feed in feeds[:2]:  # warm-up, not profiled
        session.run(None, {k: v for k, v in feed.items() if k in names})
    options.enable_profiling = True
    options.profile_file_prefix = str(Path(tempfile.mkdtemp()) / "ort")
    session = onnxruntime.InferenceSession(str(model_file), options, ["CPUExecutionProvider"])
    for feed in feeds:
        session.run(None, {k: v for k, v in feed.items() if k in names})
    trace = Path(session.end_profiling())
    events = json.loads(trace.read_text(encoding="utf-8"))
    shutil.rmtree(trace.parent, ignore_errors=True)
    out: dict[str, float] = {}
    for event in events:
        if event.get("cat") == "Node" and str(event.get("name", "")).endswith("_kernel_time"):
            op = str(event.get("args", {}).get("op_name", "?"))
            out[op] = out.get(op, 0.0) + float(event.get("dur", 0))
    return out


def profile(work: Path, threads: int, reps: int) -> None:
    """Print each operator type's share of the time, per model and input, and tokenisation's."""
    from smguard.toxicity.onnx import OnnxModel

    one, b97 = posts(1, 97, seed=1), posts(64, 97, 2)
    for path in ("onnx", "onnx-int8", "onnx-old", "onnx-int8-old"):
        store, engine, _spin = path_store(work, path)
        model = OnnxModel(store / "original" / "onnx", engine, threads=threads)
        for label, texts in (("1 post", one), ("batch 64x97", b97)):
            feeds = batch_feeds(model, texts)
            times = op_profile(model.path, feeds * reps, threads)
            total = sum(times.values()) or 1.0
            top = sorted(times.items(), key=lambda kv: -kv[1])
            shown = ", ".join(
                f"{op} {100 * t / total:.0f}%" for op, t in top[:8] if t / total >= 0.01
            )
            tok = tokenise_share(model, texts, reps)
            print(
                f"  {path:<14}{label:<13} {total / reps / 1000:8.1f} ms/run in ops; "
                f"tokenising {100 * tok:.1f}% of predict | {shown}",
                flush=True,
            )


def batch_feeds(model: Any, texts: list[str]) -> list[dict[str, Any]]:
    """The padded inputs the engine would run for ``texts`` (one per length bucket)."""
    import numpy as np

    from smguard.toxicity.onnx import buckets

    encodings = model.tokenizer.encode_batch(texts)
    lengths = [len(e.ids) for e in encodings]
    order = sorted(range(len(texts)), key=lengths.__getitem__)
    feeds = []
    for start, end in buckets([lengths[i] for i in order], model.max_tokens):
        rows = order[start:end]
        width = lengths[rows[-1]]
        ids = np.full((len(rows), width), model.info.pad_id, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for r, i in enumerate(rows):
            ids[r, : lengths[i]] = encodings[i].ids
            mask[r, : lengths[i]] = 1
        feeds.append({"input_ids": ids, "attention_mask": mask, "token_type_ids": 0 * ids})
    return feeds


def tokenise_share(model: Any, texts: list[str], reps: int) -> float:
    """Tokenising's share of the wall time of ``model.predict(texts)`` (medians)."""
    tok, whole = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        model.tokenizer.encode_batch(texts)
        tok.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        model.predict(texts)
        whole.append(time.perf_counter() - t0)
    return statistics.median(tok) / statistics.median(whole)


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--work", type=Path, default=Path("/tmp/smguard-bench-onnx"))
    parser.add_argument("--rebuild", action="store_true", help="build and export the model again")
    parser.add_argument("--runs", type=int, default=5, help="timed rounds (default 5)")
    parser.add_argument("--singles", type=int, default=10, help="single posts per round")
    parser.add_argument("--cold", type=int, default=5, help="cold starts per engine (0: skip)")
    parser.add_argument("--cpus", help="CPUs to pin to, e.g. 0 or 0,1 (default: all allowed)")
    parser.add_argument("--threads", type=int, help="intra-op threads (default: pinned CPUs)")
    parser.add_argument(
        "--paths", default=",".join(PATHS), help=f"comma-separated (default {','.join(PATHS)})"
    )
    parser.add_argument("--busy", type=int, default=0, help="CPU-burning processes while timed")
    parser.add_argument("--no-diff", action="store_true", help="skip the score differences")
    parser.add_argument("--profile", action="store_true", help="per-operator time shares only")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.work, args.threads, args.singles)
        return
    paths = [p.strip() for p in args.paths.split(",") if p.strip()]
    unknown = [p for p in paths if p.removesuffix("+spin") not in PATHS]
    if unknown or not paths:
        parser.error(f"unknown path(s) {', '.join(unknown)}: choose from {', '.join(PATHS)}")

    if args.cpus:
        os.sched_setaffinity(0, {int(c) for c in args.cpus.split(",")})
    cpus = sorted(os.sched_getaffinity(0))
    threads = args.threads or len(cpus)
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    work: Path = args.work
    checkpoint, _hf, info = prepare(work, args.rebuild)
    import onnxruntime

    from smguard.toxicity.cpu import cpu_info

    cpu = cpu_info()
    machine = (
        f"CPU {cpu.summary()}; {'AVX2-only' if cpu.avx2_only else 'not AVX2-only'}; "
        f"onnxruntime {onnxruntime.__version__}; pinned to CPU(s) {','.join(map(str, cpus))}, "
        f"{threads} thread(s)"
    )
    if args.profile:
        print(f"bench_onnx --profile: {machine}")
        print("  (share of the time in each operator type, ONNX Runtime's profiler; 'ops' is")
        print("   the sum of the kernels' times, which overlap when threads run in parallel)")
        busy = start_busy(args.busy)
        try:
            profile(work, threads, max(args.runs, 1))
        finally:
            stop_busy(busy)
        return

    one = posts(max(args.singles, 1), 97, seed=1)
    b97, b280 = posts(64, 97, 2), posts(64, 280, 3)

    cold: dict[str, dict[str, float]] = {}
    if args.cold > 0:
        print("cold starts and peak memory in fresh processes ...", flush=True)
        cold = cold_and_memory(work, paths, threads, args.cold, one[0], b280)
    print(
        f"timing: one process per path, rounds in rotating order, {args.busy} busy process(es)",
        flush=True,
    )
    busy = start_busy(args.busy)
    try:
        samples = measure(work, threads, args.runs, args.singles, paths)
    finally:
        stop_busy(busy)
    import torch

    med = statistics.median
    nan = float("nan")
    rows: dict[str, dict[str, float]] = {}
    for name, s in samples.items():
        rows[name] = {
            "p50": med(s["single"]) * 1000,
            "p95": pct(s["single"], 0.95) * 1000,
            "p50_cpu": med(s["single_cpu"]) * 1000,
            "b97": 64 / med(s["b97"]),
            "b97_cpu": 64 / med(s["b97_cpu"]),
            "b280": 64 / med(s["b280"]),
            "b280_cpu": 64 / med(s["b280_cpu"]),
            **cold.get(name, dict.fromkeys(("cold", "cold_cpu", "rss_one", "rss_batch"), nan)),
        }

    print()
    print(
        f"bench_onnx: random BERT-base (hidden 768 x 12 layers, vocab 30522) through detoxify; "
        f"{machine}; torch {torch.__version__}; {args.runs} rounds x {args.singles} single "
        f"posts, {args.cold} cold starts, {args.busy} busy process(es) while timed; load "
        f"average {os.getloadavg()[0]:.1f} at the end"
    )
    sizes = {k: v / 1e6 for k, v in info.get("sizes", {}).items()}
    print(
        f"model files: checkpoint {checkpoint.stat().st_size / 1e6:.0f} MB, "
        + ", ".join(f"{k} {v:.0f} MB" for k, v in sizes.items())
        + f"; new export: {json.dumps(info.get('optimizations', {}).get('fusion', {}))}"
    )
    head = (
        "path", "1 post p50", "p95", "cpu p50", "b64x97/s", "(cpu)", "b64x280/s", "(cpu)",
        "cold start", "(cpu)", "peak MB 1", "peak MB 64",
    )  # fmt: skip
    print("  {:<15}{:>11}{:>8}{:>9}{:>10}{:>7}{:>11}{:>7}{:>11}{:>7}{:>11}{:>11}".format(*head))
    for name, r in rows.items():
        print(
            f"  {name:<15}{r['p50']:>8.1f} ms{r['p95']:>6.0f}ms{r['p50_cpu']:>7.1f}ms"
            f"{r['b97']:>10.1f}{r['b97_cpu']:>7.1f}{r['b280']:>11.1f}{r['b280_cpu']:>7.1f}"
            f"{r['cold']:>9.2f} s{r['cold_cpu']:>6.2f}s{r['rss_one']:>11.0f}{r['rss_batch']:>11.0f}"
        )
    raw = rows.get("raw")
    if raw is not None:
        print("ratios to raw Detoxify (same run; wall, then CPU time):")
    for name, r in rows.items():
        if raw is None or name == "raw":
            continue
        print(
            f"  {name:<15} single {raw['p50'] / r['p50']:.2f}x"
            f" ({raw['p50_cpu'] / r['p50_cpu']:.2f}x)"
            f"; batch 97 {r['b97'] / raw['b97']:.2f}x ({r['b97_cpu'] / raw['b97_cpu']:.2f}x)"
            f"; batch 280 {r['b280'] / raw['b280']:.2f}x ({r['b280_cpu'] / raw['b280_cpu']:.2f}x)"
        )
    if args.no_diff:
        return
    print("score differences (torch scores every text again: slow) ...", flush=True)
    diffs = score_diff(work, paths, one + b97 + b280)
    print(
        "largest score difference from torch (bench posts + verify texts): "
        + ", ".join(f"{e} {d:.2g}" for e, d in diffs.items())
    )
    if raw is None or "onnx-int8" not in rows:
        return
    i8 = rows["onnx-int8"]
    worst = max(diffs.values(), default=nan)
    checks = [
        ("int8 >= 3x raw on single posts (wall)", raw["p50"] / i8["p50"] >= 3),
        ("int8 >= 3x raw on batches of 64 x 97 (wall)", i8["b97"] / raw["b97"] >= 3),
        ("int8 >= 3x raw on batches of 64 x 280 (wall)", i8["b280"] / raw["b280"] >= 3),
        ("largest score difference <= 0.02", worst <= 0.02),
    ]
    where = "this CPU is AVX2-only" if cpu.avx2_only else "NOT an AVX2-only CPU: see docs"
    print(f"targets of issue 15 ({where}):")
    for label, ok in checks:
        print(f"  {'met   ' if ok else 'MISSED'} {label}")


if __name__ == "__main__":
    main()
