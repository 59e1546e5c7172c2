"""Page language: Vietnamese by default, English on request (`?lang=en`, kept in a cookie).

Templates write English text through `_()`; VI holds its Vietnamese. A test checks that
every text the templates use has a translation.
"""

from __future__ import annotations

from flask import g, request

from collector import formatting

LANGUAGES = ("vi", "en")
COOKIE = "lang"

VI = {
    "Antivirus rollout": "Triển khai phần mềm phòng, chống mã độc",
    "Computers": "Máy tính",
    "Computer": "Máy tính",
    "Search": "Tìm",
    "Hostname, IP, MAC or machine ID": "Tên máy, IP, MAC hoặc mã máy",
    "No computer has reported yet.": "Chưa có máy tính nào gửi báo cáo.",
    "No computer matches.": "Không có máy tính nào phù hợp.",
    "computers": "máy tính",
    "Hostname": "Tên máy",
    "Unit": "Đơn vị",
    "Operating system": "Hệ điều hành",
    "RAM installed": "RAM lắp đặt",
    "RAM visible": "RAM sử dụng được",
    "Device type": "Loại thiết bị",
    "Antivirus": "Phần mềm phòng, chống mã độc",
    "Management agent": "Network Agent (quản lý tập trung)",
    "Last report": "Báo cáo gần nhất",
    "First seen": "Lần đầu thấy",
    "Previous": "Trang trước",
    "Next": "Trang sau",
    "Page": "Trang",
    "of": "/",
    "Machine ID": "Mã máy",
    "Agent version": "Phiên bản agent",
    "Addresses": "Địa chỉ mạng",
    "Products": "Sản phẩm",
    "Product": "Sản phẩm",
    "Vendor": "Hãng",
    "Version": "Phiên bản",
    "Enabled": "Đang bật",
    "Up to date": "Cập nhật mẫu",
    "Found by": "Phát hiện qua",
    "Names": "Các tên máy",
    "since": "từ",
    "History": "Lịch sử báo cáo",
    "Received": "Nhận lúc",
    "Probe errors in the latest report": "Lỗi thu thập trong báo cáo gần nhất",
    "yes": "có",
    "no": "không",
    "unknown": "không rõ",
    "running": "đang chạy",
    "stopped": "đã dừng",
    "not installed": "chưa cài",
    "installed": "đã cài",
    "detected": "có",
    "none": "không có",
    "desktop": "máy tính để bàn",
    "laptop": "máy tính xách tay",
    "server": "máy chủ",
    "virtual": "máy ảo",
    "Server": "Máy chủ",
    "Page not found": "Không tìm thấy trang",
    "Back to the list": "Quay lại danh sách",
    "Not Found": "Không tìm thấy",
    "Internal Server Error": "Lỗi máy chủ",
    "Method Not Allowed": "Phương thức không được phép",
    "Bad Request": "Yêu cầu không hợp lệ",
    "Forbidden": "Không có quyền truy cập",
    "Unauthorized": "Chưa đăng nhập",
    "Too Many Requests": "Quá nhiều yêu cầu",
    "Request Entity Too Large": "Dữ liệu gửi lên quá lớn",
    "Log in": "Đăng nhập",
    "Log out": "Đăng xuất",
    "Username": "Tên đăng nhập",
    "Password": "Mật khẩu",
    "Wrong username or password.": "Sai tên đăng nhập hoặc mật khẩu.",
    "Too many failed logins. Try again later.":
        "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.",
    "Audit log": "Nhật ký thay đổi",
    "changes": "thay đổi",
    "Nothing has been changed yet.": "Chưa có thay đổi nào.",
    "When": "Thời điểm",
    "Who": "Người thực hiện",
    "Action": "Thao tác",
    "Details": "Chi tiết",
}


def current_language():
    """The language of this request: `?lang=`, else the cookie, else Vietnamese."""
    if "lang" not in g:
        asked = request.args.get("lang") or request.cookies.get(COOKIE)
        g.lang = asked if asked in LANGUAGES else "vi"
    return g.lang


def translate(text):
    return VI.get(text, text) if current_language() == "vi" else text


def remember_language(response):
    """Keep an explicit `?lang=` choice for the following pages."""
    asked = request.args.get("lang")
    if asked in LANGUAGES:
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax",
                            httponly=True)
    return response


def register(app):
    app.jinja_env.globals.update(_=translate, lang=current_language)
    for name in ("number", "percent", "gigabytes", "date", "datetime_local"):
        app.jinja_env.filters[name] = _localised(getattr(formatting, name))
    app.after_request(remember_language)


def _localised(format_function):
    def apply(value, *args):
        return format_function(value, current_language(), *args)
    return apply
