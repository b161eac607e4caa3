#!/usr/bin/env bash
# Decode speed per format, ours against the Debian command-line decoder, in one invocation: N generated clips
# (stereo 44.1 kHz, SECONDS each) encoded with flac, ffmpeg/libmp3lame, oggenc and opusenc, then each set decoded
#   ours:      ByolA.Bench decode (AudioDecoder, one thread, every file in one process; .NET start-up included)
#   reference: flac -d, mpg123, oggdec, opusdec (one thread each; one process for the whole set where the tool takes
#              many files — flac, mpg123, oggdec — and one process per file for opusdec, which takes one)
# Both write nothing to disk but the reference tools' WAVs (to a tmpfs where /dev/shm exists). Prints clips per wall
# second and per CPU second (user + sys, all processes: steadier than wall time on a shared machine), and ours/reference.
#   bench/decode.sh [N] [SECONDS]      default 200 clips of 5 s
# Needs: apt-get install flac mpg123 vorbis-tools opus-tools ffmpeg
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
n="${1:-200}"; seconds="${2:-5}"
out="$root/bench/out/decode-$n-$seconds"
mkdir -p "$out"
dotnet build "$root/bench/ByolA.Bench/ByolA.Bench.csproj" -c Release -nologo -v quiet >/dev/null
bench=(dotnet "$root/bench/ByolA.Bench/bin/Release/net10.0/ByolA.Bench.dll")
if [ ! -f "$out/done" ]; then
  "${bench[@]}" gen "$out/wav" "$n" "$seconds" 44100 2 >&2
  mkdir -p "$out/flac" "$out/mp3" "$out/ogg" "$out/opus"
  for f in "$out"/wav/*/*.wav; do
    b=$(basename "$f" .wav)
    flac -s -f -5 -o "$out/flac/$b.flac" "$f"
    ffmpeg -v error -y -i "$f" -c:a libmp3lame -b:a 128k "$out/mp3/$b.mp3"
    oggenc -Q -q 4 -o "$out/ogg/$b.ogg" "$f"
    opusenc --quiet --bitrate 96 "$f" "$out/opus/$b.opus"
  done
  touch "$out/done"
fi
scratch=$(mktemp -d -p /dev/shm 2>/dev/null || mktemp -d)
trap 'rm -rf "$scratch"' EXIT
# cpu CMD...: runs CMD, prints "WALL CPU" seconds (CPU = user + sys of CMD and its children).
cpu() {
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f "%U %S" -o "$scratch/time" "$@" >/dev/null 2>&1
  t1=$(date +%s.%N)
  read -r u s < "$scratch/time"
  awk -v a="$t0" -v b="$t1" -v u="$u" -v s="$s" 'BEGIN { printf "%.3f %.3f", b - a, u + s }'
}
reference() {
  case "$1" in
    flac) flac -s -d -f --output-prefix="$scratch/out/" "$out"/flac/*.flac ;;
    mp3)  mpg123 -q -s "$out"/mp3/*.mp3 > "$scratch/out/all.raw" ;;
    ogg)  cd "$scratch/out" && cp "$out"/ogg/*.ogg . && oggdec -Q ./*.ogg ;;
    opus) for f in "$out"/opus/*.opus; do opusdec --quiet "$f" "$scratch/out/x.wav"; done ;;
  esac
}
export -f reference
export out scratch
printf '| format | ours clips/s (wall) | reference clips/s (wall) | ours clips per CPU-s | reference clips per CPU-s | ours / reference (CPU) |\n|---|---|---|---|---|---|\n'
for ext in flac mp3 ogg opus; do
  mkdir -p "$scratch/out"
  read -r ow oc <<< "$(cpu "${bench[@]}" decode "$out/$ext" "$ext")"
  read -r rw rc <<< "$(cpu bash -c "reference $ext")"
  rm -rf "$scratch/out"
  name=$(case $ext in flac) echo "FLAC (flac -d)";; mp3) echo "MP3 (mpg123)";; ogg) echo "Ogg Vorbis (oggdec)";; opus) echo "Opus (opusdec)";; esac)
  awk -v n="$n" -v ow="$ow" -v oc="$oc" -v rw="$rw" -v rc="$rc" -v name="$name" \
    'BEGIN { printf "| %s | %.1f | %.1f | %.1f | %.1f | %.2fx |\n", name, n / ow, n / rw, n / oc, n / rc, rc / oc }'
done
