#!/usr/bin/env bash
# Run ERP Portal locally: the web app, a Celery worker and Celery beat, under one supervisor.
#
#   scripts/run.sh        (normally through `make run`, which installs .venv first)
#
# 1. migrate; on a database with no users yet, load the demo data (manage.py seed_demo) in
#    development; in production (DJANGO_DEBUG=0) only with ERP_PORTAL_DEMO=1, otherwise print
#    how to create the first admin (manage.py create_admin --account "Your Company");
# 2. start web, worker and beat, each in its own process group, their output prefixed here
#    and copied to var/log/<name>.log;
# 3. Ctrl-C (or SIGTERM/SIGHUP) stops all three: SIGTERM to each group, up to STOP_TIMEOUT
#    seconds for a warm shutdown, then SIGKILL. If any of them exits by itself, the others
#    are stopped too and the script exits non-zero.
#
# Environment:
#   PORT (8000), HOST (127.0.0.1)      where the web app listens
#   PORTAL_URL (http://HOST:PORT)      the address emails link to (e.g. https://erp.example.com
#                                      behind a proxy); passed on to web, worker and beat
#   DJANGO_DEBUG (1)                   1: Django's runserver (auto-reload, static files served from
#                                      the source tree, no secret needed). 0: production settings
#                                      with gunicorn + collectstatic; needs DJANGO_SECRET_KEY.
#   DATABASE_URL, CELERY_BROKER_URL    default SQLite and the filesystem broker under var/
#   ERP_PORTAL_VAR_DIR (var)           database, broker folders, logs and pidfiles
#   ERP_PORTAL_DEMO (unset)            first-run demo data (users with password "demo", a
#                                      superuser "admin"): unset = load it only when DJANGO_DEBUG=1;
#                                      1 = load it even in production; 0 = never. (SEED_DEMO=0, the
#                                      older switch, still skips it in development.)
#   CELERY_CONCURRENCY (2), STOP_TIMEOUT (20), VENV_BIN (.venv/bin)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

VENV_BIN="${VENV_BIN:-$ROOT/.venv/bin}"
PY="$VENV_BIN/python"
if [[ ! -x "$PY" ]]; then
    echo "run.sh: $PY not found; run 'make install' (or 'make run') first." >&2
    exit 1
fi

export DJANGO_DEBUG="${DJANGO_DEBUG:-1}"
export PYTHONUNBUFFERED=1
HOST="${HOST:-127.0.0.1}"
PORT="${PORT:-8000}"
URL="http://$HOST:$PORT"
# Emails (sent by the worker and beat too) link here; set it to the address people use.
export PORTAL_URL="${PORTAL_URL:-$URL}"
VAR_DIR="${ERP_PORTAL_VAR_DIR:-$ROOT/var}"
LOG_DIR="$VAR_DIR/log"
RUN_DIR="$VAR_DIR/run"
STOP_TIMEOUT="${STOP_TIMEOUT:-20}"
mkdir -p "$LOG_DIR" "$RUN_DIR"

case "${DJANGO_DEBUG,,}" in
    1 | true | yes | on) PRODUCTION=0 ;;
    *) PRODUCTION=1 ;;
esac
if ((PRODUCTION)); then
    if [[ -z "${DJANGO_SECRET_KEY:-}" ]]; then
        echo "run.sh: DJANGO_DEBUG=$DJANGO_DEBUG needs DJANGO_SECRET_KEY (or leave DJANGO_DEBUG unset)." >&2
        exit 1
    fi
    # Served over plain http on this machine: do not redirect to https.
    export DJANGO_SECURE_SSL_REDIRECT="${DJANGO_SECURE_SSL_REDIRECT:-0}"
fi

if (exec 3<>"/dev/tcp/$HOST/$PORT") 2>/dev/null; then
    echo "run.sh: something already listens on $HOST:$PORT; stop it or choose another PORT=..." >&2
    exit 1
fi

say() { printf '\033[1m==> %s\033[0m\n' "$*"; }

db_label() {
    if [[ -n "${DATABASE_URL:-}" ]]; then
        # Never print a password from the URL.
        sed -E 's#://([^:@/]*):[^@/]*@#://\1:***@#' <<<"$DATABASE_URL"
    else
        echo "SQLite ($VAR_DIR/erp_portal.sqlite3)"
    fi
}

say "Database: $(db_label); broker: ${CELERY_BROKER_URL:-filesystem ($VAR_DIR/broker)}"
"$PY" scripts/ensure_database.py
say "Applying migrations"
"$PY" manage.py migrate --noinput

# First run = a database without any user: the demo data in development, in production only
# when asked (ERP_PORTAL_DEMO=1); otherwise how to create the first admin (scripts/first_run.py).
"$PY" scripts/first_run.py

if ((PRODUCTION)); then
    say "Collecting static files"
    "$PY" manage.py collectstatic --noinput --verbosity 0
    WEB=("$VENV_BIN/gunicorn" erp_portal.wsgi:application --bind "$HOST:$PORT"
        --workers "${WEB_CONCURRENCY:-2}" --access-logfile - --pid "$RUN_DIR/gunicorn.pid"
        --control-socket "$RUN_DIR/gunicorn.ctl")
else
    WEB=("$PY" manage.py runserver "$HOST:$PORT")
fi
WORKER=("$VENV_BIN/celery" -A erp_portal worker --loglevel INFO
    --concurrency "${CELERY_CONCURRENCY:-2}" --without-gossip --without-mingle
    --pidfile "$RUN_DIR/celery-worker.pid")
BEAT=("$VENV_BIN/celery" -A erp_portal beat --loglevel INFO
    -S django_celery_beat.schedulers:DatabaseScheduler
    --pidfile "$RUN_DIR/celerybeat.pid" --schedule "$RUN_DIR/celerybeat-schedule")

PIDS=()
NAMES=()
STOPPING=0
FORCE=0

# Copy a process's output to its log file and to the terminal, each line prefixed with its
# name. The pipeline ignores INT/TERM so it outlives a Ctrl-C long enough to show the
# shutdown messages; it ends when the process closes its output.
relay() {
    trap '' INT TERM HUP
    tee -a "$LOG_DIR/$1.log" | sed -u "s/^/$(printf '%-6s' "$1") | /"
}

start() {
    local name=$1
    shift
    printf '\n===== %s: started %s =====\n' "$name" "$(date '+%F %T')" >>"$LOG_DIR/$name.log"
    # setsid: a process group of its own, so Ctrl-C reaches only this script, which then
    # stops each group in order (runserver's reloader child, the worker's pool, ...).
    setsid "$@" </dev/null > >(relay "$name") 2>&1 &
    PIDS+=("$!")
    NAMES+=("$name")
}

group_alive() { kill -0 -- "-$1" 2>/dev/null; }

# Stop order per process: SIGTERM to the process itself, which shuts its own children down
# (the worker's warm shutdown stops its pool; gunicorn's master its workers). Once it has
# exited, SIGTERM to whatever is left in its group (runserver's auto-reload child). After
# STOP_TIMEOUT seconds, or on a second Ctrl-C, SIGKILL to the groups still alive.
stop_all() {
    ((STOPPING)) && return
    STOPPING=1
    trap 'FORCE=1' INT
    trap '' TERM HUP
    ((${#PIDS[@]})) || return 0
    say "Stopping web, worker and beat (Ctrl-C again to kill at once)"
    local pid left
    local -A group_termed=()
    for pid in "${PIDS[@]}"; do
        kill -TERM "$pid" 2>/dev/null || true
    done
    local deadline=$((SECONDS + STOP_TIMEOUT))
    while :; do
        left=0
        for pid in "${PIDS[@]}"; do
            group_alive "$pid" || continue
            left=1
            if ! kill -0 "$pid" 2>/dev/null && [[ -z "${group_termed[$pid]:-}" ]]; then
                kill -TERM -- "-$pid" 2>/dev/null || true
                group_termed[$pid]=1
            fi
        done
        ((left && !FORCE && SECONDS < deadline)) || break
        sleep 0.2
    done
    for pid in "${PIDS[@]}"; do
        if group_alive "$pid"; then
            echo "run.sh: process group $pid did not stop in time; killing it" >&2
            kill -KILL -- "-$pid" 2>/dev/null || true
        fi
    done
    wait 2>/dev/null || true # reap the processes and let the log relays flush
    say "Stopped"
}

trap stop_all EXIT
trap 'exit 0' INT TERM
trap 'exit 129' HUP

start web "${WEB[@]}"
start worker "${WORKER[@]}"
start beat "${BEAT[@]}"

# Wait until the web app answers (any HTTP status), then print where to go.
health=""
for _ in $(seq 1 120); do
    kill -0 "${PIDS[0]}" 2>/dev/null || break
    if health=$("$PY" - "$URL/healthz" <<'EOF' 2>/dev/null
import json, sys, urllib.error, urllib.request
try:
    response = urllib.request.urlopen(sys.argv[1], timeout=2)
except urllib.error.HTTPError as exc:  # still an answer: 503 when the broker is down
    response = exc
try:
    print(json.loads(response.read())["status"])
except (ValueError, KeyError):
    print(f"HTTP {response.status}")
EOF
    ); then
        break
    fi
    health=""
    sleep 0.5
done

# The demo logins come from the seed's own table (demo.data), so they stay in step with
# seed_demo; the fixed list is a fallback should that module move. Production without the demo
# has none to show.
demo_asked="${ERP_PORTAL_DEMO:-}"
if ((PRODUCTION)) && [[ ! "${demo_asked,,}" =~ ^(1|true|yes|on)$ ]]; then
    logins="  Sign in as an administrator created with: $PY manage.py create_admin"
else
    logins=$("$PY" - 2>/dev/null <<'EOF'
from demo.data import DEMO_PASSWORD, DEMO_USERS

print(f"  Demo logins, password {DEMO_PASSWORD!r} for all:")
for username, role in DEMO_USERS:
    print(f"    {username:<10} {role}")
EOF
    ) || logins='  Demo logins, password "demo" for all:
    admin (superuser), erpadmin, approver, pm, viewer, nobody'
fi

cat <<EOF

  ERP Portal: $URL/  (health: ${health:-no answer yet} - $URL/healthz)
  Admin:      $URL/admin/        API docs: $URL/api/docs/

$logins

  Logs: $LOG_DIR/{web,worker,beat}.log    Stop: Ctrl-C

EOF

# Sleep until one of the three exits (a crash, or the port being taken) or a signal arrives.
wait -n "${PIDS[@]}" || true
for i in "${!PIDS[@]}"; do
    if ! kill -0 "${PIDS[$i]}" 2>/dev/null; then
        echo "run.sh: ${NAMES[$i]} exited; stopping the others (see $LOG_DIR/${NAMES[$i]}.log)" >&2
    fi
done
exit 1
