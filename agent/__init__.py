"""avroll agent: collects one PC's inventory report and delivers it to the collector."""

__version__ = "0.1.0"
