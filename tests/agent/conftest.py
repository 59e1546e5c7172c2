"""The agent's fixtures, for every test here: the Windows workflow loads this file alone
(`--confcutdir tests/agent`: tests/conftest.py needs the collector, which it does not install)."""

from tests.agent.agent_fixtures import agent_dirs, agent_logger, fake_collector  # noqa: F401
