#!/usr/bin/env bash
# A native run's arithmetic depends on the host's cache sizes: this shows it,
# and runs a command as if the host had other caches.
#
# burn's native matrix products go through the `gemm` crate, which reads the
# CPU's cache sizes from /sys/devices/system/cpu/*/cache at first use and
# blocks its loops to fit them. A different blocking sums in a different
# order, the last bits of a product change, and training carries the change
# on: two x86_64 hosts with the same instruction set but different caches
# compute near, not equal, results. The shipped native results
# (results/*.json but quick) were computed on a host whose level-1 data
# cache was 48 KiB, 12-way, with a 1 MiB level-2 cache (found by reproducing
# them: BENCHMARKS.md, "Native runs and the host's caches").
#
#   scripts/host-caches.sh compare [L1 WAYS L2]
#       trains one small model twice with the release build, as the machine
#       is and with the caches reported as L1 (size), WAYS (its ways) and L2
#       (size), and says whether the two results files are equal
#   scripts/host-caches.sh run [L1 WAYS L2] -- COMMAND...
#       runs COMMAND seeing those caches, e.g. to reproduce the shipped paper
#       preset bit for bit on an AVX-512 host:
#       scripts/host-caches.sh run -- target/release/opimp sweep --preset paper --threads 2 --out /tmp/paper.json
#
# Default caches: 48K 12 1024K (the shipping host's). Linux only; needs
# root (or CAP_SYS_ADMIN) for a private mount namespace (`unshare -m`):
# nothing outside the command sees the change.
set -euo pipefail
cd "$(dirname "$0")/.."

usage() { sed -n '2,26p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
mode=${1:-}
[ "$mode" = compare ] || [ "$mode" = run ] || usage
shift
l1=48K; ways=12; l2=1024K
if [ $# -ge 3 ] && [ "$1" != -- ]; then l1=$1; ways=$2; l2=$3; shift 3; fi
for v in "$l1" "$l2"; do
  [[ $v =~ ^[0-9]+K$ ]] || { echo "host-caches: a cache size is a number of KiB such as 48K, not '$v'" >&2; exit 2; }
done
[[ $ways =~ ^[0-9]+$ ]] || { echo "host-caches: ways is a whole number, not '$ways'" >&2; exit 2; }
if [ "$mode" = run ]; then
  [ "${1:-}" = -- ] && shift
  [ $# -gt 0 ] || usage
fi
[ -d /sys/devices/system/cpu/cpu0/cache ] || { echo "host-caches: /sys reports no caches here (Linux only)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fake="$work/cache"
describe() {
  for i in "$1"/index*; do
    [ "$(cat "$i/type")" = Instruction ] && continue
    echo "L$(cat "$i/level") $(cat "$i/size") $(cat "$i/ways_of_associativity")-way"
  done | paste -sd, -
}
for index in /sys/devices/system/cpu/cpu0/cache/index*; do
  mkdir -p "$fake/$(basename "$index")"
  for f in level type size ways_of_associativity coherency_line_size shared_cpu_list; do
    if [ -r "$index/$f" ]; then cp "$index/$f" "$fake/$(basename "$index")/$f"; fi
  done
done
as_is=$(describe "$fake")
for i in "$fake"/index*; do
  case "$(cat "$i/level") $(cat "$i/type")" in
    "1 Data") echo "$l1" > "$i/size"; echo "$ways" > "$i/ways_of_associativity" ;;
    "2 Unified") echo "$l2" > "$i/size" ;;
  esac
done
reported=$(describe "$fake")

# Runs "$@" with every CPU's cache directory replaced by the fake one.
seeing() {
  unshare -m bash -c '
    fake=$1; shift
    for c in /sys/devices/system/cpu/cpu[0-9]*; do
      [ -d "$c/cache" ] && mount --bind "$fake" "$c/cache"
    done
    exec "$@"' _ "$fake" "$@"
}

echo "caches as they are: $as_is" >&2
echo "caches as reported: $reported" >&2
if [ "$mode" = run ]; then
  seeing "$@"
  exit
fi

cargo build --release --locked --bin opimp -q
bin=target/release/opimp
args=(train --size s --steps 200 --rl-steps 0 --json)
"$bin" "${args[@]}" > "$work/as-is.json" 2> /dev/null
seeing "$bin" "${args[@]}" > "$work/reported.json" 2> /dev/null
if cmp -s "$work/as-is.json" "$work/reported.json"; then
  echo "same results bit for bit"
else
  python3 - "$work/as-is.json" "$work/reported.json" <<'EOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for p, q in zip(a["curves"]["pretrain"][0]["points"], b["curves"]["pretrain"][0]["points"]):
    if p != q:
        print(f"results differ: first at pretraining step {p['step']}, "
              f"train loss {p['train_loss']!r} as is, {q['train_loss']!r} as reported")
        break
else:
    print("results differ (not in the pretraining curve)")
EOF
fi
