#!/bin/sh
# Remakes the audio fixtures of the decoder tests (AudioDecoderTests, FlacFileTests) and the reference
# decodes they are checked against. Needs the Debian packages flac sox mpg123 vorbis-tools opus-tools ffmpeg
# (bookworm: flac 1.4.2, sox 14.4.2, mpg123 1.31, vorbis-tools 1.4.2, opus-tools 0.2 / libopus 1.3.1, ffmpeg 5.1).
# The tests need none of them: they read the committed files.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Source signals: a sweep (LPC and fixed subframes), silence (constant subframes), full-scale noise (verbatim).
signal() { # rate bits channels out
  sox -n -r "$1" -b "$2" -c "$3" "$tmp/a.wav" synth 0.2 sine 200-4000 sine 300-2500 sine 500-900 sine 100-200 sine 1000 sine 60 sine 2000-100 sine 440 vol 0.7
  sox -n -r "$1" -b "$2" -c "$3" "$tmp/b.wav" synth 0.03 whitenoise vol 0.98
  sox "$tmp/a.wav" "$tmp/b.wav" "$4" pad 0 0.03
}

# FLAC: bit depths, channel counts, stereo modes, block sizes, wasted bits. Each reference is flac -d's output as
# 32-bit signed raw (sox scales by 2^(32 - bits), a shift) hashed with SHA-256.
mkdir -p flac
: > flac/reference.txt
flac_case() { # name rate bits channels flac-options...
  name=$1 rate=$2 bits=$3 channels=$4; shift 4
  signal "$rate" "$bits" "$channels" "$tmp/$name.wav"
  flac -s -f "$@" -o "flac/$name.flac" "$tmp/$name.wav"
  flac -s -d -f -o "$tmp/$name.ref.wav" "flac/$name.flac"
  hash=$(sox "$tmp/$name.ref.wav" -t raw -e signed-integer -b 32 - | sha256sum | cut -d' ' -f1)
  frames=$(soxi -s "$tmp/$name.ref.wav")
  echo "$name.flac $rate $bits $channels $frames $hash" >> flac/reference.txt
}
mkdir -p flac
flac_case mono16-fast    16000 16 1 -0
flac_case mono16-best    16000 16 1 -8 --blocksize=1152
flac_case stereo16-ms    44100 16 2 -8 -b 512
flac_case stereo16-lr    22050 16 2 -5 --no-mid-side
flac_case stereo24       48000 24 2 -8 -b 2048
flac_case mono8          8000   8 1 -5
flac_case mono32         16000 32 1 -5 --lax
flac_case stereo32       16000 32 2 -8 --lax -b 1024
flac_case surround6      16000 16 6 -5 --channel-map=none
flac_case surround8      8000  24 8 -5 --channel-map=none
flac_case nomd5          16000 16 1 -5 --no-md5-sum
flac_case small-blocks   16000 16 2 -8 -b 192 --lax
flac_case odd-blocks     16000 16 1 -5 -b 4097 --lax
flac_case exhaustive     16000 16 2 -8 -e -p -r 0,8 --lax
# Wasted bits: 16-bit values in a 24-bit stream.
signal 16000 16 2 "$tmp/w16.wav"; sox "$tmp/w16.wav" -b 24 "$tmp/wasted24.wav"
flac -s -f -8 -o flac/wasted24.flac "$tmp/wasted24.wav"
flac -s -d -f -o "$tmp/wasted24.ref.wav" flac/wasted24.flac
echo "wasted24.flac 16000 24 2 $(soxi -s "$tmp/wasted24.ref.wav") $(sox "$tmp/wasted24.ref.wav" -t raw -e signed-integer -b 32 - | sha256sum | cut -d' ' -f1)" >> flac/reference.txt

# One 16 kHz mono 16-bit clip as WAV and FLAC: embed of the one equals embed of the other.
sox -n -r 16000 -b 16 -c 1 embed-clip.wav synth 1.0 sine 300-3000 vol 0.5
flac -s -f -8 -o embed-clip.flac embed-clip.wav

# Lossy formats: a 16 kHz mono and a 44.1 kHz stereo source, and each reference decoder's 16-bit output.
mkdir -p lossy
sox -n -r 16000 -b 16 -c 1 "$tmp/m.wav" synth 0.5 sine 300-3000 vol 0.5
sox -n -r 44100 -b 16 -c 2 "$tmp/s.wav" synth 0.4 sine 300-3000 sine 500 vol 0.5
ffmpeg -v error -y -i "$tmp/m.wav" -c:a libmp3lame -b:a 64k lossy/mono16k.mp3
ffmpeg -v error -y -i "$tmp/s.wav" -c:a libmp3lame -b:a 128k lossy/stereo44k.mp3
oggenc -Q -q 3 -o lossy/mono16k.ogg "$tmp/m.wav"
oggenc -Q -q 3 -o lossy/stereo44k.ogg "$tmp/s.wav"
opusenc --quiet --bitrate 32 "$tmp/m.wav" lossy/mono16k.opus
opusenc --quiet --bitrate 64 "$tmp/s.wav" lossy/stereo44k.opus
for f in mono16k stereo44k; do
  mpg123 -q -w "lossy/$f.mp3.ref.wav" "lossy/$f.mp3"
  oggdec -Q -b 16 -o "lossy/$f.ogg.ref.wav" "lossy/$f.ogg"
  opusdec --quiet --no-dither --rate 48000 "lossy/$f.opus" "lossy/$f.opus.ref.wav"
done
# ffmpeg-only formats (m4a/AAC), for the ffmpeg path; the test skips without ffmpeg on PATH.
ffmpeg -v error -y -i "$tmp/m.wav" -c:a aac -b:a 64k lossy/mono16k.m4a

# Zero-length streams: valid files of each format that hold no samples.
mkdir -p bad
sox -n -r 16000 -b 16 -c 1 "$tmp/empty.wav" trim 0 0
oggenc -Q -o bad/empty.ogg "$tmp/empty.wav"
opusenc --quiet "$tmp/empty.wav" bad/empty.opus

# Opus with channel mapping family 1 (5.1): the reference is opusdec's output mixed to mono by sox (the mean of the
# channels, without dither), since opusdec reorders channels to WAV order and we keep Opus's (Vorbis) order.
sox -n -r 16000 -b 16 -c 6 "$tmp/s6.wav" synth 0.3 sine 300 sine 500 sine 700 sine 900 sine 1100 sine 60 vol 0.4
opusenc --quiet --bitrate 96 "$tmp/s6.wav" lossy/surround6.opus
opusdec --quiet --no-dither --rate 48000 lossy/surround6.opus "$tmp/s6ref.wav"
sox -D "$tmp/s6ref.wav" -b 16 lossy/surround6.opus.mono-ref.wav remix -
