#!/usr/bin/env bash
# Fine-tuning settings on real prints, each from the same synthetic pre-training (README, "For developers").
# Runs after tools/gpu-visit.sh on the same warm machine with FD_WORK set to the same folder: each setting is a
# `footdesc real --steps cv --set cv_starts=synthetic --pretrained-from $FD_WORK/real` in its own folder, so the
# pre-training is copied, not trained again. Refuses to start if that pre-trained model is not there (a bare machine).
# Usage there: FD_WORK=$PWD/.gpuwork bash tools/gpu-sweep.sh BUDGET_SECONDS "NAME:--set a=1 --set b=2" ...
# Writes $OUT/log.txt, sweep.log (every setting's output), sweep.md (their summaries) and sweep.tgz (records and
# predictions of every setting; no models): four files, as the device tool returns only a few.
# A dry run on a CPU: FD_DEVICE=cpu FD_SCALE=tiny FD_WHEELS=none FD_WORK=/tmp/fdw bash tools/gpu-sweep.sh 300 "mirror:--set mirror=true"
set -u
BUDGET=$1; shift
DEVICE=${FD_DEVICE:-cuda}; SCALE=${FD_SCALE:-gpu}
START=$(date +%s)
OUT=${OUT:-/tmp/footdesc-gpu-out}; mkdir -p "$OUT"
WORK=${FD_WORK:?set FD_WORK to the folder tools/gpu-visit.sh used}
export PYTHONUNBUFFERED=1 PYTHONPATH=/tmp/site:$PWD
elapsed() { echo $(( $(date +%s) - START )); }
say() { echo "[$(elapsed) s] $*" | tee -a "$OUT/log.txt"; }
FD=(python3 -c 'import sys; sys.argv[0] = "footdesc"; from footdesc.cli import console; console()')
[ -f "$WORK/real/models/synthetic_H-B-N inc_d 352x144_s0.zip" ] || { say "no pre-trained model in $WORK/real/models: run tools/gpu-visit.sh first on this machine"; exit 1; }
FD_STEPS=none bash tools/gpu-visit.sh 60 >/dev/null || { say "wheel install or imports failed (see log.txt)"; exit 1; }   # as gpu-visit.sh installs
NAMES=()
for SPEC in "$@"; do
  [[ "$SPEC" == ?*:* ]] || { say "setting '$SPEC' is not NAME:ARGS"; exit 2; }
  NAME=${SPEC%%:*}; ARGS=${SPEC#*:}
  LEFT=$(( BUDGET - $(elapsed) - 20 ))
  [ $LEFT -gt 30 ] || { say "no time left for $NAME"; break; }
  say "setting $NAME: $ARGS (time limit $LEFT s)"
  set -f   # $ARGS splits into words, never into file names
  timeout --signal=INT $(( LEFT + 15 )) "${FD[@]}" real --scale $SCALE --out "$WORK/sweep-$NAME" --fid300 .gpu/fid300 --device $DEVICE \
    --pretrained-from "$WORK/real" --steps cv --set cv_starts=synthetic --time-limit "$LEFT" $ARGS >>"$OUT/sweep.log" 2>&1
  rc=$?; set +f
  say "setting $NAME exit $rc"
  { echo "## $NAME: $ARGS"; "${FD[@]}" real --out "$WORK/sweep-$NAME" --summary-only; } >"$WORK/sweep-$NAME.md" 2>>"$OUT/sweep.log"
  cat "$WORK/sweep-$NAME.md" >>"$OUT/sweep.md"; grep -A3 "^| start" "$WORK/sweep-$NAME.md" | tee -a "$OUT/log.txt"
  NAMES+=("sweep-$NAME")
done
[ ${#NAMES[@]} -gt 0 ] && tar czf "$OUT/sweep.tgz" -C "$WORK" --exclude=models --exclude=synthetic --exclude=.footdesc-cache --exclude=splits --exclude=checkpoints "${NAMES[@]}" 2>>"$OUT/log.txt"
say "done"
