#!/usr/bin/env bash
# A local two-shard ClickHouse cluster for trying Zespan's ClickHouse storage and for its test suite:
# one ZooKeeper and two clickhouse-server processes on free loopback ports, each with its own data folder,
# {shard}/{replica} macros and a remote_servers entry naming both shards (cluster "zespan").
#
#   scripts/clickhouse-cluster.sh install  installs Debian's clickhouse-server, zookeeper and a Java runtime if missing
#   scripts/clickhouse-cluster.sh start    installs Debian's clickhouse-server and zookeeper if missing (apt-get),
#                                          starts the cluster and writes $STATE/cluster.env (ZESPAN_CLICKHOUSE_* lines)
#   scripts/clickhouse-cluster.sh status   prints the env file and whether each process answers
#   scripts/clickhouse-cluster.sh stop     stops the processes and deletes $STATE
#
# STATE is $ZESPAN_CLICKHOUSE_STATE, default ${TMPDIR:-/tmp}/zespan-clickhouse: give each concurrent cluster its own.
set -euo pipefail

state=${ZESPAN_CLICKHOUSE_STATE:-${TMPDIR:-/tmp}/zespan-clickhouse}
cluster=zespan
env_file=$state/cluster.env

log() { echo "clickhouse-cluster: $*" >&2; }

install_packages() {
  local missing=()
  command -v clickhouse-server > /dev/null || missing+=(clickhouse-server)
  [ -f /usr/share/java/zookeeper.jar ] || missing+=(zookeeper)
  command -v java > /dev/null || missing+=(default-jre-headless)
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]} (apt-get)"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq > /dev/null || true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" > /dev/null
}

# A loopback TCP port nobody listens on and that this script has not handed out yet. It sets $port rather than
# printing it: a $(free_port) subshell could not record what it handed out, so two roles could get the same port.
taken=" "
free_port() {
  while :; do
    port=$((20000 + RANDOM % 40000))
    case "$taken" in *" $port "*) continue ;; esac
    if ! ss -Hltn "sport = :$port" 2> /dev/null | grep -q .; then
      taken="$taken$port "
      return
    fi
  done
}

# clickhouse-server refuses nothing as root in 18.16, but its files should belong to the account Debian made for it,
# so a later system install or a non-root run can read them; ZooKeeper runs as the caller.
as_clickhouse() {
  if [ "$(id -u)" -eq 0 ] && id clickhouse > /dev/null 2>&1; then
    runuser -u clickhouse -- "$@"
  else
    "$@"
  fi
}

write_zookeeper_config() {
  mkdir -p "$state/zookeeper/data"
  cat > "$state/zookeeper/zoo.cfg" << EOF
tickTime=2000
initLimit=10
syncLimit=5
dataDir=$state/zookeeper/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
maxClientCnxns=0
4lw.commands.whitelist=ruok,stat
EOF
  cat > "$state/zookeeper/log4j.properties" << EOF
log4j.rootLogger=WARN, FILE
log4j.appender.FILE=org.apache.log4j.FileAppender
log4j.appender.FILE.File=$state/zookeeper/zookeeper.log
log4j.appender.FILE.layout=org.apache.log4j.PatternLayout
log4j.appender.FILE.layout.ConversionPattern=%d %p %c: %m%n
EOF
}

start_zookeeper() {
  # Debian's zookeeper.jar names its dependencies in its manifest; the conf folder first puts our log4j.properties on the path.
  nohup java -Xmx256m -Dzookeeper.log.dir="$state/zookeeper" -Dlog4j.configuration="file:$state/zookeeper/log4j.properties" \
    -Dzookeeper.admin.enableServer=false -cp "$state/zookeeper:/usr/share/java/zookeeper.jar" \
    org.apache.zookeeper.server.quorum.QuorumPeerMain "$state/zookeeper/zoo.cfg" > "$state/zookeeper/stdout.log" 2>&1 &
  echo $! > "$state/zookeeper/pid"
}

# write_node_config <n> <http> <tcp> <interserver>
write_node_config() {
  local dir=$state/node$1
  mkdir -p "$dir/data" "$dir/tmp" "$dir/log" "$dir/user_files" "$dir/format_schemas"
  cat > "$dir/config.xml" << EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$dir/log/server.log</log><errorlog>$dir/log/error.log</errorlog><size>10M</size><count>1</count></logger>
  <listen_host>127.0.0.1</listen_host>
  <http_port>$2</http_port>
  <tcp_port>$3</tcp_port>
  <interserver_http_port>$4</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <path>$dir/data/</path>
  <tmp_path>$dir/tmp/</tmp_path>
  <user_files_path>$dir/user_files/</user_files_path>
  <format_schema_path>$dir/format_schemas/</format_schema_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mark_cache_size>268435456</mark_cache_size>
  <uncompressed_cache_size>268435456</uncompressed_cache_size>
  <max_concurrent_queries>200</max_concurrent_queries>
  <builtin_dictionaries_reload_interval>3600</builtin_dictionaries_reload_interval>
  <zookeeper><node><host>127.0.0.1</host><port>$zk_port</port></node><session_timeout_ms>30000</session_timeout_ms></zookeeper>
  <macros><shard>$1</shard><replica>replica$1</replica></macros>
  <remote_servers>
    <$cluster>
      <shard><internal_replication>true</internal_replication><replica><host>127.0.0.1</host><port>$tcp1</port></replica></shard>
      <shard><internal_replication>true</internal_replication><replica><host>127.0.0.1</host><port>$tcp2</port></replica></shard>
    </$cluster>
  </remote_servers>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>
  <!-- Each statement's server-side time and rows read (system.query_log), for taking a slow read apart. -->
  <query_log><database>system</database><table>query_log</table><flush_interval_milliseconds>1000</flush_interval_milliseconds></query_log>
</yandex>
EOF
  # Statements in system.query_log (log_queries), but not each of their threads in system.query_thread_log: 18.16 logs
  # threads by default, current ClickHouse does not, and during a load it took ~20 % of ClickHouse's CPU (its table grew
  # to 2.5 times the spans' size, the writers' statements carrying their batch's ids; docs/benchmarks.md).
  cat > "$dir/users.xml" << EOF
<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>4000000000</max_memory_usage><load_balancing>random</load_balancing><log_queries>1</log_queries><log_query_threads>0</log_query_threads></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
EOF
}

start_node() {
  local dir=$state/node$1
  as_clickhouse nohup clickhouse-server --config-file="$dir/config.xml" > "$dir/log/stdout.log" 2>&1 &
  echo $! > "$dir/pid"
}

# wait_for <what> <seconds> <command...>
wait_for() {
  local what=$1 seconds=$2
  shift 2
  for _ in $(seq 1 $((seconds * 4))); do
    if "$@" > /dev/null 2>&1; then return 0; fi
    sleep 0.25
  done
  log "$what did not come up within ${seconds}s; logs in $state"
  # The caller (the test fixture) usually deletes $state on failure: show the logs' ends here.
  local file
  for file in "$state"/zookeeper/zookeeper.log "$state"/node1/log/error.log "$state"/node2/log/error.log "$state"/node*/log/stdout.log; do
    [ -s "$file" ] && { log "--- tail of $file"; tail -n 15 "$file" >&2; }
  done
  return 1
}

# Serving, not only alive: "ruok" answers imok as soon as the port is bound, before ZooKeeper serves sessions, and a
# clickhouse-server 18.16 that meets "connection loss" there can crash in its DDL worker (seen in CI: a segfault in
# zkutil::ZooKeeper::createImpl). "stat" names the server's mode only once it serves.
# Each try gives up after 5 s: a ZooKeeper still starting can accept the connection and never answer (seen in CI: the
# start waited 28 min on that read), and wait_for then tries again.
zookeeper_ok() {
  timeout 5 bash -c 'exec 3<> "/dev/tcp/127.0.0.1/$1" && printf stat >&3 && grep -q "^Mode: " <&3' _ "$zk_port"
}
node_alive() { kill -0 "$(cat "$state/node$1/pid")" 2> /dev/null; }
# ON CLUSTER DDL answered by both shards; a node that died on the way (above) is started again first.
cluster_ddl_ok() {
  local n
  for n in 1 2; do
    node_alive "$n" || { log "clickhouse-server $n exited; starting it again"; start_node "$n"; return 1; }
  done
  query "$http1" "CREATE DATABASE IF NOT EXISTS zespan_cluster_check ON CLUSTER $cluster"
}
node_ok() { curl -sf --max-time 5 "http://127.0.0.1:$1/ping" | grep -q Ok; }
query() { curl -sf --data-binary "$2" "http://127.0.0.1:$1/"; }

start() {
  if [ -f "$env_file" ]; then
    log "already started ($env_file); stop it first"
    cat "$env_file"
    return 0
  fi
  install_packages
  rm -rf "$state"
  mkdir -p "$state"
  free_port; zk_port=$port
  free_port; http1=$port; free_port; tcp1=$port; free_port; inter1=$port
  free_port; http2=$port; free_port; tcp2=$port; free_port; inter2=$port
  write_zookeeper_config
  write_node_config 1 "$http1" "$tcp1" "$inter1"
  write_node_config 2 "$http2" "$tcp2" "$inter2"
  if [ "$(id -u)" -eq 0 ] && id clickhouse > /dev/null 2>&1; then
    chown -R clickhouse: "$state/node1" "$state/node2"
    chmod 755 "$state"
  fi
  start_zookeeper
  wait_for ZooKeeper 60 zookeeper_ok
  start_node 1
  start_node 2
  wait_for "clickhouse-server 1" 60 node_ok "$http1"
  wait_for "clickhouse-server 2" 60 node_ok "$http2"
  # Both shards must execute ON CLUSTER DDL through ZooKeeper before anyone relies on the cluster. On a busy machine the
  # DDL workers' first ZooKeeper round can take over a minute (the suite once failed at 60 s under a CI load of ~20).
  wait_for "ON CLUSTER DDL" 180 cluster_ddl_ok
  [ "$(query "$http2" "SELECT count() FROM system.databases WHERE name = 'zespan_cluster_check'")" = 1 ] \
    || { log "ON CLUSTER DDL did not reach the second shard"; return 1; }
  query "$http1" "DROP DATABASE IF EXISTS zespan_cluster_check ON CLUSTER $cluster" > /dev/null
  cat > "$env_file.tmp" << EOF
ZESPAN_CLICKHOUSE_URL=http://127.0.0.1:$http1,http://127.0.0.1:$http2
ZESPAN_CLICKHOUSE_CLUSTER=$cluster
ZESPAN_CLICKHOUSE_SHARD_URLS=http://127.0.0.1:$http1,http://127.0.0.1:$http2
ZESPAN_CLICKHOUSE_VERSION=$(query "$http1" "SELECT version()")
EOF
  mv "$env_file.tmp" "$env_file"
  log "two shards up (cluster $cluster); environment in $env_file"
  cat "$env_file"
}

stop_pid() {
  local pid_file=$1 pid
  [ -f "$pid_file" ] || return 0
  pid=$(cat "$pid_file")
  # runuser forks: the server is its child, so stop children first, then the recorded process.
  pkill -TERM -P "$pid" 2> /dev/null || true
  kill -TERM "$pid" 2> /dev/null || true
  for _ in $(seq 1 40); do
    kill -0 "$pid" 2> /dev/null || return 0
    sleep 0.25
  done
  pkill -KILL -P "$pid" 2> /dev/null || true
  kill -KILL "$pid" 2> /dev/null || true
}

stop() {
  [ -d "$state" ] || return 0
  stop_pid "$state/node1/pid"
  stop_pid "$state/node2/pid"
  stop_pid "$state/zookeeper/pid"
  rm -rf "$state"
  log "stopped"
}

status() {
  if [ ! -f "$env_file" ]; then
    echo "not started ($state)"
    return 1
  fi
  cat "$env_file"
  local url ok=0
  # shellcheck disable=SC1090
  . "$env_file"
  for url in ${ZESPAN_CLICKHOUSE_SHARD_URLS//,/ }; do
    if curl -sf "$url/ping" > /dev/null; then echo "$url up"; else echo "$url DOWN"; ok=1; fi
  done
  return $ok
}

case "${1:-}" in
  install) install_packages ;;
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 install|start|stop|status" >&2; exit 2 ;;
esac
