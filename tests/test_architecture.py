"""The import contracts of pyproject.toml ([tool.importlinter]) hold, and they have teeth: a
forbidden import added to a copy of the code breaks the named contract. scripts/test runs
`lint-imports` too; this keeps the contracts themselves from being loosened unnoticed."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
PACKAGES = ("directory", "matching", "web", "interop")


def _lint(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def copy_of_the_code(tmp_path: Path) -> Path:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("*.pyc"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def test_the_code_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


@pytest.mark.parametrize(
    "module, forbidden_import, contract",
    [
        ("directory/rules.py", "import matching.scoring", "directory never imports matching"),
        ("directory/rules.py", "import interop.outcome", "directory never imports matching"),
        ("interop/outcome.py", "import web.views.search", "nothing imports web"),
        (
            "web/views/search.py",
            "import directory.serializers.me",
            "web reads directory through services",
        ),
        ("web/views/search.py", "import directory.apis.me", "web reads directory through services"),
        ("matching/services.py", "import web.views.search", "nothing imports web"),
        ("matching/scoring.py", "import django.db", "matching.scoring is pure"),
        ("matching/scoring.py", "import directory.models", "matching.scoring is pure"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    copy_of_the_code, module, forbidden_import, contract
):
    path = copy_of_the_code / module
    path.write_text(path.read_text() + f"\n{forbidden_import}  # noqa\n")

    result = _lint(copy_of_the_code)

    assert result.returncode == 1
    broken = result.stdout.split("Broken contracts", 1)[1]
    assert contract in " ".join(broken.split())
    assert "Contracts: 3 kept, 1 broken." in result.stdout
