"""The entry rules' messages reach the user in Spanish, values included (issue 4: Spanish UI first)."""

import pytest
from django.utils import translation

from indicators import entry, entry_rules
from indicators.entry_rules import Message
from indicators.models import MEASURE


def _constants(module):
    return {name: getattr(module, name) for name in dir(module) if name.startswith("MSG_")}


@pytest.mark.parametrize("module", [entry_rules, entry], ids=["entry_rules", "entry"])
def test_every_message_constant_has_a_spanish_translation(module):
    constants = _constants(module)
    assert len(constants) > 10
    with translation.override("es"):
        untranslated = [name for name, text in constants.items() if entry.translated(text) == text]
    assert not untranslated


def test_a_message_reads_as_its_english_text_and_keeps_its_template():
    message = Message(entry_rules.MSG_OUTLIER, factor="2", previous="10")
    assert message == "The value moved more than ×2 from last period (10): explain it in the comment."
    assert (message.template, message.params) == (entry_rules.MSG_OUTLIER, {"factor": "2", "previous": "10"})


def test_translated_puts_the_values_into_the_translated_template():
    message = Message(entry_rules.MSG_DISAGGREGATION_MISMATCH, parts="7", total="9")
    with translation.override("es"):
        assert entry.translated(message) == "Desagregación incompleta: las partes suman 7, el total es 9."
    with translation.override("en"):
        assert entry.translated(message) == message


def test_rule_functions_return_messages_with_values():
    [message] = entry_rules.precision_errors(entry_rules.Decimal("1.123456"), MEASURE)
    with translation.override("es"):
        assert entry.translated(message) == "Use como máximo 4 decimales."
