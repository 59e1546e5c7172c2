"""Getting a report to the collector, apart from collecting it: the spool on disk, the
machine's credential, one POST with its checked answer, and a run's retries.

May import `agent` modules that know nothing of collection (config, logfile) and `shared`;
collection (`agent.collect` and the platform modules) never imports it.
"""
