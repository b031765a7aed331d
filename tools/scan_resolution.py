"""How much do a model's answers depend on the scan's resolution?

Each print of a labelled dataset is downscaled (Pillow's Lanczos, as a scan at a lower resolution would hold it) to
several heights and scored by one model. For each height it prints, as JSON lines: the ratio of the print's height to
the model's input height, macro PRAUC against the labels (chance: the mean prevalence), and against the largest height
the mean and largest change of the probabilities and the mean change of each input channel (grey levels).

    python tools/scan_resolution.py MODEL DATA --heights 1400,704,352,264,176,132,88,66 [--out table.csv]

The measurements in notebook 20 (*Small prints and scan resolution*) came from this script.
"""
import argparse, json, tempfile
from pathlib import Path
import numpy as np, pandas as pd
from PIL import Image
from sklearn.metrics import average_precision_score
from footdesc.model import load_model
from footdesc.inference import predict_paths
from footdesc.resample import print_to_array
from footdesc.dataset import read_labels, label_matrix

def prauc(y, p):
    "Macro AP over the descriptors with a positive."
    return float(np.mean([average_precision_score(y[:, j], p[:, j]) for j in np.flatnonzero(y.sum(0) > 0)]))

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("model"); ap.add_argument("data")
    ap.add_argument("--heights", default="1400,704,352,264,176,132,88,66", help="heights in pixels, the largest first (a print shorter than one is left as it is)")
    ap.add_argument("--out", default=None, help="also write the table as CSV")
    args = ap.parse_args()
    loaded = load_model(args.model)
    cfg = loaded.input_config
    size, channels, fit = tuple(cfg["size"]), cfg["channels"], cfg["fit"]
    df = read_labels(args.data); y = label_matrix(df)
    chance = float(y.mean(0)[y.sum(0) > 0].mean())
    rows, first_p, first_x = [], None, None
    with tempfile.TemporaryDirectory() as tmp:
        for h in [int(v) for v in args.heights.split(",")]:
            paths, xs = [], []
            for i, p in enumerate(df["path"]):
                with Image.open(p) as im: im = im.convert("L")
                if h < im.height: im = im.resize((max(1, round(im.width*h/im.height)), h), Image.LANCZOS)
                q = Path(tmp)/f"{h}-{i:05d}.png"; im.save(q); paths.append(q)
                xs.append(print_to_array(q, size, channels, fit, tell=False).astype(np.float32))
            probs, errors = predict_paths(loaded, paths, workers=1)
            if errors: raise SystemExit(f"could not score: {errors}")
            xs = np.stack(xs)
            row = dict(height=h, ratio=round(h/size[0], 2), prauc=round(prauc(y, probs), 4), chance=round(chance, 4))
            if first_p is None: first_p, first_x = probs, xs
            else: row.update(mean_abs_dprob=round(float(np.abs(probs - first_p).mean()), 4), max_abs_dprob=round(float(np.abs(probs - first_p).max()), 4),
                             **{f"dgrey_{c}{k}": round(float(np.abs(xs[:, k] - first_x[:, k]).mean()), 2) for k, c in enumerate(channels.split("-"))})
            rows.append(row); print(json.dumps(row), flush=True)
            for q in paths: q.unlink()
    if args.out: pd.DataFrame(rows).to_csv(args.out, index=False)

if __name__ == "__main__": main()
