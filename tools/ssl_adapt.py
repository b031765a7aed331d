"""The real-print protocol's wrapper around `footdesc adapt` (footdesc.adapt): a synthetic model adapted to FID-300's unlabelled references.

Between the synthetic pre-training and the fine-tuning on labelled references, the body goes on learning from the
935 FID-300 references that nobody labelled, with a contrastive loss (SimCLR's NT-Xent, Chen et al. 2020): two
random views of one print (a crop, a mirror, a small skew, lighter or darker ink, a patch wiped out as a mark loses
it) must map close together and away from the other prints' views. With `--synthetic-weight W` each step also
keeps the synthetic descriptor loss on a batch of synthetic prints, weighted W, so the head's task is not forgotten.
No labelled reference and no mark is used. Measured at the `cpu` scale (tutorial 51, "Self-supervised adaptation" and
"Measured again as `footdesc adapt`", three fine-tuning seeds each): stop 28's prototype gained +0.017 with
--synthetic-weight 1 (marks +0.027); this wrapper around the package gained +0.004 (marks +0.011), within the noise.
Not yet measured at 352x144 (tools/gpu-visit.sh's "ssl" step).

    footdesc real --out runs/real-cpu-plain --scale cpu --set loss=bce-plain --steps zero-shot,cv --set cv_starts=synthetic
    python tools/ssl_adapt.py runs/real-cpu-plain runs/ssl/adapted --epochs 6 --synthetic-weight 1 [--fid300 ../shared/data/fid300] [--device cuda]
    footdesc real --out runs/ssl/cv --scale cpu --set loss=bce-plain --steps zero-shot,cv --set cv_starts=synthetic \
        --pretrained-from runs/ssl/adapted

The adaptation itself is the package's (`footdesc.adapt`, notebook 33d_adapt): this script only picks the references
that labels.csv does not list and writes a results folder that `--pretrained-from` reads. The first argument is a
`footdesc real` run with a finished seed-0 synthetic pre-training (with the loss the CV afterwards sets: the protocol
refuses a start pre-trained with another); the second becomes a results folder holding that
run's protocol.json, its pre-training's record and the adapted model under the same name, which `--pretrained-from`
then copies as though it were the pre-training (its CV is paired by fold with the run's own).
"""
import argparse, glob, json, shutil, time
from pathlib import Path
import pandas as pd, torch
from footdesc.adapt import read_unlabelled, labelled_prints, adapt_model, save_adapted
from footdesc.model import load_model

MODEL = "synthetic_H-B-N inc_d 352x144_s0.zip"

def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("run", type=Path); p.add_argument("out", type=Path)
    p.add_argument("--epochs", type=int, default=6); p.add_argument("--bs", type=int, default=48)
    p.add_argument("--lr", type=float, default=3e-4); p.add_argument("--temperature", type=float, default=0.2)
    p.add_argument("--synthetic-weight", type=float, default=0.0); p.add_argument("--seed", type=int, default=0)
    p.add_argument("--fid300", default="../shared/data/fid300"); p.add_argument("--threads", type=int, default=None)
    p.add_argument("--workers", type=int, default=2, help="processes that read the prints")
    p.add_argument("--limit", type=int, default=None, help="use only the first N unlabelled references (a smoke test)")
    p.add_argument("--device", default="cpu", help="cpu or cuda; on cuda the steps run under bf16 autocast")
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    source, t0 = a.run/"models"/MODEL, time.time()
    loaded = load_model(source)
    size, channels, fit = (loaded.input_config[k] for k in ("size", "channels", "fit"))
    root = a.fid300.rstrip("/") + "/"
    labelled = set(pd.read_csv(root + "labels.csv").image)
    unlabelled = [f for f in sorted(glob.glob(root + "references/*.png")) if f[len(root):] not in labelled][:a.limit]   # no labelled reference, no mark
    if len(unlabelled) < a.bs: raise SystemExit(f"{root}references holds {len(unlabelled)} unlabelled references (not in labels.csv); a step needs {a.bs} (--bs)")
    if a.synthetic_weight < 0: raise SystemExit(f"--synthetic-weight {a.synthetic_weight}: expected 0 (the contrastive loss alone) or more")
    real, _ = read_unlabelled(unlabelled, size, channels, fit, a.workers)
    print(f"{len(real)} unlabelled references read in {time.time() - t0:.0f} s", flush=True)
    synthetic = labelled_prints(a.run/"synthetic", size, channels, fit, a.workers) if a.synthetic_weight else None
    net, log = adapt_model(loaded, real, synthetic, a.epochs, a.bs, a.lr, a.temperature, a.synthetic_weight if synthetic is not None else 1.0, a.seed, a.device, progress=False,
                           report=lambda line: print(json.dumps(line), flush=True))
    a.out.mkdir(parents=True, exist_ok=True)
    shutil.copy(a.run/"protocol.json", a.out/"protocol.json")
    note = dict(vars(a), run=str(a.run), out=str(a.out), prints=len(real), log=log)
    records = [json.loads(line) for line in open(a.run/"records.jsonl") if line.strip()]
    kept = [dict(r, ssl_adaptation=note) for r in records if r.get("step") == "synthetic"]   # the pre-training's, marked adapted; not the run's scores
    (a.out/"records.jsonl").write_text("".join(json.dumps(r, default=str) + "\n" for r in kept))
    save_adapted(source, net, a.out/"models"/MODEL, json.loads(json.dumps(note, default=str)))
    print(f"adapted model written to {a.out/'models'/MODEL} in {time.time() - t0:.0f} s")

if __name__ == "__main__": main()
