"""One line per figure saying what it counts: shown beside each figure on the pages (legend
and tooltips) and written the same in the README's "How avroll counts" (a test keeps the two
equal). The rules themselves are in `states.py`; these lines describe them."""

from __future__ import annotations

# Figure key (as the rollup and the API name it) -> (label, definition), in English; the
# pages show them in Vietnamese through the translations of `collector.web.i18n`.
FIGURES = {
    "allocated": (
        "Licences allocated",
        "Licences allocated to the unit; when it has none of its own, the sum of its children's.",
    ),
    "installed_official": (
        "Licences installed",
        "Machines named for the unit or a unit under it with a mandated "
        "product installed (connected too, when official_requires_connected "
        "is yes): the appendix's figure.",
    ),
    "install_rate": ("Install rate", "Licences installed divided by licences allocated."),
    "seen": ("Machines seen", "Machines whose latest report is at most stale_after_days old."),
    "installed": (
        "Installed (all names)",
        "Machines seen with a mandated product installed, misnamed ones included.",
    ),
    "connected": (
        "Connected",
        "Installed machines whose Network Agent synchronised with the "
        "Administration Server within connected_days.",
    ),
    "protected": (
        "Protected",
        "Installed machines with a mandated product enabled and up to date (without "
        "Security Center: signatures at most signatures_max_age_days old).",
    ),
    "exempt": (
        "Exempt",
        "Machines without a mandated product whose RAM, the larger of installed and "
        "visible, is below ram_exempt_below_mb.",
    ),
    "missing": ("Missing", "Machines seen, neither installed nor exempt."),
    "stale": ("Stale", "Machines not seen for stale_after_days: listed, not counted."),
    "misnamed": (
        "Misnamed",
        "Machines seen whose name does not follow naming_pattern with a known unit code.",
    ),
    "coverage": ("Coverage", "Installed divided by machines seen that are not exempt."),
}
