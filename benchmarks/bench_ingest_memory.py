"""Peak memory of ``smguard ingest`` on a large X archive (streamed export reading, issue 12).

    python benchmarks/bench_ingest_memory.py                    # 200,000 tweets, zipped
    python benchmarks/bench_ingest_memory.py --tweets 50000 --keep /tmp/x-archive

Writes an archive in the layout X uses (``data/tweets.js``, ``tweets-part1.js`` …, each
``window.YTD.tweets.partN = [ … ]``, pretty-printed with X's ``"key" : value`` spacing, numbers
as strings; every part under the 32 MiB ``smguard ingest`` reads from one file), zips it, then
runs ``smguard ingest ARCHIVE --account kem_x`` as a process of its own under
``/usr/bin/time -v`` (SQLite in a scratch folder; only the ``connectors`` plugin loaded, so the
figure is reading and storing, not the detectors) and prints its maximum resident set size, its
wall time and the events read. The command it runs is printed too, so it can be run by hand.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from smguard.watch.connectors import ExportSource

T0 = datetime(2023, 1, 1, tzinfo=UTC)
WORDS = (
    "layanan pajak kantor buka pukul info jadwal sobat terima kasih pengumuman resmi kegiatan "
    "hari ini besok warga program bantuan daftar online formulir syarat lengkap kunjungi situs "
    "the service office opens today schedule thanks announcement official visit apply form"
).split()
#: Bytes per part file at most: under the 32 MiB smguard reads from one file of an export.
PART_BYTES = 30 << 20


def _tweet(rng: random.Random, n: int) -> dict[str, Any]:
    tid = str(1_700_000_000_000_000_000 + n)
    when = T0 + timedelta(minutes=3 * n)
    text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(14, 22)))
    urls: list[dict[str, Any]] = []
    if n % 3 == 0:
        short = f"https://t.co/{n:010d}"
        text += f" {short}"
        urls.append({"url": short, "expanded_url": f"https://kemcontoh.example/p/{n}",
                     "display_url": f"kemcontoh.example/p/{n}",
                     "indices": ["120", "143"]})  # fmt: skip
    return {"tweet": {
        "edit_info": {"initial": {"editTweetIds": [tid], "editableUntil": when.isoformat(),
                                  "editsRemaining": "5", "isEditEligible": True}},
        "retweeted": False,
        "source": '<a href="https://mobile.twitter.com" rel="nofollow">Twitter Web App</a>',
        "entities": {"hashtags": [], "symbols": [], "user_mentions": [], "urls": urls},
        "display_text_range": ["0", str(len(text))], "favorite_count": str(n % 40),
        "id_str": tid, "truncated": False, "retweet_count": str(n % 7), "id": tid,
        "created_at": when.strftime("%a %b %d %H:%M:%S +0000 %Y"), "favorited": False,
        "full_text": text, "lang": "in",
    }}  # fmt: skip


def _x_json(value: Any) -> str:
    """JSON as X writes it: two-space indent and ``"key" : value``."""
    return re.sub(r'^(\s*"(?:[^"\\]|\\.)*"): ', r"\1 : ", json.dumps(value, indent=2), flags=re.M)


def make_archive(folder: Path, tweets: int, seed: int = 7, part_bytes: int = PART_BYTES) -> Path:
    """An X archive folder of ``tweets`` tweets, split into parts as X splits large files."""
    rng = random.Random(seed)
    data = folder / "data"
    data.mkdir(parents=True)
    part, size, handle = 0, 0, None
    for n in range(tweets):
        body = _x_json(_tweet(rng, n))
        if handle is None or size + len(body) > part_bytes:
            if handle is not None:
                handle.write("\n]")
                handle.close()
            name = "tweets.js" if part == 0 else f"tweets-part{part}.js"
            handle = (data / name).open("w", encoding="utf-8")
            handle.write(f"window.YTD.tweets.part{part} = [ ")
            part, size = part + 1, 0
        else:
            handle.write(", ")
        handle.write(body)
        size += len(body) + 2
    if handle is not None:
        handle.write("\n]")
        handle.close()
    (data / "account.js").write_text(
        'window.YTD.account.part0 = [ { "account" : { "username" : "KemContoh", "accountId" : '
        '"900000001", "createdAt" : "2019-06-01T10:00:00.000Z" } } ]',
        encoding="utf-8",
    )
    return folder


def zip_folder(folder: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for file in sorted(folder.rglob("*")):
            if file.is_file():
                zf.write(file, file.relative_to(folder).as_posix())
    return target


def measure(archive: Path, scratch: Path) -> dict[str, Any]:
    (scratch / "smguard.toml").write_text('[accounts.kem_x]\nplatform = "x"\n', encoding="utf-8")
    env = {
        **os.environ,
        "SMGUARD_LOAD_PLUGINS": "connectors",
        "SMGUARD_DATABASE_URL": f"sqlite:///{scratch / 'ingest.db'}",
        "SMGUARD_ACTOR": "bench",
    }
    smguard = shutil.which("smguard") or "smguard"
    command = ["/usr/bin/time", "-v", smguard, "ingest", str(archive), "--account", "kem_x"]
    print("$ cd", scratch, "&& SMGUARD_LOAD_PLUGINS=connectors SMGUARD_DATABASE_URL=sqlite:///"
          f"{scratch / 'ingest.db'} {' '.join(command)}")  # fmt: skip
    done = subprocess.run(command, cwd=scratch, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"ingest failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    peak = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    wall = re.search(r"Elapsed \(wall clock\) time.*: (\S+)", done.stderr)
    return {
        "peak_mib": int(peak[1]) / 1024 if peak else None,
        "wall": wall[1] if wall else None,
        "report": done.stdout.strip().splitlines()[0],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tweets", type=int, default=200_000)
    parser.add_argument("--keep", type=Path, help="write the archive here and keep it")
    parser.add_argument("--archive", type=Path, help="measure this archive (made by --keep)")
    parser.add_argument(
        "--part-mib", type=int, default=PART_BYTES >> 20, help="largest tweets file, in MiB"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        scratch = Path(tmp)
        archive = args.archive
        if archive is None:
            folder = make_archive(
                (args.keep or scratch) / "archive", args.tweets, part_bytes=args.part_mib << 20
            )
            archive = zip_folder(folder, (args.keep or scratch) / "twitter-archive.zip")
        with zipfile.ZipFile(archive) as zf:
            members = [i for i in zf.infolist() if "/tweets" in f"/{i.filename}"]
            unpacked = sum(i.file_size for i in zf.infolist())
        print(f"archive: {len(members)} tweets files, {unpacked / (1 << 20):.0f} MiB "
              f"unpacked, {archive.stat().st_size / (1 << 20):.0f} MiB zipped")  # fmt: skip
        if args.part_mib > ExportSource.max_member_bytes >> 20:
            print("(files larger than smguard reads from one file: archive made, not ingested)")
            return
        result = measure(archive, scratch)
        print(f"{result['report']}")
        print(f"peak resident memory of smguard ingest: {result['peak_mib']:,.0f} MiB, "
              f"wall {result['wall']}")  # fmt: skip


if __name__ == "__main__":
    main()
