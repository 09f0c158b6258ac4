"""Backup and restore: round trip on SQLite and PostgreSQL (and across them), refusals, all-or-nothing."""

import io
import json
import os
import subprocess
import sys
import tarfile
import uuid
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cse_monitor.backups import BackupError, create_backup, read_archive, restore_backup
from indicators.models import IndicatorValue
from tests.waits import run_to_end

from .snapshot import take_snapshot

ROOT = Path(__file__).resolve().parents[2]
PROGRAMME_JSON = ROOT / "fixtures" / "per0601011" / "programme.json"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def programme_data(db, media):
    call_command("load_programme", str(PROGRAMME_JSON), stdout=io.StringIO())
    call_command("create_demo_users", stdout=io.StringIO())
    values = list(IndicatorValue.objects.order_by("pk")[:2])
    values[0].evidence.save("acta-comité-2011.pdf", ContentFile(b"%PDF-1.4 acta de la EMCL\n"), save=True)
    values[1].evidence.save("fotos/visita.jpg", ContentFile(bytes(range(256)) * 40), save=True)
    return values


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return run_to_end(args, cwd=ROOT, env=env)


def env_for(database_url: str, media_root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env.update(DATABASE_URL=database_url, MEDIA_ROOT=str(media_root), DJANGO_SETTINGS_MODULE="cse_monitor.settings")
    env.update(extra)
    return env


def postgres_admin_url() -> str | None:
    url = os.environ.get("DATABASE_URL", "")
    return url if url.startswith("postgres") else None


@pytest.fixture
def empty_databases(tmp_path):
    """Fresh, empty target databases: a SQLite file always, plus a new PostgreSQL database on PostgreSQL runs."""
    targets = {"sqlite": f"sqlite:///{tmp_path / 'restored.sqlite3'}"}
    admin_url = postgres_admin_url()
    created = None
    if admin_url:
        import psycopg2

        created = f"cse_restore_{uuid.uuid4().hex[:10]}"
        base = admin_url.rsplit("/", 1)[0]
        conn = psycopg2.connect(base + "/postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{created}"')
        conn.close()
        targets["postgresql"] = f"{base}/{created}"
    yield targets
    if created:
        conn = psycopg2.connect(admin_url.rsplit("/", 1)[0] + "/postgres")
        conn.autocommit = True
        with conn.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{created}" WITH (FORCE)')
        conn.close()


def test_backup_restore_round_trip_gives_back_the_same_report_series_rows_and_files(
    programme_data, client, tmp_path, empty_databases
):
    archive = tmp_path / "backup.tar.gz"
    summary = create_backup(archive)
    assert summary.files == 2 and summary.rows > 1000
    original = take_snapshot(client)
    assert "PER0601011" in original["report"] and len(original["series"]["results"]) == 36
    assert len(original["media"]) == 2

    for vendor, url in empty_databases.items():
        media_root = tmp_path / f"media-{vendor}"
        env = env_for(url, media_root)
        restored = run([sys.executable, "manage.py", "restore", str(archive)], env)
        assert restored.returncode == 0, restored.stderr
        assert "Restored" in restored.stdout
        taken = run([sys.executable, "-m", "tests.production.snapshot"], env)
        assert taken.returncode == 0, taken.stderr
        copy = json.loads(taken.stdout)
        assert copy["data"] == original["data"], f"rows differ after restore into {vendor}"
        assert copy["media"] == original["media"]
        assert copy["report"] == original["report"]
        assert copy["series"] == original["series"]
        # Restoring again on top is refused: the target is not empty any more.
        again = run([sys.executable, "manage.py", "restore", str(archive)], env)
        assert again.returncode != 0 and "not empty" in again.stderr


def test_backup_command_writes_one_archive_with_database_and_files(programme_data, tmp_path):
    archive = tmp_path / "out" / "cse.tar.gz"
    out = io.StringIO()
    call_command("backup", "--output", str(archive), stdout=out)
    assert "Backup written" in out.getvalue()
    names = tarfile.open(archive).getnames()
    assert {"manifest.json", "data.json"} <= set(names)
    assert sorted(n for n in names if n.startswith("media/")) == sorted(
        "media/" + v.evidence.name for v in programme_data
    )
    assert not list(archive.parent.glob("*.partial"))
    manifest = read_archive(archive).manifest
    assert manifest["database_vendor"] == connection.vendor
    assert manifest["rows"]["indicators.indicatorvalue"] == IndicatorValue.objects.count()


def test_restore_into_a_database_with_data_is_refused_and_changes_nothing(programme_data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    create_backup(archive)
    users = get_user_model().objects.count()
    with pytest.raises(CommandError, match="not empty"):
        call_command("restore", str(archive))
    assert get_user_model().objects.count() == users


def _rewrite(archive: Path, target: Path, change) -> None:
    """Copies an archive member by member through `change(name, data) -> [(name, data)]`."""
    with tarfile.open(archive) as src, tarfile.open(target, "w:gz") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()
            for name, content in change(member.name, data):
                info = tarfile.TarInfo(name)
                info.size = len(content)
                dst.addfile(info, io.BytesIO(content))


def _bad_data(name, data):
    return [(name, data.replace(b"PER0601011", b"PER0601012", 1) if name == "data.json" else data)]


def _traversal(name, data):
    return [(name, data), ("media/../../escaped.txt", b"owned")] if name == "manifest.json" else [(name, data)]


def _unknown_migration(name, data):
    if name != "manifest.json":
        return [(name, data)]
    manifest = json.loads(data)
    manifest["migrations"]["indicators"].append("9999_from_the_future")
    return [(name, json.dumps(manifest).encode())]


def _lost_file(name, data):
    return [] if name.startswith("media/") and name.endswith(".jpg") else [(name, data)]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_bad_data, "checksum"),
        (_traversal, "Unsafe path"),
        (_unknown_migration, "newer version"),
        (_lost_file, "do not match its manifest"),
    ],
)
def test_damaged_or_hostile_archives_are_refused_before_anything_is_written(programme_data, tmp_path, change, message):
    good = tmp_path / "good.tar.gz"
    create_backup(good)
    bad = tmp_path / "bad.tar.gz"
    _rewrite(good, bad, change)
    with pytest.raises(BackupError, match=message):
        restore_backup(bad)
    assert not (tmp_path / "escaped.txt").exists() and not (ROOT.parent / "escaped.txt").exists()


def test_not_an_archive_is_refused_with_a_clear_message(db, tmp_path):
    junk = tmp_path / "junk.tar.gz"
    junk.write_bytes(b"this is not a tarball")
    with pytest.raises(CommandError, match="Not a readable backup archive"):
        call_command("restore", str(junk))


def test_restore_interrupted_while_writing_files_leaves_database_and_storage_empty(programme_data, tmp_path):
    archive = tmp_path / "b.tar.gz"
    create_backup(archive)
    target = tmp_path / "target.sqlite3"
    media_root = tmp_path / "target-media"
    env = env_for(
        f"sqlite:///{target}", media_root, MEDIA_STORAGE_BACKEND="tests.production.failing_storage.FailsOnSecondSave"
    )
    result = run([sys.executable, "manage.py", "restore", str(archive)], env)
    assert result.returncode != 0
    assert "disk full (simulated)" in result.stderr
    count = run(
        [
            sys.executable,
            "-c",
            "import django;django.setup();from django.contrib.auth.models import User;"
            "from indicators.models import IndicatorValue as V;print(User.objects.count(), V.objects.count())",
        ],
        env,
    )
    assert count.returncode == 0, count.stderr
    assert count.stdout.split() == ["0", "0"]
    assert not [p for p in media_root.rglob("*") if p.is_file()]


def test_backup_reads_uploads_through_the_storage_api(programme_data, tmp_path, settings):
    # The archive is built from default_storage, not from MEDIA_ROOT on disk, so an S3 bucket backs up too.
    from django.core.files.storage import InMemoryStorage

    memory = InMemoryStorage()
    memory.save("evidence/2011/in-memory.txt", ContentFile(b"held in a bucket"))
    archive = tmp_path / "m.tar.gz"
    summary = create_backup(archive, storage=memory)
    assert summary.files == 1
    assert read_archive(archive).media == {"evidence/2011/in-memory.txt": b"held in a bucket"}
