"""Results records: the docs/protocols.md format, written atomically, read back, tabulated."""

import json

import pytest

from emotion_tf.training.results import ResultRecord, format_table, read_records, write_records


def record(**overrides):
    fields = dict(
        task="sentiment",
        model="transformer",
        dataset="emotion-carer",
        split="test",
        seed=0,
        metrics={"accuracy": 0.93, "macro_f1": 0.9},
        train_seconds=120.5,
        examples_per_second=850.0,
        params=123456,
        config={"epochs": 10},
        logdir="tensorboard_logs/x",
    )
    fields.update(overrides)
    return ResultRecord(**fields)


def test_round_trip_in_protocol_format(tmp_path):
    path = write_records(
        [record(), record(split="validation", metrics={"accuracy": float("nan")})], tmp_path / "sub" / "r.json"
    )
    rows = json.loads(path.read_text())
    assert set(rows[0]) == {
        "task",
        "model",
        "dataset",
        "split",
        "seed",
        "metrics",
        "train_seconds",
        "examples_per_second",
        "params",
        "config",
        "hardware",
        "logdir",
    }
    assert rows[0]["metrics"] == {"accuracy": 0.93, "macro_f1": 0.9}
    assert "CPU cores" in rows[0]["hardware"]
    assert rows[1]["metrics"]["accuracy"] is None  # NaN is not JSON
    back = read_records(path)
    assert back[0] == record(hardware=rows[0]["hardware"])
    assert [p.name for p in path.parent.iterdir()] == ["r.json"]  # no temporary file left


def test_metrics_must_be_numbers():
    with pytest.raises(TypeError, match="metric 'per_class' must be a number"):
        record(metrics={"per_class": {"a": 1}})


def test_malformed_file_is_named(tmp_path):
    path = tmp_path / "r.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="r.json"):
        read_records(path)
    path.write_text('[{"task": "x"}]')
    with pytest.raises(ValueError, match="record 0 is malformed"):
        read_records(path)


def test_table_has_a_row_per_record():
    table = format_table([record(), record(model="lstm", metrics={"accuracy": 0.91})])
    lines = table.splitlines()
    assert lines[0] == "| task | model | dataset | split | accuracy | macro_f1 | train s |"
    assert lines[3] == "| sentiment | lstm | emotion-carer | test | 0.9100 |  | 120.5 |"


def test_seed_table_gives_mean_and_sample_std():
    from emotion_tf.training.results import format_seed_table

    rows = [record(seed=s, metrics={"accuracy": a}) for s, a in ((0, 0.90), (1, 0.92), (2, 0.94))]
    table = format_seed_table(rows + [record(model="lstm", metrics={"accuracy": 0.8})], ["accuracy"])
    lines = table.splitlines()
    assert lines[2] == "| sentiment | transformer | emotion-carer | test | 3 | 0.9200 ± 0.0200 |"
    assert lines[3] == "| sentiment | lstm | emotion-carer | test | 1 | 0.8000 |"


def test_the_cpu_is_named_with_its_widest_vector_extension():
    from emotion_tf.training.results import cpu_description

    intel = (
        "processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R)  Platinum 8375C CPU @ 2.90GHz\n"
        "flags\t\t: fpu sse2 avx avx2 fma avx512f avx512dq\n\nprocessor\t: 1\nmodel name\t: another\n"
    )
    assert cpu_description(intel) == ["Intel(R) Xeon(R) Platinum 8375C CPU @ 2.90GHz", "AVX-512"]
    amd = "processor : 0\nmodel name : AMD EPYC\nflags : fpu sse2 avx avx2 fma\n"
    assert cpu_description(amd) == ["AMD EPYC", "AVX2"]
    assert cpu_description("processor : 0\nflags : fpu sse2\n") == ["", ""]  # unnamed: left out of the text
