"""``skplate info``: what a saved model is (version, recipe, training data, stages, figures)."""

from __future__ import annotations

import argparse
import json

from ._locator import LOCATOR_HINT, locator_line
from ._log import EXIT_OK, Log
from ._options import add_command
from ._output import percent

EPILOG = """\
A .skplate model is read safely (its file holds JSON and NumPy arrays only) and without
TensorFlow; a .joblib model is unpickled, so describe only joblib files you trust. The
training figures come from inside a .skplate model, or from MODEL.json beside the model.

examples:
  skplate info skplate_model.skplate
  skplate info model.joblib --json
"""


def register(commands: argparse._SubParsersAction) -> None:
    """Add ``info`` to the sub-commands."""
    parser = add_command(
        commands,
        "info",
        run,
        help="describe a saved model",
        description="Describe a saved model: skplate version, recipe, training-data hash, "
        "plate format, stages and their parameters, held-out figures.",
        epilog=EPILOG,
    )
    parser.add_argument("model", metavar="MODEL", help="model file written by 'skplate train'")
    parser.add_argument(
        "--json", action="store_true", help="print the description as one JSON document"
    )


def _line(name: str, value: object) -> None:
    print(f"{name:<23}{value}")


def run(args: argparse.Namespace, log: Log) -> int:
    """Print the model's description."""
    from ..model_info import describe_model

    info = describe_model(args.model)
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
        return EXIT_OK
    _line("model", f"{info['path']} ({info['model']}, {info['file_format']})")
    _line("skplate version", info["skplate_version"])
    if "formats" in info:
        _line("plate format", f"{info['plate_format']} ({', '.join(info['formats'])})")
    network = info.get("network", {})
    if "conv_filters" in network:
        _line(
            "network",
            f"{network['type']}: conv {network['conv_filters']}, dense "
            f"{network['dense_units']}, input {'x'.join(map(str, network['input_shape']))}, "
            f"{network['parameters']:,} weights",
        )
    if network:
        _line("classes", f"{network['n_classes']} ({network['classes']})")
    training = info.get("training", {})
    if training:
        sources = training.get("sources")
        if isinstance(sources, dict):
            sources = ", ".join(f"{name} {count}" for name, count in sources.items())
        elif isinstance(sources, list):
            sources = ", ".join(sources)
        _line("training images", f"{training.get('n_images', '?')} ({sources})")
        _line("training data", f"sha256 {training.get('data_sha256') or 'not recorded'}")
        seconds = training.get("seconds")
        _line(
            "recipe",
            f"seed {training.get('random_state', '?')}, system fonts "
            f"{'yes' if training.get('system_fonts') else 'no'}, "
            f"{training.get('epochs', '?')} epochs"
            + (f" in {seconds:.0f} s" if isinstance(seconds, int | float) else ""),
        )
        if training.get("n_held_out"):
            _line(
                "held-out",
                f"{percent(training.get('held_out_accuracy'))} on {training['n_held_out']} "
                "GoodImg images",
            )
    else:
        _line("training", "no training report (none inside the model or beside it)")
    if "locator" in info:
        locator = info["locator"]
        _line(
            "plate locator",
            f"none (predict needs --box or labels; {LOCATOR_HINT})"
            if locator is None
            else locator_line(locator)
            + (f" (from {locator['source']})" if locator.get("source") else ""),
        )
    for name, value in info.get("reading", {}).items():
        _line(name, value)
    for name, value in info.get("stages", {}).items():
        _line(name, ", ".join(value) if isinstance(value, list) else value)
    if "variant_weights" in info:
        _line("variant weights", ", ".join(f"{w:.3f}" for w in info["variant_weights"]))
    return EXIT_OK
