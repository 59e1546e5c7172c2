"""Which reported antivirus products are the mandated one: matched by vendor and product
family, whatever the localisation ("Kaspersky Endpoint Security 10 для Windows"), the
service pack or maintenance release ("… 10 Service Pack 1 for Windows", "… SP1") and the
version. The families are the `required_product` setting.

Pure functions over names, plus the list of stored names the settings page shows.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# "for" as localised product names write it (ru, fr, de, es/pt, it, vi, nl, pl, cs).
LOCALISED_FOR = {"для", "pour", "für", "fur", "para", "per", "cho", "voor", "dla", "pro"}
# Service packs, maintenance releases, versions, builds and bitness say nothing of the family.
RELEASE = re.compile(r"\b(?:service\s+pack|maintenance\s+release)\s*\d*\b")
NOT_FAMILY = re.compile(r"v?\d[\d.]*|sp\d*|mr\d*|x64|x86|bit")
# Editions of a family's licence ("Kaspersky Endpoint Security for Business Select").
EDITIONS = {"select", "advanced", "total", "standard", "enterprise", "edition"}
# KSC's own product table names the Windows product without "for Windows": "Kaspersky
# Endpoint Security 10 MR1", "… 10 SP1 MR1", "… 11", "Kaspersky Enterprise Security 10.0
# Service Pack 1". Its other platforms keep theirs ("… 11 for Linux"), so these are that one.
CONSOLE_NAMES = {
    ("kaspersky", "endpoint", "security"): "Kaspersky Endpoint Security for Windows",
    ("kaspersky", "enterprise", "security"): "Kaspersky Endpoint Security for Windows",
}


def family_key(name):
    """The words of a product name that name its vendor and family, in order (KSC's own
    names of the Windows product as that product's)."""
    text = RELEASE.sub(" ", unicodedata.normalize("NFKC", name).casefold())
    words = re.sub(r"[^\w]+|_", " ", text).split()
    key = tuple(
        "for" if word in LOCALISED_FOR else word for word in words if not NOT_FAMILY.fullmatch(word)
    )
    return family_key(CONSOLE_NAMES[key]) if key in CONSOLE_NAMES else key


def is_mandated(name, families):
    """True when `name` is one of the `families` (product family names), an edition of one
    included; never a different product of the same vendor."""
    key = family_key(name)
    for family in families:
        wanted = family_key(family)
        if key[: len(wanted)] == wanted and all(word in EDITIONS for word in key[len(wanted) :]):
            return True
    return False


@lru_cache(maxsize=4096)
def _counts_as_mandated(name, families):
    return is_mandated(name, families)


def mandated_names(db, families):
    """The stored product names that are the mandated product (each name judged once per
    process: every batch of reports asks)."""
    families = tuple(families)
    return [
        name
        for (name,) in db.execute("SELECT name FROM product_names")
        if _counts_as_mandated(name, families)
    ]


def reported_products(db, families, limit=500):
    """Each product name agents reported (up to `limit`), and whether it counts."""
    return [
        {"name": name, "counts": is_mandated(name, families)}
        for (name,) in db.execute("SELECT name FROM product_names ORDER BY name LIMIT ?", [limit])
    ]
