"""Start-up and reading time of the two model formats and the two network back ends.

Prints, side by side in one run (the machine is shared: compare only figures of one run):

- the wall and CPU time of ``skplate --version`` and of ``skplate predict`` on one photo
  with the model saved as ``.skplate`` (NumPy network, no TensorFlow) and as ``.joblib``
  (Keras network), the median over ``--rounds`` alternating rounds, and their ratios to
  ``--version`` (issue target: ``predict`` with the safe model <= 2x ``--version``);
- the time to read the 117 reference plates in one process with each back end, and
  whether their readings are identical.

Usage::

    SKPLATE_DATA=../shared/data python benchmarks/startup.py --model skplate_model.skplate
"""

from __future__ import annotations

import argparse
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

PHOTO, BOX = "1277DPZ", "74,290,164,322"


def _timed(argv: list[str]) -> tuple[float, float, str]:
    """Wall and CPU seconds of one command, and its last output line."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(argv, capture_output=True, text=True, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, (result.stdout.strip().splitlines() or [""])[-1]


def _models(model: Path, folder: Path) -> dict[str, Path]:
    """The model as a .skplate and a .joblib file."""
    from skplate.persistence import load_model, save_model

    keras_model = load_model(model, backend="keras")
    return {
        "skplate": save_model(keras_model, folder / "model.skplate"),
        "joblib": save_model(keras_model, folder / "model.joblib"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", required=True, help="a saved recognizer (.skplate/.joblib)")
    parser.add_argument("--data-home", default=os.environ.get("SKPLATE_DATA", "../shared/data"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--skip-117", action="store_true", help="only the start-up times")
    args = parser.parse_args()
    executable = shutil.which("skplate") or sys.exit("the skplate command is not installed")

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        photo = folder / f"{PHOTO}.jpg"
        with zipfile.ZipFile(Path(args.data_home) / "test6Training.zip") as archive:
            photo.write_bytes(archive.read(f"test6Training/images/{PHOTO}.jpg"))
        models = _models(Path(args.model), folder)
        commands = {
            "skplate --version": [executable, "--version"],
            **{
                f"predict, .{kind} model": [
                    executable, "predict", "--model", str(path), str(photo), "--box", BOX, "-q"
                ]
                for kind, path in models.items()
            },
        }
        times: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
        outputs: dict[str, str] = {}
        for _ in range(args.rounds):
            for name, argv in commands.items():
                wall, cpu, out = _timed(argv)
                times[name].append((wall, cpu))
                outputs[name] = out
        base_wall = statistics.median(w for w, _ in times["skplate --version"])
        base_cpu = statistics.median(c for _, c in times["skplate --version"])
        print(f"{'command':<26} {'wall s':>7} {'cpu s':>7} {'wall/ver':>9} {'cpu/ver':>8}  output")
        for name, samples in times.items():
            wall = statistics.median(w for w, _ in samples)
            cpu = statistics.median(c for _, c in samples)
            print(
                f"{name:<26} {wall:7.2f} {cpu:7.2f} {wall / base_wall:8.2f}x "
                f"{cpu / base_cpu:7.2f}x  {outputs[name]}"
            )
        if args.skip_117:
            return
        _read_117(models["skplate"], args.data_home)


def _read_117(model: Path, data_home: str) -> None:
    from skplate.datasets import load_plates
    from skplate.persistence import load_model

    X, y = load_plates(data_home, plate_format="any", return_X_y=True)
    readings = {}
    print(f"\n{'117 plates, in-process':<26} {'load s':>7} {'read s':>7}  right")
    for backend in ("numpy", "keras"):
        start = time.perf_counter()
        recognizer = load_model(model, backend=backend)
        loaded = time.perf_counter() - start
        start = time.perf_counter()
        readings[backend] = list(recognizer.predict(X))
        read = time.perf_counter() - start
        right = sum(a == b for a, b in zip(readings[backend], y, strict=True))
        print(f"{'backend ' + backend:<26} {loaded:7.2f} {read:7.2f}  {right}/{len(y)}")
    print(f"identical readings: {readings['numpy'] == readings['keras']}")


if __name__ == "__main__":
    main()
