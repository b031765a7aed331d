#!/usr/bin/env bash
# One visit to a lent GPU machine (README, "For developers"): footdesc's GPU measurements in one prepared run.
#   1. a CUDA smoke test (`bench train --tiny`), 2. on request (FD_STEPS) the sync check (tools/gpu_sync_check.py) and `bench train` at 352x144
#   on the synthetic pre-training set (the check also profiles 10 batches: GPU busy fraction, top kernels and CPU calls),
#   3. `bench predict` on the GPU (and on request tools/bigscan_bench.py: FD_STEPS "... bigscan ...", about a minute), 4. `footdesc real --scale gpu` with a time limit (resumable).
# Needs: wheels of footdesc's missing dependencies in .whl/ (the machine has torch, numpy, pandas, sklearn, PIL; `bash tools/gpu_wheels.sh` fills it),
# the labelled FID-300 subset in .gpu/fid300/ (never committed: non-commercial licence; `python tools/gpu_carry.py [--pool N]` fills it,
# with N unlabelled references too for self-training, e.g. FD_REAL_ARGS="... --set pseudo_n=N"), $OUT for results
# (log.txt, bench-predict.json, bigscan.json, real.log, real.md, real-gpu.tgz; with "sync train" also sync-check.json, bench-train-torch.json, bench-train-fastai.json).
# Usage there: bash tools/gpu-visit.sh [BUDGET_SECONDS]   (default 560: the whole script, install to tarball)
# Only the questions that fit: FD_REAL_ARGS="--steps zero-shot,cv" (the gpu scale pre-trains 40 epochs on 16,000 prints, about 6 minutes; zero-shot and cv take about 7.5); see footdesc real --help.
# "cudatests" runs the notebooks' #| cuda tests with nbdev-test (`bash tools/gpu_wheels.sh --tests` first; about 3 minutes, limit FD_TESTS_S=300;
# log in cuda-tests.log): a GPU-only bug (stop 24's resume) shows there before it costs a protocol run.
# Which steps: FD_STEPS (default "smoke predict real": sync and train were measured in stops 4-5, and the gpu scale's
# 16,000-print pre-training leaves no room for them; add "sync train" to measure them again; "bigscan" times big prints with and
# without predict_paths' cap on decoded pixels per batch). The synthetic set for sync/train is made only
# when one of them runs; otherwise the protocol makes its own, honouring --set synth_n=... in FD_REAL_ARGS.
# Resuming across visits (the machine comes back bare): FD_RESUME=.gpu/resume, a folder holding an earlier visit's
# real-gpu.tgz unpacked (records.jsonl, predictions/, protocol.json; about 200 KB), is copied in first, so finished
# units are not trained again; e.g. FD_STEPS=real FD_RESUME=.gpu/resume FD_REAL_ARGS="--steps findings".
# A pre-training longer than one call (e.g. FD_REAL_ARGS="--set synth_n=32000 ..."): set FD_WORK=$PWD/.gpuwork (git-ignored,
# so it stays on the machine while it is warm) and FD_STEPS=real, and run the same command again at once; the protocol
# resumes the pre-training from its last checkpoint ($FD_WORK/real/checkpoints/, saved once a minute), then goes on with zero-shot and cv.
# torch.compile for the pre-training (footdesc.train's compile): FD_REAL_ARGS="... --set synth_compile=true". Measured in stop 24 on an H200: the first epoch
# of 12,800 prints 93 s (the compile), each later one 5.5 s of training and 0.46 s of validation, so it pays from about 35 epochs on; a resumed run
# compiles again from the compiler's cache on the same machine (13 s). Resuming on the GPU works since stop 24 (AdamW's state had stayed on the CPU).
# Progressive resizing of the pre-training (footdesc.train.ProgressiveResize; not yet measured on a GPU): FD_REAL_ARGS="... --set synth_presize=0.5
# --set synth_presize_epochs=20" trains its first 20 epochs at 176x72 (with synth_compile, the model compiles once per size).
# The pre-training's prints are held on the GPU by default (footdesc.data.hold_in_memory); its history records train_s/valid_s per epoch.
# The cv step also scores each fold's model with its weights averaged with the pre-trained start's (WiSE-FT, Scale.wise 0.75: a row and a
# paired difference in real.md); the protocol scores on the GPU since stop 19 (it scored on the host's CPU before).
# The real step logs each recompile of a compiled model and its reason (TORCH_LOGS=recompiles; FD_TORCH_LOGS= turns it off): stop 24's
# compiled pre-training reached dynamo's limit of 8 recompiles ("GLOBAL_STATE changed: grad_mode"), which a CPU run of the same loop
# (bf16 autocast and channels-last imitated, checkpoints, prints held in memory) does not: 2 recompiles, for validation and its last batch.
# "ssl" (after real, FD_WORK kept): tools/ssl_adapt.py adapts the finished synthetic model to the unlabelled references carried
# (gpu_carry.py --pool N; 350 fit beside the tests' wheels and the tree: 57 MiB of the 64 a call carries), then cross-validates from it into ssl-cv.md/.tgz, paired by fold with real.md's
# (stop 28, cpu scale, three fine-tuning seeds per arm: +0.017 on the CV mean with the synthetic loss kept, 4 of 5 folds; marks +0.027).
# FD_SSL_ARGS (default "--epochs 20 --bs 64 --synthetic-weight 1"), FD_SSL_S (limit, 200 s).
# FD_SYNC_ARGS="--compile" profiles the compiled training loop in the sync step (its epochs ran at about 2,300 prints a second
# on the H200, against a compiled ceiling of 4,143).
# A dry run on a CPU: FD_DEVICE=cpu FD_SCALE=tiny FD_BENCH="--tiny" FD_WHEELS=none bash tools/gpu-visit.sh 300
# (there `bench train` stops with "the training set has 2 batches": the tiny scale draws only 24 prints)
set -u
BUDGET=${1:-560}
DEVICE=${FD_DEVICE:-cuda}; SCALE=${FD_SCALE:-gpu}
BENCH=${FD_BENCH:---size 352x144 --bs 128 --batches 30 --warmup 5 --workers 8}
START=$(date +%s)
OUT=${OUT:-/tmp/footdesc-gpu-out}; mkdir -p "$OUT"
WORK=${FD_WORK:-/tmp/footdesc-gpu}; mkdir -p "$WORK"
export PYTHONUNBUFFERED=1
STEPS=" ${FD_STEPS:-smoke predict real} "
want() { [[ "$STEPS" == *" $1 "* ]]; }
elapsed() { echo $(( $(date +%s) - START )); }
say() { echo "[$(elapsed) s] $*" | tee -a "$OUT/log.txt"; }
FD=(python3 -c 'import sys; sys.argv[0] = "footdesc"; from footdesc.cli import console; console()')   # the footdesc command, uninstalled (console: a command's fixable error exits 2, as installed)

if [ "${FD_WHEELS:-.whl}" != none ]; then
  python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl >>"$OUT/log.txt" 2>&1 \
    || { say "wheel install failed"; exit 1; }
fi
export PYTHONPATH=/tmp/site:$PWD
python3 - >"$WORK/env.txt" 2>&1 <<'PY'
import sys, os, torch, torchvision, fastai, numpy, PIL
print(sys.version); print("torch", torch.__version__, "torchvision", torchvision.__version__, "fastai", fastai.__version__, "numpy", numpy.__version__, "PIL", PIL.__version__)
print("gpu", torch.cuda.get_device_name() if torch.cuda.is_available() else None, "cpus", os.cpu_count())
import footdesc.cli, footdesc.real, footdesc.train, footdesc.train_command, footdesc.bench_train, footdesc.inference
from footdesc.resample import png_decoder
print("footdesc imports ok; PNG decoder:", png_decoder())   # wuffs where .whl brought pywuffs (gpu_wheels.sh builds it), else pillow
PY
rc=$?; cat "$WORK/env.txt" | tee -a "$OUT/log.txt"; [ $rc -eq 0 ] || { say "imports failed"; exit 1; }

if want smoke; then
say "smoke: bench train --tiny on $DEVICE"
if ! "${FD[@]}" bench train --tiny --device $DEVICE --workers 4 >"$WORK/smoke.json" 2>>"$OUT/log.txt"; then   # the prints are held on the GPU by default
  say "smoke failed; again with FOOTDESC_RESIDENT=no (prints read from the cache, as before stop 18), kept for the rest of the visit"
  tail -30 "$OUT/log.txt"; export FOOTDESC_RESIDENT=no
  "${FD[@]}" bench train --tiny --device $DEVICE --workers 4 >"$WORK/smoke.json" 2>>"$OUT/log.txt" || { say "smoke failed"; tail -30 "$OUT/log.txt"; exit 1; }
fi
cat "$WORK/smoke.json" | tee -a "$OUT/log.txt"
fi

if want sync || want train; then
say "synthetic pre-training set"
python3 -c "
from footdesc.real_scales import SCALES; from footdesc.synth_data import write_synth_dataset
s = SCALES['$SCALE']; write_synth_dataset('$WORK/real/synthetic', s.synth_n, seed=0, height=s.synth_height, workers=16, force=True, progress=False)
" >>"$OUT/log.txt" 2>&1 || { say "synthesis failed"; exit 1; }

fi

if want sync; then
say "sync check: waits for the GPU per training batch (tools/gpu_sync_check.py)"
timeout 150 python3 tools/gpu_sync_check.py "$WORK/real/synthetic" --device $DEVICE --profile 10 ${FD_SYNC_ARGS:-} $( [ "$DEVICE" = cpu ] && echo --arch resnet18 --size 64x32 --bs 4 --batches 3 ) \
  >"$OUT/sync-check.json" 2>>"$OUT/log.txt" || say "sync check failed or timed out (exit $?)"
python3 -c "import json,sys; d=json.load(open(sys.argv[1])); p=d.get('profile'); d['profile']={k: v for k, v in p.items() if k not in ('kernels', 'cpu')} if isinstance(p, dict) else p; print(json.dumps(d))" "$OUT/sync-check.json" | tee -a "$OUT/log.txt"

fi

if want train; then
for OPT in torch fastai; do   # footdesc's TorchAdamW (the default), then fastai's Adam, on the same machine
  say "bench train $BENCH --opt $OPT"
  timeout 150 "${FD[@]}" bench train --data "$WORK/real/synthetic" $BENCH --device $DEVICE --opt $OPT >"$OUT/bench-train-$OPT.json" 2>>"$OUT/log.txt" \
    || say "bench train --opt $OPT failed or timed out (exit $?)"
  cat "$OUT/bench-train-$OPT.json" | tee -a "$OUT/log.txt"
done

fi

if want predict; then
say "prints_to_batch on $DEVICE without waiting for it (torch.cuda.set_sync_debug_mode), against the CPU's"
timeout 120 python3 -c "
import json, numpy as np, torch; from footdesc.batch import prints_to_batch
rng = np.random.default_rng(0)   # soles of one height and 40 widths, 40 of different heights, a big scan, a tensor on the CPU, a converted print
prints = [rng.integers(0, 256, (586, 180 + i), dtype=np.uint8) for i in range(40)] + [rng.integers(0, 256, (500 + 7*i, 200 + i), dtype=np.uint8) for i in range(40)]
prints += [np.full((3000, 1300), 30, np.uint8), torch.from_numpy(prints[0].copy()), rng.integers(0, 256, (3, 352, 144), dtype=np.uint8)]   # and a print its worker converted
prints_to_batch(prints, device='$DEVICE'); found = dict(waited=None, error=None)
if '$DEVICE' == 'cuda': torch.cuda.set_sync_debug_mode('error')
try: batch = prints_to_batch(prints, device='$DEVICE')
except RuntimeError as e: found['waited' if 'synchroniz' in str(e) else 'error'] = str(e)[:300]
finally:
    if '$DEVICE' == 'cuda': torch.cuda.set_sync_debug_mode(0)
if not any(found.values()): found['max_grey_level_difference_from_cpu'] = int((prints_to_batch(prints).int() - batch.cpu().int()).abs().max())
print(json.dumps({f'prints_to_batch_{k}': v for k, v in found.items()}))
" 2>>"$OUT/log.txt" | tee -a "$OUT/log.txt" || say "prints_to_batch check failed or timed out"
say "bench predict on $DEVICE"
"${FD[@]}" bench predict --device $DEVICE $( [ "$DEVICE" = cpu ] && echo --tiny ) >"$OUT/bench-predict.json" 2>>"$OUT/log.txt"
cat "$OUT/bench-predict.json" | tee -a "$OUT/log.txt"

fi

if want bigscan; then
say "big prints on $DEVICE: the cap on decoded pixels per batch against none (tools/bigscan_bench.py)"
timeout 150 python3 tools/bigscan_bench.py --device $DEVICE $( [ "$DEVICE" = cpu ] && echo --print-size 800x320 --files 4 --prints 16 --bs 8 --arch resnet18 --size 64x32 --batch-pixels 1000000 ) \
  >"$OUT/bigscan.json" 2>>"$OUT/log.txt" || say "bigscan bench failed or timed out (exit $?)"
cat "$OUT/bigscan.json" | tee -a "$OUT/log.txt"
fi

if want cudatests; then   # the notebooks' #| cuda tests, which CI (no GPU) never runs; needs the wheels of `tools/gpu_wheels.sh --tests`
NOTEBOOKS=$(grep -l '^ *"#| cuda' nbs/*.ipynb | xargs -r -n1 basename | sed 's/\.ipynb$//' | paste -sd'|' -)
FLAGS=""; [[ "$DEVICE" == cuda* ]] && FLAGS="--flags cuda"   # (a CPU dry run runs the same notebooks' other tests: the runner itself is what it checks)
say "notebook tests $FLAGS: ${NOTEBOOKS:-none}"
if [ -z "$NOTEBOOKS" ]; then say "no notebook has a #| cuda cell: nothing to run"
elif [ -x /tmp/site/bin/nbdev-test ]; then
  timeout ${FD_TESTS_S:-300} /tmp/site/bin/nbdev-test $FLAGS --n-workers 3 --file-re "^($NOTEBOOKS)\.ipynb$" >"$OUT/cuda-tests.log" 2>&1
  say "notebook tests exit $?"; grep -v "^\s*$" "$OUT/cuda-tests.log" | tail -15 | tee -a "$OUT/log.txt"
else say "no nbdev-test in /tmp/site: fill .whl with 'bash tools/gpu_wheels.sh --tests'"; fi
fi

want real || { say "done"; exit 0; }
if [ -n "${FD_RESUME:-}" ]; then
  [ -f "$FD_RESUME/records.jsonl" ] || { say "FD_RESUME=$FD_RESUME has no records.jsonl"; exit 1; }
  mkdir -p "$WORK/real" && cp -r "$FD_RESUME/." "$WORK/real/" && say "resuming from $FD_RESUME ($(wc -l <"$FD_RESUME/records.jsonl") records)"
fi
LEFT=$(( BUDGET - $(elapsed) - 60 ))
say "real protocol, $SCALE scale, time limit ${LEFT} s"
LOGS=${FD_TORCH_LOGS-recompiles}   # (an empty TORCH_LOGS makes `import torch` fail: set only when there is something to log)
env ${LOGS:+TORCH_LOGS=$LOGS} timeout --signal=INT $(( LEFT + 45 )) "${FD[@]}" real --scale $SCALE --out "$WORK/real" --fid300 .gpu/fid300 --workers 16 --device $DEVICE --time-limit "$LEFT" ${FD_REAL_ARGS:-} >"$OUT/real.log" 2>&1
say "real protocol exit $?"
"${FD[@]}" real --out "$WORK/real" --summary-only >"$OUT/real.md" 2>>"$OUT/real.log"
tar czf "$OUT/real-gpu.tgz" -C "$WORK/real" --exclude=models --exclude=synthetic --exclude=.footdesc-cache --exclude=splits --exclude=checkpoints . 2>>"$OUT/log.txt"
if want ssl; then   # after real, on the same FD_WORK: its synthetic model adapted to the unlabelled references, then cross-validated from there
  if [ $(( BUDGET - $(elapsed) )) -lt 150 ]; then say "ssl: under 150 s left, not started"
  elif [ -f "$WORK/real/models/synthetic_H-B-N inc_d 352x144_s0.zip" ]; then
    if [ -f "$WORK/ssl/models/synthetic_H-B-N inc_d 352x144_s0.zip" ]; then   # a later call resumes ssl-cv from the same adapted model
      say "ssl: the adapted model of an earlier call is there; cv from it"
    else
      say "self-supervised adaptation to the unlabelled references in .gpu/fid300 (tools/ssl_adapt.py), then cv from it"
      timeout ${FD_SSL_S:-200} python3 tools/ssl_adapt.py "$WORK/real" "$WORK/ssl" --device $DEVICE --fid300 .gpu/fid300 --workers 16 ${FD_SSL_ARGS:---epochs 20 --bs 64 --synthetic-weight 1} >"$OUT/ssl.log" 2>&1
      say "ssl adaptation exit $?"; grep -v -i warn "$OUT/ssl.log" | tail -3 | tee -a "$OUT/log.txt"
    fi
    LEFT=$(( BUDGET - $(elapsed) - 30 ))
    timeout --signal=INT $(( LEFT + 30 )) "${FD[@]}" real --scale $SCALE --out "$WORK/ssl-cv" --pretrained-from "$WORK/ssl" --fid300 .gpu/fid300 --workers 16 --device $DEVICE --time-limit "$LEFT" \
      ${FD_REAL_ARGS:-} --steps zero-shot,cv --set cv_starts=synthetic >"$OUT/ssl-cv.log" 2>&1
    say "ssl cv exit $?"
    "${FD[@]}" real --out "$WORK/ssl-cv" --summary-only >"$OUT/ssl-cv.md" 2>>"$OUT/ssl-cv.log"
    tar czf "$OUT/ssl-cv.tgz" -C "$WORK/ssl-cv" --exclude=models --exclude=synthetic --exclude=.footdesc-cache --exclude=splits --exclude=checkpoints . 2>>"$OUT/log.txt"
  else say "ssl: no finished synthetic model in $WORK/real/models: run the real step first (FD_WORK kept on a warm machine)"; fi
fi
say "done"
tail -5 "$OUT/real.log"; cat "$OUT/real.md" | head -60
