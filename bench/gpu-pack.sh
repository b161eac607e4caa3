#!/usr/bin/env bash
# Packs what bench/gpu-check.sh needs on a GPU machine that has PyTorch but no .NET and no network: a self-contained
# linux-x64 publish of the byola CLI built with -p:TorchBackend=external (no libtorch: it loads the machine's PyTorch
# libtorch through BYOLA_LIBTORCH), plus bench/baseline.py, in one .tar.gz of at most 52 MiB.
#
#   bench/gpu-pack.sh [OUT_DIR]      (default bench/out) — prints the tarball's path as its last line
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/bench/out}" && cd "${1:-$root/bench/out}" && pwd)"
stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT

# Publish from a copy of the sources: another TorchBackend and a runtime identifier would otherwise rewrite the
# obj/ folders (restore state) of the everyday cpu build in this checkout.
mkdir -p "$stage/src"
cp -r "$root/src/ByolA" "$root/src/ByolA.Cli" "$stage/src/"
cp -r "$root/build" "$root"/Directory.*.props "$root"/Directory.*.targets "$stage/"
[ -f "$root/global.json" ] && cp "$root/global.json" "$stage/"
rm -rf "$stage"/src/*/bin "$stage"/src/*/obj*

pack="$stage/byola-gpu-check"
echo "gpu-pack: publishing byola (self-contained linux-x64, no libtorch)..." >&2
# InvariantGlobalization: no ICU needed on the target; ByolAWeakenGlibcxx=always: the target's libstdc++ is unknown;
# PublishReadyToRun: our code and TorchSharp precompiled, so the JIT does not run in the first training steps (on the
# CPU it halved the methods compiled in the first epoch; measured 2026-12-03).
dotnet publish "$stage/src/ByolA.Cli/ByolA.Cli.csproj" -c Release -r linux-x64 --self-contained true -nologo -v quiet \
  -p:TorchBackend=external -p:ByolAWeakenGlibcxx=always -p:InvariantGlobalization=true -p:PublishReadyToRun=true \
  -p:DebugType=none -p:GenerateDocumentationFile=false -o "$pack/app" >&2
if find "$pack/app" -name 'libtorch*.so*' -o -name 'libc10*.so*' | grep -q .; then
  echo "gpu-pack: the publish contains libtorch; expected none" >&2; exit 1
fi
# ONNX Runtime serves only `embed MODEL.onnx` and `export --check`, which the check does not run, and the runtime's
# debugger and crash-dump parts serve no run: leaving them out keeps the tarball under its limit.
# Nor do the runtime's optional tracing provider and standalone GCs (loaded only when asked for by DOTNET_ settings).
rm -f "$pack"/app/libonnxruntime*.so* "$pack"/app/libmscordaccore.so "$pack"/app/libmscordbi.so "$pack"/app/createdump \
  "$pack"/app/libcoreclrtraceptprovider.so "$pack"/app/libclrgc.so "$pack"/app/libclrgcexp.so
cp "$root/bench/baseline.py" "$pack/"
git -C "$root" rev-parse --short HEAD > "$pack/COMMIT" 2>/dev/null || echo unknown > "$pack/COMMIT"

tarball="$out/byola-gpu-check.tar.gz"
tar -C "$stage" -cf - byola-gpu-check | gzip -9 > "$tarball.tmp"
mv "$tarball.tmp" "$tarball"
size=$(stat -c %s "$tarball")
# The device machine takes 64 MiB with the working tree (about 3 MiB) and a TorchSharp src/Native copy for
# gpu-check.sh --torchsharp-src (about 1 MiB): 52 MiB leaves room.
limit=$((52 * 1024 * 1024))
echo "gpu-pack: $(awk -v s="$size" 'BEGIN { printf "%.1f MiB", s / 1048576 }') (limit 52 MiB)" >&2
[ "$size" -le "$limit" ] || { echo "gpu-pack: tarball larger than 52 MiB" >&2; exit 1; }
echo "$tarball"
