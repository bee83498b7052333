#!/usr/bin/env bash
# Two "hosts" on one machine (issue 13): network namespaces yolo-h1 / yolo-h2 joined by veth pairs on a bridge,
# Open MPI launching into them through an rsh agent that runs `ip netns exec` instead of ssh, and its TCP transport
# between them. Runs the same short data-parallel training across the namespaces and on loopback (shared memory) and
# compares the weights after every step (they must be bit-identical), then removes the namespaces.
#
#   sudo Scripts/mpi/two_hosts.sh        (needs root for ip netns, iproute2, openmpi-bin and a release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="$PWD/.build/release/yolo"
[ -x "$bin" ] || { echo "build first: Scripts/setup.sh" >&2; exit 1; }
work="$(mktemp -d /tmp/two-hosts-XXXXXX)"
cleanup() {
    ip netns del yolo-h1 2>/dev/null || true
    ip netns del yolo-h2 2>/dev/null || true
    ip link del yolo-br0 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
cleanup; work="$(mktemp -d /tmp/two-hosts-XXXXXX)"

ip link add yolo-br0 type bridge
ip addr add 10.77.0.254/24 dev yolo-br0
ip link set yolo-br0 up
for n in 1 2; do
    ip netns add yolo-h$n
    ip link add yolo-v$n type veth peer name yolo-v${n}p
    ip link set yolo-v${n}p netns yolo-h$n
    ip link set yolo-v$n master yolo-br0
    ip link set yolo-v$n up
    ip netns exec yolo-h$n ip addr add 10.77.0.$n/24 dev yolo-v${n}p
    ip netns exec yolo-h$n ip link set yolo-v${n}p up
    ip netns exec yolo-h$n ip link set lo up
done
# Open MPI calls the agent as `<agent> <host> <command…>`: the host's address names its namespace.
cat > "$work/netns-rsh" <<'AGENT'
#!/bin/sh
host="$1"; shift
exec ip netns exec "yolo-h${host##*.}" sh -c "$*"
AGENT
chmod +x "$work/netns-rsh"

source Scripts/lib/coco8.sh
coco8_copy "$work"
export YOLO_CONFIG_DIR="$work/config" OMP_NUM_THREADS=1
args=(pose train model=Tests/Fixtures/tiny-pose.yaml "data=$work/data.yaml" epochs=3 imgsz=64 batch=4 nbs=4
      pretrained=False plots=False val=False "project=$work/runs")
net=(--host 10.77.0.1,10.77.0.2 --mca plm_rsh_agent "$work/netns-rsh" --mca oob_tcp_if_include 10.77.0.0/24
     --mca btl tcp,self --mca btl_tcp_if_include 10.77.0.0/24 -x OMP_NUM_THREADS -x YOLO_CONFIG_DIR -x YOLO_TRAIN_DUMP_WEIGHTS)
YOLO_TRAIN_DUMP_WEIGHTS="$work/tcp" mpirun --allow-run-as-root -np 2 "${net[@]}" "$bin" "${args[@]}" name=tcp \
    > "$work/tcp.log" 2>&1 || { tail -20 "$work/tcp.log"; exit 1; }
YOLO_TRAIN_DUMP_WEIGHTS="$work/local" mpirun --allow-run-as-root --oversubscribe --bind-to none -np 2 "$bin" "${args[@]}" \
    name=local > "$work/local.log" 2>&1 || { tail -20 "$work/local.log"; exit 1; }
status=0
for f in "$work"/local/*.f32; do
    if cmp -s "$f" "$work/tcp/$(basename "$f")"; then echo "same: $(basename "$f")"; else echo "DIFFERENT: $(basename "$f")"; status=1; fi
done
[ -n "$(ls "$work"/local/*.f32 2>/dev/null)" ] || { echo "no weights written"; status=1; }
exit $status
