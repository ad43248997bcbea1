"""Run every benchmark in bench/ and print one table of figures against
their budgets (``make bench``; ``make bench QUICK=1`` for smaller sizes).

    .venv/bin/python bench/run_all.py [--quick] [--only load dashboard]
        [--database-url postgres://postgres:postgres@127.0.0.1:5432/lms_bench]

Each bench runs in its own process with ``--json``, its full output going
to ``var/bench/<name>.log``; the PostgreSQL benches each drop and recreate
their own database, named after ``--database-url`` with a suffix. A bench
that stops without its figures shows as such in the table. The exit status
is 1 when a figure is over its budget or a bench did not finish.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
DEFAULT_DATABASE_URL = "postgres://postgres:postgres@127.0.0.1:5432/lms_bench"


def benches(*, quick, database_url, broker_url):
    """(name, script, arguments) for each benchmark, full size or quick."""
    broker = ["--broker-url", broker_url] if broker_url else []
    return [
        ("seed_demo", "bench_seed_demo.py", ["--teachers", "5000" if quick else "50000"]),
        ("import", "bench_import.py", ["--rows", "5000" if quick else "50000"]),
        ("certificates", "bench_certificates.py",
         ["--sizes", "100", "1000", "--render", "100"] if quick else []),
        ("dashboard", "bench_dashboard.py", ["--database-url", f"{database_url}_dash"]
         + (["--teachers", "3000", "--entries", "20000", "200000", "--credits", "400"] if quick else [])),
        ("lesson_page", "bench_lesson_page.py", ["--database-url", f"{database_url}_lesson", *broker]
         + (["--completions", "300", "--rounds", "2", "--seconds", "3"] if quick else [])),
        ("load", "load/run_load.py", ["--database-url", f"{database_url}_load", *broker]
         + (["--teachers", "3000", "--learners", "200", "--users", "10", "25", "50", "--seconds", "15"]
            if quick else [])),
    ]


def shown(value):
    if value is None:
        return ""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.2f}"
    return f"{value:,.0f}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes: minutes rather than the best part of an hour")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="run only these benches")
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL,
                        help="PostgreSQL database name prefix for the benches that need one (dropped and recreated)")
    parser.add_argument("--broker-url", help="Redis for the benches that queue Celery tasks (emptied)")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)

    logs = REPO / "var" / "bench"
    logs.mkdir(parents=True, exist_ok=True)
    selected = benches(quick=args.quick, database_url=args.database_url, broker_url=args.broker_url)
    unknown = set(args.only or ()) - {name for name, _script, _arguments in selected}
    if unknown:
        parser.error(f"no such bench: {', '.join(sorted(unknown))}")
    rows, all_ok = [], True
    for name, script, arguments in selected:
        if args.only and name not in args.only:
            continue
        summary_path = logs / f"{name}.json"
        summary_path.unlink(missing_ok=True)
        log_path = logs / f"{name}.log"
        print(f"{name}: running {script} {' '.join(arguments)} (output in {log_path.relative_to(REPO)})")
        started = time.monotonic()
        with open(log_path, "w") as log:
            completed = subprocess.run([sys.executable, str(BENCH / script), *arguments, "--json", str(summary_path)],
                                       cwd=REPO, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
        print(f"{name}: finished in {time.monotonic() - started:.0f} s (exit status {completed.returncode})")
        if not summary_path.exists():
            rows.append((name, f"did not finish (exit status {completed.returncode}, see its log)", "", "", "", "FAIL"))
            all_ok = False
            continue
        for figure in json.loads(summary_path.read_text())["figures"]:
            budget = ""
            if figure["budget"] is not None:
                budget = ("≤ " if figure["kind"] == "max" else "≥ ") + shown(figure["budget"])
            verdict = {True: "ok", False: "OVER" if figure["kind"] == "max" else "UNDER", None: ""}[figure["ok"]]
            all_ok &= figure["ok"] is not False
            rows.append((name, figure["figure"], shown(figure["measured"]), figure["unit"], budget, verdict))

    headers = ("bench", "figure", "measured", "unit", "budget", "ok?")
    widths = [max(len(str(row[column])) for row in [headers, *rows]) for column in range(len(headers))]
    print()
    for row in [headers, tuple("-" * width for width in widths), *rows]:
        print("  ".join(str(cell).rjust(width) if column == 2 else str(cell).ljust(width)
                        for column, (cell, width) in enumerate(zip(row, widths))).rstrip())
    print(f"\nmachine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} now"
          " (figures are wall-clock on this machine; see docs/performance.md)")
    return 0 if all_ok else 1


if __name__ == "__main__":
    sys.exit(main())
