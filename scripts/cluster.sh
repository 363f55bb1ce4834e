#!/usr/bin/env bash
# Three weather-server instances behind one nginx, on loopback: the scale-out of docs/scale-out.md.
#
#   bash scripts/cluster.sh [OPTIONS]                  # prints the URL, runs until Ctrl-C
#   bash scripts/cluster.sh [OPTIONS] -- COMMAND ...   # runs COMMAND against it, then stops
#   bash scripts/cluster.sh --install-nginx            # only installs nginx (tests/interop/install.sh)
#
# Options:
#   --routing round-robin   every request to the next instance (default; fine for 2026-07-28)
#   --routing session       2025-11-25 sessions go back to the instance that minted them: each
#                           instance prefixes its session ids (--session-id-prefix a. / b. / c.),
#                           nginx maps the prefix of Mcp-Session-Id to that instance, and a request
#                           without the header (initialize, and every 2026-07-28 request) goes
#                           round robin
#   --routing hash          nginx `hash $http_mcp_session_id`: the obvious idea, and wrong (a hash
#                           of a random id picks *an* instance, not the one holding the session)
#   --routing-file FILE     your own routing (lab 9): FILE is an nginx snippet for the http block,
#                           with {{a}} {{b}} {{c}} standing for the instances' host:port; it may
#                           use the round-robin upstream `all` and must set $mcp_backend to the
#                           name of the upstream that gets the request
#   --own-keys              each instance signs requestStates with its own random key (default:
#                           one shared --state-key, so a retry may land on any instance)
#   --step-delay-ms N       passed to every instance (default 200)
#   --drop-stream-after N   passed to every instance (the legacy streams' teaching device)
#
# COMMAND sees CLUSTER_URL (nginx's endpoint), CLUSTER_DIR (the temporary folder: nginx.conf,
# access.log with the upstream of every request, and per instance a.err / b.err / c.err, the
# --log-requests lines) and CLUSTER_INSTANCES (a file, one "name pid port" line per instance, so
# a test can kill one). The script starts nginx in the foreground as a child it owns, stops every
# process it started by pid, and removes the folder (CLUSTER_KEEP=1 keeps it).
#
# Environment: WEATHER_SERVER_BIN (default target/debug/weather-server), NGINX_BIN (default nginx).
set -euo pipefail

# Debian 12's nginx, by package name and version, from the system's own package source.
NGINX_PACKAGE_VERSION=1.22.1-9+deb12u7
NAMES=(a b c)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SERVER_BIN="${WEATHER_SERVER_BIN:-$ROOT/target/debug/weather-server}"
NGINX="${NGINX_BIN:-nginx}"

say() { echo "[cluster] $*" >&2; }

install_nginx() {
  if command -v "$NGINX" >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then
    say "nginx already installed: $({ "$NGINX" -v || /usr/sbin/nginx -v; } 2>&1 | head -n1)"
    return 0
  fi
  if [ "$(id -u)" != 0 ]; then
    say "nginx is missing; install it as root: apt-get install -y nginx=$NGINX_PACKAGE_VERSION"
    return 1
  fi
  say "installing nginx=$NGINX_PACKAGE_VERSION (Debian 12)"
  # Debian's package would start a system nginx on port 80 where an init system runs; we want
  # only the binary, so policy-rc.d (when the system has one) or a stopped service is fine.
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q "nginx=$NGINX_PACKAGE_VERSION" >&2 ||
    { apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q "nginx=$NGINX_PACKAGE_VERSION" >&2; }
}

ROUTING=round-robin
ROUTING_FILE=""
OWN_KEYS=0
STEP_DELAY=200
DROP_AFTER=""
COMMAND=()
while [ $# -gt 0 ]; do
  case "$1" in
    --install-nginx) install_nginx; exit $? ;;
    --routing) ROUTING="$2"; shift 2 ;;
    --routing-file) ROUTING=file; ROUTING_FILE="$2"; shift 2 ;;
    --own-keys) OWN_KEYS=1; shift ;;
    --step-delay-ms) STEP_DELAY="$2"; shift 2 ;;
    --drop-stream-after) DROP_AFTER="$2"; shift 2 ;;
    --) shift; COMMAND=("$@"); break ;;
    *) say "unknown option $1 (see the top of scripts/cluster.sh)"; exit 2 ;;
  esac
done
case "$ROUTING" in round-robin | session | hash | file) ;; *) say "--routing takes round-robin, session or hash"; exit 2 ;; esac

install_nginx
command -v "$NGINX" >/dev/null 2>&1 || NGINX=/usr/sbin/nginx
[ -x "$SERVER_BIN" ] || { say "no $SERVER_BIN: run cargo build --bins first"; exit 1; }

DIR="$(mktemp -d "${TMPDIR:-/tmp}/mcp-cluster.XXXXXX")"
# nginx's worker runs as an unprivileged user when we are root; it must reach its temp folders.
chmod 755 "$DIR"
PIDS=()
stop_all() {
  local rc=$? pid _
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  [ "${CLUSTER_KEEP:-0}" = 1 ] && say "kept $DIR" || rm -rf "$DIR"
  exit "$rc"
}
trap stop_all EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A free loopback port: bind port 0 and read what the OS chose. (The instances pick their own
# with --port 0; nginx cannot, so we ask for it. Another process could take it in between: rare
# on loopback in CI, and the start below would then fail loudly.)
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the instances ------------------------------------------------------------------------------
SHARED_KEY="cluster-key-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"
: >"$DIR/instances"
PORTS=()
for name in "${NAMES[@]}"; do
  args=(--port 0 --step-delay-ms "$STEP_DELAY" --log-requests --session-id-prefix "$name.")
  [ "$OWN_KEYS" = 1 ] || args+=(--state-key "$SHARED_KEY")
  [ -z "$DROP_AFTER" ] || args+=(--drop-stream-after "$DROP_AFTER")
  : >"$DIR/$name.out"
  "$SERVER_BIN" "${args[@]}" >"$DIR/$name.out" 2>"$DIR/$name.err" </dev/null &
  pid=$!
  PIDS+=("$pid")
  port=""
  for _ in $(seq 1 100); do
    port="$(head -n1 "$DIR/$name.out" | sed -n 's|^weather-server listening on http://127\.0\.0\.1:\([0-9]*\)/mcp.*|\1|p')"
    [ -n "$port" ] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  [ -n "$port" ] || { say "instance $name did not start:"; cat "$DIR/$name.err" >&2; exit 1; }
  PORTS+=("$port")
  echo "$name $pid $port" >>"$DIR/instances"
done

# --- nginx ---------------------------------------------------------------------------------------
NGINX_PORT="$(free_port)"
{
  cat <<EOF
worker_processes 1;
error_log $DIR/error.log warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path $DIR/client_body;
    proxy_temp_path $DIR/proxy;
    fastcgi_temp_path $DIR/fastcgi;
    uwsgi_temp_path $DIR/uwsgi;
    scgi_temp_path $DIR/scgi;
    log_format upstream '\$request_method \$status upstream=\$upstream_addr session=\$http_mcp_session_id';

    # Every instance, in turn. max_fails=1: one refused connection takes a dead instance out of
    # the turn for fail_timeout, and nginx tries the next one for that request (proxy_next_upstream
    # error, the default, for a connection that fails before anything was sent back).
    upstream all {
EOF
  if [ "$ROUTING" = hash ]; then
    # An empty key (initialize, and every 2026-07-28 request) falls back to round robin in nginx.
    echo "        hash \$http_mcp_session_id;"
  fi
  for port in "${PORTS[@]}"; do echo "        server 127.0.0.1:$port max_fails=1 fail_timeout=10s;"; done
  echo "    }"
  if [ "$ROUTING" = session ]; then
    # One group per instance, the others as backups: a session whose instance died reaches a live
    # one, which does not know it and answers 404, so the client starts a new session (the
    # 2025-11-25 rule) instead of seeing nginx's 502.
    for i in 0 1 2; do
      echo "    upstream ${NAMES[$i]} {"
      echo "        server 127.0.0.1:${PORTS[$i]} max_fails=1 fail_timeout=10s;"
      for j in 0 1 2; do
        [ "$j" = "$i" ] || echo "        server 127.0.0.1:${PORTS[$j]} backup;"
      done
      echo "    }"
    done
    cat <<EOF
    # The prefix of the session id names the instance; no header (initialize) means any instance.
    map \$http_mcp_session_id \$instance {
        default all;
        ~^a\\. a;
        ~^b\\. b;
        ~^c\\. c;
    }
EOF
  fi
  if [ "$ROUTING" = file ]; then
    [ -f "$ROUTING_FILE" ] || { say "no routing file $ROUTING_FILE"; exit 1; }
    echo "    # --- from $ROUTING_FILE"
    sed -e "s/{{a}}/127.0.0.1:${PORTS[0]}/g" -e "s/{{b}}/127.0.0.1:${PORTS[1]}/g" \
      -e "s/{{c}}/127.0.0.1:${PORTS[2]}/g" "$ROUTING_FILE"
    echo "    # --- end of $ROUTING_FILE"
  fi
  case "$ROUTING" in
    session) BACKEND='$instance' ;;
    file) BACKEND='$mcp_backend' ;;
    *) BACKEND=all ;;
  esac
  cat <<EOF
    server {
        listen 127.0.0.1:$NGINX_PORT;
        access_log $DIR/access.log upstream;
        location /mcp {
            proxy_pass http://$BACKEND;
            # Streams pass live: no buffering of SSE or NDJSON, HTTP/1.1 to the instance (chunked
            # bodies), and no "Connection: close" copied through.
            proxy_buffering off;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            # The instance checks Host against loopback names (DNS rebinding protection).
            proxy_set_header Host \$http_host;
            # A legacy GET stream may stay quiet between heartbeats; calls may run long.
            proxy_read_timeout 120s;
        }
    }
}
EOF
} >"$DIR/nginx.conf"

"$NGINX" -p "$DIR" -e "$DIR/error.log" -c "$DIR/nginx.conf" -g "daemon off; pid $DIR/nginx.pid;" </dev/null &
PIDS+=("$!")
up=""
for _ in $(seq 1 100); do
  if curl -s -o /dev/null --max-time 1 "http://127.0.0.1:$NGINX_PORT/"; then up=1; break; fi
  kill -0 "${PIDS[-1]}" 2>/dev/null || break
  sleep 0.1
done
[ -n "$up" ] || { say "nginx did not start:"; cat "$DIR/error.log" >&2 || true; exit 1; }

export CLUSTER_URL="http://127.0.0.1:$NGINX_PORT/mcp"
export CLUSTER_DIR="$DIR"
export CLUSTER_INSTANCES="$DIR/instances"
export CLUSTER_ROUTING="$ROUTING"
say "nginx $CLUSTER_URL (routing $ROUTING, $([ "$OWN_KEYS" = 1 ] && echo 'own keys' || echo 'shared state key')) -> instances on ports ${PORTS[*]}"

if [ ${#COMMAND[@]} -gt 0 ]; then
  rc=0
  "${COMMAND[@]}" || rc=$?
  exit "$rc"
fi
say "folder $DIR (access.log, a.err b.err c.err); Ctrl-C stops everything"
wait "${PIDS[-1]}"
