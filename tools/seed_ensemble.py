"""Prototype, not part of the package: fine-tuning seeds from one synthetic pre-training, and their ensemble.

Fine-tunes the five folds of a `footdesc real` run's cross-validation again with other seeds, every seed from that
run's seed-0 synthetic model (copied with `pretrained_from`, not trained again), then prints each fold's PRAUC per
seed and that of the seeds' probabilities averaged, paired with the mean of the single seeds (tutorial *Real prints*,
"Fine-tuning seeds from one pre-training"). Tried at the `cpu` scale in stop 27: seeds moved a CV mean by 0.006
(standard deviation), and averaging three gave +0.006.

    python tools/seed_ensemble.py runs/real-cpu --out runs/seeds --seeds 1,2 [--fid300 ../shared/data/fid300] [--device cpu]

The fine-tunings use the run's own scale (its protocol.json).
"""
import argparse, json
from dataclasses import replace
from pathlib import Path
import numpy as np
from footdesc.losses import prauc
from footdesc.real import Protocol, load_predictions, _cv_name
from footdesc.real_scales import Scale, VARIANTS, _saved_scale

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a protocol run's --out, with its seed-0 synthetic pre-training and its cv step's predictions")
    parser.add_argument("--out", type=Path, required=True, help="where the other seeds' fine-tunings go (a protocol results folder)")
    parser.add_argument("--seeds", default="1,2", help="fine-tuning seeds besides the run's 0")
    parser.add_argument("--fid300", type=Path, default=Path("../shared/data/fid300"))
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    scale = replace(Scale(**{k: tuple(v) if isinstance(v, list) else v for k, v in _saved_scale(args.run).items()}), cv_starts=("synthetic",))   # the run's own
    protocol = Protocol(args.out, args.fid300/"labels.csv", args.fid300/"marks.csv", scale=scale, device=args.device, pretrained_from=args.run)
    seed_zero = Protocol.pretrained
    protocol.pretrained = lambda variant, seed, *a, **k: seed_zero(protocol, variant, 0, *a, **k)   # every seed fine-tunes the one seed-0 pre-training
    seeds = [int(s) for s in args.seeds.split(",")]
    for seed in seeds: protocol.cross_validate(init="synthetic", seed=seed)
    variant, synth_epochs = next(iter(VARIANTS)), protocol._synth_epochs(None)   # what cross_validate runs by default
    name = lambda seed, fold: _cv_name("synthetic", variant, seed, scale.folds, None, synth_epochs, 0, 1, fold)
    gains = []
    for fold in range(scale.folds):
        runs = [load_predictions(args.run, name(0, fold))] + [load_predictions(args.out, name(s, fold)) for s in seeds]
        targets = runs[0]["ref_targets"]
        assert all((r["ref_images"] == runs[0]["ref_images"]).all() for r in runs), "the folds differ"
        single = [prauc(r["ref_probs"], targets) for r in runs]
        together = prauc(np.mean([r["ref_probs"] for r in runs], 0), targets)
        gains.append(together - np.mean(single))
        print(json.dumps(dict(fold=fold, seeds=[0, *seeds], prauc=[round(s, 4) for s in single], ensemble=round(together, 4))))
    print(json.dumps(dict(mean_gain_over_a_single_seed=round(float(np.mean(gains)), 4), better_folds=int(np.sum(np.array(gains) > 0)))))

if __name__ == "__main__": main()
