"""Speed and memory of plate reading: per-stage split, batched vs single plate, scaling.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/speed.py --model skplate_model.joblib \
        [--repeats 1 10 100] [--json speed.json]

Prints one table. Times are wall-clock medians on this machine; memory is the peak
resident set size of this process (``resource.getrusage``), which only grows, so the
scaling rows run smallest first and the growth between rows is what matters.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _stage_split(model, samples) -> dict[str, float]:
    """Milliseconds per plate of each stage, the whole set in one batch."""
    from skplate.samples import check_samples

    timings = {}
    start = time.perf_counter()
    checked = check_samples(samples)
    plates = model.cropper_.transform(checked)
    timings["crop"] = time.perf_counter() - start
    start = time.perf_counter()
    variants = model.filter_bank_.transform(plates)
    timings["filters"] = time.perf_counter() - start
    start = time.perf_counter()
    segments = model.segmenter_.transform(variants)
    timings["segment"] = time.perf_counter() - start
    start = time.perf_counter()
    decodings = model._decode_segments(segments)  # classifier call + decoding
    timings["classify+decode"] = time.perf_counter() - start
    start = time.perf_counter()
    for row in decodings:
        model._vote(row)
    timings["vote"] = time.perf_counter() - start
    n = len(samples)
    return {stage: 1000.0 * seconds / n for stage, seconds in timings.items()} | {
        "characters per plate": len(segments) / n
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a model saved by 'skplate train'")
    parser.add_argument("--plates", default=None, help="plates archive (default: data home)")
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--single", type=int, default=30, help="plates timed one at a time")
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args()

    from skplate.datasets import load_plates
    from skplate.persistence import load_model

    model = load_model(args.model)
    samples = list(load_plates(args.plates).samples)
    model.predict(samples[:4])  # warm up TensorFlow

    results: dict[str, object] = {"stages_ms_per_plate": _stage_split(model, samples)}

    single = []
    for sample in samples[: args.single]:
        start = time.perf_counter()
        model.predict([sample])
        single.append(1000.0 * (time.perf_counter() - start))
    results["single_plate_ms_median"] = statistics.median(single)

    scaling = []
    for repeat in sorted(args.repeats):
        batch = samples * repeat
        start = time.perf_counter()
        model.predict(batch)
        seconds = time.perf_counter() - start
        scaling.append(
            {
                "plates": len(batch),
                "seconds": seconds,
                "ms_per_plate": 1000.0 * seconds / len(batch),
                "peak_rss_mb": _peak_mb(),
            }
        )
    results["scaling"] = scaling
    results["batched_ms_per_plate"] = scaling[0]["ms_per_plate"]

    print("stage                      ms/plate (batch of all plates)")
    for stage, value in results["stages_ms_per_plate"].items():
        print(f"  {stage:24s} {value:8.2f}")
    print(f"single plate, median       {results['single_plate_ms_median']:8.1f} ms")
    print("plates     seconds   ms/plate   peak RSS (MB)")
    for row in scaling:
        print(
            f"{row['plates']:6d}  {row['seconds']:9.2f}  {row['ms_per_plate']:9.2f}"
            f"  {row['peak_rss_mb']:10.0f}"
        )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
