"""Comma-separated names from the command line (emotion_tf/names.py)."""

import pytest

from emotion_tf.names import parse_names

CHOICES = ("ml-100k", "goemotions", "rt-polarity")


def test_names_keep_the_given_order_and_drop_blanks():
    assert parse_names(" rt-polarity,, ml-100k ,", CHOICES, "datasets") == ["rt-polarity", "ml-100k"]
    # a repeated option gives several strings (train_all's --only)
    assert parse_names(["goemotions", "ml-100k,rt-polarity"], CHOICES, "datasets") == [
        "goemotions",
        "ml-100k",
        "rt-polarity",
    ]


def test_an_unknown_name_is_named_with_every_choice():
    with pytest.raises(ValueError) as error:
        parse_names("ml-100k,ml-1m,imdb", CHOICES, "datasets")
    assert str(error.value) == "unknown datasets ml-1m, imdb; choose from ml-100k, goemotions, rt-polarity"


def test_no_name_at_all_is_refused():
    with pytest.raises(ValueError, match="no scorers given; choose from ml-100k"):
        parse_names(" , ", CHOICES, "scorers")


@pytest.mark.parametrize(
    "tool, option, given",
    [
        ("benchmark_emotion_rec", "--datasets", "synthetic,amazon"),
        ("benchmark_emotion_rec", "--scorers", "lexicon,vader"),
        ("benchmark_bert", "--datasets", "goemotions,imdb"),
    ],
)
def test_a_benchmark_refuses_an_unknown_name_before_writing_anything(tool, option, given, tmp_path, capsys):
    from conftest import load_script

    results = tmp_path / "results.json"
    with pytest.raises(SystemExit) as exit_info:
        load_script(tool).main([option, given, "--results", str(results)])
    assert exit_info.value.code == 2
    unknown = given.split(",")[1]
    assert f"unknown {option[2:]} {unknown}; choose from" in capsys.readouterr().err
    assert not results.exists()
