"""Antivirus facts from the raw records Windows and Linux give: decoded, merged, judged."""

from __future__ import annotations

from collections import namedtuple

ProductState = namedtuple("ProductState", "enabled up_to_date")


def decode_product_state(state):
    """Decode Security Center's `productState` with its bit masks.

    The middle byte is the real-time protection state (0x10 on; 0x00 off, 0x20 snoozed,
    0x30 expired) and the low byte's high nibble the signature state (0x00 up to date,
    0x10 out of date). Microsoft does not document the layout; it is the one WSC
    providers have used since Vista, as read from many published productState tables.
    """
    state = int(state)
    return ProductState(enabled=(state & 0xF000) == 0x1000, up_to_date=(state & 0x00F0) == 0)


def security_center_products(entries):
    """Products from `AntiVirusProduct` records, one per product name."""
    products = {}
    for entry in entries:
        name = (entry.get("displayName") or "").strip()
        if not name:
            continue
        decoded = decode_product_state(entry.get("productState") or 0)
        product = products.setdefault(name.lower(), {
            "name": name, "vendor": vendor_of(name), "version": None,
            "enabled": decoded.enabled, "up_to_date": decoded.up_to_date,
            "sources": ["securitycenter"]})
        # Windows can list a product twice (old and new registration): trust the active one.
        product["enabled"] = product["enabled"] or decoded.enabled
        product["up_to_date"] = product["up_to_date"] or decoded.up_to_date
    return list(products.values())


VENDORS = (("kaspersky", "Kaspersky"), ("windows defender", "Microsoft"),
           ("microsoft defender", "Microsoft"), ("bkav", "BKAV"), ("mcafee", "McAfee"),
           ("eset", "ESET"), ("symantec", "Broadcom"), ("norton", "Gen Digital"),
           ("avast", "Gen Digital"), ("avg", "Gen Digital"), ("trend micro", "Trend Micro"),
           ("bitdefender", "Bitdefender"), ("sophos", "Sophos"))


def vendor_of(product_name):
    """The vendor named by a product's name, or None."""
    lowered = product_name.lower()
    return next((vendor for key, vendor in VENDORS if key in lowered), None)


def status_of(products, probes_failed):
    """detected when anything was found; none only when every probe could look."""
    if products:
        return "detected"
    return "unknown" if probes_failed else "none"
