"""Training is deterministic for a seed across fresh processes, not only within one.

Two interpreters (with different hash seeds) train the same small network with the
recipe's code path (:func:`~skplate.training.load_training_chars` and
:func:`~skplate.training.train_char_classifier`: rendered characters, augmentation,
dropout, the shuffled validation split with early stopping) and print a hash of the
weights; a third with another seed shows the hash depends on the seed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent(
    """
    import hashlib, sys
    from skplate.training import load_training_chars, train_char_classifier

    seed = int(sys.argv[1])
    chars = load_training_chars(("synthetic", "junk"), synthetic_per_class=8, n_junk=40,
                                random_state=seed)
    classifier, report = train_char_classifier(
        chars, epochs=2, conv_filters=(4, 8), dense_units=(16,), batch_size=32,
        random_state=seed,
    )
    digest = hashlib.sha256()
    for weights in classifier.model_.get_weights():
        digest.update(weights.tobytes())
    print(digest.hexdigest(), report.data_sha256, report.epochs, flush=True)
    """
)


def test_training_is_deterministic_in_fresh_processes():
    runs = []
    for seed, hash_seed in ((0, "1"), (0, "2"), (1, "1")):
        env = {**os.environ, "PYTHONHASHSEED": hash_seed, "TF_CPP_MIN_LOG_LEVEL": "3"}
        runs.append(subprocess.Popen(
            [sys.executable, "-c", SCRIPT, str(seed)], env=env, text=True,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        ))
    outputs = []
    for run in runs:
        out, err = run.communicate(timeout=300)
        assert run.returncode == 0, err[-2000:]
        outputs.append(out.split())
    first, again, other = outputs
    assert first[2] == "2"  # both epochs ran
    assert again == first  # same data, same weights, to the bit
    assert other[0] != first[0] and other[1] != first[1]  # another seed: other data, weights
