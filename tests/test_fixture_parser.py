"""The seed parser as a whole (fixtures/per0601011_builder): reproducibility, command line, no Django.

The tests of each part of the builder are in tests/fixture_builder/, one file per module or group
of report sections; expected figures there are typed from the seed, never read back from the JSON.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from fixtures.per0601011_builder.build import DEFAULT_OUT, DEFAULT_REGISTER, DEFAULT_SEED, build, dumps
from fixtures.per0601011_builder.places import register_by_ubigeo
from fixtures.per0601011_builder.seed import SeedFormatError

REPO = Path(__file__).resolve().parent.parent
BUILDER = REPO / "fixtures" / "per0601011_builder"
SCRIPT = REPO / "fixtures" / "build_per0601011.py"
needs_seed = pytest.mark.skipif(not DEFAULT_SEED.exists(), reason=f"seed file absent: {DEFAULT_SEED}")


@needs_seed
def test_rerunning_the_parser_on_the_seed_reproduces_the_committed_json():
    assert DEFAULT_OUT.exists(), "fixtures/per0601011/programme.json is missing: run fixtures/build_per0601011.py"
    built = build(DEFAULT_SEED.read_text(encoding="utf-8"), register_by_ubigeo(), seed_name=DEFAULT_SEED.name)
    assert dumps(built) == DEFAULT_OUT.read_text(encoding="utf-8")


@needs_seed
def test_parser_refuses_a_seed_whose_table_lost_its_heading():
    text = DEFAULT_SEED.read_text(encoding="utf-8").replace("\n7.4. Beneficiarios\n", "\n7.4 Beneficiaries\n")
    with pytest.raises(SeedFormatError, match="7.4. Beneficiarios"):
        build(text, register_by_ubigeo())


@needs_seed
@pytest.mark.parametrize(
    "command",
    [[str(SCRIPT)], ["-m", "fixtures.per0601011_builder"]],
    ids=["script", "module"],
)
def test_command_line_writes_the_committed_json(tmp_path, command):
    out = tmp_path / "programme.json"
    # From another directory: the script finds the repository itself; "-m" needs the root on the path.
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, *command, "--out", str(out)],
        cwd=tmp_path if command[0] == str(SCRIPT) else REPO,
        capture_output=True,
        text=True,
        timeout=300,  # the build takes about a second; generous for a loaded machine
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "36 indicators, 46 budget lines, 73 beneficiary districts" in done.stdout
    assert out.read_bytes() == DEFAULT_OUT.read_bytes()


def test_command_line_reports_a_bad_seed_as_an_error_not_a_traceback(tmp_path):
    seed = tmp_path / "seed.txt"
    seed.write_text("not the annual report\n", encoding="utf-8")
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, str(SCRIPT), str(seed), "--register", str(DEFAULT_REGISTER), "--out", str(tmp_path / "o")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 1
    assert done.stderr == "error: Heading not found: '1. Ficha del proyecto'\n"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(
    "path",
    [SCRIPT, REPO / "fixtures" / "seed_numbers.py", *sorted(BUILDER.glob("*.py"))],
    ids=lambda path: path.name,
)
def test_parser_modules_import_nothing_from_django(path):
    assert not re.search(r"^\s*(from|import)\s+django", path.read_text(encoding="utf-8"), flags=re.M)


def test_building_loads_no_django_module_not_even_through_the_register_reader():
    # The builder reuses municipalities' register reader and name rule: they must stay plain Python.
    probe = (
        "import sys, fixtures.per0601011_builder.build; print(sorted(m for m in sys.modules if m.startswith('django')))"
    )
    done = subprocess.run(  # noqa: S603 - our own interpreter
        [sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
