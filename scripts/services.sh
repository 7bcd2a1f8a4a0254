#!/usr/bin/env bash
# Installs, starts, waits for, checks and stops the servers the Persisters tests need
# (MariaDB, RabbitMQ, an SQS-compatible server, the Service Bus test emulator), without systemd.
# See scripts/README.md.
#
#   scripts/services.sh up [mariadb] [rabbitmq] [sqs] [servicebus]   install if missing, start, wait until ready
#   scripts/services.sh down [mariadb] [rabbitmq] [sqs] [servicebus] stop (SIGTERM, then SIGKILL after a timeout)
#   scripts/services.sh status                          up/down for each server
#   scripts/services.sh env                             export lines for tests: eval "$(scripts/services.sh env)"
#
# All servers listen on 127.0.0.1 only; all their data and logs live in .servers/ at the repository root
# (or in $PERSISTERS_SERVERS_DIR: a second set of servers, on other PERSISTERS_*_PORT ports).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# PERSISTERS_SERVERS_DIR runs another, independent set of servers from another directory (with other ports), e.g. the
# private servers the chaos tests stop and restart while other tests use the shared ones.
DATA="${PERSISTERS_SERVERS_DIR:-$ROOT/.servers}"
ALL_SERVERS=(mariadb rabbitmq sqs servicebus)

MYSQL_PORT="${PERSISTERS_MYSQL_PORT:-3306}"
RABBITMQ_PORT="${PERSISTERS_RABBITMQ_PORT:-5672}"
RABBITMQ_MGMT_PORT="${PERSISTERS_RABBITMQ_MGMT_PORT:-15672}"
SQS_PORT="${PERSISTERS_SQS_PORT:-9324}"
SERVICEBUS_PORT="${PERSISTERS_SERVICEBUS_PORT:-5673}"
SERVICEBUS_MGMT_PORT="${PERSISTERS_SERVICEBUS_MGMT_PORT:-15673}"

for _port in "$MYSQL_PORT" "$RABBITMQ_PORT" "$RABBITMQ_MGMT_PORT" "$SQS_PORT" "$SERVICEBUS_PORT" "$SERVICEBUS_MGMT_PORT"; do
  if ! [[ "$_port" =~ ^[0-9]+$ ]] || ((_port < 1 || _port > 65535)); then
    printf 'services.sh: invalid port %s (check the PERSISTERS_*_PORT variables)\n' "$_port" >&2
    exit 2
  fi
done
if ((RABBITMQ_PORT + 20000 > 65535)); then
  printf 'services.sh: PERSISTERS_RABBITMQ_PORT must be at most 45535 (Erlang distribution uses port + 20000)\n' >&2
  exit 2
fi
unset _port

DB_NAME=persisters
DB_USER=persisters
DB_PASSWORD=persisters

# MariaDB layout
MDB_DIR="$DATA/mariadb"
MDB_DATA="$MDB_DIR/data"
MDB_SOCKET="$MDB_DIR/mysqld.sock"
if ((${#MDB_SOCKET} > 100)); then
  # A Unix socket path must fit in 108 bytes; a checkout that deep gets its socket in /tmp instead.
  MDB_SOCKET="/tmp/persisters-mariadb-$(printf '%s' "${PERSISTERS_SERVERS_DIR:-$ROOT}" | md5sum | cut -c1-12).sock"
fi
MDB_LOG="$MDB_DIR/mariadb.log"
MDB_PIDREC="$MDB_DIR/server.pid"

# RabbitMQ layout
RMQ_DIR="$DATA/rabbitmq"
RMQ_BIN=/usr/lib/rabbitmq/bin
RMQ_LOG="$RMQ_DIR/server.out"
RMQ_PIDFILE="$RMQ_DIR/rabbitmq.pid" # written by RabbitMQ itself
RMQ_PIDREC="$RMQ_DIR/server.pid"
# Two brokers on one machine need two Erlang node names: one per AMQP port unless PERSISTERS_RABBITMQ_NODE says otherwise.
if [[ "$RABBITMQ_PORT" == 5672 ]]; then RMQ_NODE="${PERSISTERS_RABBITMQ_NODE:-rabbit@localhost}"; else RMQ_NODE="${PERSISTERS_RABBITMQ_NODE:-rabbit$RABBITMQ_PORT@localhost}"; fi

# SQS layout
SQS_DIR="$DATA/sqs"
SQS_APP="$ROOT/scripts/sqs-server"
SQS_LOG="$SQS_DIR/sqs.log"
SQS_PIDREC="$SQS_DIR/server.pid"

# Service Bus test emulator layout (tests/Persisters.ServiceBus.Emulator, built into .servers/servicebus/app)
SB_DIR="$DATA/servicebus"
SB_PROJECT="$ROOT/tests/Persisters.ServiceBus.Emulator"
SB_APP="$SB_DIR/app"
SB_DLL="$SB_APP/servicebus-emulator.dll"
SB_LOG="$SB_DIR/servicebus.log"
SB_PIDREC="$SB_DIR/server.pid"
# The emulator's default key (the same as Microsoft's emulator): a loopback test peer, not a secret.
SB_KEY_NAME=RootManageSharedAccessKey
SB_KEY=SAS_KEY_VALUE

# Seconds to wait for readiness / for a graceful stop.
MDB_START_TIMEOUT=60
RMQ_START_TIMEOUT=120
SQS_START_TIMEOUT=30
SB_START_TIMEOUT=60
STOP_TIMEOUT=60

say() { printf '%s\n' "$*"; }
err() { printf 'services.sh: %s\n' "$*" >&2; }
die() { err "$*"; exit 1; }

# Prints the last 30 lines of each given log that exists (to stderr).
show_logs() {
  local f
  for f in "$@"; do
    if [[ -s "$f" ]]; then
      printf -- '----- last 30 lines of %s -----\n' "$f" >&2
      tail -n 30 "$f" >&2
      printf -- '----- end of %s -----\n' "$f" >&2
    fi
  done
}

# fail_with LOG... -- MESSAGE: prints the message and the logs' tails, exits non-zero.
fail_with() {
  local logs=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do logs+=("$1"); shift; done
  shift || true
  err "$*"
  show_logs "${logs[@]}"
  exit 1
}

# abort_start NAME PID LOG... -- MESSAGE: a server we launched did not become ready. Prints the
# message and the logs' tails, stops what we started (so nothing half-started lingers), exits non-zero.
abort_start() {
  local name="$1" pid="$2"; shift 2
  local logs=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do logs+=("$1"); shift; done
  shift || true
  err "$*"
  show_logs "${logs[@]}"
  if pid_alive "$pid"; then
    err "$name: stopping the half-started server (pid $pid)"
    STOP_TIMEOUT=20 stop_pid "$name" "$pid" >&2
  fi
  rm -f "$(dir_of "$name")/server.pid" "$(ports_file "$name")"
  exit 1
}

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  # shellcheck disable=SC2016 # $1 is expanded by the inner bash
  timeout 1 bash -c 'exec 3<>"/dev/tcp/127.0.0.1/$1"' _ "$1" 2>/dev/null
}

# True while PID is a live process (a zombie waiting for init to reap it counts as gone).
pid_alive() {
  local state
  [[ "$1" =~ ^[0-9]+$ ]] || return 1
  state="$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# pid_matches PID PATTERN: the process exists and its command line contains PATTERN.
pid_matches() {
  local pid="$1" pattern="$2" cmd
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  pid_alive "$pid" || return 1
  cmd="$(tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null)" || return 1
  [[ "$cmd" == *"$pattern"* ]]
}

# Recorded PID of a server if that process is alive, else nothing (status 1).
recorded_pid() {
  local rec pattern pid
  case "$1" in
    mariadb) rec="$MDB_PIDREC"; pattern="--datadir=$MDB_DATA" ;;
    rabbitmq) rec="$RMQ_PIDREC"; pattern="beam" ;;
    sqs) rec="$SQS_PIDREC"; pattern="$SQS_APP/server.js" ;;
    servicebus) rec="$SB_PIDREC"; pattern="$SB_DLL" ;;
    *) return 1 ;;
  esac
  [[ -r "$rec" ]] || return 1
  pid="$(< "$rec")"
  pid_matches "$pid" "$pattern" || return 1
  printf '%s\n' "$pid"
}

# Ports a server was started with (recorded next to its PID) and the ones asked for now.
ports_file() { printf '%s/server.ports\n' "$(dir_of "$1")"; }
dir_of() {
  case "$1" in
    mariadb) say "$MDB_DIR" ;;
    rabbitmq) say "$RMQ_DIR" ;;
    sqs) say "$SQS_DIR" ;;
    servicebus) say "$SB_DIR" ;;
  esac
}
wanted_ports() {
  case "$1" in
    mariadb) say "$MYSQL_PORT" ;;
    rabbitmq) say "$RABBITMQ_PORT $RABBITMQ_MGMT_PORT" ;;
    sqs) say "$SQS_PORT" ;;
    servicebus) say "$SERVICEBUS_PORT $SERVICEBUS_MGMT_PORT" ;;
  esac
}
record_ports() { wanted_ports "$1" > "$(ports_file "$1")"; }

# A server found running is reused only if it listens where we are asked to.
check_reusable() {
  local name="$1" pid="$2" had
  had="$(cat "$(ports_file "$name")" 2>/dev/null || true)"
  if [[ "$had" != "$(wanted_ports "$name")" ]]; then
    die "$name: already running (pid $pid) on port(s) '${had:-unknown}', not '$(wanted_ports "$name")': run 'scripts/services.sh down $name' first"
  fi
}

address_of() {
  case "$1" in
    mariadb) say "127.0.0.1:$MYSQL_PORT" ;;
    rabbitmq) say "amqp://127.0.0.1:$RABBITMQ_PORT, management http://127.0.0.1:$RABBITMQ_MGMT_PORT" ;;
    sqs) say "http://127.0.0.1:$SQS_PORT" ;;
    servicebus) say "amqp+http 127.0.0.1:$SERVICEBUS_PORT, management http://127.0.0.1:$SERVICEBUS_MGMT_PORT" ;;
  esac
}

# --------------------------------------------------------------------------------------------
# Installation
# --------------------------------------------------------------------------------------------

APT_UPDATED=
pkg_installed() {
  [[ "$(dpkg-query -W -f='${Status}' "$1" 2>/dev/null || true)" == "install ok installed" ]]
}

apt_install() {
  local missing=() p log="$DATA/install.log"
  for p in "$@"; do pkg_installed "$p" || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    # Keeps apt from starting the services it installs (there is no init system to run them).
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
  fi
  err "installing ${missing[*]} (log: $log)"
  if [[ -z "$APT_UPDATED" ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get update < /dev/null >> "$log" 2>&1 \
      || fail_with "$log" -- "apt-get update failed"
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" < /dev/null >> "$log" 2>&1 \
    || fail_with "$log" -- "apt-get install ${missing[*]} failed"
}

install_for() {
  local want=(curl) s
  for s in "$@"; do
    case "$s" in
      mariadb) want+=(mariadb-server mariadb-client) ;;
      rabbitmq) want+=(rabbitmq-server) ;;
      sqs) command -v node > /dev/null && command -v npm > /dev/null || want+=(nodejs npm) ;;
    esac
  done
  apt_install "${want[@]}"
  for s in "$@"; do
    [[ "$s" == sqs ]] && install_sqs_packages
    [[ "$s" == servicebus ]] && build_servicebus_emulator
  done
  return 0
}

# Builds the Service Bus test emulator (Release) into .servers/servicebus/app when it is missing or older than
# its sources; only the .NET SDK is needed. A running emulator is never rebuilt under itself.
build_servicebus_emulator() {
  local log="$SB_DIR/build.log"
  mkdir -p "$SB_DIR"
  command -v dotnet > /dev/null || die "servicebus: the .NET SDK (dotnet) is needed to build the emulator"
  recorded_pid servicebus > /dev/null && return 0
  if [[ -f "$SB_DLL" ]] && [[ -z "$(find "$SB_PROJECT" "$ROOT/Directory.Packages.props" "$ROOT/Directory.Build.props" \
        -path '*/bin' -prune -o -path '*/obj' -prune -o -type f -newer "$SB_DLL" -print -quit)" ]]; then
    return 0
  fi
  err "building the Service Bus test emulator (log: $log)"
  dotnet build "$SB_PROJECT/Persisters.ServiceBus.Emulator.csproj" -c Release -o "$SB_APP" -nologo \
      < /dev/null > "$log" 2>&1 \
    || fail_with "$log" -- "servicebus: building tests/Persisters.ServiceBus.Emulator failed"
  touch "$SB_DLL"
}

install_sqs_packages() {
  local log="$SQS_DIR/npm.log" installed
  mkdir -p "$SQS_DIR"
  # shellcheck disable=SC2015 # any failure means "not installed"
  installed="$(cd "$SQS_APP" && node -p 'require("./node_modules/local-aws-sqs/package.json").version' 2>/dev/null < /dev/null || true)"
  if [[ "$installed" == "2.0.2" && "$SQS_APP/node_modules/.package-lock.json" -nt "$SQS_APP/package-lock.json" ]]; then
    return 0
  fi
  err "installing npm packages in scripts/sqs-server (log: $log)"
  if [[ -f "$SQS_APP/package-lock.json" ]]; then
    (cd "$SQS_APP" && npm ci --no-audit --no-fund < /dev/null >> "$log" 2>&1) \
      || fail_with "$log" -- "npm ci in $SQS_APP failed"
  else
    (cd "$SQS_APP" && npm install --no-audit --no-fund < /dev/null >> "$log" 2>&1) \
      || fail_with "$log" -- "npm install in $SQS_APP failed"
  fi
}

# launch DIR LOG COMMAND...: starts COMMAND in the background in DIR, detached from our terminal,
# session and output: stdin from /dev/null, stdout+stderr to LOG, the lock descriptor closed.
# Sets LAUNCHED_PID. The subshell execs setsid, which does not fork here (a background job of a
# script is not a process-group leader) and execs COMMAND, so the PID is the server's own.
LAUNCHED_PID=
launch() {
  local dir="$1" log="$2"; shift 2
  (cd "$dir" && close_inherited_fds && exec setsid "$@") < /dev/null >> "$log" 2>&1 9>&- &
  LAUNCHED_PID=$!
}

# Closes every descriptor above 2 in the current (sub)shell, so that no pipe of our caller
# (a CI runner's output, a $(...) capture) stays open in a server.
close_inherited_fds() {
  local f n
  for f in /proc/"$BASHPID"/fd/*; do
    n="${f##*/}"
    [[ "$n" =~ ^[0-9]+$ ]] && ((n > 2)) && eval "exec $n>&-" 2>/dev/null
  done
  return 0
}

# --------------------------------------------------------------------------------------------
# MariaDB
# --------------------------------------------------------------------------------------------

mdb_bin() {
  local name
  for name in "$@"; do
    if command -v "$name" > /dev/null 2>&1; then command -v "$name"; return 0; fi
    if [[ -x "/usr/sbin/$name" ]]; then printf '/usr/sbin/%s\n' "$name"; return 0; fi
  done
  return 1
}

mdb_root_sql() {
  mariadb --no-defaults --socket="$MDB_SOCKET" -uroot --batch --skip-column-names "$@" < /dev/null
}

up_mariadb() {
  local t0 pid server install_db
  t0="$(now)"
  mkdir -p "$MDB_DIR" "$MDB_DIR/tmp"
  if pid="$(recorded_pid mariadb)"; then
    check_reusable mariadb "$pid" # already running: reuse it
  else
    if port_open "$MYSQL_PORT"; then
      die "mariadb: port 127.0.0.1:$MYSQL_PORT is already taken by a process this script did not start"
    fi
    server="$(mdb_bin mariadbd mysqld)" || die "mariadb: mariadbd not found"
    if [[ ! -f "$MDB_DATA/.persisters-initialised" ]]; then
      install_db="$(mdb_bin mariadb-install-db mysql_install_db)" || die "mariadb: mariadb-install-db not found"
      rm -rf "$MDB_DATA"
      mkdir -p "$MDB_DATA"
      "$install_db" --no-defaults --user=root --datadir="$MDB_DATA" \
        --auth-root-authentication-method=normal --skip-test-db < /dev/null > "$MDB_DIR/install-db.log" 2>&1 \
        || fail_with "$MDB_DIR/install-db.log" -- "mariadb: mariadb-install-db failed"
      touch "$MDB_DATA/.persisters-initialised"
    fi
    rm -f "$MDB_SOCKET" "$MDB_DIR/mysqld.pid"
    printf '\n=== %s starting mariadbd\n' "$(date -Is)" >> "$MDB_LOG"
    # --innodb-flush-log-at-trx-commit=2: test setting (no fsync per commit); quote it with any timing.
    launch "$MDB_DIR" "$MDB_LOG" "$server" --no-defaults --user=root \
      --datadir="$MDB_DATA" --socket="$MDB_SOCKET" --pid-file="$MDB_DIR/mysqld.pid" --tmpdir="$MDB_DIR/tmp" \
      --port="$MYSQL_PORT" --bind-address=127.0.0.1 --skip-name-resolve \
      --innodb-flush-log-at-trx-commit=2 --max-connections=500
    pid="$LAUNCHED_PID"
    printf '%s\n' "$pid" > "$MDB_PIDREC"
    record_ports mariadb
  fi

  local deadline=$((SECONDS + MDB_START_TIMEOUT))
  until mariadb-admin --no-defaults --socket="$MDB_SOCKET" -uroot --connect-timeout=2 ping < /dev/null > /dev/null 2>&1 \
      && port_open "$MYSQL_PORT"; do
    pid_alive "$pid" || abort_start mariadb "$pid" "$MDB_LOG" -- "mariadb: mariadbd (pid $pid) exited during start"
    ((SECONDS < deadline)) || abort_start mariadb "$pid" "$MDB_LOG" -- "mariadb: not ready after ${MDB_START_TIMEOUT}s"
    sleep 0.2
  done

  mdb_root_sql -e "
    CREATE DATABASE IF NOT EXISTS \`$DB_NAME\`;
    CREATE USER IF NOT EXISTS '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
    CREATE USER IF NOT EXISTS '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
    ALTER USER '$DB_USER'@'127.0.0.1' IDENTIFIED BY '$DB_PASSWORD';
    ALTER USER '$DB_USER'@'localhost' IDENTIFIED BY '$DB_PASSWORD';
    GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'127.0.0.1';
    GRANT ALL PRIVILEGES ON *.* TO '$DB_USER'@'localhost';
    FLUSH PRIVILEGES;" > /dev/null 2>"$MDB_DIR/setup.err" \
    || abort_start mariadb "$pid" "$MDB_DIR/setup.err" "$MDB_LOG" -- "mariadb: creating database and user failed"

  say "mariadb   up  127.0.0.1:$MYSQL_PORT  user/password $DB_USER/$DB_PASSWORD, database $DB_NAME  (pid $pid, $(elapsed "$t0")s)"
}

# --------------------------------------------------------------------------------------------
# RabbitMQ
# --------------------------------------------------------------------------------------------

# Environment for every RabbitMQ and Erlang command: every directory inside .servers/rabbitmq.
rmq_env_vars() {
  RMQ_ENV=(
    HOME="$RMQ_DIR"
    RABBITMQ_NODENAME="$RMQ_NODE"
    RABBITMQ_NODE_IP_ADDRESS=127.0.0.1
    RABBITMQ_NODE_PORT="$RABBITMQ_PORT"
    RABBITMQ_DIST_PORT="$((RABBITMQ_PORT + 20000))"
    RABBITMQ_BASE="$RMQ_DIR"
    RABBITMQ_MNESIA_BASE="$RMQ_DIR/mnesia"
    RABBITMQ_LOG_BASE="$RMQ_DIR/log"
    RABBITMQ_PID_FILE="$RMQ_PIDFILE"
    RABBITMQ_ENABLED_PLUGINS_FILE="$RMQ_DIR/enabled_plugins"
    RABBITMQ_CONFIG_FILE="$RMQ_DIR/rabbitmq.conf"
    RABBITMQ_CONFIG_FILES="$RMQ_DIR/conf.d"
    RABBITMQ_ADVANCED_CONFIG_FILE="$RMQ_DIR/advanced.config"
    RABBITMQ_CONF_ENV_FILE="$RMQ_DIR/rabbitmq-env.conf"
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    RABBITMQ_CTL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
    ERL_EPMD_ADDRESS=127.0.0.1
    ERL_CRASH_DUMP="$RMQ_DIR/erl_crash.dump"
  )
}
RMQ_ENV=()
rmq_env_vars

# rmq_env COMMAND...: runs COMMAND (in the foreground) with that environment.
rmq_env() { env "${RMQ_ENV[@]}" "$@"; }

rmq_write_config() {
  mkdir -p "$RMQ_DIR/mnesia" "$RMQ_DIR/log" "$RMQ_DIR/conf.d"
  # Plugins are enabled by this file before boot (no rabbitmq-plugins call needed).
  printf '[rabbitmq_management,rabbitmq_amqp1_0].\n' > "$RMQ_DIR/enabled_plugins"
  cat > "$RMQ_DIR/rabbitmq.conf" <<EOF
# Generated by scripts/services.sh: loopback-only test broker.
listeners.tcp.default = 127.0.0.1:$RABBITMQ_PORT
management.tcp.ip = 127.0.0.1
management.tcp.port = $RABBITMQ_MGMT_PORT
# guest/guest may log in from anywhere; the broker only listens on 127.0.0.1.
loopback_users = none
log.file.level = info
log.console = false
# Largest message the broker accepts (default 128 MiB in 3.10): 16 MiB, so tests can exceed it quickly.
max_message_size = 16777216
EOF
  [[ -f "$RMQ_DIR/advanced.config" ]] || printf '[].\n' > "$RMQ_DIR/advanced.config"
  : > "$RMQ_DIR/rabbitmq-env.conf"
}

mgmt_ready() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 3 -u guest:guest \
        "http://127.0.0.1:$RABBITMQ_MGMT_PORT/api/overview" 2>/dev/null || true)" == 200 ]]
}

up_rabbitmq() {
  local t0 pid wrapper="" reused=""
  t0="$(now)"
  [[ -x "$RMQ_BIN/rabbitmq-server" ]] || die "rabbitmq: $RMQ_BIN/rabbitmq-server not found"
  mkdir -p "$RMQ_DIR"
  local logs=("$RMQ_LOG" "$RMQ_DIR/log/$RMQ_NODE.log")
  if pid="$(recorded_pid rabbitmq)"; then
    check_reusable rabbitmq "$pid" # already running: reuse it
    reused=1
  else
    local p
    for p in "$RABBITMQ_PORT" "$RABBITMQ_MGMT_PORT"; do
      if port_open "$p"; then
        die "rabbitmq: port 127.0.0.1:$p is already taken by a process this script did not start"
      fi
    done
    rmq_write_config
    rm -f "$RMQ_PIDFILE" "$RMQ_PIDREC"
    # Our own epmd, on loopback only, with no descriptor of ours.
    launch "$RMQ_DIR" "$RMQ_DIR/epmd.out" env "${RMQ_ENV[@]}" epmd -address 127.0.0.1 -daemon
    wait "$LAUNCHED_PID" 2>/dev/null || true
    printf '\n=== %s starting rabbitmq-server\n' "$(date -Is)" >> "$RMQ_LOG"
    # Runs in the foreground of its own session; the Erlang VM writes its own PID to $RMQ_PIDFILE.
    launch "$RMQ_DIR" "$RMQ_LOG" env "${RMQ_ENV[@]}" "$RMQ_BIN/rabbitmq-server"
    wrapper="$LAUNCHED_PID"
    local deadline=$((SECONDS + 30))
    until [[ -s "$RMQ_PIDFILE" ]] && pid_matches "$(< "$RMQ_PIDFILE")" beam; do
      pid_alive "$wrapper" || abort_start rabbitmq "$wrapper" "${logs[@]}" -- "rabbitmq: rabbitmq-server exited during start"
      ((SECONDS < deadline)) || abort_start rabbitmq "$wrapper" "${logs[@]}" -- "rabbitmq: no PID file after 30s"
      sleep 0.2
    done
    pid="$(< "$RMQ_PIDFILE")"
    printf '%s\n' "$pid" > "$RMQ_PIDREC"
    record_ports rabbitmq
  fi

  # A broker found running whose management API answers is ready; otherwise wait for the boot.
  if [[ -z "$reused" ]] || ! mgmt_ready; then
    rmq_env "$RMQ_BIN/rabbitmqctl" -n "$RMQ_NODE" wait --timeout "$RMQ_START_TIMEOUT" "$RMQ_PIDFILE" \
        < /dev/null > "$RMQ_DIR/wait.out" 2>&1 \
      || abort_start rabbitmq "$pid" "$RMQ_DIR/wait.out" "${logs[@]}" -- "rabbitmq: rabbitmqctl wait failed"
  fi
  local deadline=$((SECONDS + 60))
  until mgmt_ready; do
    pid_alive "$pid" || abort_start rabbitmq "$pid" "${logs[@]}" -- "rabbitmq: the server (pid $pid) exited during start"
    ((SECONDS < deadline)) || abort_start rabbitmq "$pid" "${logs[@]}" -- "rabbitmq: management API not answering on 127.0.0.1:$RABBITMQ_MGMT_PORT"
    sleep 0.3
  done
  say "rabbitmq  up  amqp://guest:guest@127.0.0.1:$RABBITMQ_PORT  management http://127.0.0.1:$RABBITMQ_MGMT_PORT  (pid $pid, $(elapsed "$t0")s)"
}

# --------------------------------------------------------------------------------------------
# SQS
# --------------------------------------------------------------------------------------------

sqs_ready() {
  [[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$SQS_PORT/" 2>/dev/null || true)" != 000 ]]
}

up_sqs() {
  local t0 pid
  t0="$(now)"
  mkdir -p "$SQS_DIR"
  if pid="$(recorded_pid sqs)"; then
    check_reusable sqs "$pid" # already running: reuse it
  else
    if port_open "$SQS_PORT"; then
      die "sqs: port 127.0.0.1:$SQS_PORT is already taken by a process this script did not start"
    fi
    printf '\n=== %s starting sqs server\n' "$(date -Is)" >> "$SQS_LOG"
    launch "$SQS_DIR" "$SQS_LOG" env PERSISTERS_SQS_PORT="$SQS_PORT" node "$SQS_APP/server.js" "$SQS_PORT"
    pid="$LAUNCHED_PID"
    printf '%s\n' "$pid" > "$SQS_PIDREC"
    record_ports sqs
  fi
  local deadline=$((SECONDS + SQS_START_TIMEOUT))
  until sqs_ready; do
    pid_alive "$pid" || abort_start sqs "$pid" "$SQS_LOG" -- "sqs: server (pid $pid) exited during start"
    ((SECONDS < deadline)) || abort_start sqs "$pid" "$SQS_LOG" -- "sqs: not answering on 127.0.0.1:$SQS_PORT after ${SQS_START_TIMEOUT}s"
    sleep 0.1
  done
  say "sqs       up  http://127.0.0.1:$SQS_PORT  (pid $pid, $(elapsed "$t0")s)"
}

# --------------------------------------------------------------------------------------------
# Service Bus test emulator
# --------------------------------------------------------------------------------------------

servicebus_ready() {
  [[ "$(curl -s --max-time 2 "http://127.0.0.1:$SERVICEBUS_MGMT_PORT/_emulator/health" 2>/dev/null || true)" == ok ]] \
    && port_open "$SERVICEBUS_PORT"
}

up_servicebus() {
  local t0 pid config_args=()
  t0="$(now)"
  mkdir -p "$SB_DIR"
  if pid="$(recorded_pid servicebus)"; then
    check_reusable servicebus "$pid" # already running: reuse it
  else
    local p
    for p in "$SERVICEBUS_PORT" "$SERVICEBUS_MGMT_PORT"; do
      if port_open "$p"; then
        die "servicebus: port 127.0.0.1:$p is already taken by a process this script did not start"
      fi
    done
    if [[ -n "${PERSISTERS_SERVICEBUS_CONFIG:-}" ]]; then
      [[ -r "$PERSISTERS_SERVICEBUS_CONFIG" ]] || die "servicebus: PERSISTERS_SERVICEBUS_CONFIG=$PERSISTERS_SERVICEBUS_CONFIG is not a readable file"
      config_args=(--config "$(cd "$(dirname "$PERSISTERS_SERVICEBUS_CONFIG")" && pwd)/$(basename "$PERSISTERS_SERVICEBUS_CONFIG")")
    fi
    printf '\n=== %s starting the Service Bus test emulator\n' "$(date -Is)" >> "$SB_LOG"
    launch "$SB_DIR" "$SB_LOG" dotnet "$SB_DLL" --host 127.0.0.1 --port "$SERVICEBUS_PORT" \
      --management-port "$SERVICEBUS_MGMT_PORT" --key "$SB_KEY_NAME=$SB_KEY" "${config_args[@]}"
    pid="$LAUNCHED_PID"
    printf '%s\n' "$pid" > "$SB_PIDREC"
    record_ports servicebus
  fi
  local deadline=$((SECONDS + SB_START_TIMEOUT))
  until servicebus_ready; do
    pid_alive "$pid" || abort_start servicebus "$pid" "$SB_LOG" -- "servicebus: emulator (pid $pid) exited during start"
    ((SECONDS < deadline)) || abort_start servicebus "$pid" "$SB_LOG" -- "servicebus: not answering on 127.0.0.1:$SERVICEBUS_MGMT_PORT after ${SB_START_TIMEOUT}s"
    sleep 0.2
  done
  say "servicebus up  amqp+http 127.0.0.1:$SERVICEBUS_PORT  stats http://127.0.0.1:$SERVICEBUS_MGMT_PORT/_emulator/stats  (pid $pid, $(elapsed "$t0")s)"
}

# --------------------------------------------------------------------------------------------
# Stop
# --------------------------------------------------------------------------------------------

# stop_pid NAME PID: SIGTERM, wait up to STOP_TIMEOUT, then SIGKILL.
stop_pid() {
  local name="$1" pid="$2" t0
  t0="$(now)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + STOP_TIMEOUT))
  while pid_alive "$pid"; do
    if ((SECONDS >= deadline)); then
      err "$name: pid $pid still running after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  say "$name stopped (pid $pid, $(elapsed "$t0")s)"
}

down_one() {
  local name="$1" pid
  if pid="$(recorded_pid "$name")"; then
    stop_pid "$name" "$pid"
  else
    say "$name not running"
  fi
  case "$name" in
    mariadb) rm -f "$MDB_PIDREC" "$(ports_file mariadb)" ;;
    rabbitmq)
      rm -f "$RMQ_PIDREC" "$(ports_file rabbitmq)"
      if command -v epmd > /dev/null 2>&1; then
        rmq_env epmd -kill < /dev/null > /dev/null 2>&1 || true
      fi
      ;;
    sqs) rm -f "$SQS_PIDREC" "$(ports_file sqs)" ;;
    servicebus) rm -f "$SB_PIDREC" "$(ports_file servicebus)" ;;
  esac
}

# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------

# Validates server names; with none, all of them. Result in SELECTED.
SELECTED=()
select_servers() {
  SELECTED=()
  local n s ok
  if [[ $# -eq 0 ]]; then SELECTED=("${ALL_SERVERS[@]}"); return; fi
  for n in "$@"; do
    ok=
    for s in "${ALL_SERVERS[@]}"; do [[ "$n" == "$s" ]] && ok=1; done
    [[ -n "$ok" ]] || die "unknown server '$n' (known: ${ALL_SERVERS[*]})"
    SELECTED+=("$n")
  done
}

# One `up`/`down` at a time per checkout. Descriptor 9 is closed in every launched server.
take_lock() {
  mkdir -p "$DATA"
  exec 9> "$DATA/.lock"
  flock -w 600 9 || die "another services.sh is still running (lock $DATA/.lock)"
}

cmd_up() {
  select_servers "$@"
  take_lock
  install_for "${SELECTED[@]}"
  local s
  for s in "${SELECTED[@]}"; do "up_$s"; done
}

cmd_down() {
  select_servers "$@"
  take_lock
  local s
  for s in "${SELECTED[@]}"; do down_one "$s"; done
}

cmd_status() {
  local s pid state
  for s in "${ALL_SERVERS[@]}"; do
    state=down
    if pid="$(recorded_pid "$s")"; then
      state="up  $(address_of "$s")  (pid $pid)"
      if [[ "$(cat "$(ports_file "$s")" 2>/dev/null || true)" != "$(wanted_ports "$s")" ]]; then
        state="$state  [started with port(s) $(cat "$(ports_file "$s")" 2>/dev/null || echo unknown)]"
      fi
    fi
    printf '%-10s %s\n' "$s" "$state"
  done
}

# Debian's chromium for the browser test (tests/Persisters.BrowserTests drives it with Playwright; never a downloaded browser).
cmd_browser() {
  mkdir -p "$DATA"
  command -v chromium > /dev/null || apt_install chromium
  command -v chromium > /dev/null || die "chromium: not on PATH after apt-get install chromium"
  say "chromium  $(command -v chromium)"
}

cmd_env() {
  cat <<EOF
export PERSISTERS_TEST_MYSQL="Server=127.0.0.1;Port=$MYSQL_PORT;User ID=$DB_USER;Password=$DB_PASSWORD;Database=$DB_NAME"
export PERSISTERS_TEST_MYSQL_ADMIN="Server=127.0.0.1;Port=$MYSQL_PORT;User ID=$DB_USER;Password=$DB_PASSWORD"
export PERSISTERS_TEST_RABBITMQ_HOST=127.0.0.1
export PERSISTERS_TEST_RABBITMQ_PORT=$RABBITMQ_PORT
export PERSISTERS_TEST_RABBITMQ_MGMT=http://127.0.0.1:$RABBITMQ_MGMT_PORT
export PERSISTERS_TEST_SQS_URL=http://127.0.0.1:$SQS_PORT
export PERSISTERS_TEST_SERVICEBUS="Endpoint=sb://127.0.0.1:$SERVICEBUS_PORT;SharedAccessKeyName=$SB_KEY_NAME;SharedAccessKey=$SB_KEY;UseDevelopmentEmulator=true"
export PERSISTERS_TEST_SERVICEBUS_MGMT=http://127.0.0.1:$SERVICEBUS_MGMT_PORT
EOF
}

usage() {
  cat <<EOF
usage: scripts/services.sh up [mariadb] [rabbitmq] [sqs] [servicebus]   install if missing, start, wait until ready
       scripts/services.sh down [mariadb] [rabbitmq] [sqs] [servicebus] stop
       scripts/services.sh status                          up/down for each
       scripts/services.sh env                             export lines: eval "\$(scripts/services.sh env)"
       scripts/services.sh browser                         install Debian's chromium if missing (the browser test)
EOF
}

main() {
  local cmd="${1:-}"
  [[ $# -gt 0 ]] && shift
  case "$cmd" in
    up) cmd_up "$@" ;;
    down) cmd_down "$@" ;;
    status) cmd_status ;;
    env) cmd_env ;;
    browser) cmd_browser ;;
    -h|--help|help) usage ;;
    *) usage >&2; exit 2 ;;
  esac
}

main "$@"
