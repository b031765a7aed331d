"""Prototype, not part of the package: domain-adversarial synthetic pre-training (DANN, Ganin & Lempitsky 2015).

A small classifier learns to tell synthetic prints from unlabelled real ones by the body's pooled features; its
gradient reaches the body reversed, so the body learns features the two domains share. Tried at the `cpu` scale in
stop 16 (tutorial 51, "Domain-adversarial pre-training"): no gain, so not adopted.

Reproduce (the synthetic set and its cache come from a `footdesc real --scale cpu` run, here runs/real-cpu-ci):

    python tools/domain_adversary.py runs/dann/w0.3.zip --weight 0.3 --synthetic runs/real-cpu-ci/synthetic/labels.csv
    # then score it as that run's pre-trained model: a folder holding a copy of the run's protocol.json, its synthetic
    # unit's record (records.jsonl) and this model as models/"synthetic_H-B-N inc_d 352x144_s0.zip", given to
    footdesc real --out runs/dann/cv-w0.3 --scale cpu --set loss=bce-plain --steps zero-shot,cv --set cv_starts=synthetic --pretrained-from FOLDER
"""
import argparse, glob, json, math, time
import numpy as np, pandas as pd, torch, torch.nn as nn, torch.nn.functional as F
from fastai.callback.core import Callback
from fastai.layers import AdaptiveConcatPool2d
from fastai.vision.all import imagenet_stats

class GradReverse(torch.autograd.Function):
    "Identity forward; the gradient multiplied by -lam backward."
    @staticmethod
    def forward(ctx, x, lam): ctx.lam = lam; return x.view_as(x)
    @staticmethod
    def backward(ctx, g): return -ctx.lam * g, None

class DomainAdversary(Callback):
    "Adds the domain classifier's loss, through a gradient reversal, to each training batch's loss."
    order = 5   # before MixedPrecision's after_loss (10), so the real prints' forward runs under the same autocast
    def __init__(self, real, weight=1.0, real_bs=16, lr=1e-3, hidden=256, seed=0):
        self.real, self.weight, self.real_bs, self.lr, self.hidden = torch.as_tensor(real), weight, real_bs, lr, hidden
        self.gen, self.log = torch.Generator().manual_seed(seed), []
    def before_fit(self):
        model, dev = self.learn.model, self.dls.device
        self.disc = nn.Sequential(nn.Linear(model.head[2].num_features, self.hidden), nn.ReLU(), nn.Linear(self.hidden, 1)).to(dev)
        self.dopt = torch.optim.AdamW(self.disc.parameters(), self.lr, weight_decay=1e-2)
        self.pool = AdaptiveConcatPool2d()
        self.mean, self.std = (torch.tensor(s, device=dev).view(1, 3, 1, 1) for s in imagenet_stats)
        self.hook = model.body.register_forward_hook(self._store)
    def _store(self, module, inputs, output): self.feats = output
    def after_loss(self):
        if not self.training: return
        synthetic = self.feats   # the batch's body features, before the real prints' forward replaces them
        lam = self.weight * (2 / (1 + math.exp(-10 * self.learn.pct_train)) - 1)   # DANN's ramp from 0 to `weight`
        idx = torch.randint(len(self.real), (self.real_bs,), generator=self.gen)
        xr = self.real[idx].to(self.dls.device, non_blocking=True).float() / 255
        flip = (torch.rand(self.real_bs, generator=self.gen) < .5).to(xr.device)
        xr[flip] = xr[flip].flip(-1)
        xr = (xr - self.mean) / self.std
        model = self.learn.model
        real = model.body(model.preprocessing(xr))
        z = torch.cat([self.pool(synthetic), self.pool(real)]).flatten(1).float()
        d = self.disc(GradReverse.apply(z, lam)).squeeze(1)
        target = torch.cat([torch.zeros(len(synthetic)), torch.ones(len(real))]).to(d.device)
        loss = F.binary_cross_entropy_with_logits(d, target)
        self.learn.loss_grad = self.learn.loss_grad + loss
        self.log.append((float(self.learn.pct_train), lam, loss.detach()))
    def after_step(self): self.dopt.step(); self.dopt.zero_grad(set_to_none=True)
    def after_fit(self): self.hook.remove()

def real_pool(paths, size, channels="H-B-N", fit="pad", workers=2):
    "The network inputs (n, 3, H, W) uint8 of the unlabelled real prints."
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial
    from footdesc.resample import print_to_array
    with ProcessPoolExecutor(workers) as ex: return np.stack(list(ex.map(partial(print_to_array, size=size, channels=channels, fit=fit), paths, chunksize=16)))

if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("out"); p.add_argument("--weight", type=float, default=1.0); p.add_argument("--threads", type=int, default=None)
    p.add_argument("--synthetic", required=True, help="the synthetic dataset's labels.csv")
    p.add_argument("--fid300", default="../shared/data/fid300")
    a = p.parse_args()
    if a.threads: torch.set_num_threads(a.threads)
    size, root = (176, 72), a.fid300.rstrip("/") + "/"
    labelled = set(pd.read_csv(root + "labels.csv").image)
    pool = real_pool([f for f in sorted(glob.glob(root + "references/*.png")) if f[len(root):] not in labelled], size)   # the 935 unlabelled
    cb, t = DomainAdversary(pool, weight=a.weight, real_bs=16), time.time()
    from footdesc.train import train_descriptors
    res = train_descriptors(a.synthetic, a.out, size=size, channels="H-B-N", fit="pad", preproc="inc_d", arch="resnet18", pretrained=False,
                            bs=32, seed=0, loss="bce-plain", valid_pct=.2, frozen_epochs=0, epochs=6, lr=2e-3, unfrozen_lr=2e-3,
                            show_progress=False, bootstrap=0, cbs=[cb])
    json.dump(dict(prauc=res.prauc, history=res.history, seconds=time.time() - t, domain_loss=[(p, l, float(d)) for p, l, d in cb.log[::10]]),
              open(a.out + ".json", "w"))
    print(f"synthetic validation PRAUC {res.prauc:.4f} in {time.time() - t:.0f} s")
