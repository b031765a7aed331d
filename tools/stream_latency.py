"Per-line answer time of `footdesc predict MODEL - --jsonl` (ResNet-50, 352x144, 4000x1600 PNGs) against a fresh process per print. Usage: python tools/stream_latency.py SCRATCH_FOLDER"
import json, subprocess, sys, time, statistics
from pathlib import Path
import numpy as np
from footdesc.learner import random_dataloaders, descriptor_learner
from footdesc.model import save_model
from footdesc.resample import make_bench_print
d = Path(sys.argv[1]); d.mkdir(exist_ok=True)
learn = descriptor_learner(random_dataloaders(n_train=8, n_valid=8, size=(352, 144)), "resnet50", "inc_d", pretrained=False)
save_model(learn, d/"model.zip", thresholds=np.full(17, 0.5))
prints = [make_bench_print(d/f"p{i}.png", 4000, 1600, seed=i) for i in range(6)]
cmd = [sys.executable, "-m", "footdesc.cli", "predict", str(d/"model.zip"), "-", "--jsonl"]
t0 = time.perf_counter()
proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
times = []
for i, p in enumerate(prints):
    t = time.perf_counter(); proc.stdin.write(f"{p}\n"); proc.stdin.flush()
    json.loads(proc.stdout.readline()); times.append(time.perf_counter() - t)
proc.stdin.close(); proc.wait()
fresh = []
for p in prints[:2]:
    t = time.perf_counter(); subprocess.run([sys.executable, "-m", "footdesc.cli", "predict", str(d/"model.zip"), str(p), "--jsonl"], capture_output=True, check=False)
    fresh.append(time.perf_counter() - t)
print(json.dumps(dict(speedup=round(statistics.median(fresh) / statistics.median(times[1:]), 1), first_answer_s=round(times[0], 3), later_answers_median_s=round(statistics.median(times[1:]), 3),
                      later_answers=[round(x, 3) for x in times[1:]], fresh_process_per_print_s=[round(x, 2) for x in fresh])))
