"""Windows facts, read in process: `api` calls Windows and returns raw records, `facts` turns
them into report fields. Nothing here starts a process (an encoded PowerShell looks like
malware to the very antivirus the report counts)."""

from __future__ import annotations

from agent.sources import read_sources, records_and_errors


def gather(errors, outcomes=None):
    """Every Windows-specific fact of the report; failed sources go to `errors`.

    `outcomes`, when given, receives each source's Outcome (for `collect --diagnose`).
    """
    from agent.windows import api, facts

    read = read_sources(api.sources())
    if outcomes is not None:
        outcomes.extend(read)
    found = facts.facts_from_records(*records_and_errors(read))
    errors.extend(found.pop("errors"))
    return found
