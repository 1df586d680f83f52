"""``smguard models pull``: download a detoxify release and make it ready for offline use."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from smguard._version import __version__
from smguard.toxicity.errors import DownloadError, ModelStoreError
from smguard.toxicity.extras import require_extra
from smguard.toxicity.files import ProgressCallback, make_staging, stream_hashing
from smguard.toxicity.install import finish_install
from smguard.toxicity.manifest import InstalledModel
from smguard.toxicity.paths import CHECKPOINT, check_name
from smguard.toxicity.releases import DEFAULT_BASE_URL, KNOWN_MODELS, KnownModel, base_url

__all__ = ["download", "pull_model"]


def download(
    url: str,
    dest: Path,
    *,
    timeout: float = 60.0,
    progress: ProgressCallback | None = None,
) -> str:
    """Stream ``url`` into ``dest`` through a ``.part`` file; return the SHA-256."""
    # Imported here: http.client and ssl cost tens of milliseconds at every start otherwise.
    import urllib.error
    import urllib.request

    part = dest.with_name(dest.name + ".part")
    request = urllib.request.Request(url, headers={"User-Agent": f"smguard/{__version__}"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response, part.open("wb") as out:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            sha256, done = stream_hashing(response, out, total, progress)
        if total is not None and done != total:
            raise DownloadError(f"{url}: download interrupted ({done} of {total} bytes)")
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: the server answered HTTP {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(
            f"cannot download {url} ({reason}); on a machine without internet, copy a model "
            "folder and use 'smguard models import'"
        ) from None
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    os.replace(part, dest)
    return sha256


def pull_model(
    root: Path,
    name: str,
    *,
    url_base: str | None = None,
    known: KnownModel | None = None,
    trust: bool = False,
    timeout: float = 60.0,
    progress: ProgressCallback | None = None,
) -> InstalledModel:
    """Download a detoxify release and its tokenizer/config into the store, ready for offline use.

    ``known`` overrides the entry of :data:`KNOWN_MODELS` (tests and private mirrors). The file's
    SHA-256 must start with the prefix in its release name, as torch.hub checks. A file fetched
    over HTTPS from detoxify's own release site may need full unpickling; from anywhere else
    (``SMGUARD_MODEL_BASE_URL``) only with ``trust=True``.
    """
    spec = known or KNOWN_MODELS.get(name)
    if spec is None:
        raise ModelStoreError(
            f"unknown model {name!r}: pull one of {', '.join(KNOWN_MODELS)}, or install your own "
            "checkpoint with 'smguard models import PATH'"
        )
    check_name(spec.name)
    require_extra()
    base = base_url(url_base)
    url = spec.url(base)
    staging = make_staging(root, spec.name)
    try:
        sha256 = download(url, staging / CHECKPOINT, timeout=timeout, progress=progress)
        prefix = spec.sha256_prefix
        if prefix and not sha256.startswith(prefix):
            raise DownloadError(
                f"{url}: the downloaded file is not the published one (SHA-256 {sha256[:12]}…, "
                f"expected {prefix}…); try again, or check the mirror"
            )
        return finish_install(
            root,
            spec.name,
            staging,
            config_source=None,
            download=True,
            sha256=sha256,
            source=url,
            trusted=trust or (prefix is not None and base == DEFAULT_BASE_URL),
        )
    finally:
        shutil.rmtree(staging, ignore_errors=True)
