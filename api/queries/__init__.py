"""The API's query layer: every SQL statement the API runs lives in this package, parameterised and readable.

kits.py (kits, readings, the map, areas), series.py (time series and exports), stats.py (statistics), admin.py
(exact kit data), service.py (health, readiness, API keys). Routes call these functions and never hold SQL; what
the database raises is turned into an HTTP answer in one place, api/errors.py.
"""
