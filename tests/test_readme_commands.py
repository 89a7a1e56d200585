"""README.md's commands work as written (scripts/readme_commands runs its marked blocks).

CI runs the PostgreSQL, production and production moderator blocks in .ci/run (they start
servers and run the whole suite); here, the development moderator and maintained-figures
blocks on a fresh SQLite database, and the runner's own rules.
"""

import importlib.machinery
import importlib.util
import os
import sqlite3
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
RUNNER = ROOT / "scripts" / "readme_commands"


def _runner_module():
    loader = importlib.machinery.SourceFileLoader("readme_commands", str(RUNNER))
    spec = importlib.util.spec_from_loader("readme_commands", loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


readme_commands = _runner_module()


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(RUNNER), *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_the_readme_marks_every_block_ci_runs():
    assert list(readme_commands.readme_blocks()) == [
        "postgres",
        "production",
        "production-http",
        "healthz",
        "maintained-figures",
        "api-example",
        "moderator-development",
        "moderator-production",
    ]


def test_the_development_moderator_and_figures_commands_work_as_written(tmp_path):
    database = tmp_path / "fresh.sqlite3"

    result = run(
        f"--env=DATABASE_URL=sqlite:///{database}",
        "--answer",
        "Password",
        "a-moderator-Passw0rd",
        "--expect",
        "Superuser created successfully.",
        "moderator-development",
        "maintained-figures",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "No drift: every figure equals a recount of its source rows." in result.stdout
    with sqlite3.connect(database) as db:
        users = db.execute("SELECT email, is_staff, is_superuser FROM directory_user").fetchall()
    assert users == [("you@example.org", 1, 1)]


def test_a_block_that_fails_fails_the_run(tmp_path):
    # No DATABASE_URL and no DEBUG: the production moderator command cannot load its settings.
    result = run("moderator-production")

    assert result.returncode == 1
    errors = result.stderr.strip().splitlines()
    assert "SECRET_KEY must be set when DEBUG is off" in errors[-2]
    assert errors[-1] == "README block moderator-production failed (exit 1)"


def test_blocks_run_in_the_environment_of_a_fresh_shell(tmp_path):
    session = readme_commands.Session(
        readme_commands.argparse.Namespace(port=8123, env=["A=b=c"], answer=[]), tmp_path
    )

    assert session.env.keys() <= {*readme_commands.KEPT, "CURL_HOME", "PORT", "A"}
    assert (session.env["PORT"], session.env["A"]) == ("8123", "b=c")
    assert "DEBUG" in os.environ  # pytest-env sets it; a fresh shell would not have it
    assert (tmp_path / ".curlrc").read_text() == "fail\nsilent\nshow-error\n"


@pytest.mark.parametrize(
    ("written", "run_as"),
    [
        ("createdb -h 127.0.0.1 -U postgres ims", "createdb -h 127.0.0.1 -U postgres ims_x"),
        (
            "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ims",
            "export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ims_x",
        ),
        ("export ALLOWED_HOSTS=ims.example.org", "export ALLOWED_HOSTS=ims.example.org"),
        ("scripts/test   # creates test_ims", "scripts/test   # creates test_ims"),
        ("curl http://127.0.0.1:8000/healthz", "curl http://127.0.0.1:8555/healthz"),
    ],
)
def test_only_the_database_name_and_the_port_are_substituted(written, run_as):
    assert readme_commands.substituted(written, db="ims_x", port=8555) == run_as


def test_a_json_comment_is_the_output_a_curl_line_must_print():
    block = 'curl http://127.0.0.1:8000/healthz   # {"status": "ok", "database": "ok"}\n'

    assert readme_commands.expected_json(block) == [{"status": "ok", "database": "ok"}]
    assert readme_commands.printed_json('{"database": "ok", "status": "ok"}') == [
        {"status": "ok", "database": "ok"}
    ]
    assert readme_commands.expected_json("curl http://x/  # prints the list\n") == []
