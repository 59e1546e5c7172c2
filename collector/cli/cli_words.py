"""What the command line says in Vietnamese (`language.py` uses it): each command's help and
option help by paragraph (`HELP_VI`, keyed by the English text with its spaces folded),
click's headings and the extras it appends, and the messages commands write
(`MESSAGES_VI`: an English template, {name} for a varying part, and its Vietnamese)."""

from __future__ import annotations

HELP_VI = {
    "avroll collector: inventory of antivirus rollout on government computers.": "avroll collector: thống kê triển khai phần mềm phòng, chống mã độc trên máy tính cơ quan nhà nước.",
    "Show the version and exit.": "In phiên bản rồi thoát.",
    "Show this message and exit.": "In hướng dẫn này rồi thoát.",
    "Serve the collector with waitress (a production WSGI server for Windows and Linux).": "Chạy collector bằng waitress (máy chủ WSGI dùng cho vận hành thật, trên Windows và Linux).",
    "On a database without an administrator, it creates `admin` with a random password shown once on this console, or, without a console, written to DB.admin-password (0600). Every night at 02:00 (Vietnam time) it applies the retention rule to the reports, and with --push-to sends the day's figures to the national collector.": "Với cơ sở dữ liệu chưa có quản trị viên, lệnh tạo tài khoản `admin` với mật khẩu ngẫu nhiên, in một lần trên màn hình này, hoặc, khi không có màn hình, ghi vào DB.admin-password (0600). Hằng đêm lúc 02:00 (giờ Việt Nam) lệnh áp dụng quy tắc lưu giữ báo cáo, và với --push-to thì gửi số liệu trong ngày lên collector quốc gia.",
    "Address to listen on (0.0.0.0 for every interface).": "Địa chỉ lắng nghe (0.0.0.0: mọi giao diện mạng).",
    "Requests served at once.": "Số yêu cầu được phục vụ cùng lúc.",
    "Address of the reverse proxy (nginx, IIS) in front; only from it are X-Forwarded-For (the client's address: login limits) and X-Forwarded-Proto believed (env AVROLL_TRUSTED_PROXY).": "Địa chỉ của reverse proxy (nginx, IIS) đứng trước; chỉ từ địa chỉ này X-Forwarded-For (địa chỉ người dùng: giới hạn đăng nhập) và X-Forwarded-Proto mới được tin (biến môi trường AVROLL_TRUSTED_PROXY).",
    "Secure flag of the session cookie; auto: when the request came over HTTPS (env AVROLL_SECURE_COOKIES).": "Cờ Secure của cookie phiên đăng nhập; auto: khi yêu cầu đến qua HTTPS (biến môi trường AVROLL_SECURE_COOKIES).",
    "nation: a national collector, whose units are the provinces and which takes their pushes (kept in the database from then on).": "nation: collector quốc gia, có đơn vị là các tỉnh và nhận số liệu các tỉnh gửi lên (ghi vào cơ sở dữ liệu từ đó về sau).",
    "A province's national collector: push to it every night (env AVROLL_PUSH_TO; the credential from AVROLL_PUSH_CREDENTIAL or DB.push-credential).": "Collector quốc gia của tỉnh: gửi số liệu lên hằng đêm (biến môi trường AVROLL_PUSH_TO; khóa gửi từ AVROLL_PUSH_CREDENTIAL hoặc DB.push-credential).",
    "SQLite database file (env AVROLL_DB; default ./avroll.db if present, else one in your user data directory).": "Tệp cơ sở dữ liệu SQLite (biến môi trường AVROLL_DB; mặc định ./avroll.db nếu có, nếu không thì một tệp trong thư mục dữ liệu của người dùng).",
    "Officer accounts: admin (everything), viewer (reads all), unit (their units only).": "Tài khoản cán bộ: admin (mọi quyền), viewer (xem tất cả), unit (chỉ đơn vị của mình).",
    "Add an officer; the password is read from stdin.": "Thêm cán bộ; mật khẩu đọc từ stdin.",
    "The unit a unit officer sees (with the units under it).": "Đơn vị mà cán bộ đơn vị được xem (cùng các đơn vị trực thuộc).",
    "List officers with their role, unit and state.": "Liệt kê cán bộ với vai trò, đơn vị và trạng thái.",
    "Disable an officer's account; their sessions end at once.": "Khóa tài khoản cán bộ; các phiên đăng nhập kết thúc ngay.",
    "Enable a disabled account again.": "Mở lại tài khoản đã khóa.",
    "Set a new password (read from stdin); the officer's sessions end.": "Đặt mật khẩu mới (đọc từ stdin); các phiên đăng nhập của cán bộ kết thúc.",
    "Enrollment tokens: what an agent sends with its first report.": "Mã đăng ký: agent gửi kèm báo cáo đầu tiên.",
    "Create a token and print it (only this once; only its hash is kept).": "Tạo mã đăng ký và in ra (chỉ lần này; chỉ lưu giá trị băm).",
    "Enroll machines for this unit, whatever their agent says.": "Đăng ký máy cho đơn vị này, bất kể agent khai gì.",
    "What the token is for (shown by `tokens list`).": "Mã dùng để làm gì (hiện trong `tokens list`).",
    "Enroll at most this many machines.": "Đăng ký tối đa chừng này máy.",
    "List tokens: id, unit, machines enrolled, state (never the tokens themselves).": "Liệt kê mã đăng ký: số, đơn vị, số máy đã đăng ký, trạng thái (không bao giờ in chính mã).",
    "Revoke a token: it enrolls no more machines (enrolled ones keep reporting, unless --retire-machines).": "Thu hồi mã đăng ký: không đăng ký thêm máy nào (máy đã đăng ký vẫn báo cáo, trừ khi có --retire-machines).",
    "Also retire the machines it enrolled (a leaked token's fakes): those enrolled from --enrolled-after on, or, without it, every one, listed first for you to confirm.": "Cho thôi tính cả các máy đã đăng ký bằng mã này (máy giả khi lộ mã): các máy đăng ký từ --enrolled-after trở đi, hoặc, nếu không có, mọi máy, được liệt kê trước để xác nhận.",
    "With --retire-machines: only the machines enrolled from this moment on (Vietnam time), when the token leaked; the unit's genuine PCs enrolled before it with the same token stay.": "Với --retire-machines: chỉ các máy đăng ký từ thời điểm này (giờ Việt Nam), lúc mã bị lộ; máy thật của đơn vị đăng ký trước đó bằng cùng mã vẫn được tính.",
    "With --retire-machines: they leave the counts from this day (default today).": "Với --retire-machines: các máy thôi được tính từ ngày này (mặc định hôm nay).",
    "Enrolled machines.": "Máy đã đăng ký.",
    "Also those decided already.": "Cả các yêu cầu đã quyết định.",
    "List the enrollments waiting for an administrator: a reinstall that would rename a machine or move it to another unit, a machine id already enrolled reported by another agent. Each line: id, kind, the id reported and the machine it would be stored as, its name and unit now and asked, the token, tries, first and last seen.": "Liệt kê các yêu cầu đăng ký đang chờ quản trị viên: máy cài lại sẽ đổi tên máy hoặc chuyển máy sang đơn vị khác, mã máy đã đăng ký nhưng do một agent khác gửi. Mỗi dòng: số, loại, mã máy khai báo và máy sẽ được ghi vào, tên và đơn vị hiện nay và đề nghị, mã đăng ký, số lần gửi, lần đầu và lần cuối thấy.",
    "Accept a held enrollment (ID from `avroll machines held`): the agent's next report is admitted, renaming or moving the machine, or taking its id over (the old credential is removed).": "Chấp nhận một yêu cầu đăng ký đang chờ (ID lấy từ `avroll machines held`): báo cáo tiếp theo của agent được nhận, đổi tên hoặc chuyển máy, hoặc nhận mã máy (khóa xác thực cũ bị xóa).",
    "Refuse a held enrollment (ID from `avroll machines held`): its agent stays refused.": "Từ chối một yêu cầu đăng ký đang chờ (ID lấy từ `avroll machines held`): agent của yêu cầu đó tiếp tục bị từ chối.",
    "Forget a machine's credential, so its agent may enroll again with a token (after a reinstall that lost the credential file). MACHINE_ID: its id, or its name when it has reported.": "Xóa khóa xác thực của máy để agent đăng ký lại bằng mã đăng ký (sau khi cài lại máy làm mất tệp khóa). MACHINE_ID: mã máy, hoặc tên máy nếu máy đã báo cáo.",
    "Retire a machine (MACHINE: its id or its name): it leaves every count from that day, its history stays, and its credential no longer reports. `avroll machines restore` brings it back.": "Cho thôi tính một máy (MACHINE: mã máy hoặc tên máy): máy không còn trong số liệu từ ngày đó, lịch sử vẫn giữ, khóa xác thực không báo cáo được nữa. `avroll machines restore` tính lại máy.",
    "It leaves every count from this day (today or earlier).": "Máy thôi được tính từ ngày này (hôm nay hoặc trước đó).",
    "Why (kept in the audit log and on its page).": "Lý do (ghi vào nhật ký và trang của máy).",
    "Do not ask for confirmation.": "Không hỏi xác nhận.",
    "Bring a retired machine back (MACHINE: its id or its name): it counts again as if never retired; its agent enrolls again with a token on its next run.": "Tính lại một máy đã thôi tính (MACHINE: mã máy hoặc tên máy): máy được tính như chưa từng thôi tính; agent đăng ký lại bằng mã đăng ký ở lần chạy sau.",
    "Why (kept in the audit log).": "Lý do (ghi vào nhật ký).",
    "Count a machine (MACHINE: its id or its name) for a unit from now on, whatever its name (a naming conflict); without UNIT_CODE, the naming rule decides again.": "Tính một máy (MACHINE: mã máy hoặc tên máy) cho một đơn vị từ nay, bất kể tên máy (xung đột tên); không có UNIT_CODE thì quy tắc đặt tên quyết định lại.",
    "Stored reports.": "Báo cáo đã lưu.",
    "Apply the retention rule now (the server also applies it every night): every report for keep_all_reports_days, then each machine's last of each day (no figure of any past day changes) for keep_daily_reports_days, then its last of each month.": "Áp dụng quy tắc lưu giữ ngay (máy chủ cũng áp dụng hằng đêm): giữ mọi báo cáo trong keep_all_reports_days ngày, rồi báo cáo cuối mỗi ngày của mỗi máy (không số liệu ngày nào thay đổi) trong keep_daily_reports_days ngày, rồi báo cáo cuối mỗi tháng.",
    "The figures kept up to date at ingest (each unit's counts now and on each past day).": "Số liệu được cập nhật khi nhận báo cáo (số liệu mỗi đơn vị hiện tại và từng ngày đã qua).",
    "Count every kept figure again from the reports, replace it, and say whether any differed (exit status 1 when one did). The figures of days whose reports were thinned to one a month are counted again from those reports only when asked with --from.": "Tính lại mọi số liệu đã lưu từ các báo cáo, thay thế, và cho biết có số nào khác không (mã thoát 1 khi có). Số liệu của những ngày mà báo cáo đã rút còn một báo cáo mỗi tháng chỉ được tính lại khi có --from.",
    "Count again only the kept days from this one on (default: every day).": "Chỉ tính lại các ngày đã lưu từ ngày này (mặc định: mọi ngày).",
    "Units, their licence allocations and contacts.": "Đơn vị, số bản quyền phân bổ và đầu mối liên hệ.",
    "Add or update units from a CSV or XLSX FILE (header code,name,group,parent,allocated plus contact columns; Vietnamese headings accepted). Nothing changes if any line is bad.": "Thêm hoặc cập nhật đơn vị từ tệp CSV hoặc XLSX (dòng tiêu đề code,name,group,parent,allocated và các cột liên hệ; nhận tiêu đề tiếng Việt). Có dòng sai thì không thay đổi gì.",
    "Import only when there are no units yet (for first starts).": "Chỉ nhập khi chưa có đơn vị nào (cho lần chạy đầu).",
    "Changes take effect from this day (default today; a new unit counts from the beginning); figures as of an earlier day keep the values then in force.": "Thay đổi có hiệu lực từ ngày này (mặc định hôm nay; đơn vị mới được tính từ đầu); số liệu đến một ngày trước đó giữ giá trị đang có hiệu lực khi ấy.",
    "Write every unit as CSV (UTF-8 with BOM) in the format `units import` reads.": "Ghi mọi đơn vị ra CSV (UTF-8 có BOM) đúng định dạng `units import` đọc được.",
    "CSV file to write ('-' for the screen).": "Tệp CSV cần ghi ('-': in ra màn hình).",
    "Settings: the naming pattern, the RAM exemption, staleness, the mandated product.": "Thiết lập: mẫu đặt tên, miễn cài theo RAM, hạn báo cáo, phần mềm bắt buộc.",
    "Print every setting with its value, default and meaning.": "In mọi thiết lập với giá trị, giá trị mặc định và ý nghĩa.",
    "Set KEY to VALUE (checked first; a bad value changes nothing).": "Đặt KEY bằng VALUE (kiểm tra trước; giá trị sai không thay đổi gì).",
    "It takes effect from this day (default today); figures as of an earlier day keep the value then in force.": "Có hiệu lực từ ngày này (mặc định hôm nay); số liệu đến một ngày trước đó giữ giá trị đang có hiệu lực khi ấy.",
    "The files officers send: install-rate appendix, machine lists, survey, status, and drafts of the letters that go with them.": "Các tệp cán bộ gửi đi: phụ lục tỷ lệ cài đặt, danh sách máy, khảo sát, tình hình báo cáo, và dự thảo công văn kèm theo.",
    'The install-rate appendix ("Thống kê số lượng máy tính cài đặt … đến ngày …").': 'Phụ lục tỷ lệ cài đặt ("Thống kê số lượng máy tính cài đặt … đến ngày …").',
    "Figures as of this date (default today).": "Số liệu đến ngày này (mặc định hôm nay).",
    "Only the units under this unit.": "Chỉ các đơn vị trực thuộc đơn vị này.",
    "xlsx (to print and send) or csv (to process further); default: from the --out file's extension.": "xlsx (để in và gửi) hoặc csv (để xử lý tiếp); mặc định: theo phần mở rộng của tệp --out.",
    "File to write.": "Tệp cần ghi.",
    "A unit's (or the province's) list of machines: hostname, OS, RAM, antivirus, state.": "Danh sách máy của một đơn vị (hoặc toàn tỉnh): tên máy, hệ điều hành, RAM, phần mềm phòng, chống mã độc, trạng thái.",
    "The unit (its descendants too); without it, the whole province.": "Đơn vị (cả các đơn vị trực thuộc); không có thì toàn tỉnh.",
    "Which machines, as the unit page's tabs.": "Những máy nào, theo các thẻ của trang đơn vị.",
    "As of this date (default today).": "Đến ngày này (mặc định hôm nay).",
    "Biểu mẫu 1 (Bac Ninh 2026): devices by type and OS, pre-filled for the unit.": "Biểu mẫu 1 (Bắc Ninh 2026): thiết bị theo loại và hệ điều hành, điền sẵn cho đơn vị.",
    "The unit (its descendants too).": "Đơn vị (cả các đơn vị trực thuộc).",
    "Biểu mẫu 2 (Bac Ninh 2026): deployment need, pre-filled from the machines missing the product.": "Biểu mẫu 2 (Bắc Ninh 2026): nhu cầu triển khai, điền sẵn từ các máy chưa cài phần mềm.",
    "The unit (its descendants too); default: the whole province, one block per unit with a need.": "Đơn vị (cả các đơn vị trực thuộc); mặc định: toàn tỉnh, mỗi đơn vị có nhu cầu một khối.",
    "Who has answered: machines reporting and contacts per unit, marked x.": "Đơn vị nào đã trả lời: số máy báo cáo và đầu mối của từng đơn vị, đánh dấu x.",
    "Only this unit and the units under it.": "Chỉ đơn vị này và các đơn vị trực thuộc.",
    "The machines avroll, the Kaspersky console and the directory disagree on (no agent, not connected, unowned in the console) and those they agree on, with which views saw each.": "Các máy mà avroll, máy chủ quản trị Kaspersky và Active Directory ghi nhận khác nhau (chưa có agent, chưa kết nối, tên không theo đơn vị nào) và các máy khớp nhau, kèm nguồn đã thấy từng máy.",
    "Only this unit (its descendants too); default the whole province.": "Chỉ đơn vị này (cả các đơn vị trực thuộc); mặc định toàn tỉnh.",
    "Only this list (default: all four).": "Chỉ danh sách này (mặc định: cả bốn).",
    "Draft of the covering report letter (letter 002), its figures from the appendix.": "Dự thảo công văn báo cáo (công văn 002), số liệu lấy từ phụ lục.",
    "The .docx file to write (open it in Word, check, sign).": "Tệp .docx cần ghi (mở bằng Word, kiểm tra, ký).",
    'Draft of a reminder ("đôn đốc", letter 004) to the units below the rate.': "Dự thảo công văn đôn đốc (công văn 004) gửi các đơn vị dưới tỷ lệ.",
    "List the units whose install rate is under this percentage, e.g. 90 or 96,7 (default 100).": "Liệt kê các đơn vị có tỷ lệ cài đặt dưới mức phần trăm này, ví dụ 90 hoặc 96,7 (mặc định 100).",
    "Date the units must report by (default reminder_answer_days after --as-of).": "Hạn các đơn vị phải báo cáo (mặc định reminder_answer_days ngày sau --as-of).",
    "Issue a report: its appendix and letter with number and date, kept as sent.": "Ban hành báo cáo: phụ lục và công văn có số và ngày, lưu đúng như đã gửi.",
    "The number the report letter was signed with.": "Số của công văn báo cáo đã ký.",
    "Its date (default today).": "Ngày ban hành (mặc định hôm nay).",
    "Issue a reminder: its letter with number and date, the appendix and the form the units answer on, kept as sent.": "Ban hành công văn đôn đốc: công văn có số và ngày, phụ lục và biểu mẫu đơn vị trả lời, lưu đúng như đã gửi.",
    "The number the reminder was signed with.": "Số của công văn đôn đốc đã ký.",
    "The units under this install rate (default 100).": "Các đơn vị có tỷ lệ cài đặt dưới mức này (mặc định 100).",
    "Date the units must report by.": "Hạn các đơn vị phải báo cáo.",
    "Only the units under this unit (its letterhead).": "Chỉ các đơn vị trực thuộc đơn vị này (theo tiêu đề văn bản của đơn vị).",
    "List the issued reports, or write one's files exactly as they were sent.": "Liệt kê các văn bản đã ban hành, hoặc ghi các tệp của một văn bản đúng như đã gửi.",
    "Write this issued report's files ...": "Ghi các tệp của văn bản đã ban hành này ...",
    "... into this folder.": "... vào thư mục này.",
    "Import what the Kaspersky console and the directory know about the computers.": "Nhập những gì máy chủ quản trị Kaspersky và Active Directory biết về các máy tính.",
    "The device list exported from Kaspersky Security Center (tab-delimited text or CSV, UTF-8 or UTF-16), in the English or Russian console's headings, or a dump through the Open API under its KLHST_WKS_* attribute names. A file with any bad line changes nothing.": "Danh sách thiết bị xuất từ Kaspersky Security Center (văn bản phân cách bằng tab hoặc CSV, UTF-8 hoặc UTF-16), với tiêu đề cột của bảng điều khiển tiếng Anh hoặc tiếng Nga, hoặc dữ liệu lấy qua Open API với tên thuộc tính KLHST_WKS_*. Có dòng sai thì không thay đổi gì.",
    "When the file was exported (Vietnam time), for a file that writes '12 minutes ago' and does not say when it was made (an XLSX says so itself).": "Thời điểm xuất tệp (giờ Việt Nam), cho tệp ghi kiểu '12 minutes ago' mà không cho biết thời điểm tạo (tệp XLSX tự ghi).",
    "A computer list from Active Directory (Get-ADComputer | Export-Csv, or csvde). A file with any bad line changes nothing.": "Danh sách máy tính từ Active Directory (Get-ADComputer | Export-Csv, hoặc csvde). Có dòng sai thì không thay đổi gì.",
    "The SMTP server reminders are sent through.": "Máy chủ SMTP dùng để gửi thư đôn đốc.",
    "Print the SMTP settings (the password only as set or not).": "In thiết lập SMTP (mật khẩu chỉ ghi đã đặt hay chưa).",
    "Change the SMTP settings; options not given keep their value.": "Thay đổi thiết lập SMTP; tùy chọn không nêu giữ nguyên giá trị.",
    "SMTP server name or address.": "Tên hoặc địa chỉ máy chủ SMTP.",
    "587 for STARTTLS, 465 for TLS.": "587 cho STARTTLS, 465 cho TLS.",
    "STARTTLS (port 587), TLS from the start (465), or none (a server on this machine only).": "STARTTLS (cổng 587), TLS ngay từ đầu (465), hoặc none (chỉ máy chủ trên chính máy này).",
    "Login name on the SMTP server (empty: no login).": "Tên đăng nhập máy chủ SMTP (để trống: không đăng nhập).",
    "The From address.": "Địa chỉ người gửi (From).",
    "The name shown beside it (default the letterhead's issuer, e.g. Sở Thông tin và Truyền thông).": "Tên hiện bên cạnh (mặc định cơ quan ban hành trên tiêu đề văn bản, ví dụ Sở Thông tin và Truyền thông).",
    "Read the password from the first line of stdin (never give it as an argument: it would stay in the shell history and process list).": "Đọc mật khẩu từ dòng đầu của stdin (không bao giờ ghi mật khẩu trong dòng lệnh: nó sẽ nằm lại trong lịch sử lệnh và danh sách tiến trình).",
    "Forget the stored password.": "Xóa mật khẩu đã lưu.",
    "E-mail each unit below RATE its figures, a deadline, whom to answer and its non-empty lists (no agent, not connected, missing, misnamed) as XLSX; every sending is logged, a failure reported per unit on stderr. A unit that answered its last reminder is skipped, and said so.": "Gửi thư cho từng đơn vị dưới RATE: số liệu, hạn trả lời, nơi trả lời và các danh sách không rỗng (chưa có agent, chưa kết nối, chưa cài, đặt tên sai) dạng XLSX; mọi lần gửi được ghi lại, lỗi báo theo từng đơn vị trên stderr. Đơn vị đã báo cáo sau thư đôn đốc gần nhất được bỏ qua, có ghi rõ.",
    "Units whose install rate is below this percentage (e.g. 80 or 80,5).": "Các đơn vị có tỷ lệ cài đặt dưới mức phần trăm này (ví dụ 80 hoặc 80,5).",
    "The date the units must answer by (default reminder_answer_days after the figures).": "Hạn các đơn vị phải trả lời (mặc định reminder_answer_days ngày sau ngày số liệu).",
    "Send the messages (without it: only show who would get what).": "Gửi thư (không có: chỉ cho xem ai sẽ nhận gì).",
    "Remind also the units whose answer to their last reminder is recorded (a new round); without it they are skipped.": "Gửi cả cho các đơn vị đã được ghi nhận báo cáo sau thư đôn đốc gần nhất (một đợt mới); không có tùy chọn này thì các đơn vị đó được bỏ qua.",
    "Send only one sample, the first unit's message, to ADDRESS (to check the SMTP settings and what the units get).": "Chỉ gửi một thư mẫu, thư của đơn vị đầu tiên, tới ADDRESS (để kiểm tra thiết lập SMTP và nội dung đơn vị nhận được).",
    "Each unit's answers to the reminders (shown in the reporting status).": "Các lần trả lời đôn đốc của từng đơn vị (hiện trong tình hình báo cáo).",
    "Record that UNIT answered.": "Ghi nhận đơn vị UNIT đã trả lời.",
    "Who answered for the unit.": "Người trả lời thay mặt đơn vị.",
    "The day it answered (default today).": "Ngày trả lời (mặc định hôm nay).",
    "What it said, in short.": "Nội dung trả lời, tóm tắt.",
    "Each unit's latest answer and its last reminder sent.": "Lần trả lời gần nhất của từng đơn vị và thư đôn đốc gửi gần nhất.",
    "The letterheads: the province's, and each unit's own (a district's UBND or office).": "Tiêu đề văn bản: của tỉnh, và của riêng từng đơn vị (UBND hay phòng ban cấp huyện).",
    "Print each key of the letterhead and what the letters print for it.": "In từng mục của tiêu đề văn bản và nội dung công văn in ra cho mục đó.",
    "A unit's own letterhead (default the province's).": "Tiêu đề văn bản riêng của một đơn vị (mặc định của tỉnh).",
    "Set KEY of a letterhead to VALUE ('' clears a unit's key). A \"|\" in issuer_name or issuer_parent breaks the heading there.": "Đặt mục KEY của tiêu đề văn bản bằng VALUE ('' xóa mục của đơn vị). Dấu \"|\" trong issuer_name hoặc issuer_parent ngắt dòng tiêu đề tại đó.",
    "Set it in this unit's own letterhead (default the province's, which is the setting of the same name).": "Đặt trong tiêu đề văn bản riêng của đơn vị này (mặc định của tỉnh, tức thiết lập cùng tên).",
    "Fill a new database (--db FILE) with an example province to explore: about 5.000 computers in every state, three levels of units, six weeks of history.": "Tạo cơ sở dữ liệu mới (--db FILE) chứa một tỉnh mẫu để tìm hiểu: khoảng 5.000 máy tính ở mọi trạng thái, đơn vị ba cấp, lịch sử sáu tuần.",
    "Read tokens: `Authorization: Bearer avrr_...` on GET /api/v1/* only.": "Mã đọc: `Authorization: Bearer avrr_...` chỉ cho GET /api/v1/*.",
    "Create a read token and print it (only this once; only its hash is kept).": "Tạo mã đọc và in ra (chỉ lần này; chỉ lưu giá trị băm).",
    "viewer: every unit; unit: --unit and the units under it.": "viewer: mọi đơn vị; unit: đơn vị --unit và các đơn vị trực thuộc.",
    "The unit of a unit token.": "Đơn vị của mã loại unit.",
    "The last day the token is accepted (at most five years ahead).": "Ngày cuối cùng mã còn được chấp nhận (tối đa năm năm tới).",
    "What the token is for (shown by `api-tokens list`).": "Mã dùng để làm gì (hiện trong `api-tokens list`).",
    "List read tokens: id, role, unit, last day, last use, state (never the tokens).": "Liệt kê mã đọc: số, vai trò, đơn vị, ngày cuối, lần dùng gần nhất, trạng thái (không bao giờ in mã).",
    "Revoke a read token: refused from the next request on.": "Thu hồi mã đọc: bị từ chối từ yêu cầu tiếp theo.",
    "Copy the database while the collector runs: one consistent moment (SQLite's online backup), written to a new file of mode 0600. The session key file beside the database is not copied (a restored database makes a new one: open sessions end).": "Sao lưu cơ sở dữ liệu khi collector đang chạy: một thời điểm nhất quán (sao lưu trực tuyến của SQLite), ghi ra tệp mới quyền 0600. Tệp khóa phiên bên cạnh cơ sở dữ liệu không được sao (cơ sở dữ liệu phục hồi tạo khóa mới: các phiên đang mở kết thúc).",
    "The copy to write (replaced if it exists; readable by you only).": "Tệp sao lưu cần ghi (ghi đè nếu đã có; chỉ bạn đọc được).",
    "Put a backup in place of the database (stop the collector first: a running one keeps figures of the old database in memory). The database it replaces is backed up beside it first; the restored one is brought up to this version's schema.": "Phục hồi bản sao lưu thay cho cơ sở dữ liệu (dừng collector trước: collector đang chạy giữ số liệu của cơ sở dữ liệu cũ trong bộ nhớ). Cơ sở dữ liệu bị thay được sao lưu bên cạnh trước; cơ sở dữ liệu phục hồi được nâng lên cấu trúc của phiên bản này.",
    "Send this province's appendix as of each day the national collector does not have yet (through yesterday), then every issued report it does not have. The push credential comes from AVROLL_PUSH_CREDENTIAL or the file DB.push-credential.": "Gửi phụ lục của tỉnh đến từng ngày collector quốc gia chưa có (đến hôm qua), rồi mọi văn bản đã ban hành mà collector quốc gia chưa có. Khóa gửi lấy từ AVROLL_PUSH_CREDENTIAL hoặc tệp DB.push-credential.",
    "The national collector, e.g. https://avroll.gov.vn (env AVROLL_PUSH_TO).": "Collector quốc gia, ví dụ https://avroll.gov.vn (biến môi trường AVROLL_PUSH_TO).",
    "Send days through this one only (default: yesterday).": "Chỉ gửi đến ngày này (mặc định: hôm qua).",
    "A national collector's provinces: push credentials (one per province).": "Các tỉnh của collector quốc gia: khóa gửi số liệu (mỗi tỉnh một khóa).",
    "Make a push credential for the province CODE (a unit here) and print it, once.": "Tạo khóa gửi số liệu cho tỉnh CODE (một đơn vị ở đây) và in ra, một lần.",
    "List push credentials (never the secrets).": "Liệt kê khóa gửi số liệu (không bao giờ in khóa).",
    "Revoke a push credential: its province's pushes are refused from now on.": "Thu hồi khóa gửi số liệu: số liệu tỉnh đó gửi lên bị từ chối từ nay.",
    "Language of help and messages: vi (default) or en (env AVROLL_LANG).": "Ngôn ngữ của hướng dẫn và thông báo: vi (mặc định) hoặc en (biến môi trường AVROLL_LANG).",
}

HEADINGS_VI = {"Options": "Tùy chọn", "Commands": "Lệnh", "Arguments": "Đối số"}
EXTRA_VI = {"default: ": "mặc định: ", "required": "bắt buộc", "env var: ": "biến môi trường: "}

# The words of the data rows the listing commands write (`language.word`).
WORDS_VI = {
    "active": "đang dùng",
    "disabled": "đã khóa",
    "revoked": "thu hồi",
    "since": "từ",
    "unit": "đơn vị",
    "enrolled": "đã đăng ký",
    "created": "tạo",
    "by": "bởi",
    "expires": "hết hạn",
    "last used": "dùng lần cuối",
    "token": "mã đăng ký",
    "tries": "số lần gửi",
    "waiting": "đang chờ",
    "accepted": "đã chấp nhận",
    "refused": "đã từ chối",
    "report": "báo cáo",
    "reminder": "đôn đốc",
    "as of": "số liệu đến",
    "(set)": "(đã đặt)",
    "(not set)": "(chưa đặt)",
    "(no e-mail)": "(chưa có e-mail)",
    "reminded": "đã đôn đốc",
    "answered": "đã trả lời",
    "no answer": "chưa trả lời",
}

MESSAGES_VI = [
    # click's own
    ("Error: {message}", "Lỗi: {message}"),
    ("Try '{command}' for help.", "Xem '{command}' để được hướng dẫn."),
    ("Aborted!", "Đã hủy."),
    ("Missing option '{option}'.", "Thiếu tùy chọn '{option}'."),
    ("Missing argument '{argument}'.", "Thiếu đối số '{argument}'."),
    ("No such command '{command}'.", "Không có lệnh '{command}'."),
    ("No such option: {option}", "Không có tùy chọn {option}"),
    ("Invalid value for '{option}': {problem}", "Giá trị không hợp lệ cho '{option}': {problem}"),
    ("Invalid value for {option}: {problem}", "Giá trị không hợp lệ cho {option}: {problem}"),
    ("Got unexpected extra argument ({argument})", "Thừa đối số ({argument})"),
    ("{value} is not one of {choices}.", "{value} không phải là một trong {choices}."),
    ("'{value}' is not one of {choices}.", "'{value}' không phải là một trong {choices}."),
    # A question, and the answer typed after it when the input is echoed.
    ("{question} [y/N]: {answer}", "{question} [y/N]: {answer}"),
    # machines
    (
        "no machine has reported with id or name {name}",
        "không có máy nào báo cáo với mã máy hoặc tên {name}",
    ),
    (
        "{count} machines report under the name {name}: say which by its id ({ids})",
        "{count} máy cùng báo cáo với tên {name}: hãy chỉ rõ máy nào bằng mã máy ({ids})",
    ),
    ("machine {machine} is not retired", "máy {machine} chưa bị thôi tính"),
    ("no held enrollment has id {id}", "không có yêu cầu đăng ký đang chờ nào số {id}"),
    ("no enrollment waits for an administrator", "không có yêu cầu đăng ký nào chờ quản trị viên"),
    (
        "enrollment {id} accepted: the next report of its agent is stored as machine {machine}",
        "đã chấp nhận yêu cầu đăng ký {id}: báo cáo tiếp theo của agent được ghi vào máy {machine}",
    ),
    (
        "enrollment {id} refused: its agent stays refused",
        "đã từ chối yêu cầu đăng ký {id}: agent tiếp tục bị từ chối",
    ),
    ("machine {machine} has no credential", "máy {machine} không có khóa xác thực"),
    (
        "credential of {machine} forgotten; its agent can enroll again",
        "đã xóa khóa xác thực của {machine}; agent có thể đăng ký lại",
    ),
    ("give a reason (--reason)", "hãy nêu lý do (--reason)"),
    (
        "retire machine {machine} from {day} ({reason})?",
        "cho thôi tính máy {machine} từ ngày {day} ({reason})?",
    ),
    ("machine {machine} retired from {day}", "máy {machine} thôi được tính từ ngày {day}"),
    (
        "machine {machine} restored: it counts again; its agent enrolls again with a token on "
        "its next run",
        "đã tính lại máy {machine}: máy được tính trở lại; agent đăng ký lại bằng "
        "mã đăng ký ở lần chạy sau",
    ),
    ("machine {machine} counts for {unit}", "máy {machine} được tính cho đơn vị {unit}"),
    (
        "machine {machine} follows the naming rule again",
        "máy {machine} lại được tính theo quy tắc đặt tên",
    ),
    ("date '{day}' is not YYYY-MM-DD", "ngày '{day}' không đúng dạng YYYY-MM-DD"),
    ("date {day} is in the future", "ngày {day} chưa tới"),
    # users and tokens
    ("user {name} added ({role})", "đã thêm người dùng {name} ({role})"),
    ("user {name} disabled", "đã khóa người dùng {name}"),
    ("user {name} enabled", "đã mở lại người dùng {name}"),
    ("password of {name} changed", "đã đổi mật khẩu của {name}"),
    ("token {token} created", "đã tạo mã đăng ký {token}"),
    ("token {token} revoked", "đã thu hồi mã đăng ký {token}"),
    ("token {token} was revoked already", "mã đăng ký {token} đã bị thu hồi từ trước"),
    ("{count} machine(s) it enrolled retired", "đã cho thôi tính {count} máy đăng ký bằng mã này"),
    (
        "The token enrolled {count} machine(s); all of them would be retired:",
        "Mã này đã đăng ký {count} máy; tất cả sẽ bị thôi tính:",
    ),
    ("Retire them all?", "Cho thôi tính tất cả?"),
    ("read token {token} created", "đã tạo mã đọc {token}"),
    ("read token {token} revoked", "đã thu hồi mã đọc {token}"),
    ("read token {token} was revoked already", "mã đọc {token} đã bị thu hồi từ trước"),
    ("no read token has id {token}", "không có mã đọc số {token}"),
    # backup and restore
    (
        "backup of {database} written to {out}: {summary}",
        "đã sao lưu {database} vào {out}: {summary}",
    ),
    ("the database it replaced is kept as {kept}", "cơ sở dữ liệu bị thay được giữ tại {kept}"),
    (
        "restored {backup} into {database}: {summary}",
        "đã phục hồi {backup} vào {database}: {summary}",
    ),
    (
        "{units} units, {machines} machines, {reports} reports (last observed {last})",
        "{units} đơn vị, {machines} máy, {reports} báo cáo (báo cáo gần nhất {last})",
    ),
    ("never", "chưa có"),
    ("there is no database at {path}", "không có cơ sở dữ liệu tại {path}"),
    (
        "the backup cannot replace the database itself",
        "bản sao lưu không được ghi đè lên chính cơ sở dữ liệu",
    ),
    ("the backup is the database itself", "bản sao lưu chính là cơ sở dữ liệu"),
    ("{path} is not a SQLite database", "{path} không phải là cơ sở dữ liệu SQLite"),
    (
        "{path} is not an avroll database (no {tables})",
        "{path} không phải là cơ sở dữ liệu avroll (thiếu {tables})",
    ),
    ("{path} is damaged: {problem}", "{path} bị hỏng: {problem}"),
    # serve and first start
    ("avroll collector: database {path}", "avroll collector: cơ sở dữ liệu {path}"),
    ("avroll collector: listening on {url}", "avroll collector: đang phục vụ tại {url}"),
    # the nightly run's lines on the server's console (nightly.py), each before the
    # summaries they quote, whose templates begin with a varying part
    ("avroll collector: retention: {summary}", "avroll collector: lưu giữ báo cáo: {summary}"),
    (
        "avroll collector: the retention rule failed; it runs again next night",
        "avroll collector: áp dụng quy tắc lưu giữ thất bại; sẽ chạy lại vào đêm sau",
    ),
    (
        "avroll collector: push to {url} stopped: {problem}; it resumes next night",
        "avroll collector: gửi lên {url} dừng lại: {problem}; sẽ tiếp tục vào đêm sau",
    ),
    (
        "avroll collector: the push to {url} failed; it resumes next night",
        "avroll collector: gửi lên {url} thất bại; sẽ tiếp tục vào đêm sau",
    ),
    ("avroll collector: push to {url}: {summary}", "avroll collector: gửi lên {url}: {summary}"),
    (
        "avroll collector: the scheduled reminders failed; they are tried on their next day",
        "avroll collector: gửi thư đôn đốc theo lịch thất bại; sẽ gửi lại vào ngày gửi sau",
    ),
    (
        "avroll collector: reminders: {sent} of {count} sent; failed: {failed}; skipped "
        "(answered their last reminder): {skipped}",
        "avroll collector: đôn đốc: đã gửi {sent}/{count}; thất bại: {failed}; bỏ qua (đã báo "
        "cáo sau thư đôn đốc gần nhất): {skipped}",
    ),
    (
        "avroll collector: reminders: {sent} of {count} sent; failed: {failed}",
        "avroll collector: đôn đốc: đã gửi {sent}/{count}; thất bại: {failed}",
    ),
    (
        "avroll collector: reminders: {sent} of {count} sent; skipped (answered their last "
        "reminder): {skipped}",
        "avroll collector: đôn đốc: đã gửi {sent}/{count}; bỏ qua (đã báo cáo sau thư đôn đốc "
        "gần nhất): {skipped}",
    ),
    (
        "avroll collector: reminders: {sent} of {count} sent",
        "avroll collector: đôn đốc: đã gửi {sent}/{count}",
    ),
    (
        "port {port} on {host} is taken: avroll (or another program) is already listening "
        "there. Stop it, or choose another port (avroll serve --port N, make run PORT=N).",
        "cổng {port} trên {host} đã bị chiếm: avroll (hoặc chương trình khác) đang dùng cổng "
        "này. Hãy dừng chương trình đó, hoặc chọn cổng khác (avroll serve --port N, make run "
        "PORT=N).",
    ),
    (
        "avroll collector: first start: created administrator '{name}' with password {password}",
        "avroll collector: lần chạy đầu: đã tạo quản trị viên '{name}' với mật khẩu {password}",
    ),
    (
        "avroll collector: it is shown only this once; change it with `{command}`.",
        "avroll collector: mật khẩu chỉ hiện lần này; hãy đổi bằng `{command}`.",
    ),
    (
        "avroll collector: first start: created administrator '{name}'; its password is in "
        "{path} (readable by you only): read it, then delete the file or change it with "
        "`{command}`.",
        "avroll collector: lần chạy đầu: đã tạo quản trị viên '{name}'; mật khẩu nằm trong "
        "{path} (chỉ bạn đọc được): hãy đọc, rồi xóa tệp hoặc đổi mật khẩu bằng `{command}`.",
    ),
    # demo
    (
        "{path}: {units} units, {machines} computers, {reports} reports",
        "{path}: {units} đơn vị, {machines} máy tính, {reports} báo cáo",
    ),
    ("See it: avroll serve --db {path}", "Xem: avroll serve --db {path}"),
    (
        "the database already holds units or reports: give a new file",
        "cơ sở dữ liệu đã có đơn vị hoặc báo cáo: hãy chỉ định tệp mới",
    ),
    # units, settings, imports, exports
    ("units: already defined, nothing imported", "đơn vị: đã có, không nhập gì"),
    ("units: {created} added, {updated} updated", "đơn vị: thêm {created}, cập nhật {updated}"),
    ("{count} problem(s): nothing was imported", "{count} lỗi: không nhập gì"),
    ("{file}: {problem}; nothing was imported", "{file}: {problem}; không nhập gì"),
    ("no unit with code '{code}'", "không có đơn vị mã '{code}'"),
    (
        "{source}: snapshot {number} of {moment}: {count} computers",
        "{source}: lần nhập {number} lúc {moment}: {count} máy tính",
    ),
    ("{out}: {count} bytes", "{out}: {count} byte"),
    ("issued report {number}: {files}", "đã ban hành báo cáo {number}: {files}"),
    ("issued reminder {number}: {files}", "đã ban hành công văn đôn đốc {number}: {files}"),
    ("no issued report {number}", "không có văn bản đã ban hành số {number}"),
    (
        "  late data would change it: {row}: licences installed {issued} → {today}",
        "  dữ liệu đến muộn làm thay đổi: {row}: số bản quyền được cài đặt {issued} → {today}",
    ),
    (
        "  late data would change it: {row}: licences allocated {issued} → {today}",
        "  dữ liệu đến muộn làm thay đổi: {row}: số bản quyền được phân bổ {issued} → {today}",
    ),
    ("Installed but not named per the guideline", "Đã cài đặt nhưng chưa đặt tên theo hướng dẫn"),
    ("Total", "Tổng cộng"),
    (
        "  neither its figures nor its appendix were kept: not compared",
        "  không lưu số liệu và phụ lục của văn bản: không so sánh",
    ),
    ("  its unit no longer exists: not compared", "  đơn vị không còn: không so sánh"),
    ("'{day}' is not YYYY-MM-DD", "'{day}' không đúng dạng YYYY-MM-DD"),
    (
        "give --format xlsx or csv (or an --out ending in .xlsx/.csv)",
        "hãy chọn --format xlsx hoặc csv (hoặc --out có đuôi .xlsx/.csv)",
    ),
    ("give --id and --out-dir together", "hãy dùng --id cùng với --out-dir"),
    # reports prune, national push (retention.summary, push.summary)
    (
        "{count} report(s) removed: every report kept since {all_from}, then each machine's "
        "last report of each day from {daily_from}, and its last of each month before (the "
        "daily figures of those days are kept)",
        "đã xóa {count} báo cáo: giữ mọi báo cáo từ {all_from}, rồi báo cáo cuối mỗi ngày của "
        "mỗi máy từ {daily_from}, và báo cáo cuối mỗi tháng trước đó (số liệu từng ngày của "
        "những ngày ấy vẫn được giữ)",
    ),
    (
        "{count} report(s) removed: every report kept since {all_from}, then each machine's "
        "last report of each day (the thinning to months waits for the kept daily figures)",
        "đã xóa {count} báo cáo: giữ mọi báo cáo từ {all_from}, rồi báo cáo cuối mỗi ngày của "
        "mỗi máy (việc rút còn một báo cáo mỗi tháng chờ số liệu từng ngày được lưu)",
    ),
    (
        "pushed {days} day(s) ({first} to {last}) and {issued} issued report(s)",
        "đã gửi {days} ngày ({first} đến {last}) và {issued} báo cáo đã ban hành",
    ),
    (
        "pushed {days} day(s) and {issued} issued report(s)",
        "đã gửi {days} ngày và {issued} báo cáo đã ban hành",
    ),
    (
        "(the letters' issuer: {issuer}; report to: {recipients})",
        "(cơ quan ban hành công văn: {issuer}; báo cáo tới: {recipients})",
    ),
    (
        "--enrolled-after goes with --retire-machines",
        "--enrolled-after chỉ dùng cùng --retire-machines",
    ),
    (
        "{days} kept day(s) and today counted again from the reports: no difference.",
        "đã tính lại {days} ngày đã lưu và hôm nay từ các báo cáo: không có khác biệt.",
    ),
    # mail and reminders
    ("mail: saved", "thư: đã lưu"),
    ("mail: {key}: {problem}", "thư: {key}: {problem}"),
    ("the SMTP settings were not saved", "thiết lập SMTP chưa được lưu"),
    ("remind: {unit}: FAILED: {problem}", "đôn đốc: {unit}: THẤT BẠI: {problem}"),
    ("remind: {unit}: cannot send: {problem}", "đôn đốc: {unit}: không gửi được: {problem}"),
    (
        "remind: the SMTP server and sender are not set yet (avroll mail set)",
        "đôn đốc: chưa đặt máy chủ SMTP và người gửi (avroll mail set)",
    ),
    ("remind: no unit below {rate}%", "đôn đốc: không có đơn vị nào dưới {rate}%"),
    (
        "no unit below {rate}%: nothing to show",
        "không có đơn vị nào dưới {rate}%: không có gì để xem",
    ),
    (
        "remind: test sent to {address}: {unit}'s message, {count} attachments",
        "đôn đốc: đã gửi thư thử tới {address}: thư của {unit}, {count} tệp đính kèm",
    ),
    (
        "test to {address} ({unit}'s message) FAILED: {problem}",
        "thư thử tới {address} (thư của {unit}) THẤT BẠI: {problem}",
    ),
    ("remind: {sent} of {count} sent", "đôn đốc: đã gửi {sent}/{count}"),
    (
        "remind: {sent} of {count} would be sent (preview: add --send to send)",
        "đôn đốc: sẽ gửi {sent}/{count} (xem trước: thêm --send để gửi)",
    ),
    ("  sent, {count} attachments", "  đã gửi, {count} tệp đính kèm"),
    (
        "remind: {unit}: skipped: answered on {day} by {who}, after the reminder of {reminded}",
        "đôn đốc: {unit}: bỏ qua: đã báo cáo ngày {day} ({who}), sau thư đôn đốc ngày {reminded}",
    ),
    (
        "remind: {count} skipped: they answered their last reminder (--include-answered to "
        "remind them too)",
        "đôn đốc: bỏ qua {count} đơn vị đã báo cáo sau thư đôn đốc gần nhất "
        "(--include-answered để vẫn gửi)",
    ),
    (
        "{count} reminder(s) failed (see above and the log)",
        "{count} thư đôn đốc gửi thất bại (xem phía trên và nhật ký)",
    ),
    ("'{address}' is not an e-mail address", "'{address}' không phải là địa chỉ e-mail"),
    ("replies: {unit} answered on {day} ({who})", "trả lời: {unit} đã trả lời ngày {day} ({who})"),
    (
        "{source}: exported at {moment}, as the file says; relative times ('12 minutes ago') "
        "count back from then",
        "{source}: xuất tệp lúc {moment}, theo tệp; thời gian tương đối "
        "('12 minutes ago') tính lùi từ lúc đó",
    ),
    (
        "{source}: exported at {moment}, as --exported-at says; relative times ('12 minutes "
        "ago') count back from then",
        "{source}: xuất tệp lúc {moment}, theo --exported-at; thời "
        "gian tương đối ('12 minutes ago') tính lùi từ lúc đó",
    ),
    (
        "{days} kept day(s) and today counted again from the reports; these differed and now "
        "hold the counts from the reports: {which}",
        "đã tính lại {days} ngày đã lưu và hôm nay "
        "từ các báo cáo; những số liệu sau khác và nay giữ số tính từ báo cáo: {which}",
    ),
    (
        "avroll collector: national collector (units are provinces; they push to /api/v1/national)",
        "avroll collector: collector quốc gia (đơn vị là các tỉnh; các tỉnh "
        "gửi số liệu tới /api/v1/national)",
    ),
    (
        "push credential {number} for {province} created",
        "đã tạo khóa gửi số liệu {number} cho {province}",
    ),
    ("push credential {number} revoked", "đã thu hồi khóa gửi số liệu {number}"),
    (
        "push credential {number} was revoked already",
        "khóa gửi số liệu {number} đã bị thu hồi từ trước",
    ),
    ("no push credential has id {number}", "không có khóa gửi số liệu số {number}"),
    (
        "push to {url} stopped: {problem}; run it again to resume",
        "gửi tới {url} bị dừng: {problem}; chạy lại để tiếp tục",
    ),
    (
        "this is a province's collector: start the national one with `avroll serve --role nation`",
        "đây là collector của tỉnh: hãy chạy collector quốc gia bằng `avroll serve --role nation`",
    ),
    (
        "no enabled administrator and {problem}",
        "không có quản trị viên nào đang hoạt động và {problem}",
    ),
    (
        "Genuine PCs of the unit that enrolled with this token would stop reporting; "
        "--enrolled-after keeps those enrolled before the leak.",
        "Các máy thật của đơn vị đã đăng ký bằng mã này sẽ ngừng báo cáo; --enrolled-after giữ "
        "lại các máy đăng ký trước khi lộ mã.",
    ),
    # Last: "WHAT: a message" (a setting, a file) with the message read on its own.
    ("{key}: {problem}", "{key}: {problem}"),
]
