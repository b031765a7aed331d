#!/usr/bin/env bash
# A short GPU visit for prediction throughput only: bench predict with the default workers, then with 8, then how PNG
# decoding scales with worker processes on the host (tools/decode_scaling.py) (README, "For developers").
# Usage there: bash tools/gpu-predict-visit.sh    (writes $OUT/bench-predict.json, bench-predict-w8.json, decode-scaling.json, log.txt)
set -u
OUT=${OUT:-/tmp/footdesc-gpu-out}; mkdir -p "$OUT"
DEVICE=${FD_DEVICE:-cuda}
FD_STEPS=predict bash tools/gpu-visit.sh 200 || exit 1
export PYTHONPATH=/tmp/site:$PWD PYTHONUNBUFFERED=1
python3 -c 'import sys; from footdesc.cli import main; sys.exit(main(sys.argv[1:]))' bench predict --device $DEVICE --workers 8 \
  $( [ "$DEVICE" = cpu ] && echo --tiny ) >"$OUT/bench-predict-w8.json" 2>>"$OUT/log.txt"
cat "$OUT/bench-predict-w8.json"
python3 tools/decode_scaling.py $( [ "$DEVICE" = cpu ] && echo --prints 128 --workers 1,2 ) >"$OUT/decode-scaling.json" 2>>"$OUT/log.txt"
cat "$OUT/decode-scaling.json"
