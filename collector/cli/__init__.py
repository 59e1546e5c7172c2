"""The `avroll` command (`main.main`) and its groups: accounts and tokens, units and
settings, exports, serving. A thin layer over the same functions the pages use.

May import every other collector package; nothing imports it.
"""
