"""The apps depend one way, bottom to top (pyproject.toml's import-linter contract): the check
passes on the code as it is and fails when a lower app imports a higher one."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def copy_of_the_code(destination: Path) -> Path:
    """The project's packages and pyproject.toml, without tests, migrations or caches."""
    config = (ROOT / "pyproject.toml").read_text()
    shutil.copy(ROOT / "pyproject.toml", destination / "pyproject.toml")
    packages = config.split("root_packages = [", 1)[1].split("]", 1)[0]
    for package in (name.strip(' "\n') for name in packages.split(",") if name.strip(' "\n')):
        shutil.copytree(
            ROOT / package,
            destination / package,
            ignore=shutil.ignore_patterns("__pycache__", "migrations", "templates", "static"),
        )
    return destination


def lint_imports(directory: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=directory,
        env={"PYTHONPATH": str(directory), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_code_keeps_its_layers(tmp_path):
    result = lint_imports(copy_of_the_code(tmp_path))

    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(
    ("lower", "upward_import"),
    [
        ("participants", "from encounters.models import Encounter"),
        ("accounts", "import reports.measures"),
        ("supplies", "def later():\n    from referrals import services  # noqa\n"),
    ],
)
def test_an_upward_import_breaks_the_check(tmp_path, lower, upward_import):
    code = copy_of_the_code(tmp_path)
    (code / lower / "planted.py").write_text(upward_import + "\n")

    result = lint_imports(code)

    assert result.returncode != 0
    assert f"{lower}.planted" in result.stdout


LONGEST_MODULE_LINES = 600
NOT_MODULES = {".venv", ".git", "migrations", "tests", "vendor", "node_modules", "__pycache__"}


def modules_of_the_code():
    for path in sorted(ROOT.rglob("*")):
        relative = path.relative_to(ROOT)
        if path.suffix in {".py", ".js"} and not NOT_MODULES.intersection(relative.parts):
            yield relative, path


def test_no_module_is_longer_than_a_newcomer_can_read():
    too_long = {
        str(relative): lines
        for relative, path in modules_of_the_code()
        if (lines := len(path.read_text().splitlines())) > LONGEST_MODULE_LINES
    }

    assert not too_long, f"split by responsibility: {too_long}"


def test_the_module_length_check_sees_the_code():
    seen = {str(relative) for relative, _path in modules_of_the_code()}

    assert {"encounters/services.py", "static/js/offline/sw.js"} <= seen
    assert not any("migrations" in name or name.startswith("tests/") for name in seen)
