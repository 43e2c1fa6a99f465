"""A plain `pip install` of marsad (no extras) reads every input kind.

Installing into a fresh virtual environment takes a minute or two, so this runs in CI (where
``CI`` is set) or when ``MARSAD_PLAIN_INSTALL=1``; elsewhere it is skipped.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIX = Path(__file__).parent / "fixtures" / "ingest"

pytestmark = pytest.mark.skipif(
    not (os.environ.get("CI") or os.environ.get("MARSAD_PLAIN_INSTALL") == "1"),
    reason="installs the package into a fresh venv; set MARSAD_PLAIN_INSTALL=1 (CI does)")

JSON_RECORD = {
    "title": "ارتفاع أسعار الوقود في الأسواق المحلية للمرة الثانية هذا العام",
    "text": ("رفعت الحكومة أسعار الوقود بنسبة سبعة في المئة اعتبارا من صباح الأحد، في ثاني زيادة "
             "منذ بداية العام. وقال وزير المالية في مؤتمر صحفي إن القرار يهدف إلى خفض عجز الموازنة، "
             "بينما انتقدت نقابات النقل الزيادة وطالبت بتعويض السائقين."),
    "url": "https://wire.example/economy/fuel", "date": "2024-03-03T09:00:00+03:00",
    "source": "وكالة الأنباء",
}


def _inputs(d: Path) -> dict[str, str]:
    """One input of each kind: file name -> what it is."""
    d.mkdir()
    shutil.copy(FIX / "untitled.txt", d / "scraped.txt")
    shutil.copy(FIX / "page.html", d / "page.html")
    shutil.copy(FIX / "page.html", d / "page.htm")
    shutil.copy(FIX / "ant_style.xml", d / "trec.xml")
    line = json.dumps(JSON_RECORD, ensure_ascii=False) + "\n"
    (d / "feed.jsonl").write_text(line, encoding="utf-8")
    (d / "record.json").write_text(json.dumps({**JSON_RECORD, "url": "https://wire.example/b"},
                                              ensure_ascii=False), encoding="utf-8")
    with gzip.open(d / "feed.jsonl.gz", "wb") as fh:
        fh.write(line.replace("economy/fuel", "economy/fuel-2").encode("utf-8"))
    return {"scraped.txt": "text", "page.html": "html", "page.htm": "html", "trec.xml": "xml",
            "feed.jsonl": "jsonl", "record.json": "json", "feed.jsonl.gz": "gzipped jsonl"}


def test_plain_install_reads_every_input_kind(tmp_path):
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    py = env_dir / "bin" / "python"
    src = tmp_path / "src"  # a copy, so the build never writes into the checkout
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(".venv", ".git", "out", "build", "*.egg-info",
                                                             "__pycache__", ".pytest_cache", "tests"))
    done = subprocess.run([str(py), "-m", "pip", "install", "--quiet", str(src)],
                          capture_output=True, text=True, timeout=1500)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    kinds = _inputs(tmp_path / "in")
    marsad = env_dir / "bin" / "marsad"
    done = subprocess.run([str(marsad), "analyze", str(tmp_path / "in"), "--no-embeddings", "--json", "-",
                           "--quiet"], capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout)
    origins = {a["origin"].split("/")[-1].split("#")[0] for a in out["articles"]}
    missing = {name: kind for name, kind in kinds.items() if name not in origins}
    assert not missing, f"no article from {missing}; stderr: {done.stderr[-2000:]}"
