"""The toxicity check on ONNX Runtime: export, agreement with torch, engines, no torch at run time.

Tiny random BERT models (``tests/support/tinymodel.py``) are exported once per session. Tests that
export need torch, detoxify and onnx (``smguard[onnx-export]``); tests that only score need
onnxruntime and tokenizers (``smguard[onnx]``); each group is skipped with the reason when its
packages are missing. The ``test`` extra installs onnxruntime, tokenizers and onnx, so CI (which
adds the ``detoxify`` extra) runs them all. No test asserts a timing.
"""

from __future__ import annotations

import importlib.util
import json
import math
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from smguard.plugins import toxicity
from smguard.plugins.toxicity.rule import DETAIL_KEY, ToxicityRule
from smguard.plugins.toxicity.settings import parse_settings

from smguard.cli.models import models as models_cli
from smguard.config import Config
from smguard.errors import ConfigError, ModelUnavailable
from smguard.guard.rule import CheckContext
from smguard.toxicity import onnx as onnxengine
from smguard.toxicity.agreement import VERIFY_TEXTS, verify_onnx
from smguard.toxicity.errors import ExportRefused, ModelStoreError
from smguard.toxicity.export import export_onnx
from smguard.toxicity.importing import import_model
from smguard.toxicity.loading import load_detoxify
from smguard.toxicity.manifest import get_model
from smguard.toxicity.paths import ENV_MODEL_DIR
from smguard.types import Finding, Post
from tests.support.guards import make_guard
from tests.support.tinymodel import UNBIASED_CLASSES, build_tiny_model, build_tiny_roberta


def _installed(name: str) -> bool:
    if name in sys.modules:
        return sys.modules[name] is not None
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


HAVE_RUNTIME = all(_installed(m) for m in ("onnxruntime", "tokenizers", "numpy"))
HAVE_EXPORT = HAVE_RUNTIME and all(_installed(m) for m in ("torch", "detoxify", "onnx"))
EXPORT_REASON = "needs torch, detoxify and onnx to export: pip install 'smguard[onnx-export]'"

needs_export = pytest.mark.skipif(not HAVE_EXPORT, reason=EXPORT_REASON)


def onnx_test(fn: Any) -> Any:
    return pytest.mark.onnx(needs_export(fn))


def logit(p: float) -> float:
    return math.log(p / (1 - p))


@dataclass(frozen=True)
class Exported:
    folder: Path
    #: original (insult +10), multilingual (multi), raw (random BERT), roberta (random
    #: RoBERTa, the layout of unbiased/multilingual): all exported.
    store: Path
    raw_checkpoint: Path
    insult_checkpoint: Path


@pytest.fixture(scope="session")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Exported]:
    if not HAVE_EXPORT:
        pytest.skip(EXPORT_REASON)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        folder = tmp_path_factory.mktemp("onnx")
        insult = build_tiny_model(folder, name="insult", biases={"insult": 10.0})
        multi = build_tiny_model(
            folder,
            name="multi",
            classes=UNBIASED_CLASSES,
            biases={"identity_attack": 10.0, "sexual_explicit": logit(0.75), "male": 10.0},
        )
        raw = build_tiny_model(folder, name="raw", biases=None, seed=3)
        roberta = build_tiny_roberta(folder, name="roberta", seed=5)
        store = folder / "store"
        import_model(store, insult, name="original")
        import_model(store, multi, name="multilingual")
        import_model(store, raw, name="raw")
        import_model(store, roberta, name="roberta")
        for name in ("original", "multilingual", "raw", "roberta"):
            export_onnx(store, name)
        yield Exported(folder, store, raw, insult)


def ctx_for(post: Post) -> CheckContext:
    config = Config()
    langs = frozenset({post.language} if post.language else {"en", "id"})
    return CheckContext(post, langs, config, config.account(None))


def items(*posts: Post) -> list[tuple[Post, CheckContext]]:
    return [(p, ctx_for(p)) for p in posts]


def make_rule(root: Path, **options: Any) -> ToxicityRule:
    return ToxicityRule.create(parse_settings({"device": "cpu", **options}), root=root)


def summary(findings: list[Finding]) -> dict[str, tuple[str, str]]:
    """label -> (category, severity) from each finding's evidence."""
    return {f.evidence.split()[0]: (f.category, f.severity.label) for f in findings if f.evidence}


POSTS = (
    Post("You are an idiot and everyone knows it.", language="en"),
    Post("Thank you for your patience!", language="en"),
    Post("Dasar bodoh, kerja begitu saja tidak becus!", language="id"),
    Post("Terima kasih kak " * 200, language="id"),  # long: several windows
)


# --------------------------------------------------------------------------- always run


def test_settings_engine_and_threads() -> None:
    assert parse_settings({}).engine == "auto" and parse_settings({}).threads is None
    s = parse_settings({"engine": "onnx-int8", "threads": 2})
    assert s.engine == "onnx-int8" and s.threads == 2
    with pytest.raises(
        ConfigError, match=r"plugins\.toxicity\.engine: 'tensorrt' is not an engine"
    ):
        parse_settings({"engine": "tensorrt"})
    with pytest.raises(ConfigError, match=r"plugins\.toxicity\.threads"):
        parse_settings({"threads": 0})


def test_buckets_cover_every_text_once_and_cut_padding() -> None:
    same = onnxengine.buckets([20] * 64)
    assert same == [(0, 64)]  # equal lengths: one pass
    mixed = [8] * 32 + [500] * 32
    cut = onnxengine.buckets(mixed, max_tokens=8192)
    assert cut[0] == (0, 32)  # the short ones are not padded to 500
    assert all(
        (end - start) * mixed[end - 1] <= 8192 or end - start == 1 for start, end in cut
    )  # no pass holds more than max_tokens padded tokens
    flat = [i for start, end in cut for i in range(start, end)]
    assert flat == list(range(64))
    assert onnxengine.buckets([]) == []
    assert onnxengine.buckets([9000]) == [(0, 1)]  # a text longer than the budget runs alone


def test_importing_the_engine_loads_nothing_heavy() -> None:
    code = (
        "import sys, smguard.toxicity.onnx, smguard.plugins.toxicity;"
        "print(sorted(m for m in ('torch', 'transformers', 'onnxruntime', 'numpy', 'tokenizers')"
        " if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_onnx_engine_without_onnxruntime_says_pip_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # makes `import onnxruntime` fail
    assert not onnxengine.available()
    rule = make_rule(tmp_path, engine="onnx")
    with pytest.raises(ModelUnavailable) as info:
        rule.check_batch(items(Post("hello", language="en")))
    assert info.value.fix == "pip install 'smguard[onnx]'"
    guard = make_guard(
        [toxicity], config={"plugins": {"toxicity": {"model_dir": str(tmp_path), "engine": "onnx"}}}
    )
    status = guard.check(Post("hello there", language="en")).engines["toxicity"]
    assert status.status == "skipped" and status.fix == "pip install 'smguard[onnx]'"


def test_onnx_engine_without_an_export_says_export(tmp_path: Path) -> None:
    if not HAVE_RUNTIME:
        pytest.skip("needs onnxruntime and tokenizers: pip install 'smguard[onnx]'")
    rule = make_rule(tmp_path, engine="onnx-int8")
    (result,) = rule.check_batch(items(Post("hello", language="en")))
    assert isinstance(result, ModelUnavailable)
    assert result.fix == "smguard models export original"
    assert "no ONNX export" in result.reason


# --------------------------------------------------------------------------- export


@onnx_test
def test_export_writes_the_folder_and_agrees_with_torch(exported: Exported) -> None:
    folder = exported.store / "original" / "onnx"
    for name in ("model.onnx", "model.int8.onnx", "tokenizer.json", "labels.json", "export.json"):
        assert (folder / name).is_file(), name
    info = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    assert (
        labels
        == info["labels"]
        == [
            "toxicity",
            "severe_toxicity",
            "obscene",
            "threat",
            "insult",
            "identity_attack",
        ]
    )
    assert info["engines"] == ["onnx-int8", "onnx"]
    assert info["texts"] == len(VERIFY_TEXTS) >= 50
    for engine, diffs in info["max_diff"].items():
        assert max(diffs.values()) <= info["tolerance"] == 0.02, engine
    sha = get_model(exported.store, "original")
    assert sha is not None and info["checkpoint_sha256"] == sha.sha256
    assert sha.onnx == ("onnx-int8", "onnx")
    # The random model's scores move with the text, so agreement here means something.
    agreement = verify_onnx(exported.store, "raw")
    assert agreement.ok and set(agreement.max_diff) == {"onnx-int8", "onnx"}
    assert agreement.largest("onnx")[1] < 1e-4
    assert 0 < agreement.largest("onnx-int8")[1] <= 0.02


@onnx_test
def test_onnx_model_predicts_like_detoxify(exported: Exported) -> None:
    raw = get_model(exported.store, "raw")
    assert raw is not None
    torch_model = load_detoxify(raw.checkpoint, raw.config_dir)
    model = onnxengine.OnnxModel(raw.onnx_dir, "onnx")
    texts = ["hello", "you idiot " * 30, "terima kasih kak", "x " * 900]
    ours, theirs = model.predict(texts), torch_model.predict(texts)
    assert list(ours) == list(theirs) == torch_model.class_names
    for label in ours:
        assert all(abs(a - b) < 1e-4 for a, b in zip(ours[label], theirs[label], strict=True))
    one, single = model.predict("hello"), model.predict(["hello"])
    assert isinstance(one["insult"], float) and isinstance(single["insult"], float)  # as detoxify
    # Bucketing changes the padding, not the scores.
    alone = [model.predict(t)["insult"] for t in texts]
    assert all(abs(a - b) < 1e-5 for a, b in zip(alone, ours["insult"], strict=True))


@onnx_test
def test_roberta_layout_exports_and_agrees(exported: Exported) -> None:
    """unbiased and multilingual are RoBERTa/XLM-R: no token_type_ids, padding id 1, position
    ids that depend on the padding. Bucketed batches must still score like torch."""
    info = onnxengine.read_export(exported.store / "roberta" / "onnx")
    assert info.input_names == ("input_ids", "attention_mask") and info.pad_id == 1
    assert info.max_length == 128
    installed = get_model(exported.store, "roberta")
    assert installed is not None
    torch_model = load_detoxify(installed.checkpoint, installed.config_dir)
    texts = ["hi", "terima kasih kak, layanan kami sudah pulih", "x " * 300, "ok 👍"]
    theirs = torch_model.predict(texts)
    for engine, tolerance in (("onnx", 1e-4), ("onnx-int8", 0.02)):
        ours = onnxengine.OnnxModel(installed.onnx_dir, engine).predict(texts)
        for label in torch_model.class_names:
            pairs = zip(ours[label], theirs[label], strict=True)
            assert all(abs(a - b) <= tolerance for a, b in pairs), (engine, label)
    agreement = verify_onnx(exported.store, "roberta")
    assert agreement.ok and agreement.largest("onnx")[1] < 1e-4


@onnx_test
def test_batches_are_bucketed_by_length(exported: Exported) -> None:
    folder = exported.store / "raw" / "onnx"
    model = onnxengine.OnnxModel(folder, "onnx-int8", threads=1)
    model.predict(["hello there"] * 64)
    assert model.passes == 1  # 64 short texts: one forward pass
    model.passes = 0
    model.predict(["hi"] * 40 + ["thank you " * 200] * 24)  # 24 x 402 tokens > 8192
    assert model.passes >= 3
    assert model.threads == 1


@onnx_test
def test_export_refuses_and_installs_nothing_over_the_tolerance(
    exported: Exported, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = (exported.store / "raw" / "onnx" / "export.json").read_bytes()
    with pytest.raises(ExportRefused, match=r"over the tolerance 0\b.*nothing was"):
        export_onnx(exported.store, "raw", tolerance=0)
    assert (exported.store / "raw" / "onnx" / "export.json").read_bytes() == before
    # A deliberately perturbed model: every ONNX score off by 0.05.
    real = onnxengine.OnnxModel.scores

    def perturbed(self: onnxengine.OnnxModel, texts: Any) -> Any:
        return real(self, texts) + 0.05

    monkeypatch.setattr(onnxengine.OnnxModel, "scores", perturbed)
    with pytest.raises(ExportRefused) as info:
        export_onnx(exported.store, exported.insult_checkpoint, name="perturbed", int8=False)
    assert info.value.agreement.failed == ["onnx"]
    assert abs(info.value.agreement.largest("onnx")[1] - 0.05) < 1e-3
    assert not (exported.store / "perturbed").exists()
    assert not [p for p in exported.store.iterdir() if p.name.startswith(".")]  # no staging left


@onnx_test
def test_export_a_checkpoint_file_under_a_new_name(exported: Exported, tmp_path: Path) -> None:
    store = tmp_path / "store"
    result = export_onnx(
        store,
        exported.insult_checkpoint,
        name="ours",
        config_path=exported.folder / "insult-hf",
        int8=False,
    )
    assert result.engines == ("onnx",) and result.folder == store / "ours" / "onnx"
    only = get_model(store, "ours")
    assert only is not None and only.onnx_only and only.onnx == ("onnx",)
    # The onnx engine runs it by name; torch cannot (no checkpoint here) and says why.
    rule = make_rule(store, models={"en": "ours"})
    (found,) = rule.check_batch(items(Post("you idiot", language="en")))
    assert not isinstance(found, ModelUnavailable)
    assert summary(found) == {"insult": ("harassment", "high")}
    (refused,) = make_rule(store, models={"en": "ours"}, engine="torch").check_batch(
        items(Post("you idiot", language="en"))
    )
    assert isinstance(refused, ModelUnavailable) and "only the ONNX export" in refused.reason


@onnx_test
def test_export_falls_back_to_the_dynamo_exporter(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A torch without the TorchScript exporter: torch.export's exporter (onnxscript) is used."""
    if not _installed("onnxscript"):
        pytest.skip("needs onnxscript for torch's dynamo exporter: pip install onnxscript")
    import torch

    real = torch.onnx.export

    def no_torchscript(*args: Any, **kwargs: Any) -> Any:
        if kwargs.get("dynamo") is False:
            raise RuntimeError("the TorchScript exporter is gone")
        return real(*args, **kwargs)

    monkeypatch.setattr(torch.onnx, "export", no_torchscript)
    result = export_onnx(
        tmp_path / "store", exported.raw_checkpoint, name="dyn",
        config_path=exported.folder / "raw-hf",
    )  # fmt: skip
    assert result.exporter == "dynamo" and result.agreement.ok


# --------------------------------------------------------------------------- engines


@onnx_test
def test_onnx_engines_find_what_torch_finds(exported: Exported) -> None:
    results: dict[str, list[dict[str, tuple[str, str]]]] = {}
    for engine in ("torch", "onnx", "onnx-int8"):
        rule = make_rule(exported.store, engine=engine)
        out = rule.check_batch(items(*POSTS))
        assert not any(isinstance(r, ModelUnavailable) for r in out), out
        results[engine] = [summary(r) for r in out if not isinstance(r, ModelUnavailable)]
        assert {t.engine for t in rule._models} == {engine}
    assert results["onnx"] == results["torch"] == results["onnx-int8"]
    en, _thanks, ind, _long = results["torch"]
    assert en == {"insult": ("harassment", "high")}  # "original": insult +10
    assert ind == {"identity_attack": ("hate", "high"), "sexual_explicit": ("sexual", "medium")}


@onnx_test
def test_auto_prefers_int8_then_fp32_then_torch(exported: Exported, tmp_path: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(exported.store / "original", store / "original")
    post = Post("you idiot", language="en")

    def run() -> tuple[str, list[Finding]]:
        ((p, ctx),) = items(post)
        (found,) = make_rule(store).check_batch([(p, ctx)])
        assert not isinstance(found, ModelUnavailable)
        return ctx.cache[DETAIL_KEY], found

    detail, found = run()
    assert detail == "onnx-int8 original"
    assert found[0].evidence == "insult 1.00 (model original, onnx-int8)"
    (store / "original" / "onnx" / "model.int8.onnx").unlink()
    assert run()[0] == "onnx original"
    shutil.rmtree(store / "original" / "onnx")
    detail, found = run()
    assert detail == "torch original" and found[0].evidence == "insult 1.00 (model original)"


@onnx_test
def test_auto_engine_is_named_in_the_verdict(exported: Exported) -> None:
    config = {"plugins": {"toxicity": {"model_dir": str(exported.store)}}}
    verdict = make_guard([toxicity], config=config).check(Post("you idiot", language="en"))
    status = verdict.engines["toxicity"]
    assert status.status == "ok"
    assert [f.evidence for f in verdict.findings if f.rule == "SMG-TOX-001"] == [
        "insult 1.00 (model original, onnx-int8)"
    ]
    assert status.detail == "onnx-int8 original"
    torch_config = {"plugins": {"toxicity": {"model_dir": str(exported.store), "engine": "torch"}}}
    verdict = make_guard([toxicity], config=torch_config).check(Post("you idiot", language="en"))
    assert verdict.engines["toxicity"].detail == "torch original"


@onnx_test
def test_one_session_per_model_is_reused(exported: Exported) -> None:
    first = make_rule(exported.store, engine="onnx-int8", threads=1)
    second = make_rule(exported.store, engine="onnx-int8", threads=1)
    for rule in (first, second):
        rule.check_batch(items(POSTS[0]))
    (a,) = first.loaded.values()
    (b,) = second.loaded.values()
    assert a is b and isinstance(a, onnxengine.OnnxModel) and a.threads == 1


@onnx_test
def test_scoring_with_onnx_imports_no_torch(exported: Exported) -> None:
    code = f"""
import sys
from pathlib import Path
from smguard.config import Config
from smguard.plugins.toxicity.rule import ToxicityRule
from smguard.plugins.toxicity.settings import parse_settings
from smguard.guard.rule import CheckContext
from smguard.types import Post
found = []
root = Path({str(exported.store)!r})
for engine in ("onnx-int8", "onnx", "auto"):
    rule = ToxicityRule.create(parse_settings({{"engine": engine}}), root=root)
    config = Config()
    posts = [Post("you idiot", language="en"), Post("dasar bodoh", language="id")]
    ctxs = [CheckContext(p, frozenset({{p.language}}), config, config.account(None)) for p in posts]
    out = rule.check_batch(list(zip(posts, ctxs)))
    found.append(sorted(f.category for r in out for f in r))
print(found)
print(sorted(m for m in ("torch", "transformers", "detoxify") if m in sys.modules))
"""
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    found, heavy = out.stdout.strip().splitlines()
    assert found == str([["harassment", "hate", "sexual"]] * 3)
    assert heavy == "[]"


@onnx_test
def test_smguard_check_scores_with_onnx(exported: Exported, tmp_path: Path) -> None:
    env = {
        **os.environ,
        ENV_MODEL_DIR: str(exported.store),
        "SMGUARD_PLUGINS__TOXICITY__ENGINE": "onnx-int8",
        "SMGUARD_PLUGINS__TOXICITY__ENABLED": "true",
    }
    out = subprocess.run(
        [sys.executable, "-c", "from smguard.cli.main import main; main()", "check",
         "--format", "json", "--language", "en", "you idiot"],
        capture_output=True, text=True, env=env, cwd=tmp_path,
    )  # fmt: skip
    verdict = json.loads(out.stdout)
    assert verdict["engines"]["toxicity"]["status"] == "ok", out.stderr
    assert [f["category"] for f in verdict["findings"] if f["rule"] == "SMG-TOX-001"] == [
        "harassment"
    ]


@onnx_test
def test_import_of_an_export_alone_needs_no_torch(
    exported: Exported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    usb = tmp_path / "usb" / "multilingual"
    shutil.copytree(exported.store / "multilingual" / "onnx", usb / "onnx")
    monkeypatch.setitem(sys.modules, "torch", None)
    monkeypatch.setitem(sys.modules, "detoxify", None)
    store = tmp_path / "store"
    installed = import_model(store, usb)
    assert installed.name == "multilingual" and installed.onnx_only
    listed = CliRunner().invoke(models_cli, ["list"], env={ENV_MODEL_DIR: str(store)})
    assert "ONNX export only (onnx-int8, onnx)" in listed.output, listed.output
    with pytest.raises(ModelStoreError, match="only the ONNX export"):
        verify_onnx(store, "multilingual")  # needs the checkpoint and torch
    rule = make_rule(store)  # auto, without torch: the export
    (found,) = rule.check_batch(items(Post("dasar bodoh", language="id")))
    assert not isinstance(found, ModelUnavailable)
    assert set(summary(found)) == {"identity_attack", "sexual_explicit"}
    (original,) = rule.check_batch(items(Post("you idiot", language="en")))
    # en's own model is not here: the default (multilingual) answers for it.
    assert not isinstance(original, ModelUnavailable)


@onnx_test
def test_reimport_keeps_the_export_of_the_same_checkpoint_only(
    exported: Exported, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    shutil.copytree(exported.store / "original", store / "original")
    import_model(store, exported.insult_checkpoint, name="original")
    same = get_model(store, "original")
    assert same is not None and same.onnx == ("onnx-int8", "onnx")
    import_model(store, exported.raw_checkpoint, name="original")
    other = get_model(store, "original")
    assert other is not None and other.onnx == ()  # a stale export is not carried over


# --------------------------------------------------------------------------- CLI


@onnx_test
def test_cli_verify_exit_codes(exported: Exported, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {ENV_MODEL_DIR: str(exported.store)}
    ok = runner.invoke(models_cli, ["verify", "raw"], env=env)
    assert ok.exit_code == 0, ok.output
    assert "'raw' against torch, 50 texts, tolerance 0.02:" in ok.output
    assert "insult" in ok.output and "onnx-int8" in ok.output
    over = runner.invoke(models_cli, ["verify", "raw", "--tolerance", "0"], env=env)
    assert over.exit_code == 1 and "over" in over.output
    texts = tmp_path / "texts.txt"
    texts.write_text('hello\n\n{"text": "you idiot"}\nterima kasih\n', encoding="utf-8")
    as_json = runner.invoke(
        models_cli, ["verify", "original", "--texts", str(texts), "--format", "json"], env=env
    )
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.output)["original"]["texts"] == 3
    missing = runner.invoke(models_cli, ["verify", "nope"], env=env)
    assert missing.exit_code == 3 and "smguard models export nope" in missing.output


@onnx_test
def test_cli_export(exported: Exported, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {ENV_MODEL_DIR: str(tmp_path / "store")}
    made = runner.invoke(
        models_cli,
        ["export", str(exported.insult_checkpoint), "--name", "mine",
         "--config-path", str(exported.folder / "insult-hf")],
        env=env,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    assert "Exported mine to" in made.output and "largest" in made.output
    refused = runner.invoke(
        models_cli,
        ["export", str(exported.raw_checkpoint), "--name", "strict", "--tolerance", "0",
         "--config-path", str(exported.folder / "raw-hf")],
        env=env,
    )  # fmt: skip
    assert refused.exit_code == 1
    assert "refused" in refused.output and not (tmp_path / "store" / "strict").exists()
    nothing = runner.invoke(models_cli, ["export", "nope"], env=env)
    assert nothing.exit_code == 3 and "nope" in nothing.output


@onnx_test
def test_cli_export_as_json(exported: Exported, tmp_path: Path) -> None:
    runner = CliRunner()
    env = {ENV_MODEL_DIR: str(tmp_path / "store")}
    made = runner.invoke(
        models_cli,
        ["export", str(exported.insult_checkpoint), "--name", "mine", "--format", "json",
         "--config-path", str(exported.folder / "insult-hf")],
        env=env,
    )  # fmt: skip
    assert made.exit_code == 0, made.output
    result = json.loads(made.stdout)["mine"]
    assert result["installed"] is True and result["folder"].startswith(str(tmp_path / "store"))
    assert result["sizes"] and result["agreement"]["texts"] > 0
    refused = runner.invoke(
        models_cli,
        ["export", str(exported.raw_checkpoint), "--name", "strict", "--tolerance", "0",
         "--format", "json", "--config-path", str(exported.folder / "raw-hf")],
        env=env,
    )  # fmt: skip
    assert refused.exit_code == 1
    assert json.loads(refused.stdout)["strict"]["installed"] is False
    error = refused.stderr.splitlines()[-1]  # after the progress notes
    assert error.startswith("Error: ") and "nothing was installed" in error


# --------------------------------------------------------------------------- fused int8 (issue 15)


def _op_types(path: Path) -> set[str]:
    import onnx

    return {node.op_type for node in onnx.load(str(path), load_external_data=False).graph.node}


@onnx_test
def test_fused_int8_export_agrees_with_detoxify_and_records_its_options(
    exported: Exported,
) -> None:
    folder = exported.store / "raw" / "onnx"
    info = onnxengine.read_export(folder)
    assert info.fused
    fusion, int8 = info.optimizations["fusion"], info.optimizations["int8"]
    assert fusion["ops"]["Attention"] == 2 and fusion["ops"]["SkipLayerNormalization"] == 4
    assert int8 == {
        "method": "dynamic",
        "activations": "uint8",
        "weights": "int8",
        "per_channel": True,
        "reduce_range": True,
    }
    assert "int8 on" in info.optimizations["exported_on"]
    # The files hold the fused ops: one Attention per layer, quantised to QAttention in int8.
    assert {"Attention", "SkipLayerNormalization", "EmbedLayerNormalization"} <= _op_types(
        folder / "model.onnx"
    )
    int8_ops = _op_types(folder / "model.int8.onnx")
    assert "QAttention" in int8_ops and "MatMulInteger" in int8_ops and "Attention" not in int8_ops
    # Through the real engine, against the real Detoxify class, on texts whose scores differ.
    raw = get_model(exported.store, "raw")
    assert raw is not None
    detoxify = load_detoxify(raw.checkpoint, raw.config_dir)
    texts = ["hello", "you idiot " * 30, "terima kasih kak", "x " * 900, "thank you team"]
    theirs = detoxify.predict(texts)
    assert len({round(v, 4) for v in theirs["insult"]}) > 1
    for engine, tolerance in (("onnx-int8", 0.02), ("onnx", 1e-4)):
        ours = onnxengine.load(folder, engine, threads=1).predict(texts)
        for label in detoxify.class_names:
            pairs = zip(ours[label], theirs[label], strict=True)
            assert all(abs(a - b) <= tolerance for a, b in pairs), (engine, label)


@onnx_test
def test_an_export_made_before_fusion_still_loads(exported: Exported, tmp_path: Path) -> None:
    store = tmp_path / "store"
    export_onnx(
        store,
        exported.raw_checkpoint,
        name="old",
        config_path=exported.folder / "raw-hf",
        fuse=False,
        per_channel=False,
        reduce_range=False,
    )
    folder = store / "old" / "onnx"
    assert "Attention" not in _op_types(folder / "model.onnx")
    # export.json as smguard wrote it before it recorded optimisations.
    data = json.loads((folder / "export.json").read_text(encoding="utf-8"))
    assert data.pop("optimizations")["fusion"] == {"applied": False}
    (folder / "export.json").write_text(json.dumps(data), encoding="utf-8")
    info = onnxengine.read_export(folder)
    assert info.optimizations == {} and not info.fused
    old = onnxengine.OnnxModel(folder, "onnx-int8", threads=1)
    detoxify = load_detoxify(exported.raw_checkpoint, exported.folder / "raw-hf")
    texts = ["hello", "you idiot " * 30, "terima kasih kak"]
    ours, theirs = old.predict(texts), detoxify.predict(texts)
    for label in detoxify.class_names:
        assert all(abs(a - b) <= 0.02 for a, b in zip(ours[label], theirs[label], strict=True))


@onnx_test
def test_thread_spinning_is_off_unless_asked(
    exported: Exported, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = exported.store / "raw" / "onnx"
    key = "session.intra_op.allow_spinning"

    def spins(model: onnxengine.OnnxModel) -> str:
        return str(model.session.get_session_options().get_session_config_entry(key))

    monkeypatch.delenv(onnxengine.ENV_SPINNING, raising=False)
    quiet = onnxengine.load(folder, "onnx", threads=2)
    assert not quiet.spinning and spins(quiet) == "0"
    assert spins(onnxengine.OnnxModel(folder, "onnx", threads=2, spinning=True)) == "1"
    monkeypatch.setenv(onnxengine.ENV_SPINNING, "1")
    spinning = onnxengine.load(folder, "onnx", threads=2)
    assert spinning is not quiet and spinning.spinning and spins(spinning) == "1"
    assert onnxengine.load(folder, "onnx", threads=2, spinning=False) is quiet
