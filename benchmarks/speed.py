"""Speed and memory of plate reading: per-stage split, batched vs single plate, scaling.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/speed.py --model skplate_model.joblib \
        [--repeats 1 10 100] [--stream 1170 11700 [--stream-only] [--jobs N]] \
        [--json speed.json]

Prints one table. Times are wall-clock medians on this machine; memory is the peak
resident set size of this process (``resource.getrusage``), which only grows, so the
scaling rows run smallest first and the growth between rows is what matters.

``--stream N ...`` adds the streaming measurement: for each N, a temporary folder of N
plates (images/ and labels/ symlinks to the 117 reference plates, repeated) is read by
``skplate predict FOLDER --output out.csv --batch-size 32 -q`` in a subprocess, whose wall
time (start-up and model loading included), ms/plate and own peak resident set size
(``os.wait4``) are reported. ``--stream-only`` skips the in-process table.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _stage_split(model, samples) -> dict[str, float]:
    """Milliseconds per plate of each stage, the whole set in one batch.

    The recognizer's own passes (``_read_batch``): the first crop of every plate, then the
    extra crops of the plates whose first crop leaves them unsettled
    (``extra_below_agreement``); each stage's time is the sum over the passes.
    """
    from skplate.samples import check_samples

    timings = dict.fromkeys(["crop", "filters", "segment", "classify+decode"], 0.0)
    n_chars = 0

    def read(plates, croppers) -> list:
        nonlocal n_chars
        start = time.perf_counter()
        crops = [cropper.transform(plates) for cropper in croppers]
        timings["crop"] += time.perf_counter() - start
        start = time.perf_counter()
        variants = np.concatenate([model.filter_bank_.transform(c) for c in crops], axis=1)
        timings["filters"] += time.perf_counter() - start
        start = time.perf_counter()
        segments = model.segmenter_.transform(variants)
        timings["segment"] += time.perf_counter() - start
        start = time.perf_counter()
        decodings = model._decode_segments(segments)  # classifier call + decoding
        timings["classify+decode"] += time.perf_counter() - start
        n_chars += len(segments)
        return decodings

    decodings = model._read_batch(check_samples(samples), read)
    start = time.perf_counter()
    for row in decodings:
        model._vote(row)
    timings["vote"] = time.perf_counter() - start
    n = len(samples)
    n_first = len(model.filter_bank_.variant_names_)
    return {stage: 1000.0 * seconds / n for stage, seconds in timings.items()} | {
        "characters per plate": n_chars / n,
        "plates reading extra crops (%)": 100.0 * sum(len(r) > n_first for r in decodings) / n,
    }


def _reference_plates(plates: str | None, folder: Path) -> list[tuple[Path, Path]]:
    """The (image, label) files of the reference plates, extracted into ``folder``.

    ``plates`` is test6Training.zip, or a folder holding its images/ and labels/; default:
    the zip in the data home.
    """
    from skplate.datasets import get_data_home

    source = Path(plates) if plates else get_data_home() / "test6Training.zip"
    if source.is_dir():
        images = next(
            p for p in (source / "images", source / "test6Training" / "images") if p.is_dir()
        )
    else:
        with zipfile.ZipFile(source) as archive:
            members = [
                name
                for name in archive.namelist()
                if Path(name).parent.name in ("images", "labels") and not name.endswith("/")
            ]
            for name in members:
                target = folder / Path(name).parent.name / Path(name).name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(archive.read(name))
        images = folder / "images"
    pairs = []
    for image in sorted(images.iterdir()):
        label = image.parent.parent / "labels" / f"{image.stem}.txt"
        if label.is_file():
            pairs.append((image.resolve(), label.resolve()))
    return pairs


def _stream_folder(pairs: list[tuple[Path, Path]], n: int, folder: Path) -> Path:
    """``folder`` with images/ and labels/ of ``n`` plates: symlinks cycling over ``pairs``."""
    (folder / "images").mkdir(parents=True)
    (folder / "labels").mkdir()
    for index in range(n):
        image, label = pairs[index % len(pairs)]
        stem = f"{image.stem}__{index // len(pairs):04d}"
        (folder / "images" / f"{stem}{image.suffix}").symlink_to(image)
        (folder / "labels" / f"{stem}.txt").symlink_to(label)
    return folder


def _stream(model: str, folder: Path, n: int, batch_size: int, jobs: int | None) -> dict:
    """Run ``skplate predict`` on ``folder`` in a subprocess; its time and peak memory."""
    out = folder.parent / f"{folder.name}.csv"
    command = [
        sys.executable,
        "-m",
        "skplate.cli",
        "-q",
        "predict",
        "--model",
        model,
        str(folder),
        "--output",
        str(out),
        "--batch-size",
        str(batch_size),
    ]
    if jobs is not None:
        command += ["--jobs", str(jobs)]
    with tempfile.TemporaryFile() as stderr:
        start = time.perf_counter()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage
        seconds = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        stderr.seek(0)
        errors = stderr.read().decode(errors="replace")
    if process.returncode not in (0, 1):
        raise RuntimeError(f"{' '.join(command)} exited {process.returncode}:\n{errors}")
    with open(out, encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    if len(rows) != n:
        raise RuntimeError(f"{out}: {len(rows)} rows for {n} plates")
    return {
        "plates": n,
        "seconds": seconds,
        "ms_per_plate": 1000.0 * seconds / n,
        "peak_rss_mb": usage.ru_maxrss / 1024.0,
        "error_rows": sum(bool(row["error"]) for row in rows),
        "batch_size": batch_size,
        "jobs": jobs,
    }


def _streaming(args: argparse.Namespace) -> list[dict]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="skplate-stream-") as tmp:
        pairs = _reference_plates(args.plates, Path(tmp) / "reference")
        for n in sorted(args.stream):
            folder = _stream_folder(pairs, n, Path(tmp) / f"plates{n}")
            rows.append(_stream(args.model, folder, n, args.batch_size, args.jobs))
            shutil.rmtree(folder)
    return rows


def _in_process(args: argparse.Namespace) -> dict:
    """The per-stage split, the single-plate median and the in-process scaling rows."""
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
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a model saved by 'skplate train'")
    parser.add_argument("--plates", default=None, help="plates archive (default: data home)")
    parser.add_argument("--repeats", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--single", type=int, default=30, help="plates timed one at a time")
    parser.add_argument(
        "--stream",
        type=int,
        nargs="+",
        default=[],
        metavar="N",
        help="also time 'skplate predict FOLDER --output out.csv' on N plates (e.g. 1170 11700)",
    )
    parser.add_argument("--stream-only", action="store_true", help="skip the in-process table")
    parser.add_argument("--batch-size", type=int, default=32, help="predict's --batch-size")
    parser.add_argument("--jobs", type=int, default=None, help="predict's --jobs (default: none)")
    parser.add_argument("--json", default=None, help="also write the figures here")
    args = parser.parse_args()

    results: dict[str, object] = {}
    # The subprocesses first: on Linux a child's peak RSS (os.wait4) starts from its
    # parent's peak at the time of the fork, so this process must still be small.
    if args.stream:
        results["streaming"] = _streaming(args)
    if not args.stream_only:
        results.update(_in_process(args))
    if args.stream:
        print(
            "streaming: skplate predict FOLDER --output out.csv "
            f"--batch-size {args.batch_size} -q" + (f" --jobs {args.jobs}" if args.jobs else "")
        )
        print("plates     seconds   ms/plate   peak RSS (MB)   (subprocess, start-up included)")
        for row in results["streaming"]:
            print(
                f"{row['plates']:6d}  {row['seconds']:9.2f}  {row['ms_per_plate']:9.2f}"
                f"  {row['peak_rss_mb']:10.0f}"
            )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(results, handle, indent=2)


if __name__ == "__main__":
    main()
