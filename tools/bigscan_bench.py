"""What the cap on decoded pixels per batch (`predict_paths(batch_pixels=...)`) costs or saves for big prints on a GPU.

Times `predict_paths` (resizing on the device) on big grain prints (footdesc.resample.make_bench_print) with the cap,
where each print above its share (batch_pixels / bs) is converted by the worker that decoded it (Pillow), and without
a cap, where every print goes to the device decoded. Each setting runs in a process of its own and reports its
prints/s and the main process's peak memory above its memory before the warm-up (Linux: VmHWM after resetting it,
minus VmRSS; it includes the shared memory the main process maps). Both use the same untrained model (seeded), so
their answers are compared too. Prints JSON. Each timed call starts its worker processes, as `footdesc predict` does.
Usage: python tools/bigscan_bench.py [--device cuda] [--print-size 4000x1600] [--files 32] [--prints 512] [--bs 256]
       [--batch-pixels N (default footdesc.inference.DEVICE_BATCH_PIXELS)] [--decode-in processes]
A CPU smoke run, where the cap converts every print:
  python tools/bigscan_bench.py --device cpu --print-size 800x320 --files 4 --prints 16 --bs 8 --arch resnet18 --size 64x32 --batch-pixels 1000000
"""
import argparse, json, subprocess, sys, tempfile, time
from pathlib import Path
from types import SimpleNamespace
import numpy as np

def _status(field):
    "A field of /proc/self/status in MiB (None where there is no such file)."
    try: line = next(l for l in Path("/proc/self/status").read_text().splitlines() if l.startswith(field + ":"))
    except (OSError, StopIteration): return None
    return int(line.split()[1]) / 1024

def _reset_peak():
    "Reset VmHWM to the current RSS (Linux)."
    try: Path("/proc/self/clear_refs").write_text("5")
    except OSError: pass

def one_setting(args):
    import torch
    from footdesc.resample import parse_size, make_bench_print
    from footdesc.inference import predict_paths, _bench_model
    device, size = torch.device(args.device), parse_size(args.size)
    sync = torch.cuda.synchronize if device.type == "cuda" else (lambda: None)
    torch.manual_seed(0)   # the same untrained model in both processes
    loaded = _bench_model(SimpleNamespace(arch=args.arch, preproc="inc_d"), size, device)
    cap, name = (args.batch_pixels if args.cap == "capped" else None), args.cap
    with tempfile.TemporaryDirectory() as tmp:
        files = [make_bench_print(Path(tmp)/f"s{i}.png", *parse_size(args.print_size), seed=i) for i in range(args.files)]
        paths = [files[i % len(files)] for i in range(args.prints)]
        kwargs = dict(bs=args.bs, workers=args.workers, resize_on="device", decode_in=args.decode_in, batch_pixels=cap)
        _reset_peak(); before = _status("VmRSS")
        predict_paths(loaded, paths[:args.bs + 1], **kwargs)   # warm-up (and the fork server's start)
        t = time.perf_counter()
        answers, errors = predict_paths(loaded, paths, **kwargs); sync()
        seconds = time.perf_counter() - t
        peak = _status("VmHWM")
    return {"device": torch.cuda.get_device_name() if device.type == "cuda" else "cpu", f"{name}_img_s": round(args.prints / seconds, 1), f"{name}_main_peak_growth_mb": None if peak is None else round(peak - before),
            f"{name}_errors": len(errors), "answers": answers[:len(files)].tolist()}

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--print-size", default="4000x1600", help="HEIGHTxWIDTH of the grain prints (default %(default)s: 6.4 megapixels)")
    parser.add_argument("--files", type=int, default=32, help="distinct files, repeated to make up --prints")
    parser.add_argument("--prints", type=int, default=512)
    parser.add_argument("--bs", type=int, default=256)
    parser.add_argument("--batch-pixels", type=int, default=None, help="the cap (default footdesc.inference.DEVICE_BATCH_PIXELS)")
    parser.add_argument("--decode-in", default="processes", choices=("threads", "processes"))
    parser.add_argument("--arch", default="resnet50")
    parser.add_argument("--size", default="352x144", help="network input HEIGHTxWIDTH")
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--cap", default=None, choices=("capped", "uncapped"), help="time one setting, in this process (default: both, each in a process of its own)")
    args = parser.parse_args()
    if args.batch_pixels is None:
        from footdesc.inference import DEVICE_BATCH_PIXELS
        args.batch_pixels = DEVICE_BATCH_PIXELS
    if args.cap is not None:
        print(json.dumps(one_setting(args))); return
    runs = {cap: json.loads(subprocess.run([sys.executable, __file__, *sys.argv[1:], "--cap", cap], check=True, stdout=subprocess.PIPE, text=True).stdout.splitlines()[-1])
            for cap in ("capped", "uncapped")}   # stderr passes through: a failure's traceback reaches the log
    answers = [np.array(runs[cap].pop("answers")) for cap in runs]
    out = dict(print_size=args.print_size, prints=args.prints, bs=args.bs, batch_pixels=args.batch_pixels,
               share_megapixels=round(args.batch_pixels // args.bs / 1e6, 2), decode_in=args.decode_in, **{**runs["capped"], **runs["uncapped"]})
    out["capped_over_uncapped"] = round(out["capped_img_s"] / out["uncapped_img_s"], 3)
    out["max_probability_difference"] = float(np.abs(answers[0] - answers[1]).max())
    print(json.dumps(out))

if __name__ == "__main__": main()
