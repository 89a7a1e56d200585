# Sourced by scripts/bench_http and scripts/fault_drill from the repo root: the parts both
# share to load the service as it is served (gunicorn via scripts/serve, production
# settings, PostgreSQL with the demo data). Each function stops the script with a message
# when its step fails.

# http_load_preflight NAME BASE_URL: wrk is installed and nothing answers at BASE_URL yet.
http_load_preflight() {
  local name="$1" base="$2"
  command -v wrk >/dev/null || { echo "$name needs wrk: apt-get install -y wrk" >&2; exit 2; }
  if curl -s -o /dev/null "$base/healthz"; then
    echo "$name: something already answers at $base; choose another port" >&2
    exit 2
  fi
}

# http_load_database PG_URL DB: DB exists (created when missing), is migrated and holds the
# demo data (`seed_demo --if-empty`); exports DATABASE_URL. seed_demo runs only with DEBUG
# on, the server later without.
http_load_database() {
  local pg="$1" db="$2"
  export DATABASE_URL="$pg/$db"
  psql "$pg/postgres" -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1 \
    || psql "$pg/postgres" -qc "CREATE DATABASE $db"
  DEBUG=true .venv/bin/python manage.py migrate --noinput -v0
  DEBUG=true .venv/bin/python manage.py seed_demo --if-empty
}

# http_load_production PORT: production settings for scripts/serve, over plain HTTP on
# loopback (no redirect to HTTPS), with a fresh random SECRET_KEY.
http_load_production() {
  SECRET_KEY="$(.venv/bin/python -c 'import secrets; print(secrets.token_urlsafe(64))')"
  export SECRET_KEY ALLOWED_HOSTS=127.0.0.1 SECURE_SSL_REDIRECT=false
  export HOST=127.0.0.1 PORT="$1" WEB_CONCURRENCY="${WEB_CONCURRENCY:-3}"
  unset DEBUG
}

# http_load_raise_throttles [METHOD PATH]...: a load measures the service, not a throttle:
# every throttle scope on these endpoints (scripts/bench_http's by default) is raised far
# above what one machine can send (THROTTLE_<SCOPE>, as settings read them), and listed.
http_load_raise_throttles() {
  local here="scripts/bench_http.d" scope
  for scope in $(.venv/bin/python "$here/throttles.py" --scopes "$@"); do
    export "THROTTLE_${scope^^}=1000000/s"
    echo "raised throttle scope $scope for the load: THROTTLE_${scope^^}=1000000/s"
  done
  .venv/bin/python "$here/throttles.py" "$@"
}

# http_load_serve NAME BASE_URL LOG: starts scripts/serve in the background (its pid in
# $server; the caller's EXIT trap stops it) and waits up to 60 s for /healthz.
http_load_serve() {
  local name="$1" base="$2" log="$3"
  scripts/serve >"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 60); do
    curl -fs -o /dev/null "$base/healthz" && break
    kill -0 "$server" 2>/dev/null || break
    sleep 1
  done
  if ! curl -fs -o /dev/null "$base/healthz"; then
    echo "$name: the server did not come up; its log ($log):" >&2
    tail -n 40 "$log" >&2
    exit 1
  fi
}

# http_load_stop: stops the server started by http_load_serve, letting gunicorn finish the
# requests in flight (a graceful shutdown), and waits for it.
http_load_stop() {
  [ -n "${server:-}" ] || return 0
  kill -TERM "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

# http_load_qualified_ids BASE_URL: the ids of the first hundred qualified practitioners the
# directory lists, comma-separated.
http_load_qualified_ids() {
  curl -fsS "$1/api/v1/practitioners/?qualified=true&page_size=100" \
    | .venv/bin/python -c 'import json, sys; print(",".join(str(p["id"]) for p in json.load(sys.stdin)["results"]))'
}
