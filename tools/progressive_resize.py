"""Progressive resizing for the synthetic pre-training: the first epochs on smaller prints, the rest at the full size.

A network learning from scratch is limited by how many prints it sees in the time it has (tutorial *Real prints*).
A print at half the height and width costs about a quarter of the compute, so the same minutes buy more epochs when
the first ones run small (fastai's "progressive resizing"). This script trains as the protocol's pre-training does
(`footdesc.train.train_descriptors` with `presize`/`presize_epochs`, `footdesc.train.ProgressiveResize`: each size has
its own three-interpolation cache, made from the full-resolution print, and the same train/valid split; the model
file records the full size), then scores the model zero-shot on real references.

Prints JSON: the pre-training's seconds and synthetic validation PRAUC (at the full size), and the zero-shot PRAUC
on real labelled references (default: FID-300's labels.csv) against its chance level.
Usage: python tools/progressive_resize.py SYNTHETIC_DATA --out MODEL [--size 176x72] [--presize 0.5] [--small-epochs 8]
       [--epochs 4] [--arch resnet18] [--bs 32] [--threads 1] [--references CSV]
"""
import argparse, json, os, time, warnings


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", help="synthetic dataset (folder with labels.csv)")
    parser.add_argument("--out", required=True, help="model file to write")
    parser.add_argument("--size", default="176x72", help="full size (the cpu scale's)")
    parser.add_argument("--presize", type=float, default=0.5, help="share of the height and width of the first epochs (0.5 of 176x72: 88x36)")
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
    from footdesc.dataset import read_labels
    from footdesc.resample import parse_size
    from footdesc.train import train_descriptors, presize_of
    from footdesc.real import predict_scores

    small = args.small_epochs > 0
    t = time.perf_counter()
    result = train_descriptors(args.data, args.out, size=args.size, bs=args.bs, seed=args.seed, arch=args.arch, pretrained=False, loss="bce-plain",
                               frozen_epochs=0, epochs=args.small_epochs + args.epochs, lr=args.lr, unfrozen_lr=args.lr,
                               presize=args.presize if small else None, presize_epochs=args.small_epochs,
                               show_progress=False, bootstrap=0, device="cpu")   # it seeds before making the DataLoaders
    seconds = time.perf_counter() - t
    _, zero_shot = predict_scores(args.out, read_labels(args.references))
    print(json.dumps(dict(size=args.size, small="x".join(map(str, presize_of(parse_size(args.size), args.presize))) if small else None,
                          small_epochs=args.small_epochs, epochs=args.epochs, arch=args.arch, threads=args.threads, seconds=round(seconds, 1),
                          epoch_seconds=[round(h.get("train_s") or 0, 1) for h in result.history],
                          epoch_prauc=[round(h.get("prauc") or 0, 4) for h in result.history],
                          synthetic_prauc=round(result.prauc, 4), zero_shot_prauc=round(zero_shot["prauc"], 4),
                          zero_shot_chance=round(zero_shot["chance"], 4))))


if __name__ == "__main__": main()
