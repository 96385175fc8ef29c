"""The compiled core in use is built from the Rust sources in the tree.

An editable install puts streams/_native*.so next to the Python sources; after an edit to
streams/native the old library would keep answering until someone rebuilds. `make install`
rebuilds on such a change; this test catches a run that skipped it."""

from __future__ import annotations

import tomllib
from pathlib import Path

import streams
import streams._native as native

CRATE = Path(__file__).resolve().parents[2] / "streams" / "native"


def test_the_loaded_library_is_newer_than_every_rust_source() -> None:
    library = Path(native.__file__ or "")
    sources = [CRATE / "Cargo.toml", CRATE / "Cargo.lock", *sorted((CRATE / "src").rglob("*.rs"))]
    stale = [s.name for s in sources if s.stat().st_mtime > library.stat().st_mtime]
    assert not stale, f"{library.name} is older than {stale}: run `make install` to rebuild the Rust core"



def test_the_crate_carries_the_project_version() -> None:
    """maturin takes the package version from pyproject.toml; the crate's own version is kept in
    step by hand, and this says when it was not."""
    crate = tomllib.loads((CRATE / "Cargo.toml").read_text(encoding="utf-8"))
    project = tomllib.loads((CRATE.parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert crate["package"]["version"] == project["project"]["version"] == streams.__version__
