"""Quarterly entry: the one way values are entered, reviewed and loaded, behind the form, the API and the loader.

- ``rules``: the rules as pure functions over Decimals, dates and bytes, with their messages;
- ``errors``: the typed errors the services raise (their messages: ``cse_monitor.lib.messages``);
- ``rows``: the rows of the quarter form (``RowKey``) and what a user enters in one (``ValueInput``);
- ``quarters``: a quarter's state, its entry window and the open check;
- ``services``: saving a quarter's values, loading a programme file's values, evidence files;
- ``workflow``: submit, return, approve, reopen, follow-up flags, opening dates, notifications;
- ``selectors``: the reads of the entry and review pages.

Import from the module that defines a name: this package re-exports nothing.
"""
