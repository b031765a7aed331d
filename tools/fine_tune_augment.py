"""Prototype, not part of the package: fine-tuning with harsher, mark-like augmentation added to footdesc's PrintAugment.

Each training print of the fine-tuning may also be cropped and scaled back (p_crop, at least `area` of it), inked
lighter or heavier (p_gamma, a gamma of e^±gamma), have a patch wiped white (p_wipe) and get noise (p_noise). The
five folds of a `footdesc real` run are fine-tuned again from its seed-0 synthetic model (as tools/seed_ensemble.py
does), so they pair fold by fold with its own. Tried at the `cpu` scale in stop 29 (tutorial 51, "Stronger
augmentation in the fine-tuning"): all four cost the references 0.023 (marks +0.008); ink alone 0.024; a crop of at
least 80% alone 0.006. Not adopted.

    python tools/fine_tune_augment.py runs/real-cpu --out runs/aug --seeds 0 [--set p_crop=0 --set p_wipe=0 ...]
"""
import argparse, json, math
from dataclasses import replace
from pathlib import Path
import torch, torch.nn.functional as F
import footdesc.data as data
from footdesc.real import Protocol
from footdesc.real_scales import Scale, _saved_scale

P = dict(area=0.6, p_crop=0.5, p_wipe=0.5, gamma=0.4, p_gamma=0.5, p_noise=0.3)

def extra(v, P):
    "Mark-like changes to one print (3, H, W) in [0, 1], white background."
    u = lambda lo, hi: lo + (hi - lo) * float(torch.rand(()))
    _, h, w = v.shape
    if P["p_crop"] and u(0, 1) < P["p_crop"]:
        area, aspect = u(P["area"], 1.0), math.exp(u(math.log(0.8), math.log(1.25)))
        ch, cw = min(h, round(h * math.sqrt(area * aspect))), min(w, round(w * math.sqrt(area / aspect)))
        top, left = int(torch.randint(h - ch + 1, ())), int(torch.randint(w - cw + 1, ()))
        v = F.interpolate(v[None, :, top:top + ch, left:left + cw], size=(h, w), mode="bilinear", align_corners=False)[0]
    if P["p_gamma"] and u(0, 1) < P["p_gamma"]: v = v.clamp(0, 1) ** math.exp(u(-P["gamma"], P["gamma"]))
    if P["p_wipe"] and u(0, 1) < P["p_wipe"]:
        ph, pw = round(h * u(0.15, 0.45)), round(w * u(0.2, 0.6))
        y, z = int(torch.randint(h - ph + 1, ())), int(torch.randint(w - pw + 1, ()))
        v = v.clone(); v[..., y:y + ph, z:z + pw] = 1.0
    if P["p_noise"] and u(0, 1) < P["p_noise"]: v = (v + torch.randn_like(v) * u(0.02, 0.08)).clamp(0, 1)
    return v

class StrongAugment(data.PrintAugment):
    def encodes(self, x: data.TensorImage):
        x = super().encodes(x)
        return data.TensorImage(torch.stack([extra(v, P) for v in x]))
data.PrintAugment = StrongAugment

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run", type=Path); ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seeds", default="0,1,2"); ap.add_argument("--fid300", type=Path, default=Path("../shared/data/fid300"))
    ap.add_argument("--set", action="append", default=[], help="augment parameter KEY=VALUE")
    args = ap.parse_args()
    for kv in args.set: k, v = kv.split("="); P[k] = float(v)
    print("augment", json.dumps(P), flush=True)
    scale = replace(Scale(**{k: tuple(v) if isinstance(v, list) else v for k, v in _saved_scale(args.run).items()}), cv_starts=("synthetic",))
    protocol = Protocol(args.out, args.fid300/"labels.csv", args.fid300/"marks.csv", scale=scale, pretrained_from=args.run)
    seed_zero = Protocol.pretrained
    protocol.pretrained = lambda variant, seed, *a, **k: seed_zero(protocol, variant, 0, *a, **k)
    for seed in [int(s) for s in args.seeds.split(",")]: protocol.cross_validate(init="synthetic", seed=seed)

if __name__ == "__main__": main()
