"""The alert service: evaluates subscriptions' rules on the hourly data and delivers what they raise (e-mail,
webhook); the Atom feeds read its events through the API. `python -m alerts` (docs/operations.md)."""
