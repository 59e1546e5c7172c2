"""The embedded SQLite database and everything that writes it: the schema and its migrations,
a report at ingest, units and their allocations, settings, officers' accounts, enrollment,
the naming-guideline cache and the audit log, machines retired or assigned by hand, the
versions of units and settings by the day they took effect, the retention of reports; plus
the plain queries of stored machines.

May import `collector.formats` and `shared`; never counting, exports, web or cli.
"""
