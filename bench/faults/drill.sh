#!/usr/bin/env bash
# The academy's fault drill: real faults against a staging academy, then the
# checks that must hold (docs/operations.md, "The fault drill").
#
#   bench/faults/drill.sh kill-worker | redis-down | disk-full | postgres-restart | all
#
# Environment: DATABASE_URL (a staging database: the drill adds teachers
# DRILL…), DJANGO_SETTINGS_MODULE (default lms.settings.dev), PYTHON (default
# .venv/bin/python). The drill runs its own redis-server on DRILL_REDIS_PORT
# (default 6390) and its own workers; it never touches another Redis.
# postgres-restart restarts the whole PostgreSQL cluster DRILL_PG_CLUSTER
# (e.g. "15 main") and refuses to run without DRILL_PG_MINE=1: never run it
# on a PostgreSQL that other people use. disk-full mounts a 16 MB tmpfs (root).
set -euo pipefail
cd "$(dirname "$0")/../.."

PYTHON=${PYTHON:-.venv/bin/python}
export DJANGO_SETTINGS_MODULE=${DJANGO_SETTINGS_MODULE:-lms.settings.dev}
PORT=${DRILL_REDIS_PORT:-6390}
export CELERY_BROKER_URL="redis://127.0.0.1:${PORT}/0"
# A killed worker's task comes back within seconds, not the production 15 minutes.
export LMS_CELERY_VISIBILITY_TIMEOUT=${LMS_CELERY_VISIBILITY_TIMEOUT:-5}
export LMS_CELERY_UNACKED_RESTORE_INTERVAL=${LMS_CELERY_UNACKED_RESTORE_INTERVAL:-2}
export LMS_OUTBOX_RESEND_AFTER=0
# Small chunks, so a fault lands in the middle of a batch.
export CERTIFICATES_BATCH_CHUNK_SIZE=${CERTIFICATES_BATCH_CHUNK_SIZE:-5}
WORK=$(mktemp -d /tmp/academy-drill.XXXXXX)
REDIS_PID="" WORKER_PID=""

say() { printf '\n== %s\n' "$*"; }
step() { DRILL_STEP=$1 DRILL_ARGS="${*:2}" "$PYTHON" manage.py shell -c \
    "import runpy; runpy.run_path('bench/faults/drill.py', run_name='drill')"; }

redis_start() {
    redis-server --port "$PORT" --bind 127.0.0.1 --save "" --appendonly no --daemonize no \
        --dir "$WORK" >"$WORK/redis.log" 2>&1 &
    REDIS_PID=$!
    for _ in $(seq 50); do redis-cli -p "$PORT" ping >/dev/null 2>&1 && return; sleep 0.1; done
    echo "redis-server did not start" >&2; exit 1
}
redis_kill() { [ -n "$REDIS_PID" ] && kill -9 "$REDIS_PID" 2>/dev/null; wait "$REDIS_PID" 2>/dev/null || true; REDIS_PID=""; }

worker_start() {
    "$PYTHON" -m celery -A lms worker --pool=solo --loglevel=INFO -n "drill-$RANDOM@%h" \
        >>"$WORK/worker.log" 2>&1 &
    WORKER_PID=$!
}
worker_kill() { [ -n "$WORKER_PID" ] && kill -"${1:-9}" "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null || true; WORKER_PID=""; }

MOUNTED=""
cleanup() { worker_kill TERM; redis_kill; [ -n "$MOUNTED" ] && umount "$MOUNTED"; return 0; }
trap cleanup EXIT

wait_batch_done() {
    local batch=$1 limit=${2:-300}
    for _ in $(seq "$limit"); do
        read -r status done total < <(step batch_progress "$batch" | tail -1)
        echo "   batch $batch: $status $done/$total"
        [ "$status" = done ] && return 0
        sleep 1
    done
    return 1
}

wait_some_done() {
    local batch=$1
    for _ in $(seq 300); do
        read -r _status done _total < <(step batch_progress "$batch" | tail -1)
        [ "$done" -gt 0 ] && return 0
        sleep 0.2
    done
    return 1
}

sweep() { "$PYTHON" manage.py sweep_pending_tasks --include-failed || true; }

drill_kill_worker() {
    say "A worker killed (SIGKILL) in the middle of a bulk issue"
    redis_start; worker_start
    batch=$(step bulk_issue | tail -1)
    wait_some_done "$batch"
    worker_kill 9
    echo "   worker killed at: $(step batch_progress "$batch" | tail -1)"
    worker_start
    sweep
    wait_batch_done "$batch"
    step check
    worker_kill TERM; redis_kill
}

drill_redis_down() {
    say "Redis unreachable while HR starts a bulk issue"
    redis_start; redis_kill
    batch=$(step bulk_issue | tail -1)   # the request succeeds; its chunks wait in the outbox
    echo "   batch $batch created with the broker down"
    redis_start; worker_start
    sweep
    wait_batch_done "$batch"
    step check
    worker_kill TERM; redis_kill
}

drill_disk_full() {
    say "The media disk is full while certificates are issued"
    local media="$WORK/media"
    mkdir -p "$media"
    mount -t tmpfs -o size=16m drill-media "$media"
    MOUNTED=$media
    # Room for a handful of PDFs (about 30 KB each), then ENOSPC.
    head -c 16200k /dev/zero >"$media/filler" || true
    redis_start
    MEDIA_ROOT="$media" PRIVATE_MEDIA_ROOT="$media/private" worker_start
    batch=$(MEDIA_ROOT="$media" PRIVATE_MEDIA_ROOT="$media/private" step bulk_issue | tail -1)
    sleep 10
    step batch_progress "$batch"
    echo "   freeing the disk, then restarting the batch's failed items"
    rm -f "$media/filler"
    MEDIA_ROOT="$media" PRIVATE_MEDIA_ROOT="$media/private" "$PYTHON" manage.py shell -c \
        "from certificates.models import IssueBatch; from certificates.services import issue_batch_restart; issue_batch_restart(batch=IssueBatch.objects.get(pk=$batch))"
    wait_batch_done "$batch"
    MEDIA_ROOT="$media" PRIVATE_MEDIA_ROOT="$media/private" step check
    worker_kill TERM; redis_kill
}

drill_postgres_restart() {
    say "PostgreSQL restarted in the middle of a bulk issue"
    if [ "${DRILL_PG_MINE:-}" != 1 ] || [ -z "${DRILL_PG_CLUSTER:-}" ]; then
        echo "   refused: set DRILL_PG_CLUSTER (e.g. '15 main') and DRILL_PG_MINE=1, on a PostgreSQL only you use" >&2
        return 1
    fi
    redis_start; worker_start
    batch=$(step bulk_issue | tail -1)
    wait_some_done "$batch"
    # shellcheck disable=SC2086
    pg_ctlcluster $DRILL_PG_CLUSTER restart
    echo "   PostgreSQL restarted"
    sleep 5
    # Items that failed while the database was away are tried again.
    "$PYTHON" manage.py shell -c \
        "from certificates.models import IssueBatch; from certificates.services import issue_batch_restart; issue_batch_restart(batch=IssueBatch.objects.get(pk=$batch))"
    sweep
    wait_batch_done "$batch"
    step check
    worker_kill TERM; redis_kill
}

say "Setting up drill teachers in ${DATABASE_URL:-the default database}"
step setup >/dev/null
case "${1:-all}" in
    kill-worker) drill_kill_worker ;;
    redis-down) drill_redis_down ;;
    disk-full) drill_disk_full ;;
    postgres-restart) drill_postgres_restart ;;
    all) drill_kill_worker; drill_redis_down; drill_disk_full; drill_postgres_restart ;;
    *) echo "usage: $0 kill-worker|redis-down|disk-full|postgres-restart|all" >&2; exit 2 ;;
esac
say "Drill finished; logs in $WORK"
