"""Prototype, not part of the package: self-supervised adaptation of a synthetic model to unlabelled real prints.

Between the synthetic pre-training and the fine-tuning on labelled references, the body goes on learning from the
935 FID-300 references that nobody labelled, with a contrastive loss (SimCLR's NT-Xent, Chen et al. 2020): two
random views of one print (a crop, a mirror, a small turn, lighter or darker ink, a patch wiped out as a mark loses
it) must map close together and away from the other prints' views. With `--synthetic-weight W` each step also
keeps the synthetic descriptor loss on a batch of synthetic prints, weighted W, so the head's task is not forgotten.
No labelled reference and no mark is used. Tried at the `cpu` scale in stop 28 (tutorial 51, "Self-supervised
adaptation", three fine-tuning seeds in each arm): +0.014 on the CV mean alone (3 of 5 folds; marks +0.014), +0.017
with --synthetic-weight 1 (4 of 5 folds; marks +0.027); not yet measured at 352x144 (tools/gpu-visit.sh's "ssl" step).

    python tools/ssl_adapt.py runs/real-cpu runs/ssl/adapted --epochs 6 --synthetic-weight 1 [--fid300 ../shared/data/fid300] [--device cuda]
    footdesc real --out runs/ssl/cv --scale cpu --set loss=bce-plain --steps zero-shot,cv --set cv_starts=synthetic \
        --pretrained-from runs/ssl/adapted

The first argument is a `footdesc real` run with a finished seed-0 synthetic pre-training; the second becomes a
results folder holding that run's protocol.json, its pre-training's record and the adapted model under the same name, which
`--pretrained-from` then copies as though it were the pre-training (its CV is paired by fold with the run's own).
"""
import argparse, glob, io, json, math, shutil, time, zipfile
from pathlib import Path
import numpy as np, pandas as pd, torch, torch.nn as nn, torch.nn.functional as F
from fastai.vision.all import imagenet_stats

MODEL = "synthetic_H-B-N inc_d 352x144_s0.zip"

def input_pool(paths, size, channels, fit, workers=2):
    "The network inputs (n, 3, H, W) uint8 of `paths`, as footdesc's pipeline makes them."
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial
    from footdesc.resample import print_to_array
    with ProcessPoolExecutor(workers) as ex:
        return np.stack(list(ex.map(partial(print_to_array, size=size, channels=channels, fit=fit), paths, chunksize=16)))

def random_view(x:torch.Tensor, gen:torch.Generator)->torch.Tensor:
    "One random view of one print (3, H, W) in [0, 1]: crop, mirror, turn, ink level, a wiped patch, noise."
    u = lambda lo, hi: lo + (hi - lo) * float(torch.rand((), generator=gen))
    _, h, w = x.shape
    area, aspect = u(0.45, 1.0), math.exp(u(math.log(0.8), math.log(1.25)))
    ch, cw = min(h, round(h * math.sqrt(area * aspect))), min(w, round(w * math.sqrt(area / aspect)))
    top, left = int(torch.randint(h - ch + 1, (), generator=gen)), int(torch.randint(w - cw + 1, (), generator=gen))
    v = F.interpolate(x[None, :, top:top + ch, left:left + cw], size=(h, w), mode="bilinear", align_corners=False)
    if u(0, 1) < 0.5: v = v.flip(-1)
    angle = math.radians(u(-12, 12))
    theta = torch.tensor([[math.cos(angle), -math.sin(angle), 0.], [math.sin(angle), math.cos(angle), 0.]], device=x.device)[None]
    v = F.grid_sample(v - 1, F.affine_grid(theta, v.shape, align_corners=False), align_corners=False) + 1   # paper (1) where turned in
    v = v.clamp(0, 1) ** math.exp(u(-0.5, 0.5))   # lighter or heavier ink
    if u(0, 1) < 0.5:   # a patch wiped out, as a mark loses part of the sole
        ph, pw = round(h * u(0.15, 0.45)), round(w * u(0.2, 0.6))
        y, z = int(torch.randint(h - ph + 1, (), generator=gen)), int(torch.randint(w - pw + 1, (), generator=gen))
        v[..., y:y + ph, z:z + pw] = 1.0
    if u(0, 1) < 0.3: v = (v + torch.randn(v.shape, generator=gen).to(v.device) * u(0.02, 0.08)).clamp(0, 1)
    return v[0]

def nt_xent(z1:torch.Tensor, z2:torch.Tensor, temperature:float=0.2)->torch.Tensor:
    "SimCLR's loss: each view must pick its partner among the 2n - 1 other views."
    z = F.normalize(torch.cat([z1, z2]).float(), dim=1)
    sim = z @ z.T / temperature
    n = len(z1)
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(n)]).to(z.device)
    return F.cross_entropy(sim, target)

def save_adapted(source:Path, net:nn.Module, out:Path, note:dict):
    "Write `net` as a model file with `source`'s config.json (the same network and input pipeline), noting the adaptation."
    with zipfile.ZipFile(source) as z: config = json.loads(z.read("config.json"))
    config.setdefault("training", {})["ssl_adaptation"] = note
    weights = io.BytesIO()
    torch.save({k: v.detach().cpu().contiguous() for k, v in net.state_dict().items()}, weights)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".part")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_STORED) as z:
        z.writestr("config.json", json.dumps(config, indent=1))
        z.writestr("weights.pt", weights.getvalue())
    tmp.replace(out)

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
    from footdesc.model import load_model
    from footdesc.dataset import read_labels, label_matrix
    from footdesc.data import prepare, cached_print
    source = a.run/"models"/MODEL
    dev = torch.device(a.device)
    loaded = load_model(source)   # on the CPU until the prints are read: the reading processes fork before CUDA starts
    cfg = loaded.input_config
    size, channels, fit = tuple(cfg["size"]), cfg["channels"], cfg["fit"]
    root = a.fid300.rstrip("/") + "/"
    labelled = set(pd.read_csv(root + "labels.csv").image)
    t0 = time.time()
    unlabelled = [f for f in sorted(glob.glob(root + "references/*.png")) if f[len(root):] not in labelled][:a.limit]
    if len(unlabelled) < a.bs: raise SystemExit(f"{root}references holds {len(unlabelled)} unlabelled references (not in labels.csv); a step needs {a.bs} (--bs)")
    real = torch.as_tensor(input_pool(unlabelled, size, channels, fit, a.workers))
    print(f"{len(real)} unlabelled references read in {time.time() - t0:.0f} s", flush=True)
    if a.synthetic_weight:
        synth = read_labels(a.run/"synthetic"/"labels.csv")
        folder = prepare(a.run/"synthetic", size, channels, fit, workers=a.workers, df=synth, progress=False)["folder"]   # the pre-training's cache, converted once
        sx = torch.as_tensor(np.stack([cached_print(a.run/"synthetic"/f, size, channels, fit, folder) for f in synth.image]))
        sy = torch.as_tensor(label_matrix(synth), dtype=torch.float32)
        print(f"{len(sx)} synthetic prints read", flush=True)
    net = loaded.model.to(dev).train()
    mean, std = (torch.tensor(s, device=dev).view(1, 3, 1, 1) for s in imagenet_stats)
    autocast = torch.autocast(dev.type, torch.bfloat16, enabled=dev.type == "cuda")
    n_feat = net.head[2].num_features
    projector = nn.Sequential(nn.Linear(n_feat, 512), nn.BatchNorm1d(512), nn.ReLU(), nn.Linear(512, 128)).to(dev)
    params = list(net.preprocessing.parameters()) + list(net.body.parameters()) + list(projector.parameters())
    if a.synthetic_weight: params += list(net.head.parameters())
    opt = torch.optim.AdamW(params, lr=a.lr, weight_decay=0.05)
    gen = torch.Generator().manual_seed(a.seed)
    steps_per_epoch = len(real) // a.bs
    total, step, log = a.epochs * steps_per_epoch, 0, []
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=a.lr, total_steps=total, pct_start=0.15)
    for epoch in range(a.epochs):
        order, t, losses = torch.randperm(len(real), generator=gen), time.time(), []
        for i in range(steps_per_epoch):
            batch = real[order[i * a.bs:(i + 1) * a.bs]].to(dev).float() / 255
            views = torch.stack([random_view(x, gen) for x in batch] + [random_view(x, gen) for x in batch])
            with autocast: z = projector(net.head[1](net.head[0](net.body(net.preprocessing((views - mean) / std)))))
            loss = nt_xent(z[:len(batch)], z[len(batch):], a.temperature)
            sl = torch.zeros((), device=dev)
            if a.synthetic_weight:
                idx = torch.randint(len(sx), (a.bs,), generator=gen)
                xs = sx[idx].to(dev).float() / 255
                flip = (torch.rand(a.bs, generator=gen) < .5).to(dev)
                xs[flip] = xs[flip].flip(-1)
                with autocast: logits = net((xs - mean) / std)
                sl = F.binary_cross_entropy_with_logits(logits.float(), sy[idx].to(dev))
                loss = loss + a.synthetic_weight * sl
            opt.zero_grad(set_to_none=True); loss.backward(); opt.step(); sched.step(); step += 1
            losses.append(torch.stack([loss.detach(), sl.detach()]))
        l = torch.stack(losses).mean(0).tolist()   # one wait per epoch
        log.append(dict(epoch=epoch, loss=float(l[0]), synthetic_loss=float(l[1]), seconds=time.time() - t))
        print(json.dumps(log[-1]), flush=True)
    a.out.mkdir(parents=True, exist_ok=True)
    shutil.copy(a.run/"protocol.json", a.out/"protocol.json")
    note = dict(vars(a), run=str(a.run), out=str(a.out), log=log)
    records = [json.loads(line) for line in open(a.run/"records.jsonl") if line.strip()]
    kept = [dict(r, ssl_adaptation=note) for r in records if r.get("step") == "synthetic"]   # the pre-training's, marked adapted; not the run's scores
    (a.out/"records.jsonl").write_text("".join(json.dumps(r) + "\n" for r in kept))
    save_adapted(source, net.eval(), a.out/"models"/MODEL, note)
    print(f"adapted model written to {a.out/'models'/MODEL} in {time.time() - t0:.0f} s")

if __name__ == "__main__": main()
