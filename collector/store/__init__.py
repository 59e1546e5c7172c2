"""The embedded SQLite database and everything that writes it: the schema and its migrations,
a report at ingest, units and their allocations, settings, officers' accounts, enrollment,
the naming-guideline cache and the audit log; plus the plain queries of stored machines.

May import `collector.formats` and `shared`; never counting, exports, web or cli.
"""
