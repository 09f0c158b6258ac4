"""The indicators app's REST API: ``reads`` (programmes, levels, indicators, values), ``series`` (figures per
period, JSON/CSV/XLSX) and ``writes`` (values and quarter actions through the entry service)."""
