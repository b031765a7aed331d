"""Progressive resizing for the synthetic pre-training: the first epochs on smaller prints, the rest at the full size.

A network learning from scratch is limited by how many prints it sees in the time it has (tutorial *Real prints*).
A print at half the height and width costs about a quarter of the compute, so the same minutes buy more epochs when
the first ones run small (fastai's "progressive resizing"). Each size has its own three-interpolation cache, made
from the full-resolution print, and the same train/valid split. The learner is built for the full size (its model
file records that size); a callback trains the first `--small-epochs` epochs on the small DataLoaders, then the rest
at the full size, all inside one `fit` with one learning-rate schedule.

Prints JSON: the pre-training's seconds and synthetic validation PRAUC (at the full size), and the zero-shot PRAUC
on real labelled references (default: FID-300's labels.csv) against its chance level.
Usage: python tools/progressive_resize.py SYNTHETIC_DATA --out MODEL [--size 176x72] [--small 88x36] [--small-epochs 8]
       [--epochs 4] [--arch resnet18] [--bs 32] [--threads 1] [--references CSV]
"""
import argparse, json, os, time, warnings
from pathlib import Path


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="synthetic dataset (folder with labels.csv)")
    parser.add_argument("--out", required=True, help="model file to write")
    parser.add_argument("--size", default="176x72", help="full size (the cpu scale's)")
    parser.add_argument("--small", default="88x36", help="size of the first epochs")
    parser.add_argument("--small-epochs", type=int, default=8, help="epochs at the small size (0: none, the plain pre-training)")
    parser.add_argument("--epochs", type=int, default=4, help="epochs at the full size after them")
    parser.add_argument("--arch", default="resnet18")
    parser.add_argument("--bs", type=int, default=32)
    parser.add_argument("--lr", type=float, default=2e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--references", default=os.environ.get("FOOTDESC_FID300", "../shared/data/fid300") + "/labels.csv")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    import torch; torch.set_num_threads(args.threads)
    from fastai.callback.core import Callback
    from footdesc.data import descriptor_dataloaders
    from footdesc.dataset import read_labels
    from footdesc.resample import parse_size
    from footdesc.train import train_descriptors
    from footdesc.real import predict_scores

    class SmallFirst(Callback):
        "Train the first `epochs` epochs on `small` DataLoaders, then on the learner's own."
        order = -5   # before the Recorder and the schedule read the epoch's DataLoader
        def __init__(self, small, epochs): self.small, self.epochs = small, epochs
        def before_fit(self): self.full = self.learn.dls
        def before_epoch(self): self.learn.dls = self.small if self.epoch < self.epochs else self.full
        def after_fit(self): self.learn.dls = self.full

    from fastai.torch_core import set_seed
    set_seed(args.seed)   # fastai draws each DataLoader's shuffling from the global random state
    loaders = lambda size: descriptor_dataloaders(args.data, size=parse_size(size), bs=args.bs, seed=args.seed, device="cpu", progress=False)
    full = loaders(args.size)
    cbs = []
    if args.small_epochs:
        small = loaders(args.small)
        assert (small.df["split"].values == full.df["split"].values).all(), "the two sizes must split the prints alike"
        cbs.append(SmallFirst(small, args.small_epochs))
    t = time.perf_counter()
    result = train_descriptors(dls=full, out=args.out, arch=args.arch, pretrained=False, loss="bce-plain", seed=args.seed,
                               frozen_epochs=0, epochs=args.small_epochs + args.epochs, lr=args.lr, unfrozen_lr=args.lr,
                               show_progress=False, bootstrap=0, cbs=cbs, device="cpu")
    seconds = time.perf_counter() - t
    refs = read_labels(args.references)
    _, zero_shot = predict_scores(args.out, refs)
    print(json.dumps(dict(size=args.size, small=args.small if args.small_epochs else None, small_epochs=args.small_epochs, epochs=args.epochs,
                          arch=args.arch, threads=args.threads, seconds=round(seconds, 1),
                          epoch_seconds=[round(h.get("train_s") or 0, 1) for h in result.history],
                          epoch_prauc=[round(h.get("prauc") or 0, 4) for h in result.history],
                          synthetic_prauc=round(result.prauc, 4), zero_shot_prauc=round(zero_shot["prauc"], 4),
                          zero_shot_chance=round(zero_shot["chance"], 4))))


if __name__ == "__main__": main()
