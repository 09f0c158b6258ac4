"""The pure modules keep their own copies of the model's choices (they import nothing from Django): same members."""

import pytest

from indicators import scores
from indicators.entry import rules
from indicators.models import Indicator


@pytest.mark.parametrize(
    ("copy", "choices"),
    [
        (scores.Direction, Indicator.Direction),
        (scores.Aggregation, Indicator.Aggregation),
        (rules.UnitKind, Indicator.UnitKind),
    ],
    ids=["scores.Direction", "scores.Aggregation", "entry.rules.UnitKind"],
)
def test_a_pure_copy_of_model_choices_has_the_same_names_and_values(copy, choices):
    assert {member.name: member.value for member in copy} == {member.name: member.value for member in choices}
