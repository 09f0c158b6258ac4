"""Guard of the Spanish catalogue: complete, compiled, covering every UI string, and served."""

import ast
import shutil
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from tests.waits import run_to_end

ROOT = Path(settings.BASE_DIR)
PO_PATH = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
IGNORED_DIRS = {".venv", "staticfiles", "test-artifacts", "bench", ".git", "locale", "media", "node_modules"}
SOURCE_SUFFIXES = {".py", ".html", ".txt", ".js"}


def read_po(path):
    """Entries of a .po file: dicts with msgid, msgid_plural, msgstr {index: text}, flags, obsolete."""
    entries, current, field = [], None, None

    def flush():
        if current is not None and "msgid" in current:
            entries.append(current)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            flush()
            current, field = None, None
            continue
        if current is None:
            current = {"flags": set(), "msgstr": {}, "obsolete": False}
        if line.startswith("#~"):
            current["obsolete"] = True
            continue
        if line.startswith("#,"):
            current["flags"].update(flag.strip() for flag in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            text = ast.literal_eval(line)
            if field[0] == "msgstr":
                current["msgstr"][field[1]] += text
            else:
                current[field[0]] += text
            continue
        keyword, _, quoted = line.partition(" ")
        text = ast.literal_eval(quoted)
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            current["msgstr"][index] = text
            field = ("msgstr", index)
        else:
            current[keyword] = text
            field = (keyword, None)
    flush()
    return [entry for entry in entries if entry["msgid"] and not entry["obsolete"]]


@pytest.fixture(scope="module")
def catalogue():
    return read_po(PO_PATH)


def test_spanish_catalogue_has_no_empty_translation(catalogue):
    empty = [entry["msgid"] for entry in catalogue if not all(entry["msgstr"].values()) or not entry["msgstr"]]
    assert not empty, f"msgids without Spanish: {empty}"


def test_spanish_catalogue_has_no_fuzzy_entry(catalogue):
    fuzzy = [entry["msgid"] for entry in catalogue if "fuzzy" in entry["flags"]]
    assert not fuzzy, f"fuzzy entries: {fuzzy}"


def test_plural_entries_fill_every_spanish_plural_form(catalogue):
    plurals = [entry for entry in catalogue if "msgid_plural" in entry]
    assert plurals
    for entry in plurals:
        assert sorted(entry["msgstr"]) == [0, 1, 2], entry["msgid"]


def test_compiled_catalogue_matches_the_po_file(catalogue):
    stale = []
    with translation.override("es"):
        for entry in catalogue:
            if "msgid_plural" in entry or "msgctxt" in entry:
                continue
            if translation.gettext(entry["msgid"]) != entry["msgstr"][0]:
                stale.append(entry["msgid"])
    assert not stale, f"the .mo is stale (run compilemessages -l es) for: {stale}"


def copy_sources(destination):
    def ignore(directory, names):
        skipped = set()
        for name in names:
            path = Path(directory) / name
            if path.is_dir():
                if name in IGNORED_DIRS or name == "__pycache__" or name.startswith("."):
                    skipped.add(name)
            elif path.suffix not in SOURCE_SUFFIXES:
                skipped.add(name)
        return skipped

    for child in ROOT.iterdir():
        if child.is_dir() and child.name not in IGNORED_DIRS and not child.name.startswith("."):
            shutil.copytree(child, destination / child.name, ignore=ignore)
    shutil.copy(ROOT / "manage.py", destination / "manage.py")
    (destination / "locale" / "es" / "LC_MESSAGES").mkdir(parents=True)
    shutil.copy(PO_PATH, destination / "locale" / "es" / "LC_MESSAGES" / "django.po")


def test_every_ui_string_of_the_source_has_a_spanish_translation(tmp_path, catalogue):
    copy_sources(tmp_path)
    result = run_to_end(
        [sys.executable, "manage.py", "makemessages", "-l", "es", "--no-location", "--ignore=static/admin"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "cse_monitor.settings"},
    )
    assert result.returncode == 0, result.stderr
    extracted = {entry["msgid"] for entry in read_po(tmp_path / "locale" / "es" / "LC_MESSAGES" / "django.po")}
    committed = {entry["msgid"] for entry in catalogue}
    missing = sorted(extracted - committed)
    assert not missing, "UI strings without Spanish: run makemessages -l es, translate, compilemessages: " + repr(
        missing
    )


def test_login_page_is_spanish_for_a_spanish_browser(client):
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 200
    assert "Iniciar sesión" in response.content.decode()
    assert "Log in" not in response.content.decode()


def test_login_page_is_spanish_by_default(client):
    response = client.get("/accounts/login/")
    assert "Iniciar sesión" in response.content.decode()


def test_language_switch_to_english_shows_english(client):
    switched = client.post("/i18n/setlang/", {"language": "en", "next": "/accounts/login/"})
    assert switched.status_code == 302
    response = client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="es")
    assert "Log in" in response.content.decode()
    assert "Iniciar sesión" not in response.content.decode()
