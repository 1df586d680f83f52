"""What smguard adds on top of detoxify: raw ``Detoxify.predict`` vs the toxicity rule vs a Guard.

    python benchmarks/bench_detoxify_overhead.py                  # tiny model (hidden 32)
    python benchmarks/bench_detoxify_overhead.py --hidden 256 --layers 4 --posts 512

All three paths score the same posts in batches of 64 with the same model:

* ``raw``   ``detoxify.Detoxify(checkpoint=..., huggingface_config_path=...).predict(texts)``
            for each batch of 64 texts: the floor, nothing of smguard;
* ``rule``  ``ToxicityRule.check_batch`` on the same batches (model choice, long-text windows,
            label mapping, thresholds, findings with en/id messages);
* ``guard`` ``Guard.check_many(posts, batch_size=64)`` with only the toxicity and policy plugins
            (``SMGUARD_LOAD_PLUGINS=toxicity,policy``): contexts, engine bookkeeping, policy.

The model is the random BERT of ``tests/support/tinymodel.py`` (built in a temporary folder,
offline). A tiny model makes the forward pass cheap, so the overhead percentage is an upper bound:
with a real detoxify model (BERT-base, ~100x the compute) the same absolute overhead is far smaller.
Posts carry their language so that language detection (not part of this plugin) is not timed. Prints
the median of ``--runs`` timed rounds after one warm-up (each round runs every path, in rotating
order); no thresholds are enforced. Torch uses one thread unless ``--threads`` says otherwise: on a
small shared machine two threads contend with other processes and medians swing by 2-3x. A second
table replaces the model with one that costs nothing, which measures smguard's own work per post
without any model noise.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

WORDS = (
    "thank you for your patience we are updating the service please check our office hours "
    "terima kasih kak mohon maaf layanan kami sedang diperbarui info selengkapnya di situs resmi "
    "you idiot this is stupid bodoh goblok great news team help"
).split()


def make_texts(n: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [" ".join(rng.choices(WORDS, k=rng.randint(5, 60))) for _ in range(n)]


def timings_ms(fns: dict[str, Callable[[], object]], runs: int) -> dict[str, tuple[float, float]]:
    """Median and fastest wall time of each function over ``runs`` rounds.

    Each round runs every function once, in rotating order, so that load from other processes
    on the machine hits all paths alike instead of whichever happened to run during it.
    """
    for fn in fns.values():
        fn()  # warm-up: model load, caches, allocator
    names = list(fns)
    times: dict[str, list[float]] = {name: [] for name in names}
    for r in range(runs):
        for name in names[r % len(names) :] + names[: r % len(names)]:
            t0 = time.perf_counter()
            fns[name]()
            times[name].append((time.perf_counter() - t0) * 1000)
    return {name: (statistics.median(ts), min(ts)) for name, ts in times.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=1024)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--layers", type=int, default=2)
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="torch threads (default 1: steadier figures on a busy machine; 0: torch's choice)",
    )
    args = parser.parse_args()

    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["SMGUARD_LOAD_PLUGINS"] = "toxicity,policy"
    work = Path(tempfile.mkdtemp(prefix="smguard-bench-"))
    os.environ["SMGUARD_MODEL_DIR"] = str(work / "store")

    import torch
    from detoxify import Detoxify
    from smguard.plugins.toxicity.rule import ToxicityRule
    from smguard.plugins.toxicity.settings import parse_settings

    from smguard.config import Config
    from smguard.guard.engine import Guard
    from smguard.guard.rule import CheckContext
    from smguard.toxicity.importing import import_model
    from smguard.types import Post
    from tests.support.tinymodel import build_tiny_model

    if args.threads:
        torch.set_num_threads(args.threads)
    checkpoint = build_tiny_model(work, hidden=args.hidden, layers=args.layers, biases=None)
    hf = work / "tiny-hf"
    store = work / "store"
    import_model(store, checkpoint, name="original")

    texts = make_texts(args.posts)
    batches = [texts[i : i + args.batch] for i in range(0, len(texts), args.batch)]
    posts = [Post(t, language="en") for t in texts]
    options = {"device": "cpu", "batch_size": args.batch}
    config = Config.from_dict({"plugins": {"toxicity": options}})
    account = config.account(None)
    items = [(p, CheckContext(p, frozenset({"en"}), config, account)) for p in posts]
    item_batches = [items[i : i + args.batch] for i in range(0, len(items), args.batch)]

    raw = Detoxify(checkpoint=str(checkpoint), huggingface_config_path=str(hf), device="cpu")
    settings = parse_settings(options)
    rule = ToxicityRule.create(settings, root=store)
    guard = Guard(config)
    assert [r.id for r in guard.rules] == ["SMG-TOX-001"], [r.id for r in guard.rules]

    # Same scores on both paths (the rule's model is loaded from the store's copy).
    same = raw.predict(texts[:3])["insult"]
    rule.check_batch(items[:3])
    ours = rule.loaded["original"].predict(texts[:3])["insult"]
    assert all(abs(a - b) < 1e-5 for a, b in zip(same, ours, strict=True)), (same, ours)

    def run_raw() -> None:
        for batch in batches:
            raw.predict(batch)

    def run_rule() -> None:
        for batch in item_batches:
            rule.check_batch(batch)

    def run_guard() -> None:
        guard.check_many(posts, batch_size=args.batch)

    results = timings_ms({"raw": run_raw, "rule": run_rule, "guard": run_guard}, args.runs)

    # smguard's own work alone: the same rule and guard with a model that costs nothing.
    class FreeModel:
        def __init__(self) -> None:
            self.class_names = list(raw.class_names)
            self.cache: dict[int, dict[str, list[float]]] = {}

        def predict(self, batch: list[str]) -> dict[str, list[float]]:
            n = len(batch)
            if n not in self.cache:
                self.cache[n] = {c: [0.01] * n for c in self.class_names}
            return self.cache[n]

    free = FreeModel()
    guard_rule = guard.rules[0]
    assert isinstance(guard_rule, ToxicityRule)
    for r in (rule, guard_rule):
        r._models = dict.fromkeys(r._models, free)  # type: ignore[arg-type]
    own = timings_ms({"rule": run_rule, "guard": run_guard}, args.runs)

    base, base_min = results["raw"]
    print(
        f"detoxify overhead: {args.posts} posts, batches of {args.batch}, BERT hidden "
        f"{args.hidden} x {args.layers} layers, torch {torch.__version__}, "
        f"{torch.get_num_threads()} thread(s), {args.runs} rounds"
    )
    head = ("path", "median", "posts/s", "overhead", "µs/post", "fastest")
    print("  {:<6} {:>10} {:>8} {:>9} {:>8} {:>10}".format(*head))
    for name, (ms, fastest) in results.items():
        over = f"{100 * (ms - base) / base:+8.1f}% {(ms - base) * 1000 / args.posts:+8.0f}"
        if name == "raw":
            over = f"{'-':>9} {'-':>8}"
        rate = args.posts / (ms / 1000)
        print(f"  {name:<6} {ms:7.1f} ms {rate:8.0f} {over} {fastest:7.1f} ms")
    print("smguard's own work (same paths, a model that costs nothing):")
    for name, (ms, _fastest) in own.items():
        per_post = ms * 1000 / args.posts
        print(
            f"  {name:<6} {ms:7.1f} ms {per_post:6.1f} µs/post "
            f"({100 * ms / base_min:.1f}% of the fastest raw run)"
        )


if __name__ == "__main__":
    main()
