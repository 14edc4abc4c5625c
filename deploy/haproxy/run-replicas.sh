#!/usr/bin/env bash
# N replicas of cua-mcp on this machine behind HAProxy, in the foreground; Ctrl-C stops them all.
#
#   deploy/haproxy/run-replicas.sh [N=2] [PORT=8100] [-- more cua-mcp options]
#
# Replica i is `cua-mcp --replica r<i> --port PORT+i`; all share one --output-dir (CUA_OUTPUT_DIR, default
# ./replicas-data), where the recordings and the replicas' records live. HAProxy listens on 127.0.0.1:PORT
# with the configuration `cua-mcp haproxy-config` prints (deploy/haproxy/cua-mcp.cfg is the one for N=2).
# Clients connect to http://127.0.0.1:PORT/mcp. Needs `haproxy` (Debian: apt-get install haproxy) and
# `cua-mcp` on PATH (npm install -g cua-mcp-server, or CUA_MCP="node dist/src/cli.js" in a checkout).
set -euo pipefail
count="${1:-2}"
port="${2:-8100}"
shift $(( $# > 2 ? 2 : $# ))
[ "${1:-}" = "--" ] && shift
cua_mcp=(${CUA_MCP:-cua-mcp})
shared="${CUA_OUTPUT_DIR:-$PWD/replicas-data}"
mkdir -p "$shared"

pids=()
trap 'kill "${pids[@]}" 2>/dev/null; wait' EXIT INT TERM
servers=()
for i in $(seq 1 "$count"); do
  "${cua_mcp[@]}" --replica "r$i" --port "$((port + i))" --output-dir "$shared" "$@" 2> >(sed "s/^/[r$i] /" >&2) &
  pids+=($!)
  servers+=("r$i=127.0.0.1:$((port + i))")
done
config="$shared/haproxy.cfg"
"${cua_mcp[@]}" haproxy-config --listen "127.0.0.1:$port" "${servers[@]}" > "$config"
haproxy -db -f "$config" &
pids+=($!)
echo "MCP clients: http://127.0.0.1:$port/mcp ($count replicas, shared folder $shared)" >&2
wait -n "${pids[@]}"
