"""The entry package's messages reach the user in Spanish, values included (the interface is Spanish first)."""

import pytest
from django.utils import translation

from cse_monitor.lib.messages import Message, translated
from indicators.entry import errors, quarters, rules, services, workflow
from indicators.models import MEASURE


def _constants(module):
    return {name: getattr(module, name) for name in dir(module) if name.startswith("MSG_")}


@pytest.mark.parametrize("module", [rules, errors, quarters, services, workflow], ids=lambda m: m.__name__)
def test_every_message_constant_has_a_spanish_translation(module):
    constants = _constants(module)
    assert constants
    with translation.override("es"):
        untranslated = [name for name, text in constants.items() if translated(text) == text]
    assert not untranslated


def test_a_message_reads_as_its_english_text_and_keeps_its_template():
    message = Message(rules.MSG_OUTLIER, factor="2", previous="10")
    assert message == "The value moved more than ×2 from last period (10): explain it in the comment."
    assert (message.template, message.params) == (rules.MSG_OUTLIER, {"factor": "2", "previous": "10"})


def test_translated_puts_the_values_into_the_translated_template():
    message = Message(rules.MSG_DISAGGREGATION_MISMATCH, parts="7", total="9")
    with translation.override("es"):
        assert translated(message) == "Desagregación incompleta: las partes suman 7, el total es 9."
    with translation.override("en"):
        assert translated(message) == message


def test_rule_functions_return_messages_with_values():
    [message] = rules.precision_errors(rules.Decimal("1.123456"), MEASURE)
    with translation.override("es"):
        assert translated(message) == "Use como máximo 4 decimales."
