"""comtypes as `agent.windows.api` uses it, answering WMI queries from recorded rows.

It behaves as WMI does where the agent's code depends on it: an unknown namespace fails at
connection (WBEM_E_INVALID_NAMESPACE); a query naming a property the class does not have
fails when its rows are first read (WBEM_E_INVALID_QUERY: WMI's forward-only enumerators
report errors on the first `Next`); `Properties_.Item` of an absent property fails
(WBEM_E_NOT_FOUND). Every COM object it hands out is counted while alive, per thread, and
`CoUninitialize` notes how many of the calling thread's objects were still alive.
"""

from __future__ import annotations

import re
import sys
import threading
import types
from collections import Counter

WBEM_E_NOT_FOUND = -2147217406  # 0x80041002
WBEM_E_INVALID_CLASS = -2147217392  # 0x80041010
WBEM_E_INVALID_NAMESPACE = -2147217394  # 0x8004100E
WBEM_E_INVALID_QUERY = -2147217385  # 0x80041017
QUERY = re.compile(r"SELECT (?P<names>.+) FROM (?P<wmi_class>\w+)$")


class COMError(Exception):
    """comtypes.COMError's shape: args (hresult, text, details) and `hresult`."""

    def __init__(self, hresult, text=None, details=(None, None, None, 0, None)):
        super().__init__(hresult, text, details)
        self.hresult = hresult


class FakeWmi:
    """WMI classes as {(namespace, class): (property names or None for any, rows)};
    `live_at_uninitialize` lists,
    for each CoUninitialize, the calling thread's COM objects still alive."""

    def __init__(self, classes, failing_rows=None):
        self.classes = {(ns.lower(), cls.lower()): value for (ns, cls), value in classes.items()}
        # {class: hresult}: the enumerator fails with it on the first row.
        self.failing_rows = {cls.lower(): code for cls, code in (failing_rows or {}).items()}
        self.live = Counter()
        self.live_at_uninitialize = []
        self.queries = []
        self.lock = threading.Lock()

    def modules(self):
        """Fake `comtypes` and `comtypes.client` modules, for sys.modules."""
        comtypes = types.ModuleType("comtypes")
        client = types.ModuleType("comtypes.client")
        comtypes.COMError = COMError
        comtypes.CoInitializeEx = lambda flags=None: None
        comtypes.CoUninitialize = self.uninitialize
        comtypes.client = client
        client.CoGetObject = self.connect
        return {"comtypes": comtypes, "comtypes.client": client}

    def install(self, monkeypatch):
        for name, module in self.modules().items():
            monkeypatch.setitem(sys.modules, name, module)
        return self

    def uninitialize(self):
        with self.lock:
            self.live_at_uninitialize.append(self.live[threading.get_ident()])

    def connect(self, moniker, dynamic=False):
        namespace = moniker.rsplit("!\\\\.\\", 1)[1].lower()
        if not any(ns == namespace for ns, _cls in self.classes):
            raise COMError(WBEM_E_INVALID_NAMESPACE)
        return _Service(self, namespace)


class _Counted:
    """A COM object: counted alive from creation until Python releases it."""

    def __init__(self, wmi):
        self._wmi, self._thread = wmi, threading.get_ident()
        with wmi.lock:
            wmi.live[self._thread] += 1

    def __del__(self):
        with self._wmi.lock:
            self._wmi.live[self._thread] -= 1


class _Service(_Counted):
    def __init__(self, wmi, namespace):
        super().__init__(wmi)
        self.namespace = namespace

    def ExecQuery(self, query, language, flags):  # noqa: N802 (COM's name)
        wmi = self._wmi
        with wmi.lock:
            wmi.queries.append(query)
        match = QUERY.match(query)
        key = (self.namespace, match["wmi_class"].lower())
        if key not in wmi.classes:
            return _Enumerator(wmi, error=WBEM_E_INVALID_CLASS)
        properties, rows = wmi.classes[key]
        selected = [n.strip() for n in match["names"].split(",")]
        if selected != ["*"] and properties is not None and not set(selected) <= properties:
            return _Enumerator(wmi, error=WBEM_E_INVALID_QUERY)
        return _Enumerator(wmi, rows=rows, error=wmi.failing_rows.get(key[1]))


class _Enumerator(_Counted):
    def __init__(self, wmi, rows=(), error=None):
        super().__init__(wmi)
        self.rows, self.error = rows, error

    def __iter__(self):
        if self.error is not None:
            raise COMError(self.error)
        for row in self.rows:
            yield _Object(self._wmi, row)


class _Object(_Counted):
    def __init__(self, wmi, row):
        super().__init__(wmi)
        self.Properties_ = _Properties(wmi, row)


class _Properties(_Counted):
    def __init__(self, wmi, row):
        super().__init__(wmi)
        self.row = row

    def Item(self, name):  # noqa: N802 (COM's name)
        if name not in self.row:
            raise COMError(WBEM_E_NOT_FOUND)
        return types.SimpleNamespace(Value=self.row[name])
