"""WiSE-FT at several shares, from a protocol run's kept fold models (tutorial *Real prints*, "Averaging weights").

Each fold model fine-tuned from the synthetic start is scored on its held-out references with its weights averaged
with the start's (`footdesc.train.blend_weights`) and, for comparison, with its probabilities averaged with the
start's. No training: it needs a run made with --keep-models, e.g.

    footdesc real --out runs/wise --scale cpu --set loss=bce-plain --steps cv --set cv_starts=synthetic \
        --pretrained-from runs/real-cpu-ci --keep-models
    python tools/wise_ft.py runs/wise [--mirror]
"""
import argparse, json
from pathlib import Path
import numpy as np, pandas as pd
from footdesc.dataset import read_labels, label_matrix
from footdesc.losses import prauc
from footdesc.real import wise_model
from footdesc.real_pseudo import print_probs

SHARES = (0.0, 0.25, 0.5, 0.75, 1.0)

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("run", type=Path, help="a protocol results folder made with --keep-models")
    parser.add_argument("--mirror", action="store_true", help="score each print mirrored too, as the gpu scale does")
    parser.add_argument("--start", type=Path, default=None, help="the pre-trained model the folds started from (default: the run's one synthetic_*.zip)")
    args = parser.parse_args()
    starts = sorted((args.run/"models").glob("synthetic_*.zip"))
    if args.start is None and len(starts) != 1:
        parser.error(f"{args.run}/models holds {len(starts)} pre-trained models ({', '.join(p.name for p in starts) or 'none'}): name the folds' start with --start")
    start = args.start or starts[0]
    folds, pooled = [], {}
    for model in sorted((args.run/"models").glob("cv_synthetic_*fold*.zip")):
        split = read_labels(args.run/"splits"/f"{model.stem}.csv")
        test = split[split["split"] == "valid"]
        y = label_matrix(test)
        probs = {a: print_probs(wise_model(model, start, a), test["path"], args.mirror) for a in SHARES}   # weights averaged
        row = {f"weights {a:g}": prauc(probs[a], y) for a in SHARES}
        row.update({f"probabilities {a:g}": prauc(a*probs[1.0] + (1 - a)*probs[0.0], y) for a in SHARES})
        folds.append(row)
        for a in SHARES:
            pooled.setdefault(f"weights {a:g}", []).append(probs[a])
            pooled.setdefault(f"probabilities {a:g}", []).append(a*probs[1.0] + (1 - a)*probs[0.0])
        pooled.setdefault("targets", []).append(y)
        print(model.stem, json.dumps({k: round(v, 4) for k, v in row.items()}), flush=True)
    table = pd.DataFrame(folds)
    y = np.concatenate(pooled.pop("targets"))
    summary = pd.DataFrame({"fold mean": table.mean(), "fold std": table.std(ddof=1),
                            "pooled": pd.Series({k: prauc(np.concatenate(v), y) for k, v in pooled.items()}),
                            "folds above fine-tuned": pd.Series({k: int((table[k] > table["weights 1"]).sum()) for k in table})})
    print(summary.round(4).to_string())

if __name__ == "__main__": main()
