"""Reads one phase's wrk output (scripts/fault_drill.d/mix.lua), prints its table and its
criteria, and exits 1 when a criterion fails.

`verdict.py PHASE WRK_OUTPUT [BACKENDS_KILLED]`: phase A (no faults) must answer every
request 2xx; phase B (the service's backends killed, BACKENDS_KILLED of them in all) must
answer no 500 and no 4xx, and at most one 503 for each backend killed: a kill can fail only
the request then in flight on that connection. In both, no request may be lost to a socket
error. Criteria are printed as "CRITERION pass|FAIL <text>" lines for the drill's summary.
"""

import sys
from dataclasses import dataclass, field

CLASSES = ("2xx", "4xx", "500", "503", "5xx", "other", "lost")


@dataclass
class Phase:
    endpoints: dict[str, dict[str, int]] = field(default_factory=dict)
    total: dict[str, float] = field(default_factory=dict)
    samples: list[str] = field(default_factory=list)

    def count(self, key: str) -> int:
        return sum(counts[key] for counts in self.endpoints.values())


def _pairs(words: list[str]) -> dict[str, str]:
    return dict(word.split("=", 1) for word in words if "=" in word)


def parse(output: str) -> Phase:
    phase = Phase()
    for line in output.splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "ENDPOINT":
            pairs = _pairs(rest.split())
            endpoint = pairs.pop("name")
            phase.endpoints[endpoint] = {k: int(v) for k, v in pairs.items()}
        elif kind == "TOTAL":
            phase.total = {k: float(v) for k, v in _pairs(rest.split()).items()}
        elif kind == "SAMPLE":
            phase.samples.append(rest)
    if not phase.endpoints or not phase.total:
        raise ValueError("no ENDPOINT or TOTAL lines: wrk did not run the mix to its end")
    return phase


def criteria(name: str, phase: Phase, killed: int | None) -> list[tuple[bool, str]]:
    """(passed, text) for each criterion of the phase."""
    lost, socket_errors = phase.count("lost"), int(phase.total["socket_errors"])
    checks = [
        (
            lost == 0 and socket_errors == 0,
            f"{name}: no request lost to a socket error ({lost} lost, "
            f"{socket_errors} socket errors)",
        )
    ]
    if killed is None:
        non_2xx = sum(phase.count(c) for c in CLASSES if c not in ("2xx", "lost"))
        return [(non_2xx == 0, f"{name}: every response 2xx ({non_2xx} non-2xx)"), *checks]
    server_errors = phase.count("503") + phase.count("5xx")
    unexpected = phase.count("4xx") + phase.count("other")
    return [
        (killed > 0, f"{name}: backends were killed ({killed})"),
        (phase.count("500") == 0, f"{name}: no 500 ({phase.count('500')})"),
        (unexpected == 0, f"{name}: no 4xx or other status ({unexpected})"),
        (
            server_errors <= killed,
            f"{name}: 5xx at most one per backend killed ({server_errors} <= {killed})",
        ),
        *checks,
    ]


def table(phase: Phase) -> str:
    header = f"{'endpoint':<11} {'sent':>7}" + "".join(f" {c:>6}" for c in CLASSES)
    rows = [header]
    for endpoint, counts in phase.endpoints.items():
        cells = "".join(f" {counts[c]:>6}" for c in CLASSES)
        rows.append(f"{endpoint:<11} {counts['sent']:>7}{cells}")
    total = phase.total
    rows.append(
        f"{int(total['requests'])} responses, {total['rps']:.0f} req/s, p50 {total['p50']:.0f} ms, "
        f"p99 {total['p99']:.0f} ms; wrk socket errors {int(total['socket_errors'])} (connect "
        f"{int(total['connect'])}, read {int(total['read'])}, write {int(total['write'])}, "
        f"timeout {int(total['timeout'])}); {int(total['unfinished'])} cut off by the end"
    )
    rows.extend(f"  sample non-2xx: {sample}" for sample in phase.samples)
    return "\n".join(rows)


if __name__ == "__main__":
    name, path, *rest = sys.argv[1:]
    with open(path) as output:
        phase = parse(output.read())
    print(table(phase))
    results = criteria(name, phase, int(rest[0]) if rest else None)
    for passed, text in results:
        print(f"CRITERION {'pass' if passed else 'FAIL'} {text}")
    sys.exit(0 if all(passed for passed, _ in results) else 1)
