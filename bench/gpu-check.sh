#!/usr/bin/env bash
# Checks byola on a Linux x86-64 machine with an NVIDIA GPU and PyTorch, without .NET and without network, from the
# tarball bench/gpu-pack.sh makes:
#
#   bench/gpu-check.sh [--cpu] [--libtorch DIR] [--torchsharp-src DIR] [--binding FILE] TARBALL
#
#   --cpu               run every step on the CPU with smaller sizes (proves the script anywhere)
#   --libtorch DIR      libtorch lib folder to run byola on (default: the lib folder of python3's torch)
#   --torchsharp-src D  a TorchSharp source tree of byola's TorchSharp version (0.107; src/Native is enough): when
#                       the ABI check fails, build LibTorchSharp against the local torch with TorchSharp's CMake
#                       files (all cores; plain g++ if CMake cannot configure), keep a copy in $OUT, and retry
#   --binding FILE      use this libLibTorchSharp.so (e.g. the copy an earlier run left in $OUT) instead of the
#                       tarball's
#
# Steps: unpack; ABI check (`byola runtime` loads libtorch and binds TorchSharp's LibTorchSharp at once, naming a
# missing symbol); GPU/driver/torch versions; generated audio; `train` v1 d2048 bs 256 for two epochs (samples/s,
# peak GPU memory and utilisation sampled by nvidia-smi); one epoch + resume versus two epochs (max |Δweight|);
# `embed` on the CPU versus CUDA in FP32, with --tf32 and with --precision bf16 (max |Δ| / max |ref|); bf16 training
# (--precision bf16, libtorch autocast) two epochs with its own GPU samples; the first epoch's extra seconds with
# CUDA_MODULE_LOADING=EAGER and without cuDNN autotuning; FP32 and bf16 with --cuda-channels-last against NCHW
# (train_nhwc_over_nchw, train_bf16_nhwc_over_nchw); bench/baseline.py training on the same
# device, at its defaults and with --precision bf16 (torch.autocast), for ratios. Writes at most 8 files to $OUT
# (else ./gpu-check-out), summary.txt first (key: value).
# Environment: PYTHON (default python3), GPU_CHECK_CLIPS (training clips), BASELINE_WORKERS (DataLoader workers).
set -euo pipefail
started=$(date +%s)

cpu=0; libtorch=""; tssrc=""; binding=""; tarball=""
while [ $# -gt 0 ]; do
  case "$1" in
    --cpu) cpu=1 ;;
    --libtorch) libtorch="${2:?--libtorch needs a folder}"; shift ;;
    --torchsharp-src) tssrc="${2:?--torchsharp-src needs a folder}"; shift ;;
    --binding) binding="${2:?--binding needs a file}"; shift ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    -*) echo "gpu-check: unknown option $1" >&2; exit 2 ;;
    *) tarball="$1" ;;
  esac
  shift
done
[ -n "$tarball" ] || { echo "usage: gpu-check.sh [--cpu] [--libtorch DIR] [--torchsharp-src DIR] [--binding FILE] TARBALL" >&2; exit 2; }
[ -z "$binding" ] || [ -f "$binding" ] || { echo "gpu-check: $binding: not found (--binding)" >&2; exit 2; }
[ -z "$tssrc" ] || [ -f "$tssrc/src/Native/LibTorchSharp/CMakeLists.txt" ] || { echo "gpu-check: $tssrc: no src/Native/LibTorchSharp/CMakeLists.txt (--torchsharp-src wants a TorchSharp source tree)" >&2; exit 2; }
[ -f "$tarball" ] || { echo "gpu-check: $tarball: not found (make it with bench/gpu-pack.sh)" >&2; exit 2; }

out="${OUT:-./gpu-check-out}"
mkdir -p "$out"
out="$(cd "$out" && pwd)"
summary="$out/summary.txt"; log="$out/check.log"
: > "$summary"; : > "$log"
work="$(mktemp -d)"
sampler=""
cleanup() { [ -n "$sampler" ] && kill "$sampler" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
py="${PYTHON:-python3}"

say() { echo "gpu-check: $*" | tee -a "$log" >&2; }
kv() { echo "$1: $2" >> "$summary"; echo "gpu-check: $1: $2" >&2; }
# run NAME CMD...: runs CMD with its output appended to check.log; fails the check (with the tail) when it fails.
run() {
  local name="$1"; shift
  echo "=== $name: $*" >> "$log"
  if ! "$@" >> "$log" 2>&1; then
    say "$name failed (see $log):"; tail -5 "$log" >&2
    kv result "failed at $name"
    exit 1
  fi
}
# try NAME CMD...: like run, but a failure is recorded (failed_steps) and the check goes on with what does not need it.
failed_steps=""
try() {
  local name="$1"; shift
  echo "=== $name: $*" >> "$log"
  if "$@" >> "$log" 2>&1; then return 0; fi
  say "$name failed (see $log):"; tail -5 "$log" >&2
  failed_steps="$failed_steps $name"
  return 1
}
# Debian's OpenBLAS tuning variables slow its torch down; unset them for Python only.
pyrun() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$py" "$@"; }

if [ "$cpu" = 1 ]; then
  dev=cpu; clips="${GPU_CHECK_CLIPS:-64}"; bs=16; d=512; embed_clips=64
else
  dev=cuda; clips="${GPU_CHECK_CLIPS:-8192}"; bs=256; d=2048; embed_clips=1024
fi
kv device "$dev"

# ---- unpack
tar -C "$work" -xzf "$tarball"
pack="$work/byola-gpu-check"
byola="$pack/app/ByolA.Cli"
[ -x "$byola" ] || { say "$tarball holds no byola-gpu-check/app/ByolA.Cli: not a gpu-pack.sh tarball"; exit 2; }
kv byola_commit "$(cat "$pack/COMMIT" 2>/dev/null || echo unknown)"

# ---- versions
torch_version="$(pyrun -c 'import torch; print(torch.__version__)' 2>/dev/null || echo none)"
kv python_torch "$torch_version"
if [ -z "$libtorch" ]; then
  libtorch="$(pyrun -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))' 2>/dev/null || true)"
  [ -n "$libtorch" ] || { say "no --libtorch DIR and $py has no torch: nothing to run byola on"; kv result "no libtorch"; exit 1; }
fi
libtorch="$(cd "$libtorch" && pwd)"
kv libtorch "$libtorch"
export BYOLA_LIBTORCH="$libtorch"
if [ "$cpu" = 0 ]; then
  kv gpu "$(nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null | head -1 || echo unknown)"
  kv driver "$(nvidia-smi --query-gpu=driver_version --format=csv,noheader 2>/dev/null | head -1 || echo unknown)"
  kv torch_cuda "$(pyrun -c 'import torch; print(torch.version.cuda, "cudnn", torch.backends.cudnn.version())' 2>/dev/null || echo unknown)"
fi

# ---- ABI check: byola loads the folder's libtorch and binds LibTorchSharp at once
if [ -n "$binding" ]; then cp "$binding" "$pack/app/libLibTorchSharp.so"; kv binding "$binding"; fi
abi_check() { echo "=== abi: byola runtime --device $dev" >> "$log"; "$byola" runtime --device "$dev" > "$work/abi.txt" 2>&1; }
# build_binding: LibTorchSharp from $tssrc against python3's torch, with TorchSharp's CMake files (no -Werror: a newer
# libtorch's deprecation warnings are not errors here) on all cores; plain g++ over the same sources if CMake cannot
# configure (e.g. a CUDA wheel whose CMake files want a toolkit layout this machine lacks). Prints the .so's path.
build_binding() {
  local native="$tssrc/src/Native" build="$work/lts-build" torchdir abi
  torchdir="$(pyrun -c 'import os, torch; print(os.path.dirname(torch.__file__))')"
  abi="$(pyrun -c 'import torch; print(int(torch._C._GLIBCXX_USE_CXX11_ABI))')"
  if cmake -S "$native" -B "$build" -DCMAKE_BUILD_TYPE=Release -DLIBTORCH_PATH="$torchdir/share/cmake/Torch" \
       -DCMAKE_CXX_FLAGS="-w -Wno-error -D_GLIBCXX_USE_CXX11_ABI=$abi" -DCMAKE_C_FLAGS="-w -Wno-error" >> "$log" 2>&1 \
     && cmake --build "$build" -j "$(nproc)" >> "$log" 2>&1; then
    find "$build" -name libLibTorchSharp.so | head -1; return 0
  fi
  echo "gpu-check: CMake build failed; compiling the same sources with g++" >> "$log"
  local objs="$work/lts-obj"; mkdir -p "$objs"
  local flags="-O2 -fPIC -fvisibility=hidden -w -DNDEBUG -D_GLIBCXX_USE_CXX11_ABI=$abi -D__LINUX__ -D_NO_ASYNCRTIMP -D_NO_PPLXIMP"
  local incs="-I$native -I$torchdir/include -I$torchdir/include/torch/csrc/api/include"
  gcc $flags -c "$native/LibTorchSharp/crc32c.c" -o "$objs/crc32c.o" >> "$log" 2>&1 || return 1
  # shellcheck disable=SC2086
  ls "$native"/LibTorchSharp/*.cpp | xargs -P "$(nproc)" -I{} sh -c 'g++ -std=c++17 '"$flags $incs"' -c "$1" -o "'"$objs"'/$(basename "$1" .cpp).o"' _ {} >> "$log" 2>&1 || return 1
  g++ -shared -o "$objs/libLibTorchSharp.so" "$objs"/*.o -Wl,-Bsymbolic -Wl,-Bsymbolic-functions \
    -L"$torchdir/lib" -Wl,--no-as-needed -ltorch -ltorch_cpu -lc10 -Wl,-rpath,"$torchdir/lib" >> "$log" 2>&1 || return 1
  echo "$objs/libLibTorchSharp.so"
}
if abi_check; then
  kv abi ok
else
  cat "$work/abi.txt" >> "$log"
  say "ABI check failed: $(grep -m1 '^error:' "$work/abi.txt" || tail -1 "$work/abi.txt")"
  if [ -n "$tssrc" ]; then
    say "building LibTorchSharp from $tssrc against $libtorch..."
    build_started=$(date +%s)
    if built="$(build_binding)" && [ -n "$built" ] && [ -f "$built" ]; then
      kv binding_build_s "$(( $(date +%s) - build_started ))"
      cp "$built" "$pack/app/libLibTorchSharp.so"
      cp "$built" "$out/libLibTorchSharp.so"   # for a rerun: --binding "$OUT/libLibTorchSharp.so"
    else
      say "building LibTorchSharp failed:"; tail -15 "$log" >&2
      kv abi "mismatch; rebuild failed"; kv result failed; exit 1
    fi
    if abi_check; then kv abi "ok after rebuilding LibTorchSharp"; else
      cat "$work/abi.txt" >> "$log"; tail -3 "$work/abi.txt" >&2
      kv abi "mismatch even after rebuilding LibTorchSharp"; kv result failed; exit 1; fi
  else
    kv abi "mismatch: $(grep -m1 '^error:' "$work/abi.txt" | cut -c8- || echo 'see check.log')"
    kv result "failed (give --libtorch DIR of PyTorch 2.10, or --torchsharp-src DIR to rebuild LibTorchSharp)"
    exit 1
  fi
fi
cat "$work/abi.txt" >> "$log"

# ---- audio: one-second 16 kHz mono clips (harmonic tones + noise), generated with numpy and the wave module
say "generating $clips training clips and $embed_clips embedding clips..."
pyrun - "$work/train" "$clips" "$work/embed" "$embed_clips" <<'PY' >> "$log" 2>&1
import sys, wave, numpy as np
from pathlib import Path
def make(folder, n, seed):
    rng = np.random.default_rng(seed)
    Path(folder).mkdir(parents=True, exist_ok=True)
    t = np.arange(16000) / 16000
    for k in range(n):
        f0 = rng.uniform(80, 1000)
        x = sum(rng.uniform(0.05, 0.3) / h * np.sin(2 * np.pi * f0 * h * t + rng.uniform(0, 6.3)) for h in range(1, 6))
        x = x * np.clip(rng.uniform(0.2, 1) + 0.5 * np.sin(2 * np.pi * rng.uniform(0.5, 4) * t), 0, 1) + rng.normal(0, 0.02, t.size)
        pcm = (np.clip(x, -1, 1) * 32767).astype("<i2")
        with wave.open(f"{folder}/clip{k:05d}.wav", "wb") as w:
            w.setnchannels(1); w.setsampwidth(2); w.setframerate(16000); w.writeframes(pcm.tobytes())
make(sys.argv[1], int(sys.argv[2]), 1)
make(sys.argv[3], int(sys.argv[4]), 2)
PY

train_args=(--config v1 --d "$d" --bs "$bs" --seed 42 --device "$dev")

# ---- train two epochs, sampling the GPU
if [ "$cpu" = 0 ] && command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader,nounits -lms 200 > "$out/gpu-samples.csv" 2>/dev/null &
  sampler=$!
fi
say "train v1 d$d bs $bs, 2 epochs of $clips clips on $dev..."
t0=$(date +%s.%N)
run train-2-epochs "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --out "$work/full"
full_process_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=""; fi
cp "$work/full/train_log.csv" "$out/train_log.csv"
# log_rate LOG: samples/s of the training loop over every epoch of a train_log.csv (samples and seconds columns)
log_rate() { awk -F, 'NR > 1 { n += $8; s += $9 } END { if (s > 0) printf "%.1f", n / s; else print "-" }' "$1"; }
# ratio A B: A / B to two decimals, "-" without a B
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "-" }'; }
# samples/s of the training loop over both epochs (as the baseline's loop_samples_per_s)
train_rate=$(log_rate "$work/full/train_log.csv")
kv train_samples_per_s "$train_rate"
# the last epoch alone: no start-up, no autotuning (compared with the baseline's last epoch below)
# last_rate LOG: samples/s of a train_log.csv's last epoch
last_rate() { awk -F, 'NR > 1 { r = $8 / $9 } END { printf "%.1f", r }' "$1"; }
train_last=$(last_rate "$work/full/train_log.csv")
kv train_last_epoch_samples_per_s "$train_last"
kv train_precision "$(awk -F, 'NR == 2 { print $12 }' "$work/full/train_log.csv")"
# gpu_stats PREFIX SAMPLES: GPU busy share and peak memory of one sampled run, as PREFIXgpu_util_mean_pct etc.
gpu_stats() {
  [ -s "$2" ] || return 0
  # busy samples only (after the first non-zero utilisation): start-up and file checks are not steps
  kv "${1}gpu_util_mean_pct" "$(awk -F', ' '$2 > 0 { busy = 1 } busy { u += $2; n++ } END { if (n) printf "%.0f", u / n; else print "-" }' "$2")"
  # between the first and the last sample over 50 %: the training loop with its epoch ends, without start-up and exit
  kv "${1}gpu_util_training_window_pct" "$(awk -F', ' '{ u[NR] = $2 } $2 >= 50 { if (!a) a = NR; b = NR } END { if (a) { for (i = a; i <= b; i++) t += u[i]; printf "%.0f", t / (b - a + 1) } else print "-" }' "$2")"
  kv "${1}gpu_peak_memory_mb" "$(awk -F', ' '$3 > m { m = $3 } END { print m + 0 }' "$2")"
}
gpu_stats "" "$out/gpu-samples.csv"
# first_rate LOG: samples/s of a train_log.csv's first epoch (start-up, cuDNN autotuning, allocator growth)
first_rate() { awk -F, 'NR == 2 { printf "%.1f", $8 / $9 }' "$1"; }
kv train_first_epoch_samples_per_s "$(first_rate "$work/full/train_log.csv")"
# first_extra LOG: seconds the first epoch took beyond the last one (the first epoch's own cost)
first_extra() { awk -F, 'NR == 2 { a = $9 } NR > 1 { b = $9 } END { printf "%.2f", a - b }' "$1"; }
kv train_first_epoch_extra_s "$(first_extra "$work/full/train_log.csv")"
# the whole process against its epochs: start-up (libtorch and CUDA initialisation, file checks, the stats pass)
kv train_process_s "$full_process_s"
kv train_epochs_s "$(awk -F, 'NR > 1 { s += $9 } END { printf "%.1f", s }' "$work/full/train_log.csv")"

# wdiff A B: the largest |Δ| between two saved state dicts
wdiff() { pyrun - "$1" "$2" <<'PY'
import sys, torch
a, b = (torch.load(p, map_location="cpu") for p in sys.argv[1:3])
print(max((a[k].double() - b[k].double()).abs().max().item() for k in a))
PY
}

# ---- the same two-epoch run again: how far two identical runs drift apart on this device (CUDA's convolution
# backward and scatter kernels add in a varying order), the yardstick for the resume difference below
if try train-2-epochs-again "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --out "$work/again"; then
  kv rerun_max_abs_diff "$(wdiff "$(ls "$work"/full/BYOLA-*.pth | head -1)" "$(ls "$work"/again/BYOLA-*.pth | head -1)")"
else
  kv rerun_max_abs_diff failed
fi

# ---- resume: one epoch, then resume to two, versus the two-epoch run
say "train 1 epoch + resume 1 epoch..."
full_w="$(ls "$work"/full/BYOLA-*.pth | head -1)"
if try train-1-epoch "$byola" train "$work/train" "${train_args[@]}" --epochs 1 --out "$work/part" &&
   try train-resume "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --out "$work/part" --resume "$work/part/checkpoint.pth"; then
  part_w="$(ls "$work"/part/BYOLA-*e2-*.pth | head -1)"
  kv resume_max_abs_diff "$(wdiff "$full_w" "$part_w")"
else
  kv resume_max_abs_diff failed
fi

# ---- training speed with --tf32, two epochs like the FP32 run: the baseline's PyTorch runs its convolutions in TF32
# by default, so TF32 against the baseline's last epoch is the like-for-like ratio
train_tf32_last=
if [ "$cpu" = 0 ] && try train-tf32 "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --tf32 --out "$work/tf32"; then
  kv train_tf32_samples_per_s "$(log_rate "$work/tf32/train_log.csv")"
  train_tf32_last=$(last_rate "$work/tf32/train_log.csv")
  kv train_tf32_last_epoch_samples_per_s "$train_tf32_last"
fi

# ---- bf16 mixed precision (libtorch autocast; FP32 weights, Adam and loss), two epochs, its own GPU samples
train_bf16_last=
if [ "$cpu" = 0 ] && command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=timestamp,utilization.gpu,memory.used --format=csv,noheader,nounits -lms 200 > "$out/gpu-samples-bf16.csv" 2>/dev/null &
  sampler=$!
fi
say "train v1 d$d bs $bs, 2 epochs, --precision bf16..."
if try train-bf16 "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --precision bf16 --out "$work/bf16"; then
  kv train_bf16_precision "$(awk -F, 'NR == 2 { print $12 }' "$work/bf16/train_log.csv")"
  kv train_bf16_samples_per_s "$(log_rate "$work/bf16/train_log.csv")"
  kv train_bf16_first_epoch_samples_per_s "$(first_rate "$work/bf16/train_log.csv")"
  train_bf16_last=$(last_rate "$work/bf16/train_log.csv")
  kv train_bf16_last_epoch_samples_per_s "$train_bf16_last"
  kv train_bf16_loss "$(awk -F, 'END { print $2 }' "$work/bf16/train_log.csv")"
  kv train_fp32_loss "$(awk -F, 'END { print $2 }' "$work/full/train_log.csv")"
  # whole run against the steady epoch: how much the first epoch costs (target within 10 %)
  kv train_bf16_whole_over_last_epoch "$(ratio "$(log_rate "$work/bf16/train_log.csv")" "$train_bf16_last")"
fi
if [ -n "$sampler" ]; then kill "$sampler" 2>/dev/null || true; wait "$sampler" 2>/dev/null || true; sampler=""; fi
gpu_stats bf16_ "$out/gpu-samples-bf16.csv"

# ---- where the first epoch's extra time goes: the same FP32 run with CUDA's kernels loaded at start-up instead of
# on first use (CUDA_MODULE_LOADING=EAGER), and without cuDNN autotuning; what neither explains is allocator growth
# and the host side (JIT, page cache). On --cpu these change nothing, which proves the steps.
say "first epoch: the FP32 run with CUDA_MODULE_LOADING=EAGER, and with --no-cudnn-benchmark..."
if try train-eager env CUDA_MODULE_LOADING=EAGER "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --out "$work/eager"; then
  kv train_eager_first_epoch_extra_s "$(first_extra "$work/eager/train_log.csv")"
fi
if try train-no-autotune "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --no-cudnn-benchmark --out "$work/notune"; then
  kv train_no_autotune_first_epoch_extra_s "$(first_extra "$work/notune/train_log.csv")"
  kv train_no_autotune_last_epoch_samples_per_s "$(last_rate "$work/notune/train_log.csv")"
fi

# ---- channels-last convolutions on CUDA (--cuda-channels-last), FP32 and bf16, against the NCHW runs above
say "channels-last: FP32 and bf16 with --cuda-channels-last..."
if try train-nhwc "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --cuda-channels-last --out "$work/nhwc"; then
  kv train_nhwc_last_epoch_samples_per_s "$(last_rate "$work/nhwc/train_log.csv")"
  kv train_nhwc_over_nchw "$(ratio "$(last_rate "$work/nhwc/train_log.csv")" "$train_last")"
fi
if [ -n "$train_bf16_last" ] && try train-bf16-nhwc "$byola" train "$work/train" "${train_args[@]}" --epochs 2 --precision bf16 --cuda-channels-last --out "$work/bf16-nhwc"; then
  kv train_bf16_nhwc_last_epoch_samples_per_s "$(last_rate "$work/bf16-nhwc/train_log.csv")"
  kv train_bf16_nhwc_over_nchw "$(ratio "$(last_rate "$work/bf16-nhwc/train_log.csv")" "$train_bf16_last")"
fi

# ---- embed: CPU (reference) versus this device in FP32, TF32 and bf16
say "embed $embed_clips clips: cpu, $dev, $dev --tf32..."
# embed NAME ARGS...: embeds the clips into emb-NAME.npy and reports the whole command's seconds as embed_NAME_s
embed() {
  local t0; t0=$(date +%s.%N)
  try "embed-$1" "$byola" embed "$full_w" "$work/embed" --stats -5.0,4.0 --batch 64 --out "$work/emb-$1.npy" "${@:2}" || return 1
  kv "embed_$1_s" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
}
rel() { pyrun - "$work/emb-ref.npy" "$work/emb-$1.npy" <<'PY'
import sys, numpy as np
a, b = (np.load(p).astype(np.float64) for p in sys.argv[1:3])
print(f"{np.abs(a - b).max() / np.abs(a).max():.3e}")
PY
}
kv embed_compared "$( [ "$cpu" = 1 ] && echo 'cpu 1 thread vs cpu all threads' || echo 'cpu vs cuda')"
# no second device on a --cpu run: the reference runs on one thread, the compared runs on all cores
if embed ref --device cpu $( [ "$cpu" = 1 ] && echo --threads 1 ); then
  if embed fp32 --device "$dev"; then kv embed_max_rel_diff "$(rel fp32)"; else kv embed_max_rel_diff failed; fi
  if embed tf32 --device "$dev" --tf32; then kv embed_tf32_max_rel_diff "$(rel tf32)"; else kv embed_tf32_max_rel_diff failed; fi
  if embed bf16 --device "$dev" --precision bf16; then kv embed_bf16_max_rel_diff "$(rel bf16)"; else kv embed_bf16_max_rel_diff failed; fi
else
  kv embed_max_rel_diff "failed (cpu reference)"
fi

# ---- PyTorch baseline on the same device
workers="${BASELINE_WORKERS:-$( [ "$cpu" = 1 ] && echo 0 || nproc)}"
say "PyTorch baseline: train d$d bs $bs, 2 epochs on $dev ($workers DataLoader workers)..."
echo "=== baseline" >> "$log"
if pyrun "$pack/baseline.py" train "$work/train" --bs "$bs" --epochs 2 --d "$d" --device "$dev" --workers "$workers" > "$out/baseline.log" 2>&1; then
  base_rate=$(grep -o 'loop_samples_per_s [0-9.]*' "$out/baseline.log" | awk '{print $2}')
  kv baseline_samples_per_s "$base_rate"
  peak=$(grep -o 'peak_gpu_mb [0-9]*' "$out/baseline.log" | awk '{print $2}' || true)
  [ -n "$peak" ] && kv baseline_peak_gpu_mb "$peak"
  kv train_ratio_vs_baseline "$(ratio "$train_rate" "$base_rate")"
  base_last=$(grep -o 'epoch_samples_per_s [0-9.]*' "$out/baseline.log" | tail -1 | awk '{print $2}')
  if [ -n "$base_last" ]; then
    kv baseline_last_epoch_samples_per_s "$base_last"
    kv train_last_epoch_ratio_vs_baseline "$(ratio "$train_last" "$base_last")"
    [ -n "$train_tf32_last" ] && kv train_tf32_last_epoch_ratio_vs_baseline "$(ratio "$train_tf32_last" "$base_last")"
  fi
else
  say "baseline failed (see $out/baseline.log)"; tail -3 "$out/baseline.log" >&2
  kv baseline_samples_per_s failed
  failed_steps="$failed_steps baseline"
fi
# the baseline in bf16 too (torch.autocast, no GradScaler): like for like with --precision bf16
say "PyTorch baseline: the same in bf16 (torch.autocast)..."
echo "=== baseline bf16" >> "$log"
if pyrun "$pack/baseline.py" train "$work/train" --bs "$bs" --epochs 2 --d "$d" --device "$dev" --workers "$workers" --precision bf16 > "$work/baseline-bf16.log" 2>&1; then
  cat "$work/baseline-bf16.log" >> "$log"
  base_bf16_last=$(grep -o 'epoch_samples_per_s [0-9.]*' "$work/baseline-bf16.log" | tail -1 | awk '{print $2}')
  kv baseline_bf16_last_epoch_samples_per_s "$base_bf16_last"
  if [ -n "$train_bf16_last" ]; then
    [ -n "${base_last:-}" ] && kv train_bf16_last_epoch_ratio_vs_baseline "$(ratio "$train_bf16_last" "$base_last")"
    kv train_bf16_last_epoch_ratio_vs_baseline_bf16 "$(ratio "$train_bf16_last" "$base_bf16_last")"
  fi
else
  cat "$work/baseline-bf16.log" >> "$log"
  say "baseline bf16 failed (see $log)"; tail -3 "$work/baseline-bf16.log" >&2
  kv baseline_bf16_last_epoch_samples_per_s failed
  failed_steps="$failed_steps baseline-bf16"
fi

kv elapsed_s "$(( $(date +%s) - started ))"
if [ -z "$failed_steps" ]; then kv result ok; else kv result "failed steps:$failed_steps"; exit 1; fi
