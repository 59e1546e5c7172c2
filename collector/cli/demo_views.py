"""What `avroll demo` adds around the computers' reports, so every feature has something to
show: a letterhead, each unit's contacts, the console's (KSC) and the directory's (AD)
exports imported beside avroll, PCs whose name and enrollment token disagree (conflicts),
and a report issued a week ago.

Everything here goes through the same functions an officer's command or page calls.
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from collector.formats.formatting import LOCAL_TZ

LETTERHEAD = {
    "issuer_parent": "UBND TỈNH ĐỒNG THÁP",
    "issuer_name": "Sở Thông tin và Truyền thông",
    "issuer_symbol": "STTTT-CNTT",
    "issuer_place": "Đồng Tháp",
    "report_recipient": "Ủy ban nhân dân Tỉnh",
    "report_basis": "Chỉ đạo của Ủy ban nhân dân Tỉnh tại Công văn số 160/UBND-THVX ngày 26 "
    "tháng 4 năm 2022",
    "signer_title": "KT. GIÁM ĐỐC; PHÓ GIÁM ĐỐC",
    "signer_name": "Nguyễn Văn Demo",
    "letter_copies": "UBND các huyện, thành phố; Lưu: VT, CNTT",
}
OFFICERS = (
    "Nguyễn Thị Lan",
    "Trần Văn Hùng",
    "Lê Minh Tâm",
    "Phạm Thị Hoa",
    "Võ Thanh Sơn",
    "Huỳnh Ngọc Mai",
    "Đặng Quốc Bảo",
    "Bùi Thị Thu",
)
KSC_HEADINGS = (
    "Name",
    "Windows domain",
    "Network Agent is installed",
    "Network Agent is running",
    "Real-time protection",
    "Last connected to Administration Server",
    "Anti-virus databases last updated",
    "Connection IP address",
    "Network Agent version",
    "Application version",
    "Status",
    "Parent group",
)
AD_HEADINGS = (
    "DistinguishedName",
    "DNSHostName",
    "Enabled",
    "LastLogonDate",
    "Name",
    "ObjectClass",
    "SamAccountName",
    "Description",
)
DOMAIN = "DC=dongthap,DC=gov,DC=vn"
ISSUED_NUMBER = "150"


def with_contacts(units):
    """Each unit with its leader, IT officer, phone and e-mail (made up)."""
    for number, unit in enumerate(units):
        code = unit["code"].lower()
        unit.update(
            leader_name=f"Lãnh đạo {unit['name']}"[:80],
            officer_name=OFFICERS[number % len(OFFICERS)],
            officer_phone=f"0277{3800000 + number:07d}",
            email=f"cntt.{code}@dongthap.gov.vn",
        )
    return units


def letterhead(db):
    """The province's letterhead settings, as an officer fills them in at /admin/settings."""
    from collector.store import settings

    for key, value in LETTERHEAD.items():
        settings.set_value(db, key, value, "demo")


def conflicting_reports(db, rng, make_report, count=6):
    """PCs enrolled with a token bound to a district but named for a department: each a
    conflict, counted for neither until an administrator assigns it (reported through
    enrollment, as the API stores an agent's report)."""
    from collector.store import enrollment
    from collector.store.ingest import store_report

    token_id, _ = enrollment.create_token(
        db, "demo", unit_code="HTM", note="Huyện Tháp Mười, dùng nhầm cho Sở Y tế"
    )
    for number in range(1, count + 1):
        credential = enrollment.CREDENTIAL_PREFIX + f"demo{rng.getrandbits(160):040x}"
        report = make_report(f"SYT-PC9{number:02d}")
        agent = enrollment.Agent(
            machine_id=None, token_id=token_id, unit_code="HTM", proposed_credential=credential
        )
        store_report(db, report, agent=agent)


def _console_time(moment):
    return moment.astimezone(LOCAL_TZ).strftime("%d/%m/%Y %H:%M:%S")


def _ksc_lines(machines, now, rng):
    lines = ["\t".join(KSC_HEADINGS)]
    for machine in machines:
        contact = now - timedelta(hours=rng.uniform(1, 30 * 24 if machine["off"] else 48))
        lines.append(
            "\t".join(
                (
                    machine["hostname"],
                    "DONGTHAP",
                    "Yes",
                    "Yes",
                    "Running",
                    _console_time(contact),
                    _console_time(contact),
                    machine["ip"],
                    "14.2.0.26967",
                    "12.3.0.493",
                    "OK",
                    f"Managed devices/{machine['enrolled']}",
                )
            )
        )
    # PCs the console manages that never ran avroll's agent.
    for number in range(1, 9):
        lines.append(
            "\t".join(
                (
                    f"WIN-KSC{number:03d}",
                    "DONGTHAP",
                    "Yes",
                    "Yes",
                    "Running",
                    _console_time(now - timedelta(hours=number)),
                    "",
                    f"10.250.0.{number}",
                    "14.2.0.26967",
                    "12.3.0.493",
                    "OK",
                    "Managed devices",
                )
            )
        )
    return "\r\n".join(lines) + "\r\n"


def _ad_lines(machines, now):
    def quoted(cells):
        return ",".join('"' + cell.replace('"', '""') + '"' for cell in cells)

    rows = ["#TYPE Microsoft.ActiveDirectory.Management.ADComputer", quoted(AD_HEADINGS)]
    names = [machine["hostname"] for machine in machines]
    names += [f"PC-AD{number:03d}" for number in range(1, 13)]  # accounts of PCs without avroll
    for name in names:
        logon = (now - timedelta(days=2)).astimezone(LOCAL_TZ)
        rows.append(
            quoted(
                (
                    f"CN={name},OU=Computers,{DOMAIN}",
                    f"{name.lower()}.dongthap.gov.vn",
                    "True",
                    logon.strftime("%m/%d/%Y %I:%M:%S %p"),
                    name,
                    "computer",
                    f"{name}$",
                    "",
                )
            )
        )
    return "\ufeff" + "\r\n".join(rows) + "\r\n"


def console_imports(db, machines, now, rng):
    """A KSC export (the installed PCs, most connected lately, some not listed, and PCs
    without avroll) and an AD export (most PCs and some accounts of others), imported as an
    officer does with `avroll import ksc|directory`."""
    from collector.store.console_imports import import_file

    installed = [
        machine
        for machine in machines
        if machine["installs"] is not None and not machine.get("server")
    ]
    in_ksc = [machine for machine in installed if rng.random() < 0.9]
    in_ad = [machine for machine in machines if rng.random() < 0.85]
    with tempfile.TemporaryDirectory() as folder:
        ksc = Path(folder) / "ksc-devices.txt"
        ksc.write_bytes(_ksc_lines(in_ksc, now, rng).encode("utf-16"))
        import_file(db, "ksc", ksc, actor="demo", now=now, exported_at=now)
        directory = Path(folder) / "ad-computers.csv"
        directory.write_bytes(_ad_lines(in_ad, now).encode("utf-8"))
        import_file(db, "directory", directory, actor="demo", now=now, exported_at=now)


def issued_report(db, now):
    """The report issued a week ago (its number marked on the trend charts)."""
    from collector.exports.issue import issue_report

    week_ago = (now.astimezone(LOCAL_TZ) - timedelta(days=7)).date().isoformat()
    issue_report(db, ISSUED_NUMBER, issued_on=week_ago, as_of=week_ago, actor="demo")
