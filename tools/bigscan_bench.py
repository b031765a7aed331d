"""What the cap on decoded pixels per batch (`predict_paths(batch_pixels=...)`) costs or saves for big prints on a GPU.

Times `predict_paths` on big grain prints (footdesc.resample.make_bench_print) with the default cap, where each print
above its share is converted by its worker (Pillow), and without a cap, where every print goes to the device decoded;
also the main process's peak memory growth over each run (its own RSS, which includes the shared memory it maps).
Prints JSON. Each run starts its worker processes, as `footdesc predict` does.
Usage: python tools/bigscan_bench.py [--device cuda] [--print-size 4000x1600] [--files 32] [--prints 512] [--bs 256]
A CPU smoke run: python tools/bigscan_bench.py --device cpu --print-size 800x320 --files 4 --prints 16 --bs 8 --arch resnet18 --size 64x32
"""
import argparse, json, resource, tempfile, time
import numpy as np
from pathlib import Path
from types import SimpleNamespace

def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--print-size", default="4000x1600", help="HEIGHTxWIDTH of the grain prints (default %(default)s: 6.4 megapixels)")
    parser.add_argument("--files", type=int, default=32, help="distinct files, repeated to make up --prints")
    parser.add_argument("--prints", type=int, default=512)
    parser.add_argument("--bs", type=int, default=256)
    parser.add_argument("--arch", default="resnet50")
    parser.add_argument("--size", default="352x144", help="network input HEIGHTxWIDTH")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--cap", default=None, choices=("capped", "uncapped"), help="time one setting only (this process); the default runs both, each in a process of its own")
    args = parser.parse_args()
    if args.cap is None:   # each setting in a fresh process, so that each peak memory is its own
        import subprocess, sys
        runs = {cap: json.loads(subprocess.run([sys.executable, __file__, *sys.argv[1:], "--cap", cap], check=True, capture_output=True, text=True).stdout.splitlines()[-1])
                for cap in ("capped", "uncapped")}
        out = {**runs["capped"], **runs["uncapped"]}
        out["capped_over_uncapped"] = round(out["capped_img_s"] / out["uncapped_img_s"], 3)
        out["max_probability_difference"] = float(abs(np.array(runs["capped"]["first_answers"]) - np.array(runs["uncapped"]["first_answers"])).max())
        for k in ("first_answers",): out.pop(k)
        print(json.dumps(out)); return
    import torch
    from footdesc.resample import parse_size, make_bench_print
    from footdesc.inference import predict_paths, _bench_model, DEVICE_BATCH_PIXELS
    device, size = torch.device(args.device), parse_size(args.size)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.manual_seed(0)   # the same untrained model in both processes
    loaded = _bench_model(SimpleNamespace(arch=args.arch, preproc="inc_d"), size, device)
    cap, name = (DEVICE_BATCH_PIXELS if args.cap == "capped" else 2**62), args.cap
    out = dict(device=torch.cuda.get_device_name() if device.type == "cuda" else "cpu", print_size=args.print_size, prints=args.prints, bs=args.bs,
               share_megapixels=round(DEVICE_BATCH_PIXELS // args.bs / 1e6, 2))
    with tempfile.TemporaryDirectory() as tmp:
        files = [make_bench_print(Path(tmp)/f"s{i}.png", *parse_size(args.print_size), seed=i) for i in range(args.files)]
        paths = [files[i % len(files)] for i in range(args.prints)]
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        predict_paths(loaded, paths[:args.bs + 1], bs=args.bs, workers=args.workers, resize_on="device", batch_pixels=cap)   # warm-up
        t = time.perf_counter()
        answers, errors = predict_paths(loaded, paths, bs=args.bs, workers=args.workers, resize_on="device", batch_pixels=cap); sync()
        out[f"{name}_img_s"] = round(args.prints / (time.perf_counter() - t), 1)
        out[f"{name}_main_peak_growth_mb"] = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) // 1024   # the files and model made, before the warm-up
        out[f"{name}_errors"] = len(errors)
        out["first_answers"] = answers[:len(files)].tolist()
    print(json.dumps(out))

if __name__ == "__main__": main()
