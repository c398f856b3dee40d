#!/usr/bin/env bash
# Runs a YCSB workload against a Chorus cluster it starts (and, with --redis, against a Redis server it starts),
# then prints throughput, latency percentiles per operation and the servers' CPU per operation. Everything it
# starts is stopped by PID when it ends, on Ctrl-C and on failure too. benchmarks/README.md explains the figures.
#
#   benchmarks/ycsb.sh WORKLOAD [--threads T] [--target-rate R[,R...]] [--records N] [--ops N] [--nodes 1|3]
#                      [--processes] [--sync|--nosync] [--storage-shards S] [--redis] [--redis-only]
#                      [--rate-seconds S] [--max-seconds S] [--warmup S] [--out DIR] [-p NAME=VALUE ...]
#
# WORKLOAD is a, b, c, d, f (benchmarks/ycsb/workloads/workloadX) or a workload file. --target-rate takes one
# rate or a list, each "max" (as fast as it goes), ops/s, or "P%" of the first max run's throughput: the list
# runs one after the other on the same loaded cluster, e.g. --target-rate max,25%,50%,75%. A run at a set rate
# makes rate * --rate-seconds operations when that is given, else --ops. A max run lasts --max-seconds when that
# is given (YCSB's maxexecutiontime; a short run measures a cold JIT more than the store), else makes --ops
# operations. --warmup S runs the workload for S seconds inside each run's YCSB JVM before its clock starts
# (io.chorus.benchmarks.ycsb.Warmup; the load is never warmed). Throughput and CPU per operation count the run's
# own operations and time, after the warm-up. -p passes a property to YCSB and the
# binding (e.g. -p chorus.update=blind). --out keeps YCSB's output and a summary.env per run in DIR.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
server_jar="$root/server/target/chorus.jar"
bench_jar="$root/benchmarks/target/benchmarks.jar"
# lmdbjava reaches into java.nio internals on Java 17; the YCSB JVM gets them too (the shaded jar holds the
# server's classes, and the flags cost nothing when LMDB is not opened).
java_opens=(--add-opens java.base/java.nio=ALL-UNNAMED --add-opens java.base/sun.nio.ch=ALL-UNNAMED)

usage() {
  sed -n '5,8p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

invocation="benchmarks/ycsb.sh $*"
workload="" threads=50 targets="max" records=100000 ops=100000 nodes=3 processes=0 nosync=0 shards=1
redis=0 chorus=1 rate_seconds="" max_seconds="" warmup="" out="" props=() idle_seconds="${YCSB_IDLE_SECONDS:-3}"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) threads="$2"; shift 2 ;;
    --target-rate) targets="$2"; shift 2 ;;
    --records) records="$2"; shift 2 ;;
    --ops) ops="$2"; shift 2 ;;
    --nodes) nodes="$2"; shift 2 ;;
    --processes) processes=1; shift ;;
    --sync) nosync=0; shift ;;
    --nosync) nosync=1; shift ;;
    --storage-shards) shards="$2"; shift 2 ;;
    --redis) redis=1; shift ;;
    --redis-only) redis=1; chorus=0; shift ;;
    --rate-seconds) rate_seconds="$2"; shift 2 ;;
    --max-seconds) max_seconds="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    -p) props+=(-p "$2"); shift 2 ;;
    -h|--help) usage ;;
    -*) echo "ycsb.sh: unknown option $1" >&2; usage ;;
    *) [[ -z "$workload" ]] || usage; workload="$1"; shift ;;
  esac
done
[[ -n "$workload" ]] || usage
if [[ -f "$workload" ]]; then
  workload_file="$(cd "$(dirname "$workload")" && pwd)/$(basename "$workload")"
else
  workload_file="$here/ycsb/workloads/workload${workload#workload}"
  [[ -f "$workload_file" ]] || { echo "ycsb.sh: no workload $workload (looked for $workload_file)" >&2; exit 2; }
fi
for n in "$threads" "$records" "$ops" "$nodes" "$shards" ${rate_seconds:+"$rate_seconds"} ${max_seconds:+"$max_seconds"} ${warmup:+"$warmup"}; do
  [[ "$n" =~ ^[0-9]+$ && "$n" -gt 0 ]] || { echo "ycsb.sh: '$n' is not a positive number" >&2; exit 2; }
done
IFS=',' read -r -a target_list <<< "$targets"
for t in "${target_list[@]}"; do
  [[ "$t" == max || "$t" =~ ^[0-9]+%?$ ]] || { echo "ycsb.sh: bad target rate '$t'" >&2; exit 2; }
done
[[ "${target_list[0]}" != *% ]] || { echo "ycsb.sh: a P% target needs a max run before it" >&2; exit 2; }
name="$(basename "$workload_file")"

# ---- build what is stale: the rule of ./chorus (a source or a pom newer than the jar), for both jars ----------
stale() {
  [[ ! -f "$1" ]] || [[ -n "$(find "$root" -path "$root/*/src/main/*" -newer "$1" -type f -print -quit 2>/dev/null)" ]] \
    || [[ -n "$(find "$root" -maxdepth 2 -name pom.xml -newer "$1" -print -quit)" ]]
}
if stale "$server_jar" || stale "$bench_jar"; then
  echo "ycsb.sh: building the server and benchmark jars (mvn -q -DskipTests package -pl server,benchmarks -am)..." >&2
  (cd "$root" && mvn -B -q -DskipTests -Djazzer.skip -Dfuzz.skip package -pl server,benchmarks -am >&2)
fi

# ---- what this run starts, and how it is stopped -------------------------------------------------------------
work="$(mktemp -d "${TMPDIR:-/tmp}/chorus-ycsb.XXXXXX")"
started=()      # PIDs to stop, in order: the YCSB client, then the servers
server_pids=()  # the processes whose CPU is measured
ok=0
stop_pid() {
  local pid="$1" i
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 400; i++)); do        # a cluster commits queued writes and stops its nodes: up to 40 s
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}
forget() {
  local kept=() pid
  for pid in "${started[@]}"; do [[ "$pid" == "$1" ]] || kept+=("$pid"); done
  started=("${kept[@]}")
}
cleanup() {
  local pid
  trap - EXIT INT TERM
  for pid in "${started[@]}"; do stop_pid "$pid"; done
  # Node processes stop with their cluster (--parent-pid); any still there after it went is killed here.
  for pid in "${server_pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  if [[ $ok == 1 ]]; then
    rm -rf "$work"
  else
    echo "ycsb.sh: failed or interrupted; logs kept in $work" >&2
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A port nothing listens on, with the next count-1 free too (node i of a cluster listens on PORT + i - 1).
free_ports() {
  local count="$1" base p ok_all
  for _ in $(seq 1 50); do
    base=$((20000 + RANDOM % 40000)); ok_all=1
    for ((p = base; p < base + count; p++)); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then ok_all=0; break; fi
    done
    [[ $ok_all == 1 ]] && { echo "$base"; return 0; }
  done
  echo "ycsb.sh: found no free port" >&2; return 1
}

# Waits until FILE has a line matching REGEX while PID lives (at most SECONDS).
await_line() {
  local file="$1" regex="$2" pid="$3" seconds="$4" i
  for ((i = 0; i < seconds * 10; i++)); do
    grep -qE "$regex" "$file" 2>/dev/null && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "ycsb.sh: the server exited while starting:" >&2; tail -5 "$file" >&2; return 1
    fi
    sleep 0.1
  done
  echo "ycsb.sh: the server did not start within $seconds s:" >&2; tail -5 "$file" >&2; return 1
}

# utime + stime of the given processes, in clock ticks (/proc/PID/stat fields 14 and 15; the command name in
# field 2 may hold spaces, so the fields are counted after its closing parenthesis).
cpu_ticks() {
  local total=0 pid t
  for pid in "$@"; do
    t=$(sed 's/.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    total=$((total + t))
  done
  echo "$total"
}
ticks_per_second=$(getconf CLK_TCK)
# The same, one figure per process, space-separated (node processes: what each node burns), and their sum.
cpu_ticks_each() {
  local pid out=()
  for pid in "$@"; do out+=("$(cpu_ticks "$pid")"); done
  echo "${out[*]}"
}
sum_ticks() { local t total=0; for t in $1; do total=$((total + t)); done; echo "$total"; }

# One YCSB phase: ycsb PHASE DB TAG [args...]; the output goes to $work/TAG.txt, its stderr to TAG.log. A run
# with a warm-up (-p warmup.seconds=...) sets warm_ops, warm_ms, and the servers' CPU ticks and the time when the
# warm-up ended (warm_cpu_each, one figure a server process, and warm_t1), so that the run's figures start there.
ycsb() {
  local phase="$1" db="$2" tag="$3"; shift 3
  java "${java_opens[@]}" -cp "$bench_jar" site.ycsb.Client "$phase" -db "$db" -P "$workload_file" \
    -p recordcount="$records" -p threadcount="$threads" "$@" "${props[@]}" \
    > "$work/$tag.txt" 2> "$work/$tag.log" &
  local pid=$!
  started=("$pid" "${started[@]}")
  warm_ops=0 warm_ms=0 warm_cpu_each="" warm_t1="" client_warm_ticks=0
  if [[ " $* " == *" warmup.seconds="* ]]; then
    # The whole line, its end included: a line being written may be seen without its figures.
    local done_line='^warmup: [0-9]+ operations in [0-9]+ ms$'
    while kill -0 "$pid" 2>/dev/null && ! grep -Eq "$done_line" "$work/$tag.log" 2>/dev/null; do sleep 0.05; done
    if grep -Eq "$done_line" "$work/$tag.log"; then
      warm_cpu_each=$(cpu_ticks_each "${server_pids[@]}")
      warm_t1=$(date +%s%N)
      client_warm_ticks=$(cpu_ticks "$pid" 2>/dev/null || echo 0)
      read -r warm_ops warm_ms < <(sed -nE 's/^warmup: ([0-9]+) operations in ([0-9]+) ms.*/\1 \2/p' "$work/$tag.log")
    fi
  fi
  local status=0
  wait "$pid" || status=$?
  if (( status != 0 )); then
    # Both streams: YCSB reports some failures (a DB's cleanup, a status thread) on stdout only.
    echo "ycsb.sh: YCSB $phase failed (exit status $status$( (( status > 128 )) && echo ", signal $((status - 128))")):" >&2
    grep -v '^\s*$' "$work/$tag.log" | tail -5 >&2; grep -v '^\s*$' "$work/$tag.txt" | tail -5 >&2
    [[ -z "$out" ]] || { mkdir -p "$out"; cp "$work/$tag.log" "$out/$name-$tag.failed.log"; cp "$work/$tag.txt" "$out/$name-$tag.failed.txt"; } 2>/dev/null || true
    return 1
  fi
  forget "$pid"
}

# The figures of one YCSB output: "OP COUNT P50 P99 P999" a line, latencies in microseconds.
op_table() {
  awk -F', ' '
    /^\[(OVERALL|CLEANUP|Intended-CLEANUP)\]/ { next }
    /^\[/ { op = substr($1, 2, length($1) - 2)
            if ($2 == "Operations") { count[op] = $3; if (!(op in seen)) { seen[op] = 1; order[n++] = op } }
            if ($2 == "50thPercentileLatency(us)") p50[op] = $3
            if ($2 == "99thPercentileLatency(us)") p99[op] = $3
            if ($2 == "99.9PercentileLatency(us)") p999[op] = $3 }
    END { for (i = 0; i < n; i++) { op = order[i]; printf "%s %s %s %s %s\n", op, count[op], p50[op], p99[op], p999[op] } }
  ' "$1"
}
# The operations a run did: the sum of its operations' counts (the "Intended-" copies left out).
done_ops() { awk -F', ' '$1 !~ /OVERALL|CLEANUP|Intended/ && $2 == "Operations" { s += $3 } END { print s + 0 }' "$1"; }
overall() { awk -F', ' -v k="$2" '$1 == "[OVERALL]" && $2 == k { print $3 }' "$1"; }
# Operations that did not return OK (NOT_FOUND counted apart: workload D reads keys still being inserted).
failures() { awk -F', ' '$1 !~ /Intended/ && $2 ~ /^Return=/ && $2 != "Return=OK" && $2 != "Return=NOT_FOUND" { s += $3 } END { print s + 0 }' "$1"; }
not_found() { awk -F', ' '$1 !~ /Intended/ && $2 == "Return=NOT_FOUND" { s += $3 } END { print s + 0 }' "$1"; }

# The flags that choose the store of one run, for the command that repeats it alone.
store_flags() {
  if [[ "$1" == redis ]]; then
    echo "--redis-only"
  else
    echo "--nodes $nodes$([[ $processes == 1 ]] && echo " --processes")$([[ $nosync == 1 ]] && echo " --nosync" || echo " --sync")$([[ $shards == 1 ]] || echo " --storage-shards $shards")"
  fi
}

declare -A max_throughput  # store -> throughput of its first max run
declare -A results         # store:index -> "throughput p99-of-first-op cpu"

# Runs load and every target of the list against one store; prints and records the figures.
bench_store() {
  local store="$1" db="$2" describe="$3"; shift 3
  local args=("$@") i=0
  echo "== $store: $name, $describe, $threads threads, $records records"
  ycsb -load "$db" "$store-load" -p operationcount="$ops" "${args[@]}"
  printf 'load: %s records in %.1f s (%.0f ops/s), %s failed\n' "$records" \
    "$(awk "BEGIN { print $(overall "$work/$store-load.txt" 'RunTime(ms)') / 1000 }")" \
    "$(overall "$work/$store-load.txt" 'Throughput(ops/sec)')" "$(failures "$work/$store-load.txt")"
  # What the servers burn with no requests (gossip, anti-entropy, the tail of the load's background work), so
  # that the CPU per operation of a slow run can be told apart from the cost that comes with every second.
  local idle_before idle_us_per_s
  idle_before=$(cpu_ticks "${server_pids[@]}")
  sleep "$idle_seconds"
  idle_us_per_s=$(awk "BEGIN { printf \"%.0f\", ($(cpu_ticks "${server_pids[@]}") - $idle_before) * 1000000 / $ticks_per_second / $idle_seconds }")
  echo "idle: ${idle_us_per_s} us of server CPU per second (over $idle_seconds s)"
  for t in "${target_list[@]}"; do
    local rate="" run_ops="$ops" label limit=()
    # YCSB's maxexecutiontime counts from its start, the warm-up included.
    [[ -z "$warmup" ]] || limit=(-p warmup.seconds="$warmup")
    if [[ "$t" == max ]]; then
      label="max"
      # Far more operations than the time allows: the run ends at maxexecutiontime.
      [[ -z "$max_seconds" ]] || { run_ops=1000000000; limit+=(-p maxexecutiontime="$((max_seconds + ${warmup:-0}))"); label="max, $max_seconds s"; }
    else
      if [[ "$t" == *% ]]; then
        rate=$(awk "BEGIN { printf \"%d\", ${max_throughput[$store]} * ${t%\%} / 100 }")
      else
        rate="$t"
      fi
      [[ "$rate" -gt 0 ]] || rate=1
      [[ -z "$rate_seconds" ]] || run_ops=$((rate * rate_seconds))
      label="$t target $rate ops/s"
    fi
    local tag="$store-run-$i"
    local before after elapsed_cpu
    local t0 t1 tp
    local before_each after_each
    before_each=$(cpu_ticks_each "${server_pids[@]}"); t0=$(date +%s%N)
    ycsb -t "$db" "$tag" -p operationcount="$run_ops" "${limit[@]}" ${rate:+-target "$rate"} "${args[@]}"
    after_each=$(cpu_ticks_each "${server_pids[@]}"); t1=$(date +%s%N)
    run_ops=$(done_ops "$work/$tag.txt")
    [[ "$run_ops" -gt 0 ]] || { echo "ycsb.sh: run $i did no operation" >&2; exit 1; }
    local run_ms
    run_ms=$(overall "$work/$tag.txt" 'RunTime(ms)')
    tp=$(overall "$work/$tag.txt" 'Throughput(ops/sec)')
    if [[ -n "$warm_cpu_each" ]]; then
      before_each="$warm_cpu_each"; t0="$warm_t1"
      run_ms=$((run_ms - warm_ms))
      tp=$(awk "BEGIN { printf \"%.1f\", $run_ops * 1000 / $run_ms }")
    fi
    before=$(sum_ticks "$before_each"); after=$(sum_ticks "$after_each")
    local cpu_us net_us client_us=""
    # The YCSB JVM's own CPU (it prints it as it exits), less what it burnt before the run's clock started.
    local client_ms
    client_ms=$(sed -nE 's/^client cpu: ([0-9]+) ms$/\1/p' "$work/$tag.log" | tail -1)
    [[ -z "$client_ms" ]] || client_us=$(awk "BEGIN { printf \"%.1f\", ($client_ms - $client_warm_ticks * 1000 / $ticks_per_second) * 1000 / $run_ops }")
    [[ "$t" != max || -n "${max_throughput[$store]:-}" ]] || max_throughput[$store]="$tp"
    cpu_us=$(awk "BEGIN { printf \"%.1f\", ($after - $before) * 1000000 / $ticks_per_second / $run_ops }")
    net_us=$(awk "BEGIN { v = (($after - $before) * 1000000 / $ticks_per_second - $idle_us_per_s * ($t1 - $t0) / 1000000000) / $run_ops; printf \"%.1f\", v < 0 ? 0 : v }")
    [[ -z "$warm_cpu_each" ]] || echo "warm-up: $warm_ops operations in $warm_ms ms, not counted below"
    printf 'run %s (%s): %.0f ops/s, %s ops in %.1f s, %s failed, %s not found\n' "$i" "$label" "$tp" "$run_ops" \
      "$(awk "BEGIN { print $run_ms / 1000 }")" "$(failures "$work/$tag.txt")" \
      "$(not_found "$work/$tag.txt")"
    printf '  %-24s %9s %9s %9s %9s\n' operation count 'p50(us)' 'p99(us)' 'p999(us)'
    op_table "$work/$tag.txt" | while read -r op count p50 p99 p999; do
      printf '  %-24s %9s %9s %9s %9s\n' "$op" "$count" "$p50" "$p99" "$p999"
    done
    printf '  server CPU: %s us per operation, %s us net of idle (%.2f s of CPU over %s operations; pids %s)\n' \
      "$cpu_us" "$net_us" "$(awk "BEGIN { print ($after - $before) / $ticks_per_second }")" "$run_ops" \
      "${server_pids[*]}"
    # Node processes: each one's share (a coordinator of more requests, or a node that is behind, shows here).
    local cpu_each=""
    if (( ${#server_pids[@]} > 1 )); then
      cpu_each=$(paste -d' ' <(tr ' ' '\n' <<< "$before_each") <(tr ' ' '\n' <<< "$after_each") |
        awk -v tps="$ticks_per_second" -v ops="$run_ops" '{ printf "%s%.1f", (NR > 1 ? " " : ""), ($2 - $1) * 1000000 / tps / ops }')
      echo "  server CPU per node (us per operation, in pid order): $cpu_each"
    fi
    [[ -z "$client_us" ]] || echo "  client CPU: $client_us us per operation (the YCSB JVM: workload, binding, the store's client)"
    # The binding's count of what its read-modify-write updates cost (warm-up included).
    sed -nE 's/^(chorus updates: .*)$/  \1 (warm-up included)/p' "$work/$tag.log" | tail -1
    results[$store:$i]="$tp $cpu_us"
    if [[ -n "$out" ]]; then
      mkdir -p "$out"
      cp "$work/$tag.txt" "$out/$name-$tag.txt"
      {
        echo "store=$store"; echo "workload=$name"; echo "target=$t"; echo "rate=${rate:-max}"
        echo "threads=$threads"; echo "records=$records"; echo "ops=$run_ops"; echo "describe=\"$describe\""
        echo "throughput=$tp"; echo "cpu_us_per_op=$cpu_us"; echo "cpu_net_us_per_op=$net_us"
        echo "idle_cpu_us_per_s=$idle_us_per_s"; echo "failed=$(failures "$work/$tag.txt")"
        echo "warmup_ops=$warm_ops"; echo "warmup_ms=$warm_ms"
        [[ -z "$cpu_each" ]] || echo "cpu_us_per_op_each=\"$cpu_each\""
        [[ -z "$client_us" ]] || echo "client_cpu_us_per_op=$client_us"
        echo "invocation=\"$invocation\""
        echo "command=\"benchmarks/ycsb.sh $name $(store_flags "$store") --threads $threads --records $records $([[ -n "$rate" || -z "$max_seconds" ]] && echo "--ops $run_ops" || echo "--max-seconds $max_seconds")${warmup:+ --warmup $warmup}${rate:+ --target-rate $rate}${props[*]:+ ${props[*]}}\""
        op_table "$work/$tag.txt" | while read -r op count p50 p99 p999; do
          echo "op_${op//-/_}=\"$count $p50 $p99 $p999\""
        done
      } > "$out/$name-$tag.env"
    fi
    i=$((i + 1))
  done
}

# ---- Chorus ------------------------------------------------------------------------------------------------
if [[ $chorus == 1 ]]; then
  port=$(free_ports "$nodes")
  cluster_args=(cluster --nodes "$nodes" --port "$port" --data "$work/data")
  [[ $processes == 0 ]] || cluster_args+=(--processes)
  [[ $nosync == 0 ]] || cluster_args+=(--nosync)
  [[ $shards == 1 ]] || cluster_args+=(--storage-shards "$shards")
  java "${java_opens[@]}" ${CHORUS_JAVA_OPTS:-} -jar "$server_jar" "${cluster_args[@]}" > "$work/cluster.log" 2>&1 &
  cluster_pid=$!
  started+=("$cluster_pid")
  if [[ $processes == 1 ]]; then
    await_line "$work/cluster.log" '^Cluster ready' "$cluster_pid" 200
    # "  node-i  ADDRESS  pid PID  log FILE": the node processes serve; the cluster's own JVM only watches them.
    mapfile -t server_pids < <(sed -nE 's/^  node-[0-9]+ .* pid ([0-9]+) .*/\1/p' "$work/cluster.log")
    [[ ${#server_pids[@]} == "$nodes" ]] || { echo "ycsb.sh: found ${#server_pids[@]} node pids" >&2; exit 1; }
  else
    await_line "$work/cluster.log" 'cluster running' "$cluster_pid" 200
    server_pids=("$cluster_pid")
  fi
  hosts=""
  for ((i = 0; i < nodes; i++)); do hosts+="${hosts:+,}127.0.0.1:$((port + i))"; done
  n=$((nodes < 3 ? nodes : 3)); q=$((n / 2 + 1))
  describe="$nodes node$([[ $nodes == 1 ]] || echo s) ($([[ $processes == 1 ]] && echo processes || echo embedded), $([[ $nosync == 1 ]] && echo NOSYNC || echo SYNC)$([[ $shards == 1 ]] || echo ", $shards storage shards")), N/R/W $n/$q/$q"
  bench_store chorus io.chorus.benchmarks.ycsb.ChorusYcsbClient "$describe" \
    -p chorus.hosts="$hosts" -p chorus.n="$n" -p chorus.r="$q" -p chorus.w="$q"
  stop_pid "$cluster_pid"
  forget "$cluster_pid"
fi

# ---- Redis ---------------------------------------------------------------------------------------------------
if [[ $redis == 1 ]]; then
  if ! command -v redis-server > /dev/null; then
    echo "ycsb.sh: redis-server is not installed (Debian: apt-get install -y redis-server)" >&2; exit 1
  fi
  redis_port=$(free_ports 1)
  # No snapshots, no append-only file: Redis as the in-memory yardstick it is usually measured as.
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --daemonize no \
    --dir "$work" > "$work/redis.log" 2>&1 &
  redis_pid=$!
  started+=("$redis_pid")
  await_line "$work/redis.log" 'Ready to accept connections' "$redis_pid" 30
  server_pids=("$redis_pid")
  bench_store redis io.chorus.benchmarks.ycsb.RedisYcsbClient "Redis $(redis-server --version | sed -E 's/.*v=([^ ]+).*/\1/') (no persistence)" \
    -p redis.host=127.0.0.1 -p redis.port="$redis_port"
fi

if [[ $chorus == 1 && $redis == 1 ]]; then
  echo "== Chorus / Redis"
  for ((i = 0; i < ${#target_list[@]}; i++)); do
    read -r ctp ccpu <<< "${results[chorus:$i]}"
    read -r rtp rcpu <<< "${results[redis:$i]}"
    awk -v t="${target_list[$i]}" -v ct="$ctp" -v rt="$rtp" -v cc="$ccpu" -v rc="$rcpu" 'BEGIN {
      printf "run %s: throughput %.2fx, CPU per operation %.1fx\n", t, ct / rt, (rc > 0 ? cc / rc : 0) }'
  done
fi
ok=1
