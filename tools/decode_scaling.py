"""How PNG decoding scales with worker processes on this host, without a GPU or a network (for `bench predict`'s ratio).

Prints JSON: the CPU topology (logical CPUs, physical cores), one process's decode time per print, and prints/s of
`decode_prints` in 1..N forkserver worker processes (answers through shared memory, as `predict_paths` does).
Usage: python tools/decode_scaling.py [--prints 3072] [--size 586x240] [--workers 1,2,4,8,12,15,16]
"""
import argparse, json, os, tempfile, time, functools, multiprocessing
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from footdesc.resample import make_bench_print, decode_prints, shared_job, from_shared, parse_size

def physical_cores():
    "Distinct (package, core) pairs in /proc/cpuinfo (None where there is no such file)."
    try: text = Path("/proc/cpuinfo").read_text()
    except OSError: return None
    cores, pkg = set(), None
    for line in text.splitlines():
        if line.startswith("physical id"): pkg = line.split(":")[1].strip()
        elif line.startswith("core id"): cores.add((pkg, line.split(":")[1].strip()))
    return len(cores) or None

def rate(files, workers, chunk):
    context = multiprocessing.get_context("forkserver"); context.set_forkserver_preload(["footdesc.resample"])
    job = functools.partial(shared_job, decode_prints, in_flight=2*workers)
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for f in [pool.submit(job, files[:chunk]) for _ in range(workers)]: from_shared(f.result())   # start and warm every worker
        t = time.perf_counter()
        futures = [pool.submit(job, files[i:i + chunk]) for i in range(0, len(files), chunk)]
        n = sum(len(from_shared(f.result())) for f in futures)
        return n / (time.perf_counter() - t)

def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--prints", type=int, default=3072); p.add_argument("--size", default="586x240")
    p.add_argument("--workers", default="1,2,4,8,12,15,16"); p.add_argument("--chunk", type=int, default=18)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        small = [make_bench_print(Path(tmp)/f"p{i}.png", *parse_size(a.size), seed=i) for i in range(64)]
        files = [small[i % len(small)] for i in range(a.prints)]
        decode_prints(small)
        t = time.perf_counter(); decode_prints(files[:512]); one = (time.perf_counter() - t) / 512
        rates = {w: round(rate(files, w, a.chunk), 1) for w in map(int, a.workers.split(","))}
    print(json.dumps(dict(logical_cpus=os.cpu_count(), physical_cores=physical_cores(), size=a.size, prints=a.prints,
                          one_process_ms_per_print=round(one*1e3, 3), prints_per_s_by_workers=rates)))

if __name__ == "__main__": main()
