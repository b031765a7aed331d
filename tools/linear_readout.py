"""Prototype, not part of the package: a linear read-out of a pre-trained model's features instead of fine-tuning.

For each fold of a `footdesc real` run's cross-validation, fits a logistic regression per descriptor (scikit-learn) on
the frozen synthetic model's pooled features of the fold's training references (each also mirrored), and scores the
held-out references; prints the fold-mean macro PRAUC beside the run's own fine-tuning and zero-shot, on the same folds.
Tried at the `cpu` scale in stop 16 (tutorial 51, "A linear read-out"): within the noise, not adopted.

    python tools/linear_readout.py runs/real-cpu-ci [--fid300 ../shared/data/fid300] [--C 0.01]
"""
import argparse, glob, warnings
from pathlib import Path
import numpy as np, pandas as pd, torch
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score
from sklearn.preprocessing import StandardScaler

def features(model_path, images, root):
    "Pooled body features (n, 2*channels) of each print and of its mirror image, and the zero-shot logits."
    from footdesc.model import load_model
    from footdesc.resample import print_to_array
    from footdesc.inference import normaliser
    m = load_model(model_path); cfg, net, norm = m.input_config, m.model, normaliser(m.config, "cpu")
    xs = np.stack([print_to_array(Path(root)/p, cfg["size"], cfg["channels"], cfg["fit"]) for p in images])
    out = {}
    with torch.inference_mode():
        for flip in (False, True):
            pooled, logits = [], []
            for i in range(0, len(xs), 32):
                x = norm(torch.from_numpy(xs[i:i+32]))
                if flip: x = x.flip(-1)
                p = net.head[1](net.head[0](net.body(net.preprocessing(x))))
                pooled.append(p.numpy()); logits.append(net.head[2:](p).numpy())
            out["mirrored" if flip else "plain"] = (np.concatenate(pooled), np.concatenate(logits))
    return out

def macro_ap(y, p): return np.mean([average_precision_score(y[:, j], p[:, j]) for j in range(y.shape[1]) if y[:, j].any()])

def main(argv=None):
    a = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    a.add_argument("run"); a.add_argument("--fid300", default="../shared/data/fid300"); a.add_argument("--C", type=float, default=0.01)
    args = a.parse_args(argv)
    run, root = Path(args.run), Path(args.fid300)
    warnings.filterwarnings("ignore")
    zero = np.load(next(run.glob("predictions/zero-shot_*.npz")), allow_pickle=True)
    images, y = list(zero["ref_images"]), zero["ref_targets"].astype(bool)
    feats = features(next(run.glob("models/synthetic_*.zip")), images, root)
    (X, logits), (Xm, logits_m) = feats["plain"], feats["mirrored"]
    sig = lambda z: 1 / (1 + np.exp(-z))
    where = {p: i for i, p in enumerate(images)}
    tuned = {}
    for f in glob.glob(str(run/"predictions/cv_synthetic_*_fold*.npz")):
        d = np.load(f, allow_pickle=True); tuned.update(zip(d["ref_images"], d["ref_probs"]))
    rows = []
    for split in sorted(run.glob("splits/cv_synthetic_*_fold*.csv")):
        s = pd.read_csv(split)
        rel = [str(Path(p).relative_to(root.resolve())) if Path(p).is_absolute() else p for p in s.image]
        tr = np.array([where[p] for p, k in zip(rel, s.split) if k == "train"]); va = np.array([where[p] for p, k in zip(rel, s.split) if k != "train"])
        Xtr, ytr = np.concatenate([X[tr], Xm[tr]]), np.concatenate([y[tr], y[tr]])
        scale = StandardScaler().fit(Xtr)
        probe = np.zeros((len(va), y.shape[1]))
        for j in range(y.shape[1]):
            if ytr[:, j].all() or not ytr[:, j].any(): probe[:, j] = ytr[0, j]; continue
            clf = LogisticRegression(C=args.C, max_iter=2000).fit(scale.transform(Xtr), ytr[:, j])
            probe[:, j] = (clf.predict_proba(scale.transform(X[va]))[:, 1] + clf.predict_proba(scale.transform(Xm[va]))[:, 1]) / 2
        zs = (sig(logits[va]) + sig(logits_m[va])) / 2
        ft = np.stack([tuned[images[i]] for i in va])
        rows.append(dict(fold=split.stem[-1], zero_shot=macro_ap(y[va], sig(logits[va])), fine_tuned=macro_ap(y[va], ft), readout=macro_ap(y[va], probe),
                         average=macro_ap(y[va], (ft + probe + zs) / 3)))
    table = pd.DataFrame(rows).set_index("fold")
    print(table.round(3).to_string()); print(table.agg(["mean", "std"]).round(3).to_string())

if __name__ == "__main__": main()
