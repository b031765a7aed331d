"""Count the CPU-GPU synchronisations of footdesc's training loop on a real GPU (tools/gpu-visit.sh runs it).

`footdesc.learner.HostSyncCounter` counts the tensor reads that wait (`.item()`, `.cpu()` ...) and works on a CPU too;
PyTorch's sync debug mode also sees waits inside CUDA calls, such as a blocking host-to-device copy. This script trains
ResNet-50 (no ImageNet weights) on a cached synthetic set for `--batches` batches with bf16 and channels-last, and
reports both counts for the batches after the first, as JSON. With `--profile N` (gpu-visit.sh uses 10) it then profiles N
more unfrozen batches with torch.profiler and adds, per batch: wall time, GPU kernel time (their ratio is how busy the GPU
was), the kernels that took longest and the CPU calls that took longest (a wait shows as cudaStreamSynchronize or a
blocking copy). Compare the kernel time with `bench train`'s ceiling time per batch: equal means the gap is the GPU
waiting for Python, more means footdesc runs extra GPU work.

Usage: python tools/gpu_sync_check.py DATA [--batches 12] [--bs 128] [--size 352x144] [--compile]
(--compile: the loop of `footdesc real --set synth_compile=true`, whose epochs of 12,800 prints took 5.5 s on an H200 in stop 24,
about 2,300 prints a second, against the compiled ceiling's 4,143 in ../shared/bench: the profile says where the rest goes)
A dry run on a CPU: python tools/gpu_sync_check.py DATA --device cpu --arch resnet18 --size 64x32 --bs 4 --batches 3
"""
import argparse, json, sys, time, warnings
import torch
from fastai.callback.core import Callback, CancelFitException
from footdesc.data import descriptor_dataloaders
from footdesc.learner import descriptor_learner, HostSyncCounter
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


class Profile(Callback):
    "Profile training batches `start` to `start + n - 1` of the current fit with torch.profiler, then stop the fit."
    order = 98
    def __init__(self, start, n): self.start, self.n, self.prof = start, n, None
    def before_batch(self):
        if self.training and self.iter == self.start:
            acts = [torch.profiler.ProfilerActivity.CPU] + ([torch.profiler.ProfilerActivity.CUDA] if torch.cuda.is_available() else [])
            if torch.cuda.is_available(): torch.cuda.synchronize()
            self.prof = torch.profiler.profile(activities=acts); self.prof.__enter__(); self._t = time.perf_counter()
    def after_batch(self):
        if self.training and self.prof is not None and self.iter == self.start + self.n - 1:
            self._finish(); raise CancelFitException
    def after_train(self):   # an epoch shorter than start + n batches: profile what there was
        if self.prof is not None and not hasattr(self, "wall"): self.n = self.iter - self.start + 1; self._finish()
    def _finish(self):
        if torch.cuda.is_available(): torch.cuda.synchronize()
        self.wall = time.perf_counter() - self._t
        self.prof.__exit__(None, None, None)


def _device_us(e): return getattr(e, "self_device_time_total", None) or getattr(e, "self_cuda_time_total", 0) or 0

def profile_summary(prof:Profile, top:int=12)->dict:
    "Per-batch wall and kernel milliseconds, and the longest kernels and CPU calls, from a finished `Profile`."
    events = prof.prof.key_averages()
    kernels = [e for e in events if _device_us(e) > 0 and e.self_cpu_time_total == 0]   # device-side rows (kernels, copies)
    kernel_ms = sum(_device_us(e) for e in kernels) / 1e3 / prof.n
    wall_ms = prof.wall * 1e3 / prof.n
    row = lambda e, us: dict(name=e.key[:90], calls_per_batch=round(e.count / prof.n, 2), ms_per_batch=round(us / 1e3 / prof.n, 3))
    return dict(batches=prof.n, wall_ms_per_batch=round(wall_ms, 2), kernel_ms_per_batch=round(kernel_ms, 2),
                gpu_busy=round(kernel_ms / wall_ms, 3) if wall_ms else None,
                kernels=[row(e, _device_us(e)) for e in sorted(kernels, key=_device_us, reverse=True)[:top]],
                cpu=[row(e, e.self_cpu_time_total) for e in sorted(events, key=lambda e: e.self_cpu_time_total, reverse=True)[:top]],
                waits={e.key: e.count for e in events if "Synchronize" in e.key})   # (aten::item would count CPU tensors' reads too)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data"); parser.add_argument("--batches", type=int, default=12)
    parser.add_argument("--bs", type=int, default=128); parser.add_argument("--size", default="352x144")
    parser.add_argument("--arch", default="resnet50"); parser.add_argument("--device", default="cuda", help="cpu: a dry run")
    parser.add_argument("--profile", type=int, default=0, help="then profile this many unfrozen batches (0: no profile)")
    parser.add_argument("--compile", action="store_true", help="torch.compile the model (footdesc.train.accelerate's compile), as `footdesc real --set synth_compile=true` trains: "
                        "the first batch then compiles, and the profile is of the compiled loop")
    args = parser.parse_args(argv)
    dls = descriptor_dataloaders(args.data, size=args.size, bs=args.bs, device=args.device, progress=False)
    learn = accelerate(descriptor_learner(dls, args.arch, "inc_d", pretrained=False), compile=args.compile)
    counter, cuda_waits = HostSyncCounter(), CudaSyncWarnings(args.batches)
    with learn.no_bar(), learn.no_logging(): learn.fit(1, cbs=[TwoPhaseSchedule(frozen_epochs=0, lr=1e-4), counter, cuda_waits])
    batches = args.batches  # batches 1..last: the ones after the first
    result = dict(compiled=args.compile, batches=batches, tensor_reads=counter.counts, cuda_sync_warnings=len(cuda_waits.messages),
                  cuda_sync_warnings_per_batch=round(len(cuda_waits.messages) / batches, 2),
                  examples=sorted(set(cuda_waits.messages))[:5])
    if args.profile:   # a second fit: 3 batches to warm up, then the profiled ones
        prof = Profile(3, args.profile)
        with learn.no_bar(), learn.no_logging(): learn.fit(1, cbs=[TwoPhaseSchedule(frozen_epochs=0, lr=1e-4), prof])
        result["profile"] = profile_summary(prof) if prof.prof is not None else f"the epoch had fewer than {prof.start + 1} batches"
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__": sys.exit(main())
