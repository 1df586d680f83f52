"""The detoxify toxicity plugin and the model store, on tiny random models built offline.

Tests that need torch/detoxify are marked ``detoxify`` and skipped (with the reason) when the
extra is not installed; the rest (settings, lazy import, "not installed", "no weights") always
run. Models whose classifier weights are zeroed and biases set make scores deterministic, so the
assertions below can fail for real: see ``tests/support/tinymodel.py``.
"""

from __future__ import annotations

import functools
import http.server
import importlib.util
import itertools
import json
import math
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from smguard.plugins import toxicity
from smguard.plugins.toxicity import rule as tox_rule
from smguard.plugins.toxicity.rule import ToxicityRule
from smguard.plugins.toxicity.scoring import windows
from smguard.plugins.toxicity.settings import parse_settings

from smguard.cli.models import models as models_cli
from smguard.config import Config
from smguard.errors import ConfigError, ModelUnavailable
from smguard.guard.rule import CheckContext
from smguard.toxicity import loading
from smguard.toxicity.errors import DownloadError, ModelInvalid, ModelStoreError
from smguard.toxicity.files import sha256_file
from smguard.toxicity.importing import import_model
from smguard.toxicity.loading import load_detoxify
from smguard.toxicity.manifest import get_model, list_models
from smguard.toxicity.paths import ENV_MODEL_DIR, MANIFEST, model_root
from smguard.toxicity.pull import pull_model
from smguard.toxicity.releases import ENV_BASE_URL, KNOWN_MODELS, KnownModel
from smguard.types import Finding, Post
from tests.support.guards import make_guard
from tests.support.tinymodel import ORIGINAL_CLASSES, UNBIASED_CLASSES, build_tiny_model


def _installed(name: str) -> bool:
    if name in sys.modules:
        return sys.modules[name] is not None
    return importlib.util.find_spec(name) is not None


HAVE_DETOXIFY = _installed("torch") and _installed("detoxify")
needs_detoxify = pytest.mark.skipif(
    not HAVE_DETOXIFY,
    reason="needs the detoxify extra (torch, transformers): pip install 'smguard[detoxify]'",
)


def detoxify_test(fn: Any) -> Any:
    return pytest.mark.detoxify(needs_detoxify(fn))


def logit(p: float) -> float:
    return math.log(p / (1 - p))


# Scores the "graded" model gives every text, by detoxify label (original checkpoint names).
GRADED = {
    "toxic": 0.80,  # toxicity, over 0.7 -> medium
    "severe_toxic": 0.30,  # under 0.5 -> nothing
    "obscene": 0.95,  # profanity, >= 0.9 -> medium + 1 = high
    "threat": 0.60,  # harassment, base high
    "insult": 0.65,  # under 0.7 -> nothing
    "identity_hate": 0.92,  # hate, >= 0.9 -> high
}
# The "multi" model (unbiased/multilingual label names, with identity columns).
MULTI = {"identity_attack": 10.0, "sexual_explicit": 10.0, "male": 10.0, "muslim": 10.0}


@dataclass(frozen=True)
class TinyModels:
    folder: Path
    graded: Path
    multi: Path
    quiet: Path
    insult: Path
    store: Path  # holds "original" (= graded) and "multilingual" (= multi)


@pytest.fixture(scope="session")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TinyModels]:
    if not HAVE_DETOXIFY:
        pytest.skip(
            "needs the detoxify extra (torch, transformers): pip install 'smguard[detoxify]'"
        )
    with pytest.MonkeyPatch.context() as mp:
        # Everything must load from local files alone, as on an air-gapped machine.
        mp.setenv("HF_HUB_OFFLINE", "1")
        mp.setenv("TRANSFORMERS_OFFLINE", "1")
        folder = tmp_path_factory.mktemp("tiny")
        graded = build_tiny_model(
            folder, name="graded", biases={k: logit(v) for k, v in GRADED.items()}
        )
        multi = build_tiny_model(folder, name="multi", classes=UNBIASED_CLASSES, biases=MULTI)
        quiet = build_tiny_model(folder, name="quiet", biases={})
        insult = build_tiny_model(folder, name="insult", biases={"insult": 10.0})
        store = folder / "store"
        import_model(store, graded, name="original")
        import_model(store, multi, name="multilingual")
        yield TinyModels(folder, graded, multi, quiet, insult, store)


def ctx_for(post: Post, languages: set[str] | None = None) -> CheckContext:
    config = Config()
    langs = frozenset(languages or ({post.language} if post.language else {"en", "id"}))
    return CheckContext(post, langs, config, config.account(None))


def items(*posts: Post) -> list[tuple[Post, CheckContext]]:
    return [(p, ctx_for(p)) for p in posts]


def make_rule(root: Path, **options: Any) -> ToxicityRule:
    return ToxicityRule.create(parse_settings({"device": "cpu", **options}), root=root)


def summary(findings: list[Finding]) -> dict[str, tuple[str, str]]:
    """label -> (category, severity) from each finding's evidence."""
    return {f.evidence.split()[0]: (f.category, f.severity.label) for f in findings if f.evidence}


def count_forwards(model: Any) -> list[int]:
    calls = [0]

    def hook(*_args: Any) -> None:
        calls[0] += 1

    model.model.register_forward_hook(hook)
    return calls


# --------------------------------------------------------------------------- always run


def test_importing_plugin_and_cli_does_not_load_torch() -> None:
    code = (
        "import sys, smguard.plugins.toxicity, smguard.cli.models, smguard.toxicity.export,"
        " smguard.toxicity.importing, smguard.toxicity.pull;"
        "print(sorted(m for m in ('torch', 'transformers', 'detoxify') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


def test_missing_model_is_reported_without_loading_torch(tmp_path: Path) -> None:
    code = f"""
import sys
from smguard.config import Config
from smguard.errors import ModelUnavailable
from smguard.plugins.toxicity.rule import ToxicityRule
from smguard.plugins.toxicity.settings import parse_settings
from smguard.guard.rule import CheckContext
from smguard.types import Post
from pathlib import Path
rule = ToxicityRule.create(parse_settings({{}}), root=Path({str(tmp_path)!r}))
post = Post("hello", language="en")
config = Config()
ctx = CheckContext(post, frozenset({{"en"}}), config, config.account(None))
try:
    exc = rule.check_batch([(post, ctx)])[0]  # the post's own result: why it has no model
except ModelUnavailable as whole_batch:  # the extra itself is missing
    exc = whole_batch
assert isinstance(exc, ModelUnavailable)
print(exc.fix, "torch" in sys.modules)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    fix, torch_loaded = out.stdout.strip().rsplit(" ", 1)
    assert fix in ("smguard models pull original", "pip install 'smguard[detoxify]'")
    assert torch_loaded == "False"


def test_settings_defaults() -> None:
    s = parse_settings({})
    assert s.mode == "auto" and not s.required
    assert s.models == {"en": "original", "default": "multilingual"}
    assert s.thresholds["insult"] == 0.7 and s.thresholds["threat"] == 0.5
    assert s.batch_size == 64 and s.device == "auto"


def test_settings_overrides_and_label_aliases() -> None:
    s = parse_settings(
        {
            "enabled": True,
            "models": {"id": "/models/id.ckpt", "*": "unbiased"},
            "config_path": {"id": "/models/id-hf"},
            "thresholds": {"toxic": 0.9, "identity_hate": 0.4, "obscene": False},
            "batch_size": 8,
        }
    )
    assert s.required
    assert s.models == {"en": "original", "id": "/models/id.ckpt", "default": "unbiased"}
    assert s.config_paths == {"id": "/models/id-hf"}
    assert s.thresholds["toxicity"] == 0.9
    assert s.thresholds["identity_attack"] == 0.4
    assert s.thresholds["obscene"] is None
    assert parse_settings({"enabled": False}).mode == "off"


@pytest.mark.parametrize(
    ("options", "key"),
    [
        ({"enabled": "maybe"}, "plugins.toxicity.enabled"),
        ({"thresholds": {"insul": 0.5}}, "plugins.toxicity.thresholds.insul"),
        ({"thresholds": {"insult": 1.5}}, "plugins.toxicity.thresholds.insult"),
        ({"batch_size": 0}, "plugins.toxicity.batch_size"),
        ({"device": "gpu"}, "plugins.toxicity.device"),
        ({"models": {"en": ""}}, "plugins.toxicity.models.en"),
        ({"modles": {}}, "plugins.toxicity.modles"),
    ],
)
def test_bad_settings_name_the_key(options: dict[str, Any], key: str) -> None:
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        parse_settings(options)


def test_windows_cover_long_texts_with_overlap() -> None:
    text = " ".join(f"word{i}" for i in range(400))  # ~3,300 characters
    spans = windows(text, 1000)
    assert len(spans) >= 4
    assert spans[0][0] == 0 and spans[-1][1] == len(text)
    assert all(end - start <= 1000 for start, end in spans)
    for (_s1, e1), (s2, _e2) in itertools.pairwise(spans):
        assert s2 < e1  # overlapping: nothing falls between two windows
    assert windows("short", 1000) == [(0, 5)]


def test_language_picks_the_model(tmp_path: Path) -> None:
    rule = make_rule(tmp_path, models={"en": "original", "id": "id-model"})
    en, idn = Post("hi", language="en"), Post("halo", language="id")
    assert rule.candidates(en, frozenset({"en"})) == ["original", "multilingual"]
    assert rule.candidates(idn, frozenset({"id"})) == ["id-model", "multilingual"]
    unsure = Post("ok bro")
    assert rule.candidates(unsure, frozenset({"en", "id"})) == ["multilingual"]
    assert rule.candidates(Post("hola"), frozenset({"es"})) == ["multilingual"]


def test_missing_weights_say_which_command_fixes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tox_rule, "_detoxify_installed", lambda: True)  # runs without the extra
    rule = make_rule(tmp_path / "empty-store")
    (result,) = rule.check_batch(items(Post("halo semua", language="id")))
    assert isinstance(result, ModelUnavailable)
    assert result.fix == "smguard models pull multilingual"
    assert "not installed" in result.reason
    with pytest.raises(ModelUnavailable):  # check() of a single post raises it
        rule.check(*items(Post("halo semua", language="id"))[0])
    missing_file = make_rule(
        tmp_path,
        models={"en": str(tmp_path / "nope.ckpt")},
    )
    (result,) = missing_file.check_batch(items(Post("hello", language="en")))
    assert isinstance(result, ModelUnavailable)
    assert "does not exist" in result.reason


def test_detoxify_not_installed_is_skipped_with_the_pip_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "detoxify", None)  # makes `import detoxify` fail
    rule = make_rule(tmp_path)
    with pytest.raises(ModelUnavailable) as info:
        rule.check_batch(items(Post("hello", language="en")))
    assert info.value.fix == "pip install 'smguard[detoxify]'"

    guard = make_guard([toxicity], config={"plugins": {"toxicity": {"model_dir": str(tmp_path)}}})
    verdict = guard.check(Post("hello there", language="en"))
    engine = verdict.engines["toxicity"]
    assert engine.status == "skipped" and engine.fix == "pip install 'smguard[detoxify]'"
    assert verdict.decision == "allow"  # "auto": skipped is reported, not a failure


def test_required_model_missing_sends_the_post_to_review(tmp_path: Path) -> None:
    config = {"plugins": {"toxicity": {"model_dir": str(tmp_path), "enabled": True}}}
    verdict = make_guard([toxicity], config=config).check(Post("hello there", language="en"))
    assert verdict.engines["toxicity"].status == "skipped"
    assert [f.category for f in verdict.findings] == ["integrity"]
    assert verdict.decision == "review"


def test_disabled_registers_nothing() -> None:
    got: list[Any] = []
    toxicity.register_rules(
        register=got.append, config=Config.from_dict({"plugins": {"toxicity": {"enabled": False}}})
    )
    assert got == []
    toxicity.register_rules(register=got.append, config=Config())
    assert [r.id for r in got] == ["SMG-TOX-001"] and got[0].batch and not got[0].required


def test_model_root_precedence(tmp_path: Path) -> None:
    env = {ENV_MODEL_DIR: str(tmp_path / "env")}
    assert model_root(str(tmp_path / "cfg"), env) == tmp_path / "env"
    assert model_root(str(tmp_path / "cfg"), {}) == tmp_path / "cfg"
    default = model_root(None, {})
    assert default.parts[-2:] == ("smguard", "models")


# --------------------------------------------------------------------------- with a model


@detoxify_test
def test_scores_become_findings_in_smguard_categories(tiny: TinyModels) -> None:
    rule = make_rule(tiny.store)
    [found] = rule.check_batch(items(Post("thank you for the update", language="en")))
    assert summary(found) == {
        "toxicity": ("toxicity", "medium"),
        "obscene": ("profanity", "high"),
        "threat": ("harassment", "high"),
        "identity_attack": ("hate", "high"),
    }
    by_label = {f.evidence.split()[0]: f for f in found if f.evidence}
    assert by_label["obscene"].score == pytest.approx(0.95, abs=1e-4)
    assert by_label["threat"].message["en"].startswith("The toxicity model rates this text as")
    assert "mengancam" in by_label["threat"].message["id"]
    assert by_label["threat"].suggestion is not None and "id" in by_label["threat"].suggestion
    assert all(f.rule == "SMG-TOX-001" and f.engine == "toxicity" for f in found)


@detoxify_test
def test_thresholds_are_configurable(tiny: TinyModels) -> None:
    rule = make_rule(
        tiny.store,
        thresholds={"obscene": 0.99, "insult": 0.6, "identity_attack": False},
        high_at=0.95,
    )
    [found] = rule.check_batch(items(Post("hello", language="en")))
    assert summary(found) == {
        "toxicity": ("toxicity", "medium"),
        "insult": ("harassment", "medium"),
        "threat": ("harassment", "high"),
    }


@detoxify_test
def test_quiet_model_finds_nothing_and_insult_model_flags_everything(tiny: TinyModels) -> None:
    quiet = make_rule(tiny.folder, models={"default": str(tiny.quiet)})
    insult = make_rule(tiny.folder, models={"default": str(tiny.insult)})
    posts = items(Post("terima kasih kak"), Post("you idiot"))
    assert quiet.check_batch(posts) == [[], []]
    for found in insult.check_batch(posts):
        assert summary(found) == {"insult": ("harassment", "high")}
        assert found[0].score is not None and found[0].score > 0.999


@detoxify_test
def test_label_variants_and_identity_columns(tiny: TinyModels) -> None:
    rule = make_rule(tiny.store)
    [found] = rule.check_batch(items(Post("halo", language="id")))
    # "multi" spells labels the unbiased way and has identity columns (male, muslim) at ~1.0,
    # which describe who is mentioned, not harm: they must not become findings.
    assert summary(found) == {
        "identity_attack": ("hate", "high"),
        "sexual_explicit": ("sexual", "high"),
    }


@detoxify_test
def test_language_routes_posts_to_their_model_in_one_batch(tiny: TinyModels) -> None:
    rule = make_rule(tiny.store)
    en, idn = Post("hello", language="en"), Post("halo", language="id")
    found_en, found_id = rule.check_batch(items(en, idn))
    assert "obscene" in summary(found_en) and "sexual_explicit" not in summary(found_en)
    assert "sexual_explicit" in summary(found_id) and "obscene" not in summary(found_id)
    assert all("model original" in f.evidence for f in found_en if f.evidence)
    assert all("model multilingual" in f.evidence for f in found_id if f.evidence)


@detoxify_test
def test_english_falls_back_to_the_default_model_when_its_own_is_missing(
    tiny: TinyModels, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    import_model(store, tiny.store / "multilingual")  # folder layout, name kept
    rule = make_rule(store)
    [found] = rule.check_batch(items(Post("hello", language="en")))
    assert "sexual_explicit" in summary(found)


@detoxify_test
def test_a_language_without_a_model_skips_only_its_own_posts(
    tiny: TinyModels, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    import_model(store, tiny.store / "original")  # English only
    rule = make_rule(store, models={"en": "original", "default": "multilingual"})
    found_en, missing_id = rule.check_batch(
        items(Post("hello", language="en"), Post("halo", language="id"))
    )
    assert isinstance(found_en, list) and "obscene" in summary(found_en)
    assert isinstance(missing_id, ModelUnavailable)
    assert missing_id.fix == "smguard models pull multilingual"


@detoxify_test
def test_one_forward_pass_per_batch(tiny: TinyModels) -> None:
    rule = make_rule(tiny.store, batch_size=8)
    rule.check_batch(items(Post("warm up", language="en"), Post("halo", language="id")))
    forwards = {ref: count_forwards(m) for ref, m in rule.loaded.items()}
    posts = [Post(f"post number {i}", language="en") for i in range(20)]
    posts += [Post(f"kiriman {i}", language="id") for i in range(10)]
    results = rule.check_batch(items(*posts))
    assert len(results) == 30 and all(results)
    assert forwards["original"] == [3]  # 20 posts / 8
    assert forwards["multilingual"] == [2]  # 10 posts / 8


@detoxify_test
def test_long_post_is_read_to_the_end(tiny: TinyModels, monkeypatch: pytest.MonkeyPatch) -> None:
    class KeywordModel:
        """Says 'insult' only for windows containing the word 'idiot'."""

        def __init__(self) -> None:
            self.class_names = ["insult"]
            self.calls: list[list[str]] = []

        def predict(self, texts: list[str]) -> dict[str, list[float]]:
            self.calls.append(texts)
            return {"insult": [0.98 if "idiot" in t else 0.01 for t in texts]}

    fake = KeywordModel()
    monkeypatch.setattr(loading, "load_detoxify", lambda *a, **k: fake)
    text = "Thanks for your patience. " * 200 + "You are an idiot."
    rule = make_rule(tiny.store, chunk_chars=1000, batch_size=64)
    [found] = rule.check_batch(items(Post(text, language="en")))
    assert len(fake.calls) == 1 and len(fake.calls[0]) > 5  # all windows in one call
    assert summary(found) == {"insult": ("harassment", "high")}
    start, end = found[0].span or (0, 0)
    assert start <= text.index("idiot") < end and end == len(text)


@detoxify_test
def test_guard_end_to_end(tiny: TinyModels) -> None:
    config = {"plugins": {"toxicity": {"model_dir": str(tiny.store), "device": "cpu"}}}
    guard = make_guard([toxicity], config=config)
    verdicts = guard.check_many([Post("hello", language="en"), Post("halo", language="id")])
    assert [v.decision for v in verdicts] == ["block", "block"]
    assert all(v.engines["toxicity"].status == "ok" for v in verdicts)
    assert {f.category for f in verdicts[1].findings} == {"hate", "sexual"}


# --------------------------------------------------------------------------- the store


@detoxify_test
def test_import_installs_a_loadable_model(tiny: TinyModels, tmp_path: Path) -> None:
    store = tmp_path / "store"
    model = import_model(store, tiny.insult, name="mine")
    assert model.ok and model.folder == store / "mine"
    assert model.classes == ORIGINAL_CLASSES
    assert model.sha256 == sha256_file(tiny.insult)
    assert (model.config_dir / "config.json").is_file()
    assert [m.name for m in list_models(store)] == ["mine"]
    loaded = load_detoxify(model.checkpoint, model.config_dir)
    assert loaded.predict(["x", "y"])["insult"][0] > 0.999
    assert not [p for p in store.iterdir() if p.name.startswith(".")]  # no leftovers


@detoxify_test
def test_import_rejects_a_corrupt_file_and_keeps_the_old_model(
    tiny: TinyModels, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    good = import_model(store, tiny.insult, name="mine")
    broken = tmp_path / "broken.ckpt"
    broken.write_bytes(tiny.insult.read_bytes()[:5000])
    with pytest.raises(ModelInvalid, match=r"broken\.ckpt: .*damaged"):
        import_model(store, broken, name="mine")
    still = get_model(store, "mine")
    assert still is not None and still.ok and still.sha256 == good.sha256
    assert sorted(p.name for p in store.iterdir()) == ["mine"]


@detoxify_test
def test_import_rejects_files_that_are_not_detoxify_checkpoints(
    tiny: TinyModels, tmp_path: Path
) -> None:
    import torch

    wrong = tmp_path / "weights-only.ckpt"
    torch.save({"state_dict": {"w": torch.zeros(2)}}, wrong)
    with pytest.raises(ModelInvalid, match="no 'config' inside"):
        import_model(tmp_path / "store", wrong)
    text = tmp_path / "notes.ckpt"
    text.write_text("not a model")
    with pytest.raises(ModelInvalid, match="not a PyTorch checkpoint"):
        import_model(tmp_path / "store", text)
    holes = torch.load(tiny.insult, weights_only=True)
    del holes["state_dict"]["bert.encoder.layer.1.output.dense.weight"]
    torch.save(holes, tmp_path / "holes.ckpt")
    with pytest.raises(ModelInvalid, match=r"do not fit.*1 missing"):
        import_model(tmp_path / "store", tmp_path / "holes.ckpt")
    assert list_models(tmp_path / "store") == []


class _Payload:
    """Pickles into a call that leaves a marker file: stands in for malicious code."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, ...]:
        return (Path.touch, (self.marker,))


@detoxify_test
def test_import_refuses_pickled_code_unless_trusted(tiny: TinyModels, tmp_path: Path) -> None:
    import torch

    loaded = torch.load(tiny.insult, weights_only=True)
    marker = tmp_path / "code-ran"
    loaded["config"]["extra"] = _Payload(marker)
    evil = tmp_path / "evil.ckpt"
    torch.save(loaded, evil)
    with pytest.raises(ModelInvalid, match="--trust"):
        import_model(tmp_path / "store", evil)
    assert not marker.exists()
    model = import_model(tmp_path / "store", evil, trust=True)
    assert model.trusted and marker.exists()  # the person vouched for it; it was unpickled


@detoxify_test
def test_air_gapped_import_needs_the_config_folder(tiny: TinyModels, tmp_path: Path) -> None:
    import torch

    loaded = torch.load(tiny.insult, weights_only=True)
    loaded["config"]["arch"]["args"]["model_type"] = "bert-base-uncased"  # a Hub name
    hub = tmp_path / "toxic_original-c1212f89.ckpt"
    torch.save(loaded, hub)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HF_HUB_OFFLINE", "1")
        with pytest.raises(ModelStoreError, match="--config-path"):
            import_model(tmp_path / "store", hub)
        model = import_model(tmp_path / "store", hub, config_path=tiny.folder / "insult-hf")
    assert model.name == "original"  # recognised from detoxify's release file name
    assert model.model_type == "bert-base-uncased"
    assert not model.trusted  # a file name proves nothing


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A real HTTP server on 127.0.0.1 serving ``tmp_path / "www"``."""
    www = tmp_path / "www"
    www.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(www))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", www
    finally:
        server.shutdown()
        server.server_close()


def _publish(tiny: TinyModels, www: Path, sha_prefix: str | None = None) -> KnownModel:
    digest = sha256_file(tiny.insult)
    release = www / "v9"
    release.mkdir(exist_ok=True)
    (release / f"tiny-{digest[:8]}.ckpt").write_bytes(tiny.insult.read_bytes())
    return KnownModel(
        "original",
        f"v9/tiny-{sha_prefix or digest[:8]}.ckpt",
        model_type=str(tiny.folder / "insult-hf"),
        description="tiny test model",
    )


@detoxify_test
def test_pull_downloads_checks_and_installs(
    tiny: TinyModels, tmp_path: Path, file_server: tuple[str, Path]
) -> None:
    url, www = file_server
    spec = _publish(tiny, www)
    store = tmp_path / "store"
    model = pull_model(store, "original", url_base=url, known=spec)
    assert model.ok and model.source == url + spec.file
    assert model.sha256 == sha256_file(tiny.insult)
    assert not model.trusted  # not detoxify's own site
    rule = make_rule(store)
    [found] = rule.check_batch(items(Post("hello", language="en")))
    assert summary(found) == {"insult": ("harassment", "high")}


@detoxify_test
def test_pull_rejects_a_file_with_the_wrong_hash_and_missing_files(
    tiny: TinyModels, tmp_path: Path, file_server: tuple[str, Path]
) -> None:
    url, www = file_server
    _publish(tiny, www)
    digest = sha256_file(tiny.insult)
    (www / "v9" / "tiny-00000000.ckpt").write_bytes(tiny.insult.read_bytes())
    bad = _publish(tiny, www, sha_prefix="00000000")
    store = tmp_path / "store"
    with pytest.raises(DownloadError, match="not the published one"):
        pull_model(store, "original", url_base=url, known=bad)
    missing = KnownModel("original", "v9/nothing-here.ckpt", "x", "missing")
    with pytest.raises(DownloadError, match="HTTP 404"):
        pull_model(store, "original", url_base=url, known=missing)
    assert list_models(store) == []
    assert not any(store.iterdir())
    assert digest  # the good file is still served; only the names differ


@detoxify_test
def test_cli_pull_list_and_import(
    tiny: TinyModels,
    tmp_path: Path,
    file_server: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, www = file_server
    monkeypatch.setitem(KNOWN_MODELS, "original", _publish(tiny, www))  # type: ignore[index]
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "store"
    env = {ENV_MODEL_DIR: str(store), ENV_BASE_URL: url}
    runner = CliRunner()

    pulled = runner.invoke(models_cli, ["pull", "original"], env=env)
    assert pulled.exit_code == 0, pulled.output
    assert f"Installed original in {store / 'original'}" in pulled.output

    listed = runner.invoke(models_cli, ["list"], env=env)
    assert listed.exit_code == 0, listed.output
    assert f"Model folder: {store} (from SMGUARD_MODEL_DIR)" in listed.output
    assert "en       original (installed)" in listed.output
    assert "multilingual (missing: smguard models pull multilingual)" in listed.output

    as_json = json.loads(runner.invoke(models_cli, ["list", "--format", "json"], env=env).output)
    assert [m["name"] for m in as_json["installed"]] == ["original"]

    broken = tmp_path / "broken.ckpt"
    broken.write_bytes(b"\x00" * 100)
    failed = runner.invoke(models_cli, ["import", str(broken)], env=env)
    assert failed.exit_code == 3
    assert "broken.ckpt" in failed.output and "Traceback" not in failed.output

    other = tmp_path / "other-store"
    copied = runner.invoke(
        models_cli,
        ["import", str(store / "original"), "--name", "copy"],
        env={**env, ENV_MODEL_DIR: str(other)},
    )
    assert copied.exit_code == 0, copied.output
    assert (other / "copy" / MANIFEST).is_file()


@detoxify_test
def test_cli_pull_and_import_as_json(
    tiny: TinyModels,
    tmp_path: Path,
    file_server: tuple[str, Path],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url, www = file_server
    monkeypatch.setitem(KNOWN_MODELS, "original", _publish(tiny, www))  # type: ignore[index]
    monkeypatch.chdir(tmp_path)
    store = tmp_path / "store"
    env = {ENV_MODEL_DIR: str(store), ENV_BASE_URL: url}
    runner = CliRunner()
    pulled = runner.invoke(models_cli, ["pull", "original", "--format", "json"], env=env)
    assert pulled.exit_code == 0, pulled.output
    (model,) = json.loads(pulled.stdout)["installed"]
    assert model["name"] == "original" and model["folder"] == str(store / "original")
    assert model["problem"] is None
    copied = runner.invoke(
        models_cli,
        ["import", str(store / "original"), "--name", "copy", "--format", "json"],
        env={**env, ENV_MODEL_DIR: str(tmp_path / "other")},
    )
    assert copied.exit_code == 0, copied.output
    (model,) = json.loads(copied.stdout)["installed"]
    assert model["name"] == "copy" and model["folder"] == str(tmp_path / "other" / "copy")


def test_install_without_the_extra_stops_before_copying(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)
    source = tmp_path / "model.ckpt"
    source.write_bytes(b"x" * 10)
    with pytest.raises(ModelStoreError, match=r"pip install 'smguard\[detoxify\]'"):
        import_model(tmp_path / "store", source)
    with pytest.raises(ModelStoreError, match=r"pip install 'smguard\[detoxify\]'"):
        pull_model(tmp_path / "store", "original", url_base="http://127.0.0.1:9/")
    assert not (tmp_path / "store").exists()


def test_list_on_an_empty_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {ENV_MODEL_DIR: str(tmp_path / "none")}
    out = CliRunner().invoke(models_cli, ["list"], env=env)
    assert out.exit_code == 0, out.output
    assert "No models installed." in out.output
    assert "original (missing: smguard models pull original)" in out.output
