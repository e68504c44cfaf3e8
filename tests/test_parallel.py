"""The image stages run in parallel through joblib, on local processes or a Dask cluster
(of thread workers, and of process workers), and give exactly the serial readings."""

from __future__ import annotations

import os

import joblib
import numpy as np
import pytest

from skplate.datasets import make_synthetic_plates
from skplate.recognizer import make_plate_recognizer

TEXTS = ["1234BCD", "5678FGH", "9012JKL", "3456MNP", "7890RST", "2468VWX", "1357YZB", "8642CDF"]


@pytest.fixture(scope="module")
def plates():
    return make_synthetic_plates(TEXTS, random_state=3)


@pytest.fixture(scope="module")
def serial_readings(tiny_char_model, plates):
    reader = make_plate_recognizer(tiny_char_model, plate_format="spanish").fit([])
    return reader.predict_readings(plates.samples)


def _same(readings, expected):
    assert [r.text for r in readings] == [r.text for r in expected]
    assert [r.variant_texts for r in readings] == [r.variant_texts for r in expected]
    np.testing.assert_allclose(
        [r.confidence for r in readings], [r.confidence for r in expected], rtol=1e-6
    )


def test_n_jobs_matches_serial(tiny_char_model, plates, serial_readings):
    reader = make_plate_recognizer(
        tiny_char_model, plate_format="spanish", n_jobs=2, batch_size=5
    ).fit([])
    _same(reader.predict_readings(plates.samples), serial_readings)


@pytest.mark.parametrize(
    "processes",
    [False, pytest.param(True, marks=pytest.mark.slow)],
    ids=["thread-workers", "process-workers"],
)
def test_dask_backend_matches_serial(tiny_char_model, plates, serial_readings, processes):
    # Process workers are separate interpreters: the stages and plates travel pickled,
    # as they do to a real cluster's machines.
    distributed = pytest.importorskip("distributed")
    reader = make_plate_recognizer(tiny_char_model, plate_format="spanish", n_jobs=2).fit([])
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=processes, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        with distributed.get_task_stream(client) as tasks, joblib.parallel_config(backend="dask"):
            readings = reader.predict_readings(plates.samples)
        # the image stages really ran as tasks on the cluster's workers
        assert len(tasks.data) >= 2
        workers = {task["worker"] for task in tasks.data}
        assert workers <= set(client.scheduler_info()["workers"])
        if processes:
            pids = client.run(os.getpid)
            assert len(set(pids.values())) == 2 and os.getpid() not in pids.values()
    _same(readings, serial_readings)
