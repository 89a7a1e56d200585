# Sourced by scripts/dev and scripts/serve: `worker_start` runs the background worker
# (`manage.py db_worker`: the database task queue, which sends the e-mail) beside the web
# server, starts it again a few seconds after it stops (say the database restarted under it),
# and stops it when the script exits. Set WORKER=false to run the web server alone (another
# host runs the worker).
worker_start() {
  case "${WORKER:-true}" in
    0 | false | no | off) return 0 ;;
  esac
  (
    trap 'kill "$child" 2>/dev/null; exit 0' TERM INT
    while true; do
      .venv/bin/python manage.py db_worker --interval 1 &
      child=$!
      wait "$child" || true
      echo "worker: db_worker stopped; starting it again in 5 s" >&2
      sleep 5 &
      wait $!
    done
  ) &
  WORKER_PID=$!
  trap 'kill "$WORKER_PID" 2>/dev/null; wait "$WORKER_PID" 2>/dev/null || true' EXIT
}
