"""One wording for each machine state, used by the pages, the lists and the exports alike,
so a machine reads the same on screen and on paper."""

from __future__ import annotations

# state (as counting names it, plus the "installed" filter) -> {language: words}
STATE_WORDS = {
    "protected": {"vi": "Đã cài, đang bảo vệ", "en": "Installed, protected"},
    "unprotected": {
        "vi": "Đã cài, chưa bảo vệ (tắt hoặc chưa cập nhật)",
        "en": "Installed, not protected (off or outdated)",
    },
    "installed": {"vi": "Đã cài", "en": "Installed"},
    "exempt": {"vi": "Miễn cài (RAM dưới ngưỡng)", "en": "Exempt (RAM below the limit)"},
    "missing": {"vi": "Chưa cài", "en": "Not installed"},
    "stale": {"vi": "Quá hạn báo cáo", "en": "Not reporting (stale)"},
    "not_connected": {"vi": "Đã cài, chưa kết nối", "en": "Installed, not connected"},
    "retired": {"vi": "Thôi tính", "en": "Retired"},
}


def state_word(state, lang="vi"):
    """The words for a machine state; an unknown state is shown as it is."""
    return STATE_WORDS.get(state, {}).get(lang, state)
