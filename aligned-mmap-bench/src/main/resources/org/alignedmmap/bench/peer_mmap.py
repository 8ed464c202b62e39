"""CPython's mmap measured on the same files and the same work as the Java side.

Run by org.alignedmmap.bench.PythonPeer with one argument, a JSON object of parameters; prints one
JSON object of results (seconds of the best run per operation) on stdout. "ops" names the
operations to run (all when absent): the Java side asks for each right after measuring its own,
so that both meet the machine in the same state.
"""
import json
import mmap
import os
import random
import sys
import time


def best(runs, action):
    action()  # warm-up, as on the Java side
    fastest = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        action()
        fastest = min(fastest, time.perf_counter() - start)
    return fastest


def main():
    p = json.loads(sys.argv[1])
    runs = p["runs"]
    ops = p.get("ops")
    results = {"python": sys.version.split()[0]}

    def wanted(name):
        return ops is None or name in ops

    with open(p["text_file"], "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    length = len(m)
    for name, needle_hex in p["find"].items():
        needle = bytes.fromhex(needle_hex)
        if wanted("find " + name):
            results["find " + name] = best(runs, lambda: m.find(needle, 0))
    for name, needle_hex in p["rfind"].items():
        needle = bytes.fromhex(needle_hex)
        if wanted("rfind " + name):
            results["rfind " + name] = best(runs, lambda: m.rfind(needle, 0))

    chunk = p["read_chunk"]

    def read_all():
        m.seek(0)
        read = m.read
        while read(chunk):
            pass
    if wanted("read chunks"):
        results["read chunks"] = best(runs, read_all)

    def read_lines():
        m.seek(0)
        readline = m.readline
        count = 0
        while readline():
            count += 1
        return count
    if wanted("readline"):
        results["readline"] = best(max(1, runs // 2), read_lines)

    rng = random.Random(p["random_seed"])
    offsets = [rng.randrange(0, length - 8) for _ in range(p["random_count"] if wanted("random 8-byte") else 0)]

    def random_reads():
        total = 0
        from_bytes = int.from_bytes
        for o in offsets:
            total += from_bytes(m[o:o + 8], "little")
        return total
    if wanted("random 8-byte"):
        results["random 8-byte"] = best(max(1, runs // 2), random_reads)
    def get_loop():
        total = 0
        mask = p["get_window"] - 1
        stride = p["get_stride"]
        for i in range(p["get_calls"]):
            total += m[(i * stride) & mask]
        return total
    if wanted("get"):
        results["get"] = best(max(1, runs // 2), get_loop)
    m.close()
    if wanted("move"):
        move(p, runs, results)
    if wanted("write chunks"):
        write(p, runs, results)
    if wanted("open+map+close"):
        map_close(p, runs, results)
    print(json.dumps(results))


def move(p, runs, results):
    move_size = p["move_size"]
    a = mmap.mmap(-1, 2 * move_size)
    a.write(b"\x01" * 4096)  # touch the start; the move below faults the rest in first
    a.move(move_size, 0, move_size)
    a.move(0, move_size, move_size)
    results["move"] = best(runs, lambda: a.move(move_size, 0, move_size))
    a.close()


def write(p, runs, results):
    with open(p["write_file"], "r+b") as f:
        w = mmap.mmap(f.fileno(), 0)
    block = b"\x5a" * p["write_chunk"]

    def write_all():
        w.seek(0)
        write = w.write
        for _ in range(len(w) // len(block)):
            write(block)
    results["write chunks"] = best(runs, write_all)
    w.close()


def map_close(p, runs, results):
    iterations = p["map_iterations"]

    def cycle():
        for _ in range(iterations):
            with open(p["map_file"], "rb") as f:
                mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                mm.close()
    results["open+map+close"] = best(runs, cycle) / iterations


if __name__ == "__main__":
    main()
