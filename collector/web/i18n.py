"""Page language: Vietnamese by default, English on request (`?lang=en`, kept in a cookie).

Templates write English text through `_()`; VI holds its Vietnamese. A test checks that
every text the templates use has a translation.
"""

from __future__ import annotations

import re

from flask import g, request

from collector.counting.definitions import FIGURES
from collector.formats import formatting
from collector.formats.lookalikes import unusual_characters
from collector.formats.state_words import state_word
from collector.store import settings
from collector.store.db import get_db
from collector.store.settings import SETTINGS
from collector.web import words

LANGUAGES = ("vi", "en")
# A setting's key as a word of its own (longest first: no key is cut inside another).
SETTING_KEY = re.compile(r"\b(" + "|".join(sorted(SETTINGS, key=len, reverse=True)) + r")\b")
COOKIE = "lang"

VI = {
    "Antivirus rollout": "Triển khai phần mềm phòng, chống mã độc",
    "Computers": "Máy tính",
    "Being recounted after a change of the units, the naming rule or a counting setting: the "
    "figures shown are those of before it.": "Đang tính lại sau thay đổi đơn vị, quy tắc đặt tên hoặc thiết lập tính số liệu: các "
    "số liệu đang hiển thị là số liệu trước thay đổi.",
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
    "First": "Trang đầu",
    "Last": "Trang cuối",
    "Go": "Đến trang",
    "IP address": "Địa chỉ IP",
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
    "Naming rule for computers": "Quy tắc đặt tên máy tính",
    "Exempt below this RAM (MB)": "Miễn cài khi RAM dưới (MB)",
    "Not reporting after (days)": "Quá hạn báo cáo sau (ngày)",
    "Imported units from a file": "Nhập danh sách đơn vị từ tệp",
    "Saved units": "Lưu thông tin đơn vị",
    "Changed a setting": "Thay đổi thiết lập",
    "Changed the mail settings": "Thay đổi thiết lập thư điện tử",
    "Issued a report": "Ban hành báo cáo",
    "Thinned old reports (retention rule)": "Lược bớt báo cáo cũ (quy tắc lưu giữ)",
    "Report issued": "Báo cáo đã ban hành",
    "Connected within (days)": "Kết nối được trong vòng (ngày)",
    "Added a user": "Thêm người dùng",
    "Disabled a user": "Khóa người dùng",
    "Enabled a user": "Mở khóa người dùng",
    "Reset a user's password": "Đặt lại mật khẩu người dùng",
    "Created an enrollment token": "Tạo mã đăng ký agent",
    "Revoked an enrollment token": "Thu hồi mã đăng ký agent",
    "Let a computer enroll again": "Cho phép máy tính đăng ký lại",
    "Install rate over time": "Tỷ lệ cài đặt theo thời gian",
    "Connected": "Kết nối được",
    "Mandated antivirus": "Phần mềm bắt buộc",
    "Products found": "Sản phẩm phát hiện",
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
    "Other files are being exported; try again in a few minutes.": "Đang có nhiều tệp được xuất; vui lòng thử lại sau ít phút.",
    "PC clock": "Đồng hồ của máy",
    "The name holds characters that look like others": "Tên máy có ký tự trông giống ký tự khác",
    "compared with the collector's, when it last sent": "so với máy chủ, lúc gửi gần nhất",
    "Too many failed logins. Try again later.": "Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau.",
    "Audit log": "Nhật ký thay đổi",
    "changes": "thay đổi",
    "Nothing has been changed yet.": "Chưa có thay đổi nào.",
    "When": "Thời điểm",
    "Who": "Người thực hiện",
    "Action": "Thao tác",
    "Details": "Chi tiết",
    "(its name says another unit)": "(tên máy ghi đơn vị khác)",
    "Add or change one unit": "Thêm hoặc sửa một đơn vị",
    "All": "Tất cả",
    "All computers": "Tất cả máy tính",
    "All units": "Tất cả đơn vị",
    "An agent sends a token with its first report; the collector then gives that machine its own credential. A token bound to a unit places every machine it enrolls in that unit.": "Agent gửi mã đăng ký kèm báo cáo đầu tiên; máy chủ thu thập sau đó cấp cho máy đó khóa riêng. Mã gắn với một đơn vị sẽ đưa mọi máy đăng ký bằng mã đó vào đơn vị này.",
    "Any name": "Mọi tên máy",
    "Any unit": "Mọi đơn vị",
    "As of": "Tính đến ngày",
    "CSV or XLSX with the header code, name, group, parent, allocated (contacts optional; Vietnamese headings accepted). Units are added or updated by code; a file with any error changes nothing.": "Tệp CSV hoặc XLSX có dòng tiêu đề code, name, group, parent, allocated (thông tin đầu mối không bắt buộc; chấp nhận tiêu đề tiếng Việt). Đơn vị được thêm mới hoặc cập nhật theo mã; tệp có bất kỳ lỗi nào sẽ không thay đổi gì.",
    "Children allocated more than the unit": "Đơn vị trực thuộc được phân bổ nhiều hơn đơn vị",
    "Code": "Mã",
    "Contacts": "Đầu mối liên hệ",
    "Counted for unit": "Được tính cho đơn vị",
    "Coverage": "Tỷ lệ phủ",
    "Create a token": "Tạo mã đăng ký",
    "Created": "Tạo lúc",
    "Device survey": "Biểu mẫu khảo sát thiết bị",
    "Download the current units": "Tải danh sách đơn vị hiện có",
    "Duplicate names": "Trùng tên máy",
    "Edit": "Sửa",
    "Edit this unit": "Sửa thông tin đơn vị",
    "Edit units": "Quản lý đơn vị",
    "Enrolled for another unit": "Đăng ký cho đơn vị khác",
    "Enrolled for unit": "Đăng ký cho đơn vị",
    "Enrollment tokens": "Mã đăng ký agent",
    "Every state": "Mọi trạng thái",
    "Exempt": "Miễn cài (RAM thấp)",
    "Filter": "Lọc",
    "Grand total": "Tổng cộng",
    "IT officer": "Cán bộ phụ trách CNTT",
    "IT officer's phone": "Điện thoại cán bộ",
    "Import": "Nhập",
    "Import a file": "Nhập từ tệp",
    "Install rate": "Tỷ lệ cài đặt",
    "Install rate by unit": "Tỷ lệ cài đặt theo đơn vị",
    "Install rate per unit": "Tỷ lệ cài đặt của từng đơn vị",
    "Install-rate appendix": "Phụ lục tỷ lệ cài đặt",
    "Installed": "Đã cài",
    "Installed (all names)": "Đã cài (mọi tên máy)",
    "Installed but not named per the guideline": "Số máy đã cài đặt nhưng chưa đặt tên theo hướng dẫn",
    "Installed, not protected": "Đã cài, chưa được bảo vệ",
    "Last used": "Dùng lần cuối",
    "Leader": "Lãnh đạo phụ trách",
    "Leader's phone": "Điện thoại lãnh đạo",
    "Licences allocated": "Số lượng bản quyền được phân bổ",
    "Licences installed": "Số lượng bản quyền được cài đặt",
    "Machines enrolled": "Số máy đã đăng ký",
    "Machines of the unit itself": "Máy của chính đơn vị (không thuộc đơn vị trực thuộc)",
    "Machines seen": "Số máy báo cáo",
    "Meaning": "Ý nghĩa",
    "Misnamed": "Đặt tên chưa đúng",
    "Missing": "Chưa cài",
    "Named per guideline": "Đặt tên đúng hướng dẫn",
    "Needs action now": "Cần xử lý ngay",
    "New token, shown only this once:": "Mã đăng ký mới, chỉ hiển thị một lần này:",
    "No computer in this list.": "Không có máy tính nào trong danh sách này.",
    "No licence allocated": "Chưa được phân bổ bản quyền",
    "No machine reporting": "Chưa có máy báo cáo",
    "No unit has licences allocated yet.": "Chưa có đơn vị nào được phân bổ bản quyền.",
    "No unit yet: an administrator imports them.": "Chưa có đơn vị: quản trị viên cần nhập danh sách đơn vị.",
    "No.": "STT",
    "Note": "Ghi chú",
    "Nothing was changed:": "Không có thay đổi nào được lưu:",
    "Only": "Chỉ xem",
    "Order of the appendix": "Thứ tự như phụ lục",
    "Over quota": "Vượt số được phân bổ",
    "Overview": "Tổng quan",
    "Parent unit code": "Mã đơn vị cấp trên",
    "Print": "In",
    "Protected": "Được bảo vệ",
    "Reporting status": "Tình hình báo cáo",
    "Revoke": "Thu hồi",
    "Revoked": "Thu hồi lúc",
    "Save": "Lưu",
    "Saved": "Đã lưu",
    "Section": "Khối",
    "Section total": "Cộng",
    "Setting": "Thiết lập",
    "Settings": "Thiết lập",
    "Show": "Xem",
    "Stale": "Lâu không báo cáo",
    "State": "Trạng thái",
    "The units table": "Bảng số liệu theo đơn vị",
    "The units with the lowest rates": "Các đơn vị có tỷ lệ thấp nhất",
    "The whole province": "Toàn tỉnh",
    "This list": "Danh sách này",
    "Under": "Trực thuộc",
    "Unit code": "Mã đơn vị",
    "Unit name": "Tên đơn vị",
    "Units": "Đơn vị",
    "Units under it": "Các đơn vị trực thuộc",
    "Value": "Giá trị",
    "as of": "tính đến ngày",
    "default": "mặc định",
    "enrolled for": "đăng ký cho",
    "its units were allocated more licences than it has": "các đơn vị trực thuộc được phân bổ nhiều bản quyền hơn đơn vị",
    "lowest rate": "tỷ lệ thấp nhất",
    "machines named for one unit, enrolled for another": "máy đặt tên theo một đơn vị nhưng đăng ký cho đơn vị khác",
    "machines not named per the guideline": "máy chưa đặt tên theo hướng dẫn",
    "machines with the antivirus installed but not protected (off or outdated)": "máy đã cài phần mềm nhưng chưa được bảo vệ (tắt hoặc chưa cập nhật)",
    "machines without the antivirus": "máy chưa cài phần mềm",
    "names used by two machines or more": "tên máy bị trùng giữa hai máy trở lên",
    "new": "thêm mới",
    "over 100% (more installed than allocated)": "trên 100% (cài nhiều hơn số được phân bổ)",
    "pattern": "mẫu",
    "units": "đơn vị",
    "units over quota": "đơn vị vượt số bản quyền được phân bổ",
    "units under it": "đơn vị trực thuộc",
    "units with no machine reporting": "đơn vị chưa có máy báo cáo",
    "updated": "cập nhật",
    # The console's and the directory's view, and reminders by e-mail.
    "(set: leave empty to keep it)": "(đã đặt: để trống để giữ nguyên)",
    "Attachments": "Tệp đính kèm",
    "Compare with the Kaspersky console and the directory": "Đối chiếu với máy chủ quản trị Kaspersky và Active Directory",
    "Console and directory imports": "Nhập danh sách từ KSC và Active Directory",
    "Contact e-mail": "E-mail liên hệ",
    "File": "Tệp",
    "Forget the password": "Xóa mật khẩu đã lưu",
    "Imported": "Đã nhập",
    "Exported at": "Thời điểm xuất tệp",
    "Allocated": "Được phân bổ",
    "DTI rate": "Tỷ lệ DTI",
    "DTI rate: machines with the mandated antivirus installed and connected to the "
    "Administration Server, over the licences allocated (letter 003: “Tỷ lệ hệ thống thông "
    "tin được triển khai giám sát an toàn thông tin và cài đặt đầy đủ phần mềm phòng chống "
    "mã độc tập trung”).": "Tỷ lệ DTI: số máy đã cài phần mềm phòng, chống mã độc tập trung và kết nối được với "
    "máy chủ quản trị, trên số bản quyền được phân bổ (công văn 003: “Tỷ lệ hệ thống "
    "thông tin được triển khai giám sát an toàn thông tin và cài đặt đầy đủ phần mềm "
    "phòng chống mã độc tập trung”).",
    "Every province has pushed since then.": "Mọi tỉnh đã gửi số liệu từ ngày đó.",
    "Last push": "Lần gửi gần nhất",
    "National appendix": "Phụ lục toàn quốc",
    "No figures pushed yet.": "Chưa gửi số liệu nào.",
    "Not pushed since": "Chưa gửi từ ngày",
    "Province": "Tỉnh, thành phố",
    "Provinces": "Các tỉnh, thành phố",
    "Provinces that have not pushed since": "Các tỉnh chưa gửi số liệu từ ngày",
    "Total": "Tổng cộng",
    "never": "chưa bao giờ",
    "Exported at (as the file says)": "Thời điểm xuất tệp (theo tệp)",
    "Exported at (as you gave it)": "Thời điểm xuất tệp (theo người nhập)",
    "Needed when the file writes times such as '12 minutes ago' and does not say when it "
    "was exported (an XLSX file says so itself).": 'Cần khi tệp ghi thời gian kiểu "12 phút trước" mà không cho biết thời điểm xuất '
    "(tệp XLSX tự ghi thời điểm này).",
    "Imports": "Nhập KSC/AD",
    "Imports so far": "Các lần nhập",
    "In KSC under a name of no unit": "Có trong KSC, tên máy không theo đơn vị nào",
    "KSC group": "Nhóm trong KSC",
    "Kaspersky console and directory": "Đối chiếu với KSC và Active Directory",
    "Kaspersky not connected to the console": "Đã cài Kaspersky nhưng chưa kết nối được với máy chủ quản trị",
    "Installed, not in the KSC list": "Đã cài, không có trong danh sách KSC",
    "machines with the antivirus installed that the KSC list does not hold": "máy đã cài phần mềm nhưng không có trong danh sách KSC",
    "Confirmed: installed, connected, named, in the KSC list": "Đã xác nhận: đã cài, kết nối, đặt đúng tên, có trong danh sách KSC",
    "KSC list exported": "Danh sách KSC xuất ngày",
    "Last connected to KSC": "Kết nối KSC lần cuối",
    "Last logon (AD)": "Đăng nhập AD lần cuối",
    "List": "Danh sách",
    "Login": "Tên đăng nhập",
    "No avroll agent": "Chưa có agent avroll",
    "No avroll agent (known to KSC or AD)": "Chưa có agent avroll (có trong KSC hoặc AD)",
    "No list from the Kaspersky console or the directory has been imported yet.": "Chưa nhập danh sách nào từ KSC hoặc Active Directory.",
    "No reminder has been sent yet.": "Chưa gửi thư đôn đốc nào.",
    "No unit is below this rate.": "Không có đơn vị nào dưới tỷ lệ này.",
    "Not connected": "Chưa kết nối",
    "Nothing imported yet.": "Chưa nhập lần nào.",
    "Port": "Cổng",
    "Reconciliation": "Đối chiếu",
    "Reconciliation lists": "Danh sách đối chiếu",
    "Reminders": "Đôn đốc",
    "Reminders by e-mail": "Đôn đốc qua thư điện tử",
    "Result": "Kết quả",
    "SMTP server": "Máy chủ thư (SMTP)",
    "Security": "Bảo mật",
    "Seen by": "Nguồn thấy máy",
    "Send these reminders now": "Gửi các thư đôn đốc này ngay",
    "Also the units that answered their last reminder (a new round)": "Cả các đơn vị đã báo "
    "cáo sau thư đôn đốc gần nhất (một đợt mới)",
    "not sent again: answered the reminder of": "không gửi lại: đã báo cáo sau thư đôn đốc ngày",
    "skipped": "bỏ qua",
    "Every unit below this rate answered its last reminder.": "Mọi đơn vị dưới mức này đã báo "
    "cáo sau thư đôn đốc gần nhất.",
    "Sender address": "Địa chỉ gửi",
    "Sendings": "Các lần gửi",
    "Set the SMTP server and the sender first.": "Hãy khai báo máy chủ thư và địa chỉ gửi trước.",
    "Source": "Nguồn",
    "Subject": "Tiêu đề",
    "The device list exported from Kaspersky Security Center (tab-delimited text or CSV, UTF-8 or UTF-16), or the computer list exported from Active Directory (Get-ADComputer | Export-Csv, or csvde). Columns are found by their headings; a file with any bad line changes nothing. Each import is kept; the newest of each kind counts.": "Danh sách thiết bị xuất từ Kaspersky Security Center (tệp văn bản phân cách bằng tab hoặc CSV, UTF-8 hoặc UTF-16), hoặc danh sách máy tính xuất từ Active Directory (Get-ADComputer | Export-Csv, hoặc csvde). Các cột được nhận theo tiêu đề; tệp có bất kỳ dòng lỗi nào sẽ không được nhập. Mỗi lần nhập đều được lưu; lần mới nhất của mỗi nguồn được dùng để tính.",
    "To": "Gửi tới",
    "Units below this install rate (%)": "Đơn vị có tỷ lệ cài đặt dưới (%)",
    "Who would get a reminder": "Đơn vị sẽ nhận thư đôn đốc",
    "avroll's reports beside the newest lists imported from the Kaspersky console (KSC) and the directory (AD).": "Báo cáo của avroll đặt cạnh danh sách mới nhất nhập từ máy chủ quản trị Kaspersky (KSC) và Active Directory (AD).",
    "connected: heard from within": "kết nối được: KSC nhận tín hiệu trong vòng",
    "days": "ngày",
    "failed": "lỗi",
    "machines in KSC under a name of no unit": "máy có trong KSC nhưng tên không theo đơn vị nào",
    "machines known to KSC or AD without an avroll agent": "máy có trong KSC hoặc AD nhưng chưa có agent avroll",
    "machines whose Kaspersky is not connected to the console": "máy đã cài Kaspersky nhưng chưa kết nối được với máy chủ quản trị",
    "no e-mail: cannot send": "chưa có e-mail: không gửi được",
    "not imported": "chưa nhập",
    "sent": "đã gửi",
    "shared name: matched by IP only": "tên dùng chung: chỉ khớp theo IP",
    "whole province": "toàn tỉnh",
    "How computers must be named: {unit} a unit code, {any} letters, digits or hyphens, {n} digits, {text} letters; matched case-insensitively against the whole name (at most 15 characters).": "Quy tắc đặt tên máy tính: {unit} là mã đơn vị, {any} là chữ, chữ số hoặc dấu gạch ngang, {n} là chữ số, {text} là chữ; so khớp không phân biệt hoa thường với toàn bộ tên máy (tối đa 15 ký tự).",
    "A machine not seen for this many days is stale: listed, not counted.": "Máy không báo cáo quá số ngày này là lâu không báo cáo: vẫn liệt kê nhưng không tính.",
    "connected": "đã kết nối",
    "not connected": "chưa kết nối",
    "Installed, not connected": "Đã cài, chưa kết nối",
    "last contact": "kết nối lần cuối",
    "Last contact with the Administration Server": "Kết nối lần cuối với máy chủ quản trị",
    "machines with the antivirus installed but not connected to the Administration Server": "máy đã cài phần mềm nhưng chưa kết nối với máy chủ quản trị",
    "What each figure counts": "Ý nghĩa từng số liệu",
    "Not in this unit's total: counted in the province's row": "Không cộng vào tổng của đơn vị: được tính ở dòng của toàn tỉnh",
    "Total of the unit": "Tổng của đơn vị",
    "Machine limit": "Giới hạn số máy",
    "Official installed only if connected": "Chỉ tính cài đặt chính thức khi đã kết nối",
    "Signatures current within (days)": "Cơ sở dữ liệu mẫu còn mới trong (ngày)",
    "Retired after not reporting for (days)": "Thôi tính khi không báo cáo quá (ngày)",
    "Every report kept for (days)": "Giữ mọi báo cáo trong (ngày)",
    "One report a day kept for (days)": "Giữ mỗi ngày một báo cáo trong (ngày)",
    "Takes effect from": "Có hiệu lực từ ngày",
    "A change takes effect from today, or from the earlier day you give: figures as of an earlier day keep the value then in force, so a report already sent comes out the same. The naming pattern applies to every date. Every change is written to the audit log.": "Thay đổi có hiệu lực từ hôm nay, hoặc từ ngày trước đó do bạn nhập: số liệu tính đến một ngày trước đó giữ giá trị có hiệu lực khi ấy, nên báo cáo đã gửi vẫn ra đúng như cũ. Mẫu đặt tên áp dụng cho mọi ngày. Mọi thay đổi đều được ghi nhật ký.",
    "A change (allocation, name, section, parent) takes effect from today, or from the earlier day you give: figures as of an earlier day keep the values then in force. A new unit counts from the beginning.": "Thay đổi (phân bổ, tên, khối, đơn vị cấp trên) có hiệu lực từ hôm nay, hoặc từ ngày trước đó do bạn nhập: số liệu tính đến một ngày trước đó giữ giá trị có hiệu lực khi ấy. Đơn vị mới được tính từ đầu.",
    "and retire the machines it enrolled from": "và cho thôi tính các máy đăng ký bằng mã này từ",
    "enrolled from (when the token leaked)": "đăng ký từ (lúc mã bị lộ)",
    "To retire the machines it enrolled, give the moment the token leaked: those enrolled "
    "before stay.": "Để cho thôi tính các máy đã đăng ký bằng mã này, hãy nhập thời điểm mã bị "
    "lộ: các máy đăng ký trước đó vẫn được tính.",
    "Conflict": "Xung đột",
    "Named for a unit outside the one its enrollment token is bound to: counted for neither until an administrator assigns it.": "Tên máy theo một đơn vị ngoài đơn vị của mã đăng ký: không tính cho đơn vị nào cho đến khi quản trị viên gán đơn vị.",
    "Assigned by hand": "Gán đơn vị thủ công",
    "Retired": "Thôi tính",
    "retired": "thôi tính",
    "from": "từ",
    "Count it for unit": "Tính cho đơn vị",
    "as its name says": "theo tên máy",
    "Assign": "Gán",
    "Retire from": "Thôi tính từ ngày",
    "Reason": "Lý do",
    "Retire": "Thôi tính",
    "machines named for a unit outside their token's: counted for neither": "máy đặt tên theo đơn vị ngoài đơn vị của mã đăng ký: không tính cho đơn vị nào",
    "Product names reported by the agents": "Tên sản phẩm các agent đã báo cáo",
    "Counts as the mandated product": "Được tính là phần mềm bắt buộc",
    "Product name": "Tên sản phẩm",
    "Mandated product families (required_product)": "Các dòng sản phẩm bắt buộc (required_product)",
    # The drafted letters and issued reports (issue 14).
    "Letters (drafts to check and sign)": "Công văn (dự thảo để kiểm tra và ký)",
    "Report letter": "Công văn báo cáo",
    "Reminder to the units below": "Công văn đôn đốc các đơn vị có tỷ lệ dưới",
    "report by": "hạn báo cáo",
    "Issued reports": "Báo cáo đã ban hành",
    "Deployment need (form 2)": "Nhu cầu triển khai (Biểu mẫu 2)",
    "When a report letter has been signed, issue it here with its number and date: its appendix and letter are made once more with them and kept, and download later exactly as they were sent, whatever changes afterwards.": "Khi công văn báo cáo đã được ký, ghi số và ngày ban hành tại đây: phụ lục và công văn được tạo lại với số, ngày đó và lưu giữ; về sau tải xuống đúng như bản đã gửi, dù số liệu có thay đổi.",
    "Number": "Số",
    "Issued on": "Ngày ban hành",
    "Figures as of": "Số liệu đến ngày",
    "Issue the report": "Ban hành báo cáo",
    "No report issued yet.": "Chưa có báo cáo nào được ban hành.",
    "Files": "Tệp",
    "Issued by": "Người ban hành",
    "Late data would change the figures of this document as of %(day)s (the files issued stay as they were):": "Dữ liệu đến muộn làm thay đổi số liệu đến ngày %(day)s của văn bản này (các tệp đã ban hành giữ nguyên):",
    "The figures of that day are being counted again: reload in a moment to compare them with the issued ones.": "Số liệu của ngày đó đang được tính lại: tải lại trang sau ít phút để so sánh với số liệu đã ban hành.",
    "Its unit no longer exists: its figures cannot be compared with today's.": "Đơn vị của văn bản không còn: không so sánh được số liệu với hôm nay.",
    "Neither its figures nor its appendix were kept: not compared with today's.": "Không lưu số liệu và phụ lục của văn bản này: không so sánh với số liệu hôm nay.",
    # Letters each level signs, reminders that chase (issue 21).
    "A reminder is issued the same way: its letter, the appendix and the form the units answer on are kept as sent.": "Công văn đôn đốc cũng được ban hành như vậy: công văn, phụ lục và biểu mẫu các đơn vị báo cáo được lưu đúng như bản đã gửi.",
    "Units below (%)": "Đơn vị có tỷ lệ dưới (%)",
    "Report by": "Hạn báo cáo",
    "Issue the reminder": "Ban hành công văn đôn đốc",
    "Document": "Văn bản",
    "Reminder": "Công văn đôn đốc",
    "Report": "Công văn báo cáo",
    "Issued a reminder": "Ban hành công văn đôn đốc",
    "Changed a unit's letterhead": "Sửa tiêu đề công văn của đơn vị",
    "Recorded a unit's reply": "Ghi nhận đơn vị đã báo cáo",
    "Sender name": "Tên người gửi",
    "(the letterhead issuer)": "(cơ quan ban hành trên công văn)",
    "Send a test to": "Gửi thư thử đến",
    "Send a test": "Gửi thư thử",
    "The first unit's message below, as it would get it, marked as a test.": "Thư của đơn vị đầu tiên trong danh sách dưới đây, đúng như đơn vị sẽ nhận, có ghi là thư thử.",
    "Test sent to": "Đã gửi thư thử đến",
    "Last answer": "Lần báo cáo gần nhất",
    "Record a unit's answer": "Ghi nhận đơn vị đã báo cáo",
    "Answered on": "Ngày báo cáo",
    "By": "Người báo cáo",
    "Record": "Ghi nhận",
    "Recorded": "Đã ghi nhận",
    "Letterhead": "Tiêu đề công văn",
    "Each unit's own letterhead": "Tiêu đề công văn riêng của từng đơn vị",
    "Heading": "Tiêu đề",
    "The letters drafted for this unit and the units under it go out under this letterhead, not the province's: a key left empty prints a dotted blank. The province's letterhead is in the settings.": "Công văn soạn cho đơn vị này và các đơn vị trực thuộc dùng tiêu đề này, không dùng tiêu đề của tỉnh: mục để trống được in thành dòng chấm để điền tay. Tiêu đề của tỉnh nằm trong phần Cài đặt.",
}
# A machine's place in the counts, and the actions that change it.
VI.update(
    {
        "Counted for": "Được tính cho",
        "unit": "đơn vị",
        "the row of misnamed machines, not the row of its unit": "dòng máy đặt tên chưa đúng hướng dẫn, không tính vào dòng của đơn vị",
        ": rename it to count in its unit's row": ": đổi tên máy để được tính vào dòng của đơn vị",
        "no unit: its name and its enrollment token disagree, until an administrator assigns it": "không đơn vị nào: tên máy và mã đăng ký thuộc hai đơn vị khác nhau, cho đến khi "
        "quản trị viên gán máy cho một đơn vị",
        "no unit: retired": "không đơn vị nào: máy đã thôi tính",
        "no unit: not reporting for too long (listed, not counted)": "không đơn vị nào: quá hạn báo cáo (vẫn liệt kê, không tính)",
        "no unit: misnamed and enrolled for no known unit": "không đơn vị nào: đặt tên chưa đúng và không đăng ký cho đơn vị nào đã biết",
        "Another computer reports under the same name": "Có máy khác báo cáo cùng tên",
        "A reinstall or a copied disk image: retire the one no longer in use.": "Có thể do cài lại máy hoặc sao chép ổ đĩa: cho thôi tính máy không còn dùng.",
        "last report": "báo cáo gần nhất",
        "signatures of": "mẫu ngày",
        "Licence expires": "Hạn bản quyền",
        "within %(days)s days": "còn dưới %(days)s ngày",
        "Licence expires within %(days)s days": "Bản quyền hết hạn trong %(days)s ngày",
        "I confirm: it leaves every count from that day, and its agent stops reporting": "Tôi xác nhận: máy không còn được tính từ ngày đó và agent ngừng báo cáo",
        "I confirm: they leave every count from that day": "Tôi xác nhận: các máy không còn được tính từ ngày đó",
        "Bring it back": "Tính lại máy này",
        "It counts again as if never retired; its agent enrolls again with a token on its next run.": "Máy được tính lại như chưa từng thôi tính; agent đăng ký lại bằng mã đăng ký ở lần "
        "chạy sau.",
        "Change several machines": "Thay đổi nhiều máy",
        "the machines ticked above": "các máy đã chọn ở trên",
        "every machine this filter matches": "mọi máy theo bộ lọc này",
        "Count them for unit": "Tính các máy cho đơn vị",
        "Machines changed": "Số máy đã thay đổi",
        "Conflicts (counted for no unit)": "Xung đột (không tính cho đơn vị nào)",
        "Every unit": "Mọi đơn vị",
        "Reports": "Báo cáo",
        "Counting %(days)s more days of the chart…": "Đang tính thêm %(days)s ngày của biểu đồ…",
        "Show the whole chart": "Xem cả biểu đồ",
        "No computer of this unit reports yet: what to do next": "Đơn vị chưa có máy nào báo cáo: các bước tiếp theo",
        "An enrollment token for the unit.": "Mã đăng ký agent cho đơn vị.",
        "Tokens bound to it": "Mã đã cấp cho đơn vị",
        "machines enrolled": "máy đã đăng ký",
        "Create a token for this unit": "Tạo mã đăng ký cho đơn vị này",
        "Ask the province's administrator for one, bound to this unit.": "Đề nghị quản trị viên của tỉnh cấp mã đăng ký cho đơn vị.",
        "Install the agent on each computer": "Cài agent trên từng máy tính",
        "(as Administrator, or by group policy or a KSC task):": "(với quyền Administrator, hoặc qua group policy hay tác vụ của KSC):",
        "TOKEN": "MÃ-ĐĂNG-KÝ",
        "Name each computer by the guideline, e.g.": "Đặt tên máy theo hướng dẫn, ví dụ",
        "Remind the unit.": "Đôn đốc đơn vị.",
        "Its contact": "Đầu mối liên hệ",
        "It has no contact e-mail yet.": "Đơn vị chưa có e-mail liên hệ.",
        "Send the reminders": "Gửi thư đôn đốc",
        "Administration": "Quản trị",
        "Retired a computer": "Cho thôi tính một máy",
        "Brought a retired computer back": "Tính lại một máy đã thôi tính",
        "Assigned a computer to a unit": "Gán máy cho đơn vị",
        "A reinstalled computer enrolled again": "Máy cài lại đã đăng ký lại",
        "A copied computer enrolled as a new one": "Máy sao chép ổ đĩa đăng ký như máy mới",
        "A computer reported under a new id": "Máy báo cáo với mã máy mới",
        "Retired the computers a token enrolled": "Cho thôi tính các máy đăng ký bằng một mã",
        "Imported a Kaspersky Security Center export": "Nhập danh sách từ Kaspersky Security Center",
        "Imported an Active Directory export": "Nhập danh sách từ Active Directory",
        "Licence warning (days before expiry)": "Cảnh báo hạn bản quyền (số ngày trước khi hết)",
    }
)
# Enrollments held for an administrator (store/held.py, templates/admin_held.html).
VI.update(
    {
        "A reinstall waits for an administrator": "Máy cài lại đang chờ quản trị viên duyệt",
        "An enrolled computer id waits for an administrator": "Mã máy đã đăng ký đang chờ quản trị viên duyệt",
        "Accepted a held enrollment": "Chấp nhận một yêu cầu đăng ký đang chờ",
        "Refused a held enrollment": "Từ chối một yêu cầu đăng ký đang chờ",
        "A computer id was taken over by a new enrollment": "Mã máy được chuyển cho lần đăng ký mới",
        "Held enrollments": "Đăng ký chờ duyệt",
        "Enrollments waiting for an administrator": "Yêu cầu đăng ký chờ quản trị viên duyệt",
        "enrollments waiting for an administrator (a reinstall that renames or moves a computer, a computer id enrolled again)": "yêu cầu đăng ký chờ quản trị viên duyệt (máy cài lại đổi tên hoặc chuyển đơn vị, mã máy đăng ký lại)",
        "A token holder may not rename or move an enrolled computer, nor take over the id of a computer already enrolled: these requests wait here. Accepted, the agent's next report is stored (the computer renamed or moved, or its id taken over and its old credential removed); refused, the agent stays refused.": "Người giữ mã đăng ký không được đổi tên hay chuyển đơn vị một máy đã đăng ký, cũng không được nhận mã của một máy đã đăng ký: các yêu cầu đó chờ ở đây. Khi được chấp nhận, báo cáo tiếp theo của agent được ghi nhận (máy được đổi tên hoặc chuyển đơn vị, hoặc mã máy được chuyển và khóa xác thực cũ bị xóa); khi bị từ chối, agent tiếp tục bị từ chối.",
        "Request": "Yêu cầu",
        "Now": "Hiện nay",
        "Asked": "Đề nghị",
        "Token": "Mã đăng ký",
        "Tries": "Số lần gửi",
        "Last seen": "Lần cuối thấy",
        "Decision": "Quyết định",
        "Reinstall": "Cài lại máy",
        "Computer id enrolled again": "Mã máy đăng ký lại",
        "Accepted": "Đã chấp nhận",
        "Refused": "Đã từ chối",
        "Waiting": "Đang chờ",
        "Accept": "Chấp nhận",
        "Refuse": "Từ chối",
        "No enrollment waits for an administrator.": "Không có yêu cầu đăng ký nào chờ quản trị viên duyệt.",
    }
)
# The details of an audit line, by their keys (words.DETAIL_LABELS).
VI.update(
    {
        "computer": "máy",
        "unit": "đơn vị",
        "before": "trước đó",
        "from": "từ ngày",
        "reason": "lý do",
        "retired from": "thôi tính từ",
        "reason retired": "lý do thôi tính",
        "token": "mã đăng ký",
        "computers": "số máy",
        "user": "người dùng",
        "role": "vai trò",
        "setting": "thiết lập",
        "value": "giá trị",
        "created": "thêm mới",
        "changed": "thay đổi",
        "units": "đơn vị",
        "allocations": "phân bổ",
        "number": "số",
        "issued on": "ngày ban hành",
        "figures as of": "số liệu đến ngày",
        "files": "tệp",
        "reports removed": "số báo cáo đã xoá",
        "thinned to one a day": "rút còn một báo cáo mỗi ngày",
        "thinned to one a month": "rút còn một báo cáo mỗi tháng",
        "import": "lần nhập",
        "devices": "số thiết bị",
        "note": "ghi chú",
        "machine limit": "số máy tối đa",
        "board UUID": "UUID bo mạch",
        "kept as": "lưu dưới mã",
        "computer name": "tên máy",
        "one a month before": "một báo cáo mỗi tháng trước ngày",
        "exported at": "thời điểm xuất tệp",
        "export date": "ngày xuất tệp",
        "given by the officer": "do người nhập cho biết",
        "written in the file": "ghi trong tệp",
    }
)
# Each figure's one-line definition (collector.counting.definitions), in Vietnamese.
FIGURE_DEFINITIONS_VI = {
    "allocated": "Số bản quyền được phân bổ cho đơn vị; nếu đơn vị không có phân bổ riêng, là "
    "tổng phân bổ của các đơn vị trực thuộc.",
    "installed_official": "Số máy đặt tên theo đơn vị hoặc đơn vị trực thuộc đã cài phần mềm "
    "bắt buộc (chỉ máy đã kết nối, khi bật official_requires_connected): "
    "số liệu của phụ lục.",
    "install_rate": "Số bản quyền được cài đặt chia cho số bản quyền được phân bổ.",
    "seen": "Số máy có báo cáo gần nhất không quá stale_after_days ngày.",
    "installed": "Số máy đã cài phần mềm bắt buộc, kể cả máy đặt tên sai hướng dẫn.",
    "connected": "Số máy đã cài có Network Agent đồng bộ với máy chủ quản trị trong "
    "connected_days ngày.",
    "protected": "Số máy đã cài có phần mềm bắt buộc đang bật và cập nhật (không có Security "
    "Center: cơ sở dữ liệu mẫu không cũ quá signatures_max_age_days ngày).",
    "exempt": "Số máy chưa cài phần mềm bắt buộc có RAM (số lớn hơn giữa RAM lắp đặt và RAM "
    "sử dụng được) dưới ram_exempt_below_mb.",
    "missing": "Số máy có báo cáo, chưa cài và không được miễn.",
    "stale": "Số máy không báo cáo quá stale_after_days ngày: vẫn liệt kê, không tính.",
    "misnamed": "Số máy có báo cáo có tên không theo naming_pattern với một mã đơn vị đã biết.",
    "coverage": "Số máy đã cài chia cho số máy có báo cáo không được miễn.",
}
VI.update({FIGURES[key][1]: text for key, text in FIGURE_DEFINITIONS_VI.items()})
VI.update(
    {
        SETTINGS[
            "ram_exempt_below_mb"
        ].help: "Máy chưa cài phần mềm bắt buộc được miễn khi RAM dưới số MB này, xét theo số lớn hơn "
        "giữa RAM lắp đặt và RAM sử dụng được (một số đọc sai thấp không làm máy thoát khỏi "
        "số liệu).",
        SETTINGS[
            "connected_days"
        ].help: "Máy đã cài được coi là đã kết nối khi Network Agent đồng bộ với máy chủ quản trị "
        "(Administration Server) trong số ngày này (tính đến ngày thống kê). Mặc định 7 ngày, "
        'theo điều kiện trạng thái "Not connected for a long time" của Kaspersky Security '
        "Center (" + SETTINGS["connected_days"].help.rsplit("(", 1)[1],
        SETTINGS[
            "required_product"
        ].help: "Phần mềm phòng, chống mã độc bắt buộc, quản lý tập trung: các dòng sản phẩm cách nhau "
        "bởi dấu ';'. Sản phẩm được tính khi tên thuộc một dòng này, bất kể ngôn ngữ, phiên "
        "bản, gói dịch vụ (SP, MR) hay ấn bản (Select, Advanced, Total); sản phẩm khác của "
        "cùng hãng không được tính.",
        SETTINGS[
            "retire_after_days"
        ].help: "Máy không báo cáo quá số ngày này được thôi tính: không còn trong số liệu và danh "
        "sách (lịch sử vẫn giữ); 0: không bao giờ tự thôi tính.",
        SETTINGS[
            "keep_all_reports_days"
        ].help: "Mọi báo cáo được giữ trong số ngày này; báo cáo cũ hơn chỉ giữ báo cáo cuối cùng mỗi "
        "ngày của mỗi máy (đủ cho mọi số liệu tính đến một ngày đã qua), mỗi đêm và khi chạy "
        "`avroll reports prune`.",
        SETTINGS[
            "keep_daily_reports_days"
        ].help: "Báo cáo cuối cùng mỗi ngày của mỗi máy được giữ trong số ngày này (không ít hơn "
        "keep_all_reports_days); báo cáo cũ hơn chỉ giữ báo cáo cuối cùng mỗi tháng, sau khi "
        "số liệu của những ngày đó đã được lưu cố định.",
        SETTINGS[
            "official_requires_connected"
        ].help: "yes: số bản quyền được cài đặt chính thức (của phụ lục) chỉ tính máy đã kết nối; "
        "no: tính mọi máy đã cài, như các công văn. Số máy đã kết nối luôn hiển thị bên cạnh.",
        SETTINGS[
            "signatures_max_age_days"
        ].help: "Khi hệ điều hành không có Security Center cho biết phần mềm đã cập nhật chưa (máy chủ, "
        "Linux), sản phẩm đang bật được coi là bảo vệ khi cơ sở dữ liệu mẫu không cũ quá số "
        'ngày này. Mặc định 7 ngày, theo điều kiện trạng thái "Databases are outdated" của '
        "Kaspersky Security Center (" + SETTINGS["signatures_max_age_days"].help.rsplit("(", 1)[1],
    }
)


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
        response.set_cookie(COOKIE, asked, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def define(figure):
    """A figure's one-line definition in the page's language (for its tooltip), with the
    settings' values in force in place of their keys ("trong 7 ngày", not "trong
    connected_days ngày")."""
    return with_setting_values(translate(FIGURES[figure][1]))


def with_setting_values(text):
    """`text` with each setting key it names replaced by the setting's value in words."""
    if "setting_values" not in g:
        g.setting_values = settings.current(get_db())
    values, lang = g.setting_values, current_language()
    return SETTING_KEY.sub(
        lambda found: words.setting_value(
            found[0], values[found[0]], lang, translate(words.SETTING_LABELS.get(found[0], ""))
        ),
        text,
    )


def register(app):
    app.jinja_env.globals.update(
        _=translate,
        lang=current_language,
        define=define,
        figures=FIGURES,
        state_word=lambda state: state_word(state, current_language()),
        message=lambda text: words.message(str(text), current_language()),
        setting_label=lambda key: translate(words.SETTING_LABELS.get(key, key)),
        action_words=lambda action: translate(words.ACTIONS.get(action, action)),
        detail_parts=lambda detail: words.detail_parts(detail, current_language(), translate),
    )
    for name in ("number", "percent", "gigabytes", "date", "day", "datetime_local", "clock_skew"):
        app.jinja_env.filters[name] = _localised(getattr(formatting, name))
    app.jinja_env.filters["unusual_characters"] = unusual_characters
    app.after_request(remember_language)


def _localised(format_function):
    def apply(value, *args):
        return format_function(value, current_language(), *args)

    return apply
