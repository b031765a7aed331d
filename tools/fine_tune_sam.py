"""Prototype, not part of the package: sharpness-aware minimisation (SAM) or a moving average of the weights (EMA) in the fine-tuning.

SAM (Foret et al., ICLR 2021) takes each step with the gradient found at the worst nearby weights: the batch's
gradient g is computed, the weights moved by rho * g / |g|, the gradient computed again there, the weights moved
back, and the optimiser steps with the second gradient. It is reported to help small, noisily labelled training
sets, which is what 192 FID-300 references per fold are. It costs a second forward and backward pass per batch.
EMA keeps an exponential moving average of the weights (and BatchNorm statistics) and saves it instead of the
last weights. The five folds of a `footdesc real` run are fine-tuned again from its seed-0 synthetic model (as
tools/seed_ensemble.py does), so they pair fold by fold with its own and with other seeds'.
Tried at the `cpu` scale in stop 30 (tutorial 51, "Sharpness-aware minimisation in the fine-tuning"): SAM with
rho 0.05, three seeds, 0.457 against 0.461 without it (-0.004, better in 2 of 5 folds; marks +0.005). Not adopted.
EMA was not measured: with one-cycle rates the last steps are already tiny, so it would average nearly equal weights.

    python tools/fine_tune_sam.py runs/real-cpu --out runs/sam --seeds 0,1,2 --rho 0.05 [--ema 0.9] [--fid300 ../shared/data/fid300]
"""
import argparse, json
from dataclasses import replace
from pathlib import Path
import torch
from fastai.callback.core import Callback
import footdesc.train
from footdesc.real import Protocol
from footdesc.real_scales import Scale, _saved_scale

class SharpnessAware(Callback):
    "SAM: replace each batch's gradient by the one at the weights `rho` along it (normalised), then step from the original weights."
    order = 5   # before anything else that reads the gradients after the backward pass
    def __init__(self, rho:float=0.05): self.rho = rho
    def after_backward(self):
        params = [p for p in self.learn.model.parameters() if p.requires_grad and p.grad is not None]
        norm = torch.norm(torch.stack([p.grad.norm(2) for p in params]), 2)
        scale = self.rho / (norm + 1e-12)
        with torch.no_grad():
            moves = [p.grad * scale for p in params]
            for p, m in zip(params, moves): p.add_(m)
        self.learn.opt.zero_grad()
        bn = [m for m in self.learn.model.modules() if isinstance(m, torch.nn.modules.batchnorm._BatchNorm)]
        momenta = [m.momentum for m in bn]
        for m in bn: m.momentum = 0.   # the second pass leaves the running statistics as the first left them
        try: self.learn.loss_func(self.learn.model(*self.learn.xb), *self.learn.yb).backward()
        finally:
            for m, mo in zip(bn, momenta): m.momentum = mo
        with torch.no_grad():
            for p, m in zip(params, moves): p.sub_(m)

class WeightAverage(Callback):
    "EMA of the weights and buffers, copied into the model when the fit ends."
    order = 90
    def __init__(self, decay:float=0.9): self.decay = decay
    def before_fit(self):
        from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
        self.average = AveragedModel(self.learn.model, multi_avg_fn=get_ema_multi_avg_fn(self.decay), use_buffers=True)
    def after_step(self): self.average.update_parameters(self.learn.model)
    def after_fit(self): self.learn.model.load_state_dict(self.average.module.state_dict())

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a protocol run's --out, with its seed-0 synthetic pre-training")
    parser.add_argument("--out", type=Path, required=True, help="where the fine-tunings go (a protocol results folder)")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--rho", type=float, default=0.05, help="SAM's neighbourhood (0: no SAM)")
    parser.add_argument("--ema", type=float, default=0., help="EMA decay per step (0: none)")
    parser.add_argument("--fid300", type=Path, default=Path("../shared/data/fid300"))
    parser.add_argument("--device", default=None)
    args = parser.parse_args()
    extra = ([SharpnessAware(args.rho)] if args.rho else []) + ([WeightAverage(args.ema)] if args.ema else [])
    print("callbacks", [type(c).__name__ for c in extra], json.dumps(dict(rho=args.rho, ema=args.ema)), flush=True)
    train = footdesc.train.train_descriptors
    def with_callbacks(*a, cbs=None, **k): return train(*a, cbs=list(cbs or []) + extra, **k)   # (the pre-training is copied, not run)
    footdesc.train.train_descriptors = with_callbacks
    scale = replace(Scale(**{k: tuple(v) if isinstance(v, list) else v for k, v in _saved_scale(args.run).items()}), cv_starts=("synthetic",))
    protocol = Protocol(args.out, args.fid300/"labels.csv", args.fid300/"marks.csv", scale=scale, device=args.device, pretrained_from=args.run)
    seed_zero = Protocol.pretrained
    protocol.pretrained = lambda variant, seed, *a, **k: seed_zero(protocol, variant, 0, *a, **k)
    for seed in [int(s) for s in args.seeds.split(",")]: protocol.cross_validate(init="synthetic", seed=seed)

if __name__ == "__main__": main()
