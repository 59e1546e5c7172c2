"""The report contract, schema version 1: every field documented and checked here.

The agent builds a report with these fields; the collector runs `validate()` on every
report it receives, before anything is stored. Everything in a report is written by a PC
the collector does not control, so every string has a length limit and every list a size
limit. `python -m shared.report` prints the field reference.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from datetime import datetime, timezone

SCHEMA_VERSION = 1

DEVICE_TYPES = ("desktop", "laptop", "server", "virtual", "unknown")
OS_FAMILIES = ("windows", "linux", "macos", "other")
AV_STATUSES = ("detected", "none", "unknown")
# Up to 2^53, so a figure survives a JavaScript client unchanged; 8 PiB of RAM is plenty.
MAX_BYTES = 2**53
# Times a PC can plausibly tell, wrong clock included (a flat CMOS battery gives 1980 or
# 2000): outside it a time is a mistake or an attack, and cannot be shown or sorted right.
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=timezone.utc)
# Some products give a perpetual licence a far-off expiry date.
LATEST_EXPIRY = datetime(9999, 1, 1, tzinfo=timezone.utc)


class Field:
    """One field of the report: what it holds, and how a value is checked."""

    def __init__(self, doc, required=True, nullable=False):
        self.doc = doc
        self.required = required
        self.nullable = nullable

    def check(self, value, path, errors):
        """Append `path: problem` lines to `errors` for each way `value` is wrong."""
        raise NotImplementedError

    def kind(self):
        """A short name of the accepted type, for the field reference."""
        raise NotImplementedError


class Text(Field):
    """A string: length-limited, valid Unicode; `visible` also refuses line separators and
    characters that show as nothing (a name with a zero-width space looks like another
    machine's)."""

    def __init__(self, doc, max_length=255, pattern=None, choices=None, visible=False, **kw):
        super().__init__(doc, **kw)
        self.max_length = max_length
        self.pattern = re.compile(pattern) if pattern else None
        self.choices = choices
        self.visible = visible

    def check(self, value, path, errors):
        if not isinstance(value, str):
            errors.append(f"{path}: must be a string")
        elif self.choices is not None and value not in self.choices:
            errors.append("{}: must be one of {}".format(path, ", ".join(self.choices)))
        elif len(value) > self.max_length:
            errors.append(f"{path}: must be at most {self.max_length} characters")
        elif _has_control_chars(value):
            errors.append(f"{path}: must not contain control characters")
        elif _has_invalid_unicode(value):
            errors.append(
                f"{path}: must be valid Unicode text without direction overrides "
                "or noncharacters (U+FFFE, U+FFFF, ...)"
            )
        elif self.visible and _has_line_separator(value):
            errors.append(
                f"{path}: must be one line, without line or paragraph separators (U+2028, U+2029)"
            )
        elif self.visible and _has_invisible(value):
            errors.append(
                f"{path}: must not contain invisible characters "
                "(zero-width, format or filler characters, spaces other than U+0020)"
            )
        elif self.pattern is not None and not self.pattern.fullmatch(value):
            errors.append(f"{path}: has an invalid format")

    def kind(self):
        if self.choices:
            return " | ".join(self.choices)
        return f"string (≤ {self.max_length})"


class Timestamp(Text):
    """UTC time in ISO 8601, with its offset (`Z` or `+00:00`), from 1970 to before `latest`."""

    def __init__(self, doc, latest=LATEST_TIME, **kw):
        super().__init__(doc, max_length=40, **kw)
        self.latest = latest

    def check(self, value, path, errors):
        before = len(errors)
        super().check(value, path, errors)
        if len(errors) > before:
            return
        parsed = parse_timestamp(value)
        if parsed is None:
            errors.append(f"{path}: must be an ISO 8601 time with a UTC offset")
        elif not EARLIEST_TIME <= parsed < self.latest:
            errors.append(f"{path}: must be from {EARLIEST_TIME.year} to before {self.latest.year}")

    def kind(self):
        return "ISO 8601 UTC time"


class Uuid(Text):
    """A UUID in any spelling `uuid.UUID` reads (hyphens or not, braces, any case);
    the collector compares it in one form, `canonical_report_id()`."""

    def __init__(self, doc, **kw):
        super().__init__(doc, max_length=38, **kw)

    def check(self, value, path, errors):
        before = len(errors)
        super().check(value, path, errors)
        if len(errors) > before:
            return
        try:
            uuid.UUID(value)
        except ValueError:
            errors.append(f"{path}: must be a UUID")

    def kind(self):
        return "UUID"


class Boolean(Field):
    def check(self, value, path, errors):
        if not isinstance(value, bool):
            errors.append(f"{path}: must be true or false")

    def kind(self):
        return "boolean"


class Integer(Field):
    def __init__(self, doc, minimum=0, maximum=MAX_BYTES, choices=None, **kw):
        super().__init__(doc, **kw)
        self.minimum = minimum
        self.maximum = maximum
        self.choices = choices

    def check(self, value, path, errors):
        # bool is an int in Python; in a report it is a mistake.
        if isinstance(value, bool) or not isinstance(value, int):
            errors.append(f"{path}: must be a whole number")
        elif self.choices is not None and value not in self.choices:
            errors.append("{}: must be {}".format(path, " or ".join(map(str, self.choices))))
        elif not self.minimum <= value <= self.maximum:
            errors.append(f"{path}: must be between {self.minimum} and {self.maximum}")

    def kind(self):
        if self.choices:
            return " | ".join(map(str, self.choices))
        return "integer"


class Object(Field):
    def __init__(self, doc, fields, **kw):
        super().__init__(doc, **kw)
        self.fields = fields

    def check(self, value, path, errors):
        if not isinstance(value, dict):
            errors.append("{}: must be an object".format(path or "report"))
            return
        prefix = path + "." if path else ""
        for key in value:
            if key not in self.fields:
                errors.append(f"{prefix}{_short(key)}: is not a field of the report")
        for name, field in self.fields.items():
            check_value(field, value, name, prefix + name, errors)

    def kind(self):
        return "object"


class List(Field):
    def __init__(self, doc, item, max_items, **kw):
        super().__init__(doc, **kw)
        self.item = item
        self.max_items = max_items

    def check(self, value, path, errors):
        if not isinstance(value, list):
            errors.append(f"{path}: must be a list")
        elif len(value) > self.max_items:
            errors.append(f"{path}: must have at most {self.max_items} items")
        else:
            for index, item in enumerate(value):
                if item is None:
                    errors.append(f"{path}[{index}]: must not be null")
                else:
                    self.item.check(item, f"{path}[{index}]", errors)

    def kind(self):
        return f"list (≤ {self.max_items}) of {self.item.kind()}"


def check_value(field, container, name, path, errors):
    """Check `container[name]` against `field`, minding required and nullable."""
    if name not in container:
        if field.required:
            errors.append(f"{path}: is required")
        return
    value = container[name]
    if value is None:
        if not field.nullable:
            errors.append(f"{path}: must not be null")
        return
    field.check(value, path, errors)


def _has_control_chars(text):
    return any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in text)


# Lone surrogates cannot be stored as UTF-8; direction overrides make a name display as
# another (U+202E turns "exe.txt" around); noncharacters (U+FDD0-U+FDEF and the last two
# code points of every plane) are not for interchange, and an XLSX holding one is invalid.
_INVALID_UNICODE = re.compile(
    "[\ud800-\udfff\u202a-\u202e\u2066-\u2069\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)
# Characters that show as nothing or as a plain space, beyond the format (Cf) category:
# combining grapheme joiner, Hangul fillers, braille blank, variation selectors.
_INVISIBLE = frozenset("\u034f\u115f\u1160\u3164\uffa0\u2800") | frozenset(
    chr(code) for code in (*range(0xFE00, 0xFE10), *range(0xE0100, 0xE01F0))
)


def _has_invalid_unicode(text):
    return _INVALID_UNICODE.search(text) is not None


def _has_line_separator(text):
    """U+2028 and U+2029 (the Zl and Zp categories): breaks a name over lines like "\n",
    NEL and the other C0/C1 breaks, which `_has_control_chars` refuses."""
    return any(unicodedata.category(ch) in ("Zl", "Zp") for ch in text)


def _has_invisible(text):
    return any(
        ch in _INVISIBLE or (ch != " " and unicodedata.category(ch) in ("Cf", "Zs")) for ch in text
    )


def canonical_uuid(value):
    """The one form a (validated) UUID is stored and compared in: lower case, hyphens."""
    return str(uuid.UUID(value.strip()))


def canonical_report_id(value):
    """The one form a (validated) report id is stored and compared in."""
    return canonical_uuid(value)


def canonical_machine_id(value):
    """The one form a (validated) machine id is stored and compared in: lower case without
    braces, and a UUID's 32 hex digits (Linux writes them bare) in the hyphenated form."""
    text = value.strip().strip("{}").lower()
    digits = text.replace("-", "")
    if len(digits) == 32 and all(ch in "0123456789abcdef" for ch in digits):
        return str(uuid.UUID(digits))
    return text


def _short(key):
    return repr(key[:40]) if isinstance(key, str) else repr(key)


def parse_timestamp(value):
    """Return an aware datetime for an ISO 8601 string with an offset, else None."""
    if not isinstance(value, str):
        return None
    # Python 3.8's fromisoformat does not read a trailing Z.
    text = value[:-1] + "+00:00" if value.endswith("Z") else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


# A name for a product, service or version as Windows or a vendor spells it.
def _name(doc, **kw):
    return Text(doc, max_length=200, **kw)


PRODUCT = Object(
    "One antivirus product found on the machine.",
    {
        "name": _name("Product name as the vendor or Windows shows it."),
        "vendor": _name("Vendor, e.g. Kaspersky, Microsoft, BKAV.", nullable=True),
        "version": _name("Product version.", nullable=True),
        "enabled": Boolean(
            "Real-time protection is on; null when it cannot be read.", nullable=True
        ),
        "up_to_date": Boolean(
            "Signatures are current; null when it cannot be read.", nullable=True
        ),
        "signatures_updated_at": Timestamp(
            "Last successful signature update, where the product tells it.",
            required=False,
            nullable=True,
        ),
        "licence_expires_at": Timestamp(
            "Licence expiry, where the product tells it.",
            latest=LATEST_EXPIRY,
            required=False,
            nullable=True,
        ),
        "sources": List(
            "Where the agent found it: securitycenter, service, registry, path, ...",
            Text("A source name.", max_length=40),
            max_items=8,
        ),
    },
)

REPORT = Object(
    "A report: one machine's facts at one moment.",
    {
        "schema_version": Integer("Version of this contract.", choices=(SCHEMA_VERSION,)),
        "report_id": Uuid("Unique per report, so a resent report is stored once."),
        "collected_at": Timestamp("When the agent collected the facts (UTC)."),
        "agent": Object(
            "The agent that sent the report.",
            {
                "version": Text("Agent version.", max_length=40),
                "unit_code": Text(
                    "Unit the agent was installed for, or null.",
                    max_length=32,
                    pattern=r"[A-Za-z0-9]+",
                    nullable=True,
                ),
            },
        ),
        "machine": Object(
            "The machine.",
            {
                "hostname": Text(
                    "Computer name as the OS names it (NetBIOS name on Windows); one line, no "
                    "invisible characters.",
                    max_length=255,
                    pattern=r".*\S.*",
                    visible=True,
                ),
                "machine_id": Text(
                    "Stable across renames: Windows MachineGuid, Linux /etc/machine-id. Compared "
                    "without case or braces, a UUID with or without hyphens.",
                    max_length=64,
                    pattern=r"\{?[A-Za-z0-9-]{8,62}\}?",
                ),
                "dns_name": Text("Fully qualified DNS name.", required=False, nullable=True),
                "domain": Text("Windows domain or workgroup.", required=False, nullable=True),
                "manufacturer": _name("Hardware manufacturer.", required=False, nullable=True),
                "model": _name("Hardware model.", required=False, nullable=True),
                "serial": _name("Serial number.", required=False, nullable=True),
                "hardware_uuid": Uuid(
                    "SMBIOS UUID of the board (Win32_ComputerSystemProduct, /sys/class/dmi); null "
                    "when absent or all-zero/all-F. Tells clones of one image apart.",
                    required=False,
                    nullable=True,
                ),
                "os": Object(
                    "Operating system.",
                    {
                        "family": Text("OS family.", choices=OS_FAMILIES),
                        "name": _name("Name, e.g. Microsoft Windows 10 Pro, Ubuntu 24.04 LTS."),
                        "version": Text("Version, e.g. 10.0.19045.", max_length=64),
                        "build": Text(
                            "Build number.", max_length=64, required=False, nullable=True
                        ),
                        "edition": _name(
                            "Edition, e.g. Professional.", required=False, nullable=True
                        ),
                        "server": Boolean("A server edition."),
                    },
                ),
                "ram": Object(
                    "Memory.",
                    {
                        "installed_bytes": Integer(
                            "RAM installed, as the firmware reports it; null when unknown. "
                            "The 2 GB exemption is judged on this.",
                            nullable=True,
                        ),
                        "visible_bytes": Integer("RAM the OS can use."),
                    },
                ),
                "device_type": Text("Kind of device.", choices=DEVICE_TYPES),
                "addresses": List(
                    "Network addresses.",
                    Object(
                        "One interface address.",
                        {
                            "ip": Text("IPv4 or IPv6 address.", max_length=64, nullable=True),
                            "mac": Text("MAC address.", max_length=32, nullable=True),
                        },
                    ),
                    max_items=64,
                ),
            },
        ),
        "antivirus": Object(
            "Antivirus products found.",
            {
                "status": Text(
                    "detected: products found; none: every probe ran and found nothing; "
                    "unknown: the probes could not tell.",
                    choices=AV_STATUSES,
                ),
                "products": List("Products found.", PRODUCT, max_items=32),
            },
        ),
        "management_agent": Object(
            "The central console's agent (Kaspersky Network Agent), or null when absent.",
            {
                "name": _name("Its name."),
                "installed": Boolean("Installed."),
                "running": Boolean("Its service is running.", nullable=True),
                "version": Text("Its version.", max_length=64, required=False, nullable=True),
                "server": Text(
                    "The Administration Server it is bound to (Protection_AdmServer), or null.",
                    max_length=255,
                    required=False,
                    nullable=True,
                ),
                "last_connected_at": Timestamp(
                    "Its last synchronisation with that server (Protection_LastConnected), UTC.",
                    required=False,
                    nullable=True,
                ),
            },
            nullable=True,
        ),
        "errors": List(
            "Probes that failed, one line each.",
            Text("What failed and why.", max_length=500),
            max_items=50,
        ),
    },
)


def validate(report):
    """Return the list of problems with `report` (each `path: problem`); empty when valid."""
    errors: list = []
    REPORT.check(report, "", errors)
    return errors


def field_reference(field=REPORT, path=""):
    """Yield (path, type, required, doc) for every field, for the documentation."""
    for name, child in getattr(field, "fields", {}).items():
        child_path = path + "." + name if path else name
        kind = child.kind() + (" or null" if child.nullable else "")
        yield child_path, kind, child.required, child.doc
        yield from field_reference(child, child_path)
        if isinstance(child, List):
            yield from field_reference(child.item, child_path + "[]")


if __name__ == "__main__":
    for row in field_reference():
        print(
            "{:<42} {:<32} {:<9} {}".format(
                row[0], row[1], "required" if row[2] else "optional", row[3]
            )
        )


def text_problem(text):
    """What keeps `text` from being plain text under the report's rules (a control
    character, invalid Unicode), or None: the collector applies it to every field an
    administrator enters, every setting and every import."""
    if _has_control_chars(text):
        return "must not contain control characters"
    if _has_invalid_unicode(text):
        return (
            "must be valid Unicode text without direction overrides or noncharacters "
            "(U+FFFE, U+FFFF, ...)"
        )
    return None
