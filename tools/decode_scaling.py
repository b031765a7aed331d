"""How PNG decoding scales with worker processes on this host, without a GPU or a network (for `bench predict`'s ratio).

Prints JSON: the CPU topology (logical CPUs, physical cores) and, for each kind of benchmark print (synthetic soles
and the noisy-bar "grain" prints, see footdesc.inference.bench_prints), one process's decode time per print and the
prints/s of `decode_prints` in 1..N forkserver worker processes (answers through shared memory, as `predict_paths` does).
Where Wuffs decodes plain greyscale PNGs (pywuffs installed: footdesc.resample.png_decoder), the same with Pillow too, under "pillow_...".
Usage: python tools/decode_scaling.py [--prints 3072] [--size 586x240] [--workers 1,2,4,8,12,15,16] [--kinds synthetic,grain]
"""
import argparse, json, os, tempfile, time, functools
from pathlib import Path
from footdesc.resample import parse_size, png_decoder
from footdesc.batch import decode_prints, shared_job, from_shared
from footdesc.inference import bench_prints, _decoder_pool

def physical_cores():
    "Distinct (package, core) pairs in /proc/cpuinfo (None where there is no such file)."
    try: text = Path("/proc/cpuinfo").read_text()
    except OSError: return None
    cores, pkg = set(), None
    for line in text.splitlines():
        if line.startswith("physical id"): pkg = line.split(":")[1].strip()
        elif line.startswith("core id"): cores.add((pkg, line.split(":")[1].strip()))
    return len(cores) or None

def ms_per_print(files, fast_png=True):
    "One process's decode time per print of `files`, in ms."
    t = time.perf_counter(); decode_prints(files, fast_png=fast_png)
    return round((time.perf_counter() - t) / len(files) * 1e3, 3)

def rate(files, workers, chunk, fast_png=True):
    job = functools.partial(shared_job, functools.partial(decode_prints, fast_png=fast_png), in_flight=2*workers)
    with _decoder_pool("processes", workers) as pool:   # as predict_paths starts them
        for f in [pool.submit(job, files[:chunk]) for _ in range(workers)]: from_shared(f.result())   # start and warm every worker
        t = time.perf_counter()
        futures = [pool.submit(job, files[i:i + chunk]) for i in range(0, len(files), chunk)]
        n = sum(len(from_shared(f.result())) for f in futures)
        return n / (time.perf_counter() - t)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--prints", type=int, default=3072); p.add_argument("--size", default="586x240")
    p.add_argument("--workers", default="1,2,4,8,12,15,16"); p.add_argument("--chunk", type=int, default=18)
    p.add_argument("--kinds", default="synthetic,grain")
    a = p.parse_args()
    result = dict(logical_cpus=os.cpu_count(), physical_cores=physical_cores(), size=a.size, prints=a.prints, png_decoder=png_decoder())
    for kind in a.kinds.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            small = bench_prints(tmp, 64, *parse_size(a.size), kind)
            files = [small[i % len(small)] for i in range(a.prints)]
            decode_prints(small)
            m = min(512, len(files))
            rates = {w: round(rate(files, w, a.chunk), 1) for w in map(int, a.workers.split(","))}
            kb = sum(f.stat().st_size for f in small) / len(small) / 1e3
            result[kind] = dict(one_process_ms_per_print=ms_per_print(files[:m]), mean_png_kb=round(kb, 1), prints_per_s_by_workers=rates)
            if png_decoder() == "wuffs":   # the baseline, in the same run
                result[kind].update(pillow_one_process_ms_per_print=ms_per_print(files[:m], False),
                                    pillow_prints_per_s_by_workers={w: round(rate(files, w, a.chunk, False), 1) for w in map(int, a.workers.split(","))})
    print(json.dumps(result))

if __name__ == "__main__": main()
