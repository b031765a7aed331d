"""Fill .gpu/fid300 with what a GPU visit needs from FID-300 (never committed: non-commercial licence; .gpu is git-ignored).

    python tools/gpu_carry.py [--fid300 ../shared/data/fid300] [--pool N] [--budget-mib 60]

Copies labels.csv, marks.csv, the labelled references and the marks, keeping their relative paths, and with --pool N
also N of the unlabelled references (a seeded draw), for self-training (`footdesc real --set pseudo_n=N`: the
protocol's default pool is the references folder, less the labelled references and the marks). A call carries at
most 64 MiB in all (wheels in .whl included), so it refuses to go over --budget-mib for .gpu and .whl together.
"""
import argparse, shutil, sys
from pathlib import Path
import numpy as np
import pandas as pd

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--fid300", default="../shared/data/fid300")
    p.add_argument("--pool", type=int, default=0, help="unlabelled references to carry as well (default: none)")
    p.add_argument("--budget-mib", type=float, default=60.0, help="most MiB for .gpu and .whl together")
    p.add_argument("--out", default=".gpu/fid300")
    args = p.parse_args(argv)
    fid, out = Path(args.fid300), Path(args.out)
    refs, marks = pd.read_csv(fid/"labels.csv"), pd.read_csv(fid/"marks.csv")
    labelled = set(refs.image) | set(marks.image) | set(marks.reference)
    unlabelled = sorted(f"references/{f.name}" for f in (fid/"references").iterdir() if f"references/{f.name}" not in labelled)
    if not 0 <= args.pool <= len(unlabelled): sys.exit(f"--pool {args.pool}: there are {len(unlabelled)} unlabelled references")
    pool = sorted(np.random.default_rng(0).choice(unlabelled, args.pool, replace=False)) if args.pool else []
    files = sorted(labelled) + list(pool)
    wheels = sum(f.stat().st_size for f in Path(".whl").glob("*")) if Path(".whl").is_dir() else 0
    total = sum((fid/f).stat().st_size for f in files) + wheels
    if total > args.budget_mib * 2**20:
        sys.exit(f"{len(files)} files and the wheels come to {total/2**20:.1f} MiB, over --budget-mib {args.budget_mib}; carry a smaller --pool")
    if out.exists():
        if any(out.iterdir()) and not (out/"labels.csv").exists(): sys.exit(f"{out} exists and holds no labels.csv: not an earlier carry, so it is left alone; choose another --out")
        shutil.rmtree(out)
    for f in files:
        (out/f).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(fid/f, out/f)
    for csv in ("labels.csv", "marks.csv"): shutil.copy2(fid/csv, out/csv)
    print(f"{out}: {len(refs)} labelled references, {len(marks)} marks, {len(pool)} unlabelled references; "
          f"{total/2**20:.1f} MiB with the wheels")

if __name__ == "__main__": main()
