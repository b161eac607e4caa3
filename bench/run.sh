#!/usr/bin/env bash
# One command for all benchmarks: generates inputs, times byola and (when Debian's python3-torch and
# python3-torchaudio are installed) the PyTorch baseline in bench/baseline.py on the same inputs, in the
# same run, and prints a table of rates, peak memory and ratios.
#
#   bench/run.sh            full sizes (1000 embed clips, 500 convert files, 640 train clips)
#   BENCH_QUICK=1 bench/run.sh   small sizes for a smoke run
#   BENCH_ONLY=train bench/run.sh   the training rows only (fp32 and bf16, byola and the baseline)
#   BENCH_ONLY=finetune bench/run.sh   the fine-tuning row only (byola finetune and bench/finetune_baseline.py)
#   BENCH_FINETUNE_CLIPS=N       N clips in the fine-tuning task instead of 640 (80% train, 10% valid, 10% test)
#   BENCH_FINETUNE_ROUNDS=N      N alternating rounds of the fine-tuning pair instead of 2 (each side's best counts)
#   BENCH_TRAIN_CLIPS=N          N training clips instead of 640
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/bench/out"
mkdir -p "$out"
quick="${BENCH_QUICK:-0}"; only="${BENCH_ONLY:-all}"
n_embed=1000; n_conv=500; n_train=640; train_d=2048; logmel_s=10
if [ "$quick" = 1 ]; then n_embed=100; n_conv=40; n_train=128; train_d=512; logmel_s=2; fi
n_train="${BENCH_TRAIN_CLIPS:-$n_train}"
n_ft="${BENCH_FINETUNE_CLIPS:-$([ "$quick" = 1 ] && echo 160 || echo 640)}"; ft_epochs=2; ft_batch=64; ft_rounds="${BENCH_FINETUNE_ROUNDS:-2}"   # e.g. fewer clips where the baseline's bf16 is emulated and slow
py=/usr/bin/python3
have_py=0
if env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" -c 'import torch, torchaudio' 2>/dev/null; then have_py=1; fi

echo "building (Release)..." >&2
dotnet build "$root/src/ByolA.Cli/ByolA.Cli.csproj" -c Release -nologo -v quiet >/dev/null
dotnet build "$root/bench/ByolA.Bench/ByolA.Bench.csproj" -c Release -nologo -v quiet >/dev/null
cli=(dotnet "$root/src/ByolA.Cli/bin/Release/net10.0/ByolA.Cli.dll")
bench=(dotnet "$root/bench/ByolA.Bench/bin/Release/net10.0/ByolA.Bench.dll")

gen() { [ -d "$1" ] && [ "$(find "$1" -name '*.wav' | wc -l)" -ge "$2" ] || "${bench[@]}" gen "$1" "$2" "$3" "$4" "$5" >&2; }
if [ "$only" = all ]; then
  gen "$out/clips1s-$n_embed" "$n_embed" 1.0 16000 1
  gen "$out/stereo44k-$n_conv" "$n_conv" 4.0 44100 2
fi
[ "$only" = finetune ] || gen "$out/train-$n_train" "$n_train" 1.0 16000 1
[ -f "$out/random-d512.pth" ] || "${bench[@]}" weights "$out/random-d512.pth" 512 >&2

# timed NAME CMD...: runs CMD under GNU time; sets SECS and PEAK_MB.
timed() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1 || { echo "FAILED: $*" >&2; tail -20 "$out/$name.log" >&2; exit 1; }
  read -r SECS KB < "$out/$name.time"
  PEAK_MB=$((KB / 1024))
}
# Unset OPENBLAS_CORETYPE/L2_SIZE for the baseline only, or Debian's torch runs on a slow generic BLAS kernel.
pyrun=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$root/bench/baseline.py")

rows=()
row() { rows+=("$(printf '| %-34s | %12s | %12s | %7s | %8s | %8s |' "$@")"); }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }'; }
rate() { awk -v n="$1" -v s="$2" 'BEGIN { printf "%.1f", n / s }'; }

if [ "$only" = all ]; then
# log-mel (in-process kernel)
ours=$("${bench[@]}" logmel "$logmel_s" 64 | awk '{print $3}')
base="-"; [ "$have_py" = 1 ] && base=$("${pyrun[@]}" logmel --seconds "$logmel_s" --batch 64 | awk '{print $3}')
row "log-mel frames/s (batch 64 x 1 s)" "$ours" "$base" "$( [ "$base" = - ] && echo - || ratio "$ours" "$base")" "-" "-"

# embed: whole process, data loading included, same model (random d512 weights), batch 64
stats="-5.0,4.0"
rm -f "$out/emb-ours.npy"
timed embed-ours "${cli[@]}" embed "$out/random-d512.pth" "$out/clips1s-$n_embed" --out "$out/emb-ours.npy" --stats "$stats" --batch 64 --device cpu
o_rate=$(rate "$n_embed" "$SECS"); o_mem=$PEAK_MB
b_rate="-"; b_mem="-"
if [ "$have_py" = 1 ]; then
  timed embed-base "${pyrun[@]}" embed "$out/random-d512.pth" "$out/clips1s-$n_embed" --out "$out/emb-base.npy" --stats="$stats" --batch 64
  b_rate=$(rate "$n_embed" "$SECS"); b_mem=$PEAK_MB
fi
row "embed clips/s ($n_embed x 1 s, d512)" "$o_rate" "$b_rate" "$( [ "$b_rate" = - ] && echo - || ratio "$o_rate" "$b_rate")" "$o_mem" "$b_mem"

# convert-wav: stereo 44.1 kHz 4 s files -> mono 16 kHz int16, all cores
rm -rf "$out/conv-ours" "$out/conv-base"
timed conv-ours "${cli[@]}" convert-wav "$out/stereo44k-$n_conv" "$out/conv-ours" --jobs "$(nproc)"
o_rate=$(rate "$n_conv" "$SECS"); o_mem=$PEAK_MB
b_rate="-"; b_mem="-"
if [ "$have_py" = 1 ]; then
  timed conv-base "${pyrun[@]}" convert "$out/stereo44k-$n_conv" "$out/conv-base" --jobs "$(nproc)"
  b_rate=$(rate "$n_conv" "$SECS"); b_mem=$PEAK_MB
fi
row "convert-wav files/s ($n_conv x 4 s stereo 44.1k)" "$o_rate" "$b_rate" "$( [ "$b_rate" = - ] && echo - || ratio "$o_rate" "$b_rate")" "$o_mem" "$b_mem"
fi

# train_rows BS [PRECISION]: one epoch, v1 recipe, d=$train_d, whole process, both sides in PRECISION (fp32 or bf16:
# libtorch autocast for byola, torch.autocast for the baseline); sets TRAIN_OURS/TRAIN_BASE (whole process) and
# LOOP_OURS/LOOP_BASE (training loop only).
train_rows() {
  local bs="$1" precision="${2:-fp32}" o_mem b_mem="-" tag="$1" label=""
  [ "$precision" = fp32 ] || { tag="$bs-$precision"; label=" $precision"; }
  rm -rf "$out/ckpt-ours$tag"
  timed "train$tag-ours" "${cli[@]}" train "$out/train-$n_train" --bs "$bs" --epochs 1 --d "$train_d" --device cpu --precision "$precision" --set checkpoint_folder="$out/ckpt-ours$tag"
  TRAIN_OURS=$(rate "$n_train" "$SECS"); o_mem=$PEAK_MB; TRAIN_BASE="-"
  LOOP_OURS=$(awk -F, 'NR == 2 { printf "%.1f", $10 }' "$out/ckpt-ours$tag/train_log.csv"); LOOP_BASE="-"
  if [ "$have_py" = 1 ]; then
    timed "train$tag-base" "${pyrun[@]}" train "$out/train-$n_train" --bs "$bs" --epochs 1 --d "$train_d" --precision "$precision"
    TRAIN_BASE=$(rate "$n_train" "$SECS"); b_mem=$PEAK_MB
    LOOP_BASE=$(grep -o 'loop_samples_per_s [0-9.]*' "$out/train$tag-base.log" | awk '{print $2}')
  fi
  row "train$label samples/s (bs $bs, d$train_d, 1 epoch)" "$TRAIN_OURS" "$TRAIN_BASE" "$( [ "$TRAIN_BASE" = - ] && echo - || ratio "$TRAIN_OURS" "$TRAIN_BASE")" "$o_mem" "$b_mem"
}
# finetune: SPEC section 10 on the same clips both sides (v1 d512 random weights, linear head, sgd, mixup, SpecAugment,
# RandomResizeCrop, batch $ft_batch, $ft_epochs epochs, 0.95 s units): training clips/s of the steps (validation and
# start-up not counted), ours from its per-run line, the baseline's from its last line. The machine may be shared:
# the two run in turn $ft_rounds times and each side's best round counts; every round is printed on stderr.
finetune_row() {
  local task="$out/finetune-$n_ft" r threads tag label rate o_mem b_mem
  gen "$task/audio" "$n_ft" 1.0 16000 1
  # label = the generator's sound kind (clip i is kind i mod 6); of each kind every 10th clip valid, the next test, the rest train
  [ -f "$task/metadata.csv" ] || { echo "file_name,label,split"; for ((i = 0; i < n_ft; i++)); do
      case $((i / 6 % 10)) in 0) s=valid ;; 1) s=test ;; *) s=train ;; esac
      printf 'sub%d/clip_%05d.wav,kind%d,%s\n' $((i % 10)) "$i" $((i % 6)) "$s"; done; } > "$task/metadata.csv"
  # all cores (the default of both), then one thread each: a shared machine's load hurts the second far less
  for threads in "$(nproc)" 1; do
    local best_o=0 best_b="-"
    for ((r = 0; r < ft_rounds; r++)); do
      rm -rf "$out/ft-ckpt" "$out/ft-results"
      timed finetune-ours "${cli[@]}" finetune "$out/random-d512.pth" ftbench 0.95 --metadata "$task/metadata.csv" --audio-dir "$task/audio" \
        --epochs "$ft_epochs" --batch "$ft_batch" --device cpu --threads "$threads" --checkpoints "$out/ft-ckpt" --results "$out/ft-results"
      rate=$(grep -o '[0-9.]* training clips/s' "$out/finetune-ours.log" | tail -1 | awk '{print $1}'); o_mem=$PEAK_MB
      best_o=$(awk -v a="$best_o" -v b="$rate" 'BEGIN { print (b > a ? b : a) }')
      echo -n "finetune, $threads thread(s), round $r: byola $rate" >&2
      if [ "$have_py" = 1 ]; then
        timed finetune-base env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE BENCH_THREADS="$threads" "$py" "$root/bench/finetune_baseline.py" \
          "$out/random-d512.pth" "$task/metadata.csv" "$task/audio" --unit-sec 0.95 --epochs "$ft_epochs" --batch "$ft_batch"
        rate=$(grep -o 'loop_samples_per_s [0-9.]*' "$out/finetune-base.log" | awk '{print $2}'); b_mem=$PEAK_MB
        best_b=$(awk -v a="$best_b" -v b="$rate" 'BEGIN { print (a == "-" || b > a ? b : a) }')
        echo -n ", pytorch $rate" >&2
      fi
      echo " clips/s (load $(cut -d' ' -f1 /proc/loadavg))" >&2
    done
    label="finetune clips/s (bs $ft_batch, d512, $ft_epochs ep)"; [ "$threads" = 1 ] && label="  one thread each"
    row "$label" "$best_o" "$best_b" "$( [ "$best_b" = - ] && echo - || ratio "$best_o" "$best_b")" "$o_mem" "${b_mem:--}"
  done
}
if [ "$only" = all ] || [ "$only" = train ]; then
train_rows 64
fp32_ours=$TRAIN_OURS; fp32_base=$TRAIN_BASE
# the same runs, training loop only (no process start, model build or checkpoint): ours from train_log.csv
row "  training loop only" "$LOOP_OURS" "$LOOP_BASE" "$( [ "$LOOP_BASE" = - ] && echo - || ratio "$LOOP_OURS" "$LOOP_BASE")" "-" "-"
# bfloat16 mixed precision, same clips, same invocation (fast where the CPU has AVX512-BF16 or AMX; emulated elsewhere)
bf16_cpu=$(grep -o -m1 'avx512_bf16\|amx_bf16' /proc/cpuinfo || echo "no bf16 instructions")
train_rows 64 bf16
row "  training loop only" "$LOOP_OURS" "$LOOP_BASE" "$( [ "$LOOP_BASE" = - ] && echo - || ratio "$LOOP_OURS" "$LOOP_BASE")" "-" "-"
row "  byola bf16 / byola fp32 (whole)" "$(ratio "$TRAIN_OURS" "$fp32_ours")" "-" "-" "-" "-"
row "  byola bf16 / pytorch fp32 (whole)" "$( [ "$fp32_base" = - ] && echo - || ratio "$TRAIN_OURS" "$fp32_base")" "-" "-" "-" "-"
# peak memory at bs 256 (with only a few steps per epoch, its rate is mostly warm-up); needs more clips than one batch
if [ "$quick" != 1 ] && [ "$only" = all ]; then train_rows 256; fi

fi
if [ "$only" = all ] || [ "$only" = finetune ]; then finetune_row; fi

echo
echo "bf16 on this CPU: $(grep -o -m1 'avx512_bf16\|amx_bf16' /proc/cpuinfo || echo "no bf16 instructions")"
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
[ "$have_py" = 1 ] && echo "baseline: PyTorch $(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" -c 'import torch; print(torch.__version__)')" || echo "baseline: not run (install python3-torch python3-torchaudio)"
printf '| %-34s | %12s | %12s | %7s | %8s | %8s |\n' "metric" "byola" "pytorch" "ratio" "MB byola" "MB torch"
printf '|%s|%s|%s|%s|%s|%s|\n' "------------------------------------" "--------------" "--------------" "---------" "----------" "----------"
printf '%s\n' "${rows[@]}"
