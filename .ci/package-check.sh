#!/usr/bin/env bash
# CI step after the tests: packs the repository as a user would (`dotnet pack -c Release -o DIR`), installs the
# byola tool from DIR into a temporary tool path, runs `byola --help`, trains a tiny encoder on generated clips and
# embeds one of them with the installed tool, then builds and runs samples/ByolA.Sample against the ByolA package
# in DIR. A unique prerelease version keeps NuGet's global cache from serving an older package of the same version;
# those cache entries are removed at the end.
set -euo pipefail
cd "$(dirname "$0")/.."
repo="$PWD"
version="0.1.0-ci$(date +%Y%m%d%H%M%S)"
tmp="$(mktemp -d)"
cache="${NUGET_PACKAGES:-$HOME/.nuget/packages}"
cleanup() {
  rm -rf "$tmp" "$cache/byola/$version" "$cache/byola.cli/$version"
}
trap cleanup EXIT
step() { echo "package-check: $*"; }

step "dotnet pack -c Release -o DIR (version $version)"
dotnet pack -c Release -o "$tmp/packages" -nologo -v quiet -p:Version="$version" >"$tmp/pack.log" 2>&1 \
  || { cat "$tmp/pack.log"; exit 1; }
ls "$tmp/packages/ByolA.$version.nupkg" "$tmp/packages/ByolA.Cli.$version.nupkg" >/dev/null

step "dotnet tool install --tool-path T --add-source DIR ByolA.Cli"
dotnet tool install --tool-path "$tmp/tool" --add-source "$tmp/packages" --version "$version" ByolA.Cli >/dev/null
byola="$tmp/tool/byola"
"$byola" --help | grep -q "embed" || { echo "package-check: byola --help does not list embed"; exit 1; }

# 16 kHz mono 16-bit WAV of N seconds of noise, written without any audio tool.
le() { local v=$1 n=$2 i; for ((i = 0; i < n; i++)); do printf "\\x$(printf %02x $(((v >> (8 * i)) & 255)))"; done; }
make_wav() {
  local bytes=$(($2 * 32000))
  { printf RIFF; le $((36 + bytes)) 4; printf 'WAVEfmt '; le 16 4; le 1 2; le 1 2; le 16000 4; le 32000 4; le 2 2; le 16 2
    printf data; le "$bytes" 4; head -c "$bytes" /dev/urandom; } >"$1"
}
mkdir -p "$tmp/clips"
for i in 1 2 3 4; do make_wav "$tmp/clips/noise$i.wav" 1; done

step "byola train (tiny encoder) and byola embed with the installed tool"
"$byola" train "$tmp/clips" --d 64 --epochs 1 --bs 2 --out "$tmp/weights" --threads 2 >"$tmp/train.log" 2>&1 \
  || { cat "$tmp/train.log"; exit 1; }
weights="$(ls "$tmp"/weights/BYOLA-*.pth | head -n 1)"
"$byola" embed "$weights" "$tmp/clips/noise1.wav" --out "$tmp/emb.npy" --stats -5.49,5.04 --threads 2
test -s "$tmp/emb.npy"

step "samples/ByolA.Sample against the ByolA package in DIR"
dotnet build "$repo/samples/ByolA.Sample" -c Release -nologo -v quiet -p:ByolAPackages="$tmp/packages" \
  -p:ByolAVersion="$version" -o "$tmp/sample" >"$tmp/sample.log" 2>&1 || { cat "$tmp/sample.log"; exit 1; }
dotnet "$tmp/sample/ByolA.Sample.dll" "$weights" "$tmp/clips/noise2.wav"
step "ok"
