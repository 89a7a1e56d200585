"""scripts/fault_drill's judgement of one phase (scripts/fault_drill.d/verdict.py): phase A
passes only when every response is 2xx; phase B (backends killed) only with no 500, no 4xx
and at most one 503 per backend killed; neither with a request lost to a socket error."""

import importlib.util
from pathlib import Path

import pytest

VERDICT = Path(__file__).resolve().parents[1] / "scripts" / "fault_drill.d" / "verdict.py"
spec = importlib.util.spec_from_file_location("fault_drill_verdict", VERDICT)
verdict = importlib.util.module_from_spec(spec)
spec.loader.exec_module(verdict)

TOTAL = (
    "TOTAL requests=10 rps=5.0 p50=12.0 p95=30.0 p99=40.0 socket_errors={socket} "
    "connect=0 read={socket} write=0 timeout=0 unfinished=2"
)


def output(*, review: str = "2xx=4", socket: int = 0) -> str:
    classes = {"2xx": 0, "4xx": 0, "500": 0, "503": 0, "5xx": 0, "other": 0, "lost": 0}
    review_counts = classes | {k: int(v) for k, v in (p.split("=") for p in review.split())}
    lines = [
        "Running 10s test @ http://127.0.0.1:8798",
        "ENDPOINT name=detail sent=6 "
        + " ".join(f"{k}={v}" for k, v in (classes | {"2xx": 6}).items()),
        "ENDPOINT name=review sent=4 " + " ".join(f"{k}={v}" for k, v in review_counts.items()),
        TOTAL.format(socket=socket),
        "SAMPLE review 503 {...}",
    ]
    return "\n".join(lines)


def failed(name: str, text: str, killed: int | None) -> list[str]:
    return [line for ok, line in verdict.criteria(name, verdict.parse(text), killed) if not ok]


def test_the_output_is_read_per_endpoint():
    phase = verdict.parse(output(review="2xx=3 503=1"))

    assert phase.endpoints["review"] == {
        "sent": 4,
        "2xx": 3,
        "4xx": 0,
        "500": 0,
        "503": 1,
        "5xx": 0,
        "other": 0,
        "lost": 0,
    }
    assert phase.count("2xx") == 9
    assert phase.total["unfinished"] == 2
    assert phase.samples == ["review 503 {...}"]


def test_an_output_without_the_mix_results_is_refused():
    with pytest.raises(ValueError, match="no ENDPOINT or TOTAL lines"):
        verdict.parse("Running 10s test @ http://127.0.0.1:8798\n")


@pytest.mark.parametrize(
    ("review", "socket", "failures"),
    [
        ("2xx=4", 0, []),
        ("2xx=3 4xx=1", 0, ["A: every response 2xx (1 non-2xx)"]),
        ("2xx=3 503=1", 0, ["A: every response 2xx (1 non-2xx)"]),
        (
            "2xx=3 lost=1",
            1,
            ["A: no request lost to a socket error (1 lost, 1 socket errors)"],
        ),
    ],
)
def test_phase_a_passes_only_when_every_response_is_2xx(review, socket, failures):
    assert failed("A", output(review=review, socket=socket), None) == failures


@pytest.mark.parametrize(
    ("review", "killed", "failures"),
    [
        ("2xx=2 503=2", 2, []),
        ("2xx=2 503=2", 5, []),
        ("2xx=1 503=3", 2, ["B: 5xx at most one per backend killed (3 <= 2)"]),
        (
            "2xx=3 5xx=1",
            0,
            [
                "B: backends were killed (0)",
                "B: 5xx at most one per backend killed (1 <= 0)",
            ],
        ),
        ("2xx=3 500=1", 4, ["B: no 500 (1)"]),
        ("2xx=3 4xx=1", 4, ["B: no 4xx or other status (1)"]),
        ("2xx=3 lost=1", 4, ["B: no request lost to a socket error (1 lost, 0 socket errors)"]),
    ],
)
def test_phase_b_allows_one_503_per_backend_killed_and_nothing_else(review, killed, failures):
    assert failed("B", output(review=review), killed) == failures
