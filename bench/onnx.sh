#!/usr/bin/env bash
# ONNX export: checks exported files with the ONNX checker (Debian's python3-onnx) and compares `byola embed` with
# ONNX Runtime (an exported .onnx) against TorchSharp (the .pth) in the same invocation: whole-process and in-loop
# clips/s on 1000 one-second clips (d512, batch 64), start-up time, and the size on disk of what each engine needs.
#
#   bench/onnx.sh                 full size;  BENCH_QUICK=1 bench/onnx.sh for a smoke run
#   BYOLA_WEIGHTS=path.pth bench/onnx.sh   weights to use (default: ../shared's official d512, else random d512)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/bench/out/onnx"
mkdir -p "$out"
n=1000; [ "${BENCH_QUICK:-0}" = 1 ] && n=100
small=10

echo "building (Release)..." >&2
dotnet build "$root/src/ByolA.Cli/ByolA.Cli.csproj" -c Release -nologo -v quiet >/dev/null
dotnet build "$root/bench/ByolA.Bench/ByolA.Bench.csproj" -c Release -nologo -v quiet >/dev/null
bin="$root/src/ByolA.Cli/bin/Release/net10.0"
cli=(dotnet "$bin/ByolA.Cli.dll")
bench=(dotnet "$root/bench/ByolA.Bench/bin/Release/net10.0/ByolA.Bench.dll")
gen() { [ -d "$1" ] && [ "$(find "$1" -name '*.wav' | wc -l)" -ge "$2" ] || "${bench[@]}" gen "$1" "$2" 1.0 16000 1 >&2; }
gen "$out/clips-$n" "$n"
gen "$out/clips-$small" "$small"

weights="${BYOLA_WEIGHTS:-$root/../shared/reference/AudioNTT2020-BYOLA-64x96d512.pth}"
if [ ! -f "$weights" ]; then weights="$out/random-d512.pth"; [ -f "$weights" ] || "${bench[@]}" weights "$weights" 512 >&2; fi
stats="-5.0,4.0"

echo "exporting $(basename "$weights")..." >&2
"${cli[@]}" export "$weights" "$out/plain.onnx" --device cpu >&2
"${cli[@]}" export "$weights" "$out/frontend.onnx" --frontend --stats "$stats" --frames --device cpu >&2
"${cli[@]}" export "$weights" "$out/layered.onnx" --layered --frames --device cpu >&2

if /usr/bin/python3 -c 'import onnx' 2>/dev/null; then
  /usr/bin/python3 - "$out/plain.onnx" "$out/frontend.onnx" "$out/layered.onnx" <<'PY'
import sys, onnx
for path in sys.argv[1:]:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opset = max(o.version for o in model.opset_import if o.domain in ("", "ai.onnx"))
    meta = {p.key: p.value for p in model.metadata_props}
    print(f"ONNX checker (onnx {onnx.__version__}, full_check): {path.split('/')[-1]} ok, IR {model.ir_version}, opset {opset}, "
          f"{meta['model_kind']} d={meta['feature_d']} frontend={meta['frontend']}")
PY
else
  echo "ONNX checker: not run (apt-get install python3-onnx)"
fi

# timed NAME CMD...: wall seconds in SECS, peak RSS in PEAK_MB.
timed() {
  local name="$1"; shift
  /usr/bin/time -f "%e %M" -o "$out/$name.time" "$@" > "$out/$name.log" 2>&1 || { echo "FAILED: $*" >&2; tail -20 "$out/$name.log" >&2; exit 1; }
  read -r SECS KB < "$out/$name.time"
  PEAK_MB=$((KB / 1024))
}
rows=()
for engine in torch onnx; do
  model="$weights"; [ "$engine" = onnx ] && model="$out/plain.onnx"
  timed "$engine-small" "${cli[@]}" embed "$model" "$out/clips-$small" --out "$out/$engine-small.npy" --stats "$stats" --batch 64 --device cpu
  t_small=$SECS
  timed "$engine-full" "${cli[@]}" embed "$model" "$out/clips-$n" --out "$out/$engine.npy" --stats "$stats" --batch 64 --device cpu
  # In-loop rate: the extra clips over the extra time, so start-up and loading cancel out.
  rows+=("$(awk -v e="$engine" -v n="$n" -v s="$small" -v tf="$SECS" -v ts="$t_small" -v m="$PEAK_MB" \
    'BEGIN { printf "%s %.1f %.1f %.2f %d", e, n / tf, (n - s) / (tf - ts), ts, m }')")
done

# What each engine needs on disk besides .NET: TorchSharp + libtorch (+ the .pth) vs ONNX Runtime (+ the .onnx).
native="$bin/runtimes/linux-x64/native"
torch_bytes=$(find "$native" -maxdepth 1 \( -name 'lib*torch*' -o -name 'libc10*' -o -name 'libgomp*' -o -name 'libshm*' -o -name 'lib*backend*' -o -name 'libaoti*' \) -printf '%s\n' | awk '{s += $1} END {print s}')
torch_bytes=$((torch_bytes + $(stat -c %s "$bin/TorchSharp.dll") + $(stat -c %s "$weights")))
onnx_bytes=$(( $(stat -c %s "$native/libonnxruntime.so") + $(stat -c %s "$native/libonnxruntime_providers_shared.so") + $(stat -c %s "$bin/Microsoft.ML.OnnxRuntime.dll") + $(stat -c %s "$out/plain.onnx") ))

/usr/bin/python3 - "$out/torch.npy" "$out/onnx.npy" <<'PY' || true
import sys, struct
def load(p):
    b = open(p, 'rb').read(); h = struct.unpack('<H', b[8:10])[0]
    return struct.unpack(f'<{(len(b) - 10 - h) // 4}f', b[10 + h:])
a, b = load(sys.argv[1]), load(sys.argv[2])
print(f"ONNX Runtime vs TorchSharp embeddings: max |diff| / max |ref| = {max(abs(x - y) for x, y in zip(a, b)) / max(abs(x) for x in a):.2e}")
PY
echo
echo "| engine | embed clips/s (whole process) | clips/s (in loop) | start-up + $small clips (s) | peak MB | on disk (MB) |"
echo "|---|---|---|---|---|---|"
for r in "${rows[@]}"; do
  read -r e whole loop start mem <<< "$r"
  size=$torch_bytes; name="TorchSharp + libtorch (.pth)"
  [ "$e" = onnx ] && { size=$onnx_bytes; name="ONNX Runtime (.onnx)"; }
  printf '| %s | %s | %s | %s | %s | %.1f |\n' "$name" "$whole" "$loop" "$start" "$mem" "$(awk -v b="$size" 'BEGIN { print b / 1e6 }')"
done
echo "($n x 1 s clips, $(basename "$weights"), batch 64, --device cpu, $(nproc) cores; $(date -u +%F))"
