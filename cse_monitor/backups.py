"""Backup and restore: the database and the uploaded files in ONE archive.

Format (a .tar.gz):
  manifest.json  format version, creation time, source database vendor, applied migrations,
                 row count per model, sha256 of data.json and of every uploaded file
  data.json      `dumpdata` of every model (natural keys; sessions, content types and
                 permissions left out: they are rebuilt by `migrate`)
  media/<name>   every file in the default storage (local disk or an S3-compatible bucket)

Why dumpdata rather than pg_dump: one format for SQLite and PostgreSQL, so a
backup taken on either restores on either (tested both ways), through the same
models and constraints. For databases far larger than this programme's (a few MB),
pg_dump is the faster path; see docs/DEPLOYMENT.md.

Restore is all or nothing: the archive is checked (paths, checksums, migrations)
and the target database must be empty before anything is written; the data and
the files are written inside one transaction, and files already written are
removed again if anything fails.
"""

import hashlib
import io
import json
import os
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import Storage, default_storage
from django.core.management import call_command
from django.db import connection, transaction
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
MEDIA_PREFIX = "media/"

# Rebuilt by `migrate`, or worthless after a restore.
EXCLUDED_MODELS = ("contenttypes", "auth.permission", "sessions.session")
# Tables that data migrations fill; present in any freshly migrated database and overwritten by the restore.
SEEDED_BY_MIGRATIONS = {"municipalities.district"}


class BackupError(Exception):
    """A backup or restore refused with a message for the operator."""


@dataclass(frozen=True)
class BackupSummary:
    path: Path
    rows: int
    files: int


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def iter_storage_files(storage: Storage, directory: str = "") -> Iterator[str]:
    """Every file name in a storage, depth first, with '/' separators."""
    try:
        subdirs, files = storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for sub in sorted(subdirs):
        yield from iter_storage_files(storage, f"{directory}/{sub}" if directory else sub)


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def _row_counts() -> dict[str, int]:
    excluded = set(EXCLUDED_MODELS)
    counts = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if model._meta.app_label in excluded or label in excluded or not model._meta.managed:
            continue
        counts[label] = model._base_manager.count()
    return counts


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(mtime)
    info.mode = 0o640
    tar.addfile(info, io.BytesIO(data))


def create_backup(output: Path, storage: Storage | None = None) -> BackupSummary:
    """Writes the archive to `output` (through a temporary file, so a failed backup leaves no partial archive)."""
    storage = storage or default_storage
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    now = datetime.now(tz=UTC)
    with tempfile.TemporaryDirectory() as tmp:
        data_path = Path(tmp) / DATA
        # One consistent snapshot: on PostgreSQL a REPEATABLE READ transaction sees every table at one instant
        # (unless a caller's transaction is already open, whose snapshot we then share).
        outer = connection.in_atomic_block
        with transaction.atomic():
            if connection.vendor == "postgresql" and not outer:
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            call_command(
                "dumpdata",
                exclude=list(EXCLUDED_MODELS),
                natural_foreign=True,
                natural_primary=True,
                use_base_manager=True,
                output=str(data_path),
                verbosity=0,
            )
            counts = _row_counts()
            migrations = _applied_migrations()
        data = data_path.read_bytes()
        files = {}
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w:gz") as tar:
            _add_bytes(tar, DATA, data, now.timestamp())
            for name in iter_storage_files(storage):
                with storage.open(name, "rb") as handle:
                    content = handle.read()
                files[name] = _sha256(content)
                _add_bytes(tar, MEDIA_PREFIX + name, content, now.timestamp())
            manifest = {
                "format": FORMAT_VERSION,
                "created_at": now.isoformat(),
                "database_vendor": connection.vendor,
                "migrations": migrations,
                "rows": counts,
                "data_sha256": _sha256(data),
                "files": files,
            }
            _add_bytes(tar, MANIFEST, json.dumps(manifest, indent=2, sort_keys=True).encode(), now.timestamp())
        os.replace(partial, output)
    return BackupSummary(path=output, rows=sum(counts.values()), files=len(files))


@dataclass(frozen=True)
class Archive:
    manifest: dict
    data: bytes
    media: dict[str, bytes]


def _safe_member_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or "\\" in name or not name or name.startswith("/"):
        raise BackupError(f"Unsafe path in archive: {name!r}")
    return str(path)


def read_archive(path: Path) -> Archive:
    """Reads and checks an archive completely in memory; refuses anything odd before a byte is restored."""
    try:
        tar = tarfile.open(path, "r:gz")
    except (OSError, tarfile.TarError) as exc:
        raise BackupError(f"Not a readable backup archive: {path} ({exc})") from exc
    members: dict[str, bytes] = {}
    with tar:
        try:
            for member in tar.getmembers():
                name = _safe_member_name(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"Archive member is not a regular file: {name!r}")
                if name in members:
                    raise BackupError(f"Archive member appears twice: {name!r}")
                handle = tar.extractfile(member)
                members[name] = handle.read() if handle else b""
        except (OSError, tarfile.TarError, EOFError) as exc:
            raise BackupError(f"Backup archive is damaged: {exc}") from exc
    if MANIFEST not in members or DATA not in members:
        raise BackupError("Not a CSE Monitor backup: manifest.json or data.json is missing.")
    try:
        manifest = json.loads(members.pop(MANIFEST))
    except ValueError as exc:
        raise BackupError(f"manifest.json is not valid JSON: {exc}") from exc
    if manifest.get("format") != FORMAT_VERSION:
        found = manifest.get("format")
        raise BackupError(f"Unsupported backup format {found!r} (this version reads {FORMAT_VERSION}).")
    data = members.pop(DATA)
    if _sha256(data) != manifest.get("data_sha256"):
        raise BackupError("data.json does not match its checksum: the archive is corrupted.")
    media = {}
    for name, content in members.items():
        if not name.startswith(MEDIA_PREFIX):
            raise BackupError(f"Unexpected file in archive: {name!r}")
        media[name[len(MEDIA_PREFIX) :]] = content
    expected = manifest.get("files", {})
    if set(media) != set(expected):
        raise BackupError("The uploaded files in the archive do not match its manifest.")
    for name, content in media.items():
        if _sha256(content) != expected[name]:
            raise BackupError(f"Uploaded file {name!r} does not match its checksum: the archive is corrupted.")
    return Archive(manifest=manifest, data=data, media=media)


def _check_migrations_known(manifest: dict) -> None:
    loader = MigrationLoader(None, ignore_no_migrations=True)
    unknown = [
        f"{app}.{name}"
        for app, names in manifest.get("migrations", {}).items()
        for name in names
        if (app, name) not in loader.disk_migrations
    ]
    if unknown:
        raise BackupError(
            "The backup was made by a newer version of CSE Monitor (unknown migrations: "
            + ", ".join(unknown[:5])
            + "). Restore it with that version."
        )


def non_empty_tables() -> list[str]:
    """Model labels holding rows that a restore would collide with (empty list = the database is empty)."""
    existing = set(connection.introspection.table_names())
    ignored = set(EXCLUDED_MODELS) | SEEDED_BY_MIGRATIONS
    found = []
    for model in apps.get_models():
        meta = model._meta
        if not meta.managed or meta.db_table not in existing:
            continue
        if meta.app_label in ignored or meta.label_lower in ignored:
            continue
        if model._base_manager.exists():
            found.append(meta.label_lower)
    return sorted(found)


def restore_backup(path: Path, storage: Storage | None = None) -> BackupSummary:
    """Restores an archive into an empty database (migrating it first) and an empty upload storage."""
    storage = storage or default_storage
    archive = read_archive(Path(path))
    _check_migrations_known(archive.manifest)
    busy = non_empty_tables()
    if busy:
        raise BackupError(
            "The target database is not empty (rows in " + ", ".join(busy[:8]) + "). Restore only into an empty one."
        )
    clashing = [name for name in archive.media if storage.exists(name)]
    if clashing:
        raise BackupError("Uploaded files already exist in the target storage: " + ", ".join(clashing[:5]))
    call_command("migrate", interactive=False, verbosity=0)
    written: list[str] = []
    try:
        with transaction.atomic():
            with tempfile.TemporaryDirectory() as tmp:
                data_path = Path(tmp) / DATA
                data_path.write_bytes(archive.data)
                call_command("loaddata", str(data_path), verbosity=0)
            for name, content in sorted(archive.media.items()):
                saved = storage.save(name, ContentFile(content))
                written.append(saved)
                if saved != name:
                    raise BackupError(f"Storage renamed {name!r} to {saved!r}; refusing a restore with broken links.")
            restored = _row_counts()
            expected = archive.manifest.get("rows", {})
            wrong = {label: (n, restored.get(label)) for label, n in expected.items() if restored.get(label) != n}
            if wrong:
                raise BackupError(f"Restored row counts differ from the backup: {wrong}")
    except Exception:
        for name in written:
            storage.delete(name)
        raise
    return BackupSummary(path=Path(path), rows=sum(archive.manifest.get("rows", {}).values()), files=len(written))
