"""Shipped configuration into the agency's folder, so that an upgrade brings new banks.

The Docker image keeps the schedules.yaml and banks of its release apart from the
agency's config folder (a volume). At each start they are brought over: a file the folder
lacks is copied; one the agency never changed (its hash is still the one copied last
time, kept in `.shipped.json`) is replaced by the new release's; one the agency changed
is kept as it is, and the start-up log says a newer version was shipped. One the agency
deleted (or renamed) stays away. Nothing is ever deleted.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from core.store.atomic_files import write_atomically

MANIFEST = ".shipped.json"


@dataclass(frozen=True)
class ShippedSync:
    """What one start brought over, by path relative to the config folder."""

    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    kept: tuple[str, ...] = ()  # changed by the agency; the release has another version


def sync_shipped(shipped_dir: Path, config_dir: Path) -> ShippedSync:
    """Bring the release's files in `shipped_dir` over to `config_dir` (see above)."""
    manifest_path = config_dir / MANIFEST
    copied: dict[str, str] = _read_manifest(manifest_path)
    added, updated, kept = [], [], []
    for source in sorted(p for p in shipped_dir.rglob("*") if p.is_file()):
        relative = source.relative_to(shipped_dir).as_posix()
        if any(part.startswith(".") for part in Path(relative).parts):
            continue
        content = source.read_bytes()
        shipped_hash = _hash(content)
        target = config_dir / relative
        if target.exists():
            current = _hash(target.read_bytes())
            if current == shipped_hash:
                copied[relative] = shipped_hash
                continue
            if current != copied.get(relative):
                kept.append(relative)
                continue
            updated.append(relative)
        elif relative in copied:  # shipped before, then deleted or renamed by the agency
            continue
        else:
            added.append(relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(target, content)
        copied[relative] = shipped_hash
    write_atomically(manifest_path, json.dumps(copied, indent=1, sort_keys=True))
    return ShippedSync(tuple(added), tuple(updated), tuple(kept))


def _read_manifest(path: Path) -> dict[str, str]:
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # none yet, or damaged: every differing file counts as edited
        return {}
    return {str(k): str(v) for k, v in manifest.items()} if isinstance(manifest, dict) else {}


def _hash(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()
