"""Time ``manage.py seed_demo --teachers 50000`` against its 60-second budget.

By default it runs on a throwaway SQLite database in a temporary directory
(the embedded setup of ``make run``). With ``--database-url`` it runs on that
database instead, which must exist and be empty, e.g.

    createdb -h 127.0.0.1 -U postgres lms_bench_seed
    .venv/bin/python bench/bench_seed_demo.py --database-url postgres://postgres@127.0.0.1:5432/lms_bench_seed

Migrations run first and are not timed.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

from benchkit import Summary

BUDGET_SECONDS = 60
REPO = Path(__file__).resolve().parent.parent


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--teachers", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--database-url", help="an empty database to use instead of a temporary SQLite file")
    parser.add_argument("--json", metavar="PATH", help="also write the figures and budgets as JSON (make bench)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lms-bench-seed-") as var_dir:
        os.environ["LMS_VAR_DIR"] = var_dir
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{var_dir}/db.sqlite3"
        # dev, not test: its password hasher is the one a real `make run` pays for.
        os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.dev"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(REPO))

        import django
        from django.core.management import call_command
        from django.db import connection

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)

        output = io.StringIO()
        started = time.perf_counter()
        call_command("seed_demo", teachers=args.teachers, seed=args.seed, stdout=output)
        seconds = time.perf_counter() - started

        print(f"database        {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"teachers        {args.teachers}")
        print(f"seconds         {seconds:.1f}")
        print(f"teachers/s      {args.teachers / seconds:,.0f}")
        print(f"budget ratio    {seconds / BUDGET_SECONDS:.2f} of {BUDGET_SECONDS} s")
        summary = Summary("seed_demo")
        summary.add(f"seed_demo, {args.teachers:,} teachers ({connection.vendor})", seconds, unit="s",
                    budget=BUDGET_SECONDS)
        summary.write(args.json)
        return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
