"""User messages: one convention for the whole code base. Imports nothing from Django at import time.

- A message that a module raises or returns is a constant next to the code that raises it: an
  English msgid marked with ``gettext_noop`` (``makemessages`` extracts it; pure modules import
  the marker from here). Tests import the constant.
- A message with values is a :class:`Message`: it reads as the English text with the values in,
  and keeps its template and values, so that the template is translated before the values go in.
- Where the message reaches a person (a view, the API's error handler, the 403 page, a command),
  :func:`translated` puts it in the active language.

``gettext_lazy`` is for what Django evaluates at import time (model and form field labels, class
attributes); a view or a template composing its own text translates it inline (``gettext``,
``{% translate %}``).
"""

from __future__ import annotations


def gettext_noop(message: str) -> str:
    """Marks an English msgid for ``makemessages`` (it matches this name), like Django's, without importing it."""
    return message


class Message(str):
    """A message with values: equal to its formatted English text, with ``template`` and ``params`` kept."""

    template: str
    params: dict

    def __new__(cls, template: str, **params: object) -> Message:
        message = super().__new__(cls, template.format(**params) if params else template)
        message.template = template
        message.params = params
        return message


def translated_messages(error) -> list[str]:
    """The messages of a Django ``ValidationError`` raised with message constants, in the active language."""
    return [translated(item.message) for item in error.error_list]


def translated(message: str) -> str:
    """``message`` (a msgid constant, or a :class:`Message`) in the active language, values put in after."""
    # Imported here so that pure modules can use Message and gettext_noop without loading Django.
    from django.utils.translation import gettext

    if isinstance(message, Message) and message.params:
        return gettext(message.template).format(**message.params)
    return gettext(message)
