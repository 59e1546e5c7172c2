"""avroll collector: receives agents' reports and shows officers where the rollout stands.

The code lives in packages that follow a report's way, and imports point one way only
(`tests/test_layering.py` keeps it so):

    cli, web  ->  exports  ->  counting  ->  store  ->  formats  ->  shared

- `formats`: values written and read the same way everywhere (dates, numbers, safe cells).
- `store`: the database, its migrations and everything that writes it (a report at ingest,
  units, settings, accounts, enrollment, the audit log).
- `counting`: the counting rules and the figures they give, per machine and per unit.
- `exports`: the official files officers send (XLSX, CSV).
- `web`: the Flask app: JSON API, pages, login, sessions, CSRF, headers, templates.
- `cli`: the `avroll` command.
"""
