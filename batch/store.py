"""The batch folder on disk: one folder per finished scenario, each with a manifest.

Layout of ``out/<batch>/``::

    batch.json               the batch: name, source, scenario ids and names
    <scenario-id>/           one per finished scenario (ok or failed)
        manifest.json        written last; lists every file with its SHA-256
        plan.json, ...       the scenario's outputs
    comparison.html, ...     the comparison (rewritten after each run)

A scenario folder is assembled under a temporary name (``.tmp-<id>-<uuid>``),
every file flushed to disk, the manifest written last, and then the folder is
renamed into place. A folder named ``<scenario-id>`` therefore always holds a
complete result; a run killed at any instant leaves at most a ``.tmp-*``
folder, which the next run deletes. A folder counts as finished only if its
manifest parses, names the right id and every listed file has its size and hash.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from network.errors import InputError

MANIFEST = "manifest.json"
#: Version of the manifest layout.
MANIFEST_VERSION = 1


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_bytes(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def write_scenario_folder(batch_dir: Path, scenario_id: str, files: Mapping[str, bytes],
                          manifest: Mapping[str, Any]) -> Path:
    """Write one scenario's files and manifest into ``batch_dir/<scenario_id>`` atomically.

    Parameters
    ----------
    batch_dir
        The batch folder.
    scenario_id
        Folder name.
    files
        Relative path → content.
    manifest
        Manifest fields; ``files`` (path, bytes, sha256) is added here.

    Returns
    -------
    Path
        The scenario folder.

    Raises
    ------
    InputError
        If a file name would leave the folder or is ``manifest.json``.
    OSError
        If writing fails; the temporary folder is removed and an earlier
        folder of the scenario is left as it was.
    """
    final = batch_dir / scenario_id
    tmp = batch_dir / f".tmp-{scenario_id}-{uuid.uuid4().hex[:8]}"
    tmp.mkdir(parents=True)
    old: Path | None = None
    try:
        listing = []
        for rel, data in sorted(files.items()):
            if Path(rel).is_absolute() or ".." in Path(rel).parts or rel == MANIFEST:
                raise InputError(f"scenario {scenario_id}: output file name {rel!r} is not allowed")
            _write_bytes(tmp / rel, data)
            listing.append({"path": rel, "bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()})
        full = {"manifest_version": MANIFEST_VERSION, **manifest, "files": listing}
        _write_bytes(tmp / MANIFEST, json.dumps(full, ensure_ascii=False, indent=1).encode("utf-8"))
        _fsync_dir(tmp)
        if final.exists():
            old = batch_dir / f".old-{scenario_id}-{uuid.uuid4().hex[:8]}"
            os.rename(final, old)
        os.rename(tmp, final)
        _fsync_dir(batch_dir)
    except BaseException:
        if old is not None and not final.exists():
            os.rename(old, final)  # put the earlier result back
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return final


def read_manifest(folder: Path, *, verify: bool = True) -> dict[str, Any] | None:
    """The manifest of a finished scenario folder, or None if it is not complete.

    Parameters
    ----------
    folder
        ``batch_dir/<scenario-id>``.
    verify
        Also check every listed file's size and SHA-256 (default True).
    """
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("scenario_id") != folder.name:
        return None
    if manifest.get("status") not in ("ok", "failed") or not isinstance(manifest.get("files"), list):
        return None
    for entry in manifest["files"]:
        path = folder / str(entry.get("path", ""))
        try:
            if path.stat().st_size != entry.get("bytes"):
                return None
            if verify and hashlib.sha256(path.read_bytes()).hexdigest() != entry.get("sha256"):
                return None
        except OSError:
            return None
    return manifest


def finished_manifests(batch_dir: Path, scenario_ids: list[str] | None = None, *,
                       verify: bool = True) -> dict[str, dict[str, Any]]:
    """Valid manifests in ``batch_dir``, by scenario id (only ``scenario_ids`` if given)."""
    if not batch_dir.is_dir():
        return {}
    names = scenario_ids if scenario_ids is not None else sorted(
        p.name for p in batch_dir.iterdir() if p.is_dir() and not p.name.startswith("."))
    found = {}
    for sid in names:
        manifest = read_manifest(batch_dir / sid, verify=verify)
        if manifest is not None:
            found[sid] = manifest
    return found


def remove_leftovers(batch_dir: Path) -> int:
    """Delete ``.tmp-*`` / ``.old-*`` folders left by a killed run; return how many."""
    count = 0
    if batch_dir.is_dir():
        for path in batch_dir.iterdir():
            if path.is_dir() and path.name.startswith((".tmp-", ".old-")):
                shutil.rmtree(path, ignore_errors=True)
                count += 1
    return count


@contextlib.contextmanager
def batch_lock(batch_dir: Path) -> Iterator[None]:
    """Hold an exclusive lock on the batch folder (released even on kill -9).

    Raises
    ------
    InputError
        If another process is running a batch into the same folder.
    """
    batch_dir.mkdir(parents=True, exist_ok=True)
    handle = open(batch_dir / ".lock", "w")  # noqa: SIM115 - held for the whole block
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise InputError(f"{batch_dir}: another batch run is writing into this folder; "
                             "wait for it or choose another --out") from None
        yield
    finally:
        handle.close()


def publish(tmp: str | Path, path: Path) -> None:
    """Give a finished temporary file the usual permissions and rename it to ``path``.

    ``tempfile.mkstemp`` creates files readable by their owner only; the
    outputs of a batch are meant to be shared like any other file.
    """
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    os.replace(tmp, path)


def write_text(path: Path, text: str) -> None:
    """Write UTF-8 text atomically (temporary file, flush, rename), readable as usual."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        publish(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def write_json(path: Path, data: Any) -> None:
    """Write JSON atomically (temporary file and rename)."""
    write_text(path, json.dumps(data, ensure_ascii=False, indent=1))
