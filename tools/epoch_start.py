"""What an epoch's start costs with DataLoader worker processes, against prints held in memory (footdesc.data.hold_in_memory).

fastai forks a loader's workers afresh at every epoch, and the epoch's first batch waits for one of them. A training
process holds CUDA, the model and its optimiser (several GB), so this script can first fill `--parent-gb` of memory
(on a 2-core CPU, 0, 3 and 8 GB made no difference); it then times, for each way of loading: the first training batch of an epoch (`epoch_start_s`), a whole training
pass and a whole validation pass, loading alone (nothing trained), over `--epochs` epochs. Prints JSON.
Usage: python tools/epoch_start.py DATA [--size 352x144] [--bs 128] [--workers 8] [--parent-gb 3] [--epochs 3] [--device cpu]
"""
import argparse, json, statistics, warnings
import numpy as np
from fastai.torch_core import set_seed
from footdesc.data import descriptor_dataloaders
from footdesc.resample import parse_size
from footdesc.bench_train import epoch_start_seconds, pass_seconds


def timings(dls, epochs):
    "Median seconds over `epochs` epochs: first training batch, whole training pass, whole validation pass (footdesc.bench_train's timers)."
    median = lambda f, dl: round(statistics.median(f(dl) for _ in range(epochs)), 4)
    return dict(epoch_start_s=round(epoch_start_seconds(dls.train, epochs), 4), train_pass_s=median(pass_seconds, dls.train),
                valid_pass_s=median(pass_seconds, dls.valid))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data")
    parser.add_argument("--size", default="352x144")
    parser.add_argument("--bs", type=int, default=128)
    parser.add_argument("--workers", type=int, default=8, help="worker processes of the loader that reads the cache")
    parser.add_argument("--parent-gb", type=float, default=3.0, help="memory the process fills first, as a training process holds")
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    parent = np.ones(int(args.parent_gb * 2**30) // 8)   # touched, so it is resident: a fork copies its page tables
    result = dict(size=args.size, bs=args.bs, workers=args.workers, parent_gb=args.parent_gb, device=args.device)
    for name, resident, workers in (("cache_files", False, args.workers), ("held_in_memory", True, 0)):
        set_seed(0)
        dls = descriptor_dataloaders(args.data, size=parse_size(args.size), bs=args.bs, num_workers=workers, device=args.device,
                                     progress=False, augment=False, resident=resident)
        result[name] = dict(timings(dls, args.epochs), train_prints=len(dls.train_ds), valid_prints=len(dls.valid_ds))
    print(json.dumps(result))
    del parent


if __name__ == "__main__": main()
