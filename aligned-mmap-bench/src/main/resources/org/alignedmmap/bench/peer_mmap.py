"""CPython's mmap measured on the same files and the same work as the Java side.

Run by org.alignedmmap.bench.PythonPeer with one argument, a JSON object of parameters; prints one
JSON object of results (seconds of the best run per operation) on stdout.
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
    results = {"python": sys.version.split()[0]}
    with open(p["text_file"], "rb") as f:
        m = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    length = len(m)
    for name, needle_hex in p["find"].items():
        needle = bytes.fromhex(needle_hex)
        results["find " + name] = best(runs, lambda: m.find(needle, 0))
    for name, needle_hex in p["rfind"].items():
        needle = bytes.fromhex(needle_hex)
        results["rfind " + name] = best(runs, lambda: m.rfind(needle, 0))

    chunk = p["read_chunk"]

    def read_all():
        m.seek(0)
        read = m.read
        while read(chunk):
            pass
    results["read chunks"] = best(runs, read_all)

    def read_lines():
        m.seek(0)
        readline = m.readline
        count = 0
        while readline():
            count += 1
        return count
    results["readline"] = best(max(1, runs // 2), read_lines)

    rng = random.Random(p["random_seed"])
    offsets = [rng.randrange(0, length - 8) for _ in range(p["random_count"])]

    def random_reads():
        total = 0
        from_bytes = int.from_bytes
        for o in offsets:
            total += from_bytes(m[o:o + 8], "little")
        return total
    results["random 8-byte"] = best(max(1, runs // 2), random_reads)
    m.close()

    move_size = p["move_size"]
    a = mmap.mmap(-1, 2 * move_size)
    a.write(b"\x01" * 4096)  # touch the start; the move below faults the rest in first
    a.move(move_size, 0, move_size)
    a.move(0, move_size, move_size)
    results["move"] = best(runs, lambda: a.move(move_size, 0, move_size))
    a.close()

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

    iterations = p["map_iterations"]

    def map_close():
        for _ in range(iterations):
            with open(p["map_file"], "rb") as f:
                mm = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
                mm.close()
    results["open+map+close"] = best(runs, map_close) / iterations
    print(json.dumps(results))


if __name__ == "__main__":
    main()
