"""Shared test fixtures. Data under ../shared is optional: tests that need it skip cleanly."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
CORPUS = ROOT / "examples" / "corpus"
GOLD = ROOT / "examples" / "gold.json"


def shared_path(*parts: str) -> Path:
    """Path under ../shared, or skip the calling test when it is not there."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} not present")
    return p


@pytest.fixture
def seeds_dir() -> Path:
    return shared_path("seeds")


@pytest.fixture
def gold() -> dict:
    import json

    if not GOLD.exists():
        pytest.skip("examples/gold.json not written yet")
    return json.loads(GOLD.read_text(encoding="utf-8"))
