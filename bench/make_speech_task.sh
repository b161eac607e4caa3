#!/usr/bin/env bash
# Builds a small real-speech task for the evaluation quality benchmark: ten spoken digits, synthesised by
# espeak-ng with many voices, speeds and pitches, 16 kHz mono. Speakers (voice variants) are split so no
# variant is in two splits. Writes DIR/audio/<word>/<variant>.wav and DIR/metadata.csv (file_name,label,split).
# With "speaker" as second argument the label is the voice instead (speaker identification), split by word.
#   bench/make_speech_task.sh work/speech-digits
#   bench/make_speech_task.sh work/speech-speakers speaker
set -euo pipefail
dir="${1:?usage: make_speech_task.sh DIR [digits|speaker]}"
mode="${2:-digits}"
command -v espeak-ng >/dev/null && command -v sox >/dev/null || { echo "needs espeak-ng and sox (apt-get install espeak-ng sox)" >&2; exit 1; }
mkdir -p "$dir/audio"
words=(zero one two three four five six seven eight nine)
variants=(m1 m2 m3 m4 m5 m6 m7 f1 f2 f3 f4 f5 croak klatt klatt2 klatt3 whisper Andy Annie Denis Gene Jacky Lee Mike adam boris david ed iven john linda max michel paul pablo robert steph)
langs=(en-us en-gb en-gb-scotland en-029)
meta="$dir/metadata.csv.tmp"
echo "file_name,label,split" > "$meta"
i=0
for v in "${variants[@]}"; do
  [ -f "/usr/lib/x86_64-linux-gnu/espeak-ng-data/voices/!v/$v" ] || continue
  for l in "${langs[@]}"; do
    # Split by voice variant x accent so test speakers are never heard in training.
    case $((i % 10)) in 0|1) split=test ;; 2) split=valid ;; *) split=train ;; esac
    i=$((i + 1))
    speed=$((120 + (i * 37) % 80)); pitch=$(((i * 53) % 90 + 5))
    for w in "${words[@]}"; do
      mkdir -p "$dir/audio/$w"
      f="$w/${l}_${v}.wav"
      espeak-ng -v "$l+$v" -s "$speed" -p "$pitch" -w "$dir/audio/$f.raw.wav" "$w" 2>/dev/null
      sox "$dir/audio/$f.raw.wav" -r 16000 -c 1 -b 16 "$dir/audio/$f" 2>/dev/null
      rm -f "$dir/audio/$f.raw.wav"
      if [ "$mode" = speaker ]; then
        case $w in eight|nine) s2=test ;; seven) s2=valid ;; *) s2=train ;; esac
        echo "$f,${l}_${v},$s2" >> "$meta"
      else
        echo "$f,$w,$split" >> "$meta"
      fi
    done
  done
done
mv "$meta" "$dir/metadata.csv"
echo "$(($(wc -l < "$dir/metadata.csv") - 1)) clips in $dir" >&2
