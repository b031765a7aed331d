"""Count the CPU-GPU synchronisations of footdesc's training loop on a real GPU (tools/gpu-visit.sh runs it).

`footdesc.model.HostSyncCounter` counts the tensor reads that wait (`.item()`, `.cpu()` ...) and works on a CPU too;
PyTorch's sync debug mode also sees waits inside CUDA calls, such as a blocking host-to-device copy. This script trains
ResNet-50 (no ImageNet weights) on a cached synthetic set for `--batches` batches with bf16 and channels-last, and
reports both counts for the batches after the first, as JSON.

Usage: python tools/gpu_sync_check.py DATA [--batches 12] [--bs 128] [--size 352x144]
A dry run on a CPU: python tools/gpu_sync_check.py DATA --device cpu --arch resnet18 --size 64x32 --bs 4 --batches 3
"""
import argparse, json, sys, warnings
import torch
from fastai.callback.core import Callback, CancelFitException
from footdesc.data import descriptor_dataloaders
from footdesc.model import descriptor_learner, HostSyncCounter
from footdesc.train import accelerate, TwoPhaseSchedule


class CudaSyncWarnings(Callback):
    "Record PyTorch's synchronisation warnings from the end of the first training batch to the end of batch `last`."
    order = 98
    def __init__(self, last): self.last, self.messages = last, []
    def after_batch(self):
        if not self.training: return
        if self.iter == 0:
            self._catch = warnings.catch_warnings(record=True); self._seen = self._catch.__enter__()
            warnings.simplefilter("always")
            if torch.cuda.is_available(): torch.cuda.set_sync_debug_mode("warn")
        elif self.iter == self.last:
            if torch.cuda.is_available(): torch.cuda.set_sync_debug_mode("default")
            self._catch.__exit__(None, None, None)
            self.messages = [str(w.message).splitlines()[0] for w in self._seen if "synchroniz" in str(w.message)]
            raise CancelFitException


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data"); parser.add_argument("--batches", type=int, default=12)
    parser.add_argument("--bs", type=int, default=128); parser.add_argument("--size", default="352x144")
    parser.add_argument("--arch", default="resnet50"); parser.add_argument("--device", default="cuda", help="cpu: a dry run")
    args = parser.parse_args(argv)
    dls = descriptor_dataloaders(args.data, size=args.size, bs=args.bs, device=args.device, progress=False)
    learn = accelerate(descriptor_learner(dls, args.arch, "inc_d", pretrained=False))
    counter, cuda_waits = HostSyncCounter(), CudaSyncWarnings(args.batches)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, cbs=[TwoPhaseSchedule(frozen_epochs=0, lr=1e-4), counter, cuda_waits])
    batches = args.batches  # batches 1..last: the ones after the first
    result = dict(batches=batches, tensor_reads=counter.counts, cuda_sync_warnings=len(cuda_waits.messages),
                  cuda_sync_warnings_per_batch=round(len(cuda_waits.messages) / batches, 2),
                  examples=sorted(set(cuda_waits.messages))[:5])
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__": sys.exit(main())
