"""Certificate throughput: rendering alone, and bulk issuing per worker.

1. Rendering alone: the course-completion template drawn to PDF bytes in one
   process, nothing else (no database, no storage): PDFs/s.
2. Bulk issuing: a batch of N certificates processed in chunks by the same
   code a Celery worker runs for ``certificate_batch_chunk_task`` (database,
   serial counter, rendering, audit log, storage), in this one process, so
   the rate is per worker. Run at 1,000 and 10,000 certificates; the
   per-certificate cost at 10,000 should be within 20% of that at 1,000, and
   at least half the rendering-alone rate. The process's resident memory is
   sampled after every chunk; its peak is reported.

By default on a throwaway SQLite database and media folder in a temporary
directory; ``--database-url`` names an empty database instead, e.g.
``postgres://postgres:postgres@127.0.0.1:5432/lms_certs``. Teachers come from
``seed_demo``; migrations and seeding are not timed.

    .venv/bin/python bench/bench_certificates.py --sizes 1000 10000
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from benchkit import Summary

REPO = Path(__file__).resolve().parent.parent
# Bulk issuing per worker against rendering alone (CPU time), and the cost
# per certificate of the largest batch against the smallest.
BULK_SHARE_TARGET = 0.50
MAX_COST_GROWTH = 1.20


def rss_mb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def bench_rendering(count):
    from certificates.fonts import certificate_font
    from certificates.models import CertificateTemplate
    from certificates.rendering import render_certificate_pdf
    from certificates.templating import SAMPLE_VALUES, template_snapshot

    template = CertificateTemplate.objects.get(kind="course", is_default=True)
    certificate_font()
    render_certificate_pdf(template_snapshot(template, SAMPLE_VALUES), serial="X", check_code="ABCDEF",
                           verify_url="https://example.cn/v/x/")
    names = ["张伟", "欧阳娜娜", "李秀英", "王建国", "司马相如", "陈静"]
    cpu_started = time.process_time()
    started = time.perf_counter()
    size = 0
    for n in range(count):
        values = {**SAMPLE_VALUES, "name": names[n % len(names)], "serial": f"JNKJ-2026-{n:06d}"}
        pdf = render_certificate_pdf(template_snapshot(template, values), serial=values["serial"],
                                     check_code="ABCDEF", verify_url=f"https://example.cn/certificates/v/{n:043d}/")
        size += len(pdf)
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    return count / seconds, count / cpu, size / count


def bench_bulk(size, chunk_size, label):
    from django.db import connection

    from certificates.models import CertificateTemplate, IssueBatch, IssueBatchItem
    from certificates.services import issue_batch_process
    from lms.models import TeacherProfile

    template = CertificateTemplate.objects.get(kind="course", is_default=True)
    holders = list(TeacherProfile.objects.order_by("pk").values_list("pk", flat=True)[:size])
    if len(holders) < size:
        raise SystemExit(f"only {len(holders)} teachers; seed more with --teachers")
    batch = IssueBatch.objects.create(template=template, kind=template.kind, description=label, total=size)
    IssueBatchItem.objects.bulk_create(
        [IssueBatchItem(batch=batch, holder_id=pk, subject_key=f"bench:{label}", subject_label="小学科学探究式教学实践专题培训",
                        hours=24) for pk in holders],
        batch_size=2000,
    )
    pks = list(batch.items.order_by("pk").values_list("pk", flat=True))
    samples = []
    chunk_seconds = []
    cpu_started = time.process_time()
    started = time.perf_counter()
    for start in range(0, len(pks), chunk_size):
        chunk_started = time.perf_counter()
        issue_batch_process(batch=batch, item_pks=pks[start:start + chunk_size])
        chunk_seconds.append(time.perf_counter() - chunk_started)
        samples.append(rss_mb())
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    done = batch.items.filter(status="done").count()
    assert done == size, (done, size)
    connection.close()
    tenth = max(1, len(chunk_seconds) // 10)
    first = sum(chunk_seconds[:tenth]) / (tenth * chunk_size) * 1000
    last = sum(chunk_seconds[-tenth:]) / (tenth * chunk_size) * 1000
    return seconds, cpu, samples, (first, last)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--render", type=int, default=300, help="PDFs to render for the rendering-alone figure")
    parser.add_argument("--chunk-size", type=int, default=50)
    parser.add_argument("--database-url")
    parser.add_argument("--json", metavar="PATH", help="also write the figures and budgets as JSON (make bench)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="lms-bench-certs-") as var_dir:
        os.environ["LMS_VAR_DIR"] = var_dir
        os.environ["MEDIA_ROOT"] = str(Path(var_dir) / "media")
        os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{var_dir}/db.sqlite3"
        os.environ["DJANGO_SETTINGS_MODULE"] = "lms.settings.dev"
        os.environ["DEBUG"] = "0"  # no query log growing in memory
        os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.dummy.EmailBackend"
        os.environ.setdefault("LOG_LEVEL", "WARNING")
        sys.path.insert(0, str(REPO))

        import io

        import django
        from django.core.management import call_command
        from django.db import connection

        django.setup()
        call_command("migrate", verbosity=0, interactive=False)
        call_command("seed_demo", teachers=max(args.sizes) + 10, stdout=io.StringIO())

        from certificates.fonts import certificate_font

        font = certificate_font()
        print(f"database          {connection.vendor}")
        print(f"font              {font.path or font.name} (embedded: {font.embedded})")
        rate, cpu_rate, average_size = bench_rendering(args.render)
        print(f"rendering alone   {rate:.1f} PDFs/s wall, {cpu_rate:.1f} PDFs per CPU-second "
              f"({args.render} PDFs, {average_size / 1024:.1f} KiB each)")
        results = {}
        summary = Summary("certificates")
        summary.add("rendering alone", cpu_rate, unit="PDFs per CPU-second")
        for size in args.sizes:
            seconds, cpu, samples, (first, last) = bench_bulk(size, args.chunk_size, f"n{size}")
            per = seconds / size * 1000
            results[size] = (per, cpu / size * 1000)
            print(
                f"bulk issue {size:>6}  {size / seconds:.1f} certificates/s wall ({per:.2f} ms each, "
                f"{size / seconds / rate:.0%} of rendering alone); {size / cpu:.1f} per CPU-second "
                f"({cpu / size * 1000:.2f} ms, {size / cpu / cpu_rate:.0%}); RSS first/last chunk "
                f"{samples[0]:.0f}/{samples[-1]:.0f} MB, max sampled {max(samples):.0f} MB; "
                f"first/last tenth {first:.2f}/{last:.2f} ms each"
            )
            summary.add(f"bulk issue of {size:,} ÷ rendering alone (CPU)", size / cpu / cpu_rate,
                        budget=BULK_SHARE_TARGET, kind="min")
        if len(results) > 1:
            small, large = min(results), max(results)
            print(f"cost ratio        wall {results[large][0] / results[small][0]:.2f}, "
                  f"CPU {results[large][1] / results[small][1]:.2f} ({large} vs {small})")
            summary.add(f"CPU per certificate at {large:,} ÷ at {small:,}", results[large][1] / results[small][1],
                        budget=MAX_COST_GROWTH)
        print(f"peak RSS          {peak_rss_mb():.0f} MB (whole process, seeding included)")
        summary.add("peak RSS", peak_rss_mb(), unit="MB")
        summary.write(args.json)
        return 0 if summary.ok else 1


if __name__ == "__main__":
    sys.exit(main())
