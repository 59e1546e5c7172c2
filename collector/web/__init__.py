"""The Flask app (`app.create_app`): the JSON API agents and tools use, the pages officers
read, the downloads of the exports, and what guards them (login, sessions, CSRF, throttles,
security headers). Templates and static files live beside it.

Views only format what `counting`, `exports` and `store` return. May import those,
`collector.formats` and `shared`; never `collector.cli`.
"""
