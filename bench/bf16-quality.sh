#!/usr/bin/env bash
# Does bf16 pretraining land inside the FP32 seed spread? (issue 23, item 6). On the demo's synthetic clips
# (byola demo --data-only): v1 d512 (the demo's CPU-sized recipe: proj 1024/128, bs 32) pretrained for EPOCHS epochs
# with each of SEEDS in fp32 and in bf16, each encoder then probed by `byola evaluate` on the demo's labelled task
# (embedding in fp32, REPEAT classifier runs). Prints one row per run and each precision's mean and spread.
#
#   bench/bf16-quality.sh [OUT_DIR]      EPOCHS=6 SEEDS="1 2 3" REPEAT=3 by default
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="${1:-$root/bench/out/bf16-quality}"
epochs="${EPOCHS:-6}"; seeds="${SEEDS:-1 2 3}"; repeat="${REPEAT:-3}"
mkdir -p "$out"
dotnet build "$root/src/ByolA.Cli/ByolA.Cli.csproj" -c Release -nologo -v quiet >/dev/null
cli=(dotnet "$root/src/ByolA.Cli/bin/Release/net10.0/ByolA.Cli.dll")
[ -f "$out/demo/data/metadata.csv" ] || "${cli[@]}" demo --data-only --out "$out/demo" >/dev/null 2>&1
recipe=(--config v1 --d 512 --set proj_dim=1024 --set proj_size=128 --bs 32 --epochs "$epochs" --device cpu)
printf '%-6s %-5s %10s %10s %14s %s\n' precision seed final_loss train_s probe_acc_% runs
for precision in fp32 bf16; do
  for seed in $seeds; do
    run="$out/$precision-s$seed"
    rm -rf "$run"
    start=$(date +%s.%N)
    "${cli[@]}" train "$out/demo/data/unlabelled" "${recipe[@]}" --seed "$seed" --precision "$precision" --out "$run" > "$run.train.log" 2>&1
    secs=$(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.0f", e - s }')
    loss=$(awk -F, 'END { printf "%.4f", $2 }' "$run/train_log.csv")
    weights=$(ls "$run"/BYOLA-*.pth)
    line=$("${cli[@]}" evaluate "$weights" demo-sounds 1.0 "$repeat" --metadata "$out/demo/data/metadata.csv" --audio-dir "$out/demo/data/audio" \
      --work "$out/work" --results "$out/results" --device cpu --seed 42 2>"$run.eval.log" | grep '% ±')
    acc=$(echo "$line" | sed -E 's/^[^:]*: ([0-9.]+)%.*/\1/'); runs=$(echo "$line" | sed -E 's/.*\[(.*)\].*/\1/')
    printf '%-9s %-5s %10s %10s %14s [%s]\n' "$precision" "$seed" "$loss" "$secs" "$acc" "$runs"
  done
done | tee "$out/table.txt"
awk 'NR > 0 { n[$1]++; l[$1] += $3; a[$1] += $5; aa[$1] += $5 * $5; if (!($1 in lo) || $5 < lo[$1]) lo[$1] = $5; if (!($1 in hi) || $5 > hi[$1]) hi[$1] = $5 }
     END { for (p in n) printf "%s: mean final loss %.4f, probe accuracy mean %.2f%% (sd %.2f, range %.2f–%.2f) over %d seeds\n",
           p, l[p] / n[p], a[p] / n[p], sqrt((aa[p] - a[p] * a[p] / n[p]) / (n[p] > 1 ? n[p] - 1 : 1)), lo[p], hi[p], n[p] }' "$out/table.txt"
