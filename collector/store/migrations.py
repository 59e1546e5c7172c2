"""The database schema as named migrations, applied in order at start; each runs once."""

from __future__ import annotations

import secrets

from sqlite_utils.migrations import Migrations

from collector.store import repair, search_index
from collector.store.ingest import backfill_connection_and_signatures

migrations = Migrations("avroll")


@migrations()
def m001_reports_and_machines(db):
    # Every report as received (body) plus the facts the pages and counts read (columns).
    db.execute("""
        CREATE TABLE reports (
            report_id TEXT PRIMARY KEY,
            machine_id TEXT NOT NULL,
            received_at TEXT NOT NULL,
            collected_at TEXT NOT NULL,
            observed_at TEXT NOT NULL,
            hostname TEXT NOT NULL,
            agent_version TEXT,
            agent_unit_code TEXT,
            os_family TEXT,
            os_name TEXT,
            os_version TEXT,
            os_server INTEGER,
            ram_installed_bytes INTEGER,
            ram_visible_bytes INTEGER,
            device_type TEXT,
            av_status TEXT,
            mgmt_installed INTEGER,
            mgmt_running INTEGER,
            body TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX reports_machine_observed ON reports (machine_id, observed_at)")
    db.execute("""
        CREATE TABLE report_products (
            report_id TEXT NOT NULL REFERENCES reports (report_id),
            name TEXT NOT NULL,
            vendor TEXT,
            version TEXT,
            enabled INTEGER,
            up_to_date INTEGER
        )""")
    db.execute("CREATE INDEX report_products_report ON report_products (report_id)")
    # One row per machine: which report is its latest, and when it was first and last seen.
    db.execute("""
        CREATE TABLE machines (
            machine_id TEXT PRIMARY KEY,
            hostname TEXT NOT NULL,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            latest_report_id TEXT NOT NULL REFERENCES reports (report_id)
        )""")
    db.execute("CREATE INDEX machines_hostname ON machines (hostname COLLATE NOCASE)")
    db.execute("CREATE INDEX machines_last_seen ON machines (last_seen_at)")


@migrations()
def m002_accounts_enrollment_audit(db):
    # The key that signs session cookies: made once per database, so sessions survive a restart.
    db.execute("CREATE TABLE app_secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute(
        "INSERT INTO app_secrets (name, value) VALUES ('session_key', ?)", [secrets.token_hex(32)]
    )
    # Officers. auth_version changes on disable/reset, which ends their open sessions.
    db.execute("""
        CREATE TABLE users (
            username TEXT PRIMARY KEY,
            password_hash TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('admin', 'viewer', 'unit')),
            unit_code TEXT,
            disabled INTEGER NOT NULL DEFAULT 0,
            auth_version INTEGER NOT NULL DEFAULT 1,
            created_at TEXT NOT NULL,
            CHECK ((role = 'unit') = (unit_code IS NOT NULL))
        )""")
    # Only hashes of tokens and credentials are kept: a copy of the database enrolls nobody.
    db.execute("""
        CREATE TABLE enrollment_tokens (
            token_id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            unit_code TEXT,
            note TEXT,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            revoked_at TEXT,
            enrolled_count INTEGER NOT NULL DEFAULT 0,
            last_used_at TEXT
        )""")
    db.execute("""
        CREATE TABLE machine_credentials (
            machine_id TEXT PRIMARY KEY,
            credential_hash TEXT NOT NULL UNIQUE,
            token_id INTEGER REFERENCES enrollment_tokens (token_id),
            unit_code TEXT,
            enrolled_at TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE audit_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            action TEXT NOT NULL,
            detail TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX audit_log_at ON audit_log (at)")


@migrations()
def m002_units(db):
    # The units that receive licence quotas; `parent` makes a tree (a commune under a district).
    # `position` keeps the order units were first imported in, which orders report sections.
    db.execute("""
        CREATE TABLE units (
            code TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            "group" TEXT NOT NULL DEFAULT '',
            parent TEXT REFERENCES units (code) DEFERRABLE INITIALLY DEFERRED,
            allocated INTEGER CHECK (allocated IS NULL OR allocated >= 0),
            leader_name TEXT,
            leader_phone TEXT,
            officer_name TEXT,
            officer_phone TEXT,
            position INTEGER NOT NULL
        )""")
    db.execute("CREATE INDEX units_parent ON units (parent)")


@migrations()
def m003_settings(db):
    # Only values an administrator changed; defaults live in collector/settings.py.
    db.execute("CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")


@migrations()
def m004_rollup_indexes(db):
    # Which stored product names are the mandated one is decided per distinct name.
    db.execute("CREATE INDEX report_products_name ON report_products (name, report_id)")


@migrations()
def m005_hostname_units(db):
    # Which unit each reported computer name follows under the naming rule in force (NULL:
    # none), so the rollup does not run the pattern over every machine each time.
    # `hostname_units_state` says which rule the rows were computed under and up to which
    # report (rowid) the names have been read.
    db.execute("CREATE TABLE hostname_units (hostname TEXT PRIMARY KEY, unit TEXT) WITHOUT ROWID")
    db.execute(
        "CREATE TABLE hostname_units_state (fingerprint TEXT NOT NULL, "
        "last_report_rowid INTEGER NOT NULL)"
    )


@migrations()
def m006_machine_hardware(db):
    # The board (SMBIOS UUID) each credential's machine reported, to tell clones of one image
    # apart and to recognise a reinstalled PC; `stored_as`: the machine its reports are
    # stored under when that is not its own id (a reinstalled PC, an id that changed).
    db.execute("ALTER TABLE machine_credentials ADD COLUMN hardware_uuid TEXT")
    db.execute("ALTER TABLE machine_credentials ADD COLUMN stored_as TEXT")
    db.execute("CREATE INDEX machine_credentials_hardware ON machine_credentials (hardware_uuid)")


@migrations()
def m007_console_imports(db):
    # Snapshots of the Kaspersky console's and the directory's computer lists (issue 15):
    # one row per import, one per device listed; the newest import of a source counts.
    db.execute("""
        CREATE TABLE console_imports (
            import_id INTEGER PRIMARY KEY,
            source TEXT NOT NULL CHECK (source IN ('ksc', 'directory')),
            imported_at TEXT NOT NULL,
            imported_by TEXT NOT NULL,
            filename TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            devices INTEGER NOT NULL
        )""")
    db.execute("""
        CREATE TABLE console_devices (
            import_id INTEGER NOT NULL REFERENCES console_imports (import_id),
            line INTEGER NOT NULL,
            name TEXT NOT NULL,
            netbios TEXT NOT NULL,
            ip TEXT,
            last_seen_at TEXT,
            agent_installed INTEGER,
            agent_running INTEGER,
            protection TEXT,
            bases_at TEXT,
            agent_version TEXT,
            app_version TEXT,
            status TEXT,
            place TEXT,
            domain TEXT,
            server TEXT,
            description TEXT,
            enabled INTEGER
        )""")
    db.execute("CREATE INDEX console_devices_import ON console_devices (import_id, netbios)")


@migrations()
def m008_mail_reminders(db):
    # Reminders by e-mail: each unit's contact address, the SMTP settings (the password
    # among them, never shown back), and every sending.
    db.execute("ALTER TABLE units ADD COLUMN email TEXT")
    db.execute("CREATE TABLE mail_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("""
        CREATE TABLE mail_log (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL,
            actor TEXT NOT NULL,
            unit_code TEXT NOT NULL,
            recipient TEXT,
            subject TEXT NOT NULL,
            attachments INTEGER NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
            error TEXT
        )""")
    db.execute("CREATE INDEX mail_log_at ON mail_log (at)")


@migrations()
def m009_issued_reports(db):
    # Reports as issued (number and date) with the exact bytes of their files, so a report
    # downloads later as it was sent, whatever changed since.
    db.execute("""
        CREATE TABLE issued_reports (
            id INTEGER PRIMARY KEY,
            number TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            as_of TEXT NOT NULL,
            parent TEXT,
            issued_at TEXT NOT NULL,
            issued_by TEXT NOT NULL,
            UNIQUE (number, issued_on)
        )""")
    db.execute("""
        CREATE TABLE issued_files (
            report_id INTEGER NOT NULL REFERENCES issued_reports (id),
            filename TEXT NOT NULL,
            body BLOB NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (report_id, filename)
        )""")


@migrations()
def m010_repair_rows_the_contract_now_refuses(db):
    # Times before 1970 or from 2100, noncharacters and invisible characters in names, and
    # ids spelt other than canonically (issue 16): see collector/store/repair.py.
    repair.repair_all(db)


@migrations()
def m011_sessions_on_the_server_and_login_failures(db):
    # The signing key moves to a 0600 file beside the database (store/keyfile.py): a backup
    # of the database no longer holds it. Sessions made before end once.
    db.execute("DROP TABLE IF EXISTS app_secrets")
    db.execute("""CREATE TABLE sessions (id_hash TEXT PRIMARY KEY, username TEXT NOT NULL,
                                         started_at TEXT NOT NULL)""")
    db.execute("CREATE INDEX sessions_username ON sessions (username)")
    # Failed logins per account and address, and per address (store/login_failures.py).
    db.execute("""CREATE TABLE login_failures (key TEXT PRIMARY KEY,
                                               failures INTEGER NOT NULL,
                                               last_failed_at REAL NOT NULL)""")
    db.execute("CREATE INDEX login_failures_last ON login_failures (last_failed_at)")


@migrations()
def m012_report_clock_skew(db):
    # The collector's clock minus the PC's when it sent the report (store/ingest.py).
    db.execute("ALTER TABLE reports ADD COLUMN clock_skew_seconds INTEGER")


@migrations()
def m013_connection_and_signatures(db):
    # What the Network Agent says of its last synchronisation (the "connected" figure) and
    # each product's signature date (protected where Security Center is absent), read back
    # from the bodies of reports stored before these columns existed.
    db.execute("ALTER TABLE reports ADD COLUMN mgmt_server TEXT")
    db.execute("ALTER TABLE reports ADD COLUMN mgmt_last_connected_at TEXT")
    db.execute("ALTER TABLE report_products ADD COLUMN signatures_updated_at TEXT")
    backfill_connection_and_signatures(db)


@migrations()
def m014_lifecycle_and_attribution(db):
    # A machine retired from a day on (by an admin, or with the token that enrolled it):
    # it leaves every count from that day; its reports stay.
    db.execute("""
        CREATE TABLE machine_retirements (
            machine_id TEXT PRIMARY KEY,
            retired_on TEXT NOT NULL,
            retired_at TEXT NOT NULL,
            retired_by TEXT NOT NULL,
            reason TEXT
        )""")
    # The unit an admin set a machine to by hand (a naming conflict, a shared PC): it counts
    # there from the moment it was set.
    db.execute("""
        CREATE TABLE machine_assignments (
            machine_id TEXT PRIMARY KEY,
            unit_code TEXT NOT NULL,
            assigned_at TEXT NOT NULL,
            assigned_by TEXT NOT NULL
        )""")
    # How many machines a token may enroll (NULL: no limit).
    db.execute("ALTER TABLE enrollment_tokens ADD COLUMN machine_limit INTEGER")


@migrations()
def m015_versions_in_force(db):
    # What a unit was (name, section, parent, allocation) and what a counting setting said,
    # from the day each change took effect: figures as of a date use the values in force
    # then. What existed before this table counts as in force from the start.
    db.execute("""
        CREATE TABLE unit_versions (
            code TEXT NOT NULL,
            name TEXT NOT NULL,
            "group" TEXT NOT NULL,
            parent TEXT,
            allocated INTEGER,
            effective_from TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (code, effective_from)
        )""")
    db.execute("""INSERT INTO unit_versions SELECT code, name, "group", parent, allocated,
                  '2000-01-01', strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM units""")
    db.execute("""
        CREATE TABLE setting_versions (
            key TEXT NOT NULL,
            value TEXT,
            effective_from TEXT NOT NULL,
            recorded_at TEXT NOT NULL,
            PRIMARY KEY (key, effective_from)
        )""")
    db.execute("""INSERT INTO setting_versions SELECT key, value, '2000-01-01',
                  strftime('%Y-%m-%dT%H:%M:%SZ', 'now') FROM settings""")


# The counts kept per unit since m016, as `counting/states.py: COUNTS` names them (a test keeps
# them the same); m016's tables and m023's unit_next share them.
KEPT_COUNTS = (
    "seen",
    "stale",
    "installed",
    "installed_named",
    "connected",
    "official",
    "protected",
    "exempt",
    "missing",
    "misnamed",
    "misnamed_installed",
    "misnamed_official",
    "mismatched",
    "conflicts",
    "retired",
)


@migrations()
def m016_kept_figures(db):
    # Whether a report's unit came from the token that enrolled its machine (not from the
    # agent's own setting): with the report, a conflict stays what it was on that day.
    db.execute("ALTER TABLE reports ADD COLUMN unit_bound INTEGER NOT NULL DEFAULT 0")
    db.execute("""UPDATE reports SET unit_bound = 1 WHERE agent_unit_code = (
                      SELECT unit_code FROM machine_credentials c
                      WHERE c.machine_id = reports.machine_id)""")
    # The first day any machine reported (where the trend charts start).
    db.execute("CREATE INDEX machines_first_seen ON machines (first_seen_at)")
    # Past days' duplicate names are found by name.
    db.execute("CREATE INDEX reports_hostname ON reports (hostname COLLATE NOCASE)")
    # Every product name ever reported (the mandated ones are found among these).
    db.execute("CREATE TABLE product_names (name TEXT PRIMARY KEY) WITHOUT ROWID")
    db.execute("INSERT OR IGNORE INTO product_names SELECT DISTINCT name FROM report_products")
    db.execute("""CREATE TRIGGER product_names_new AFTER INSERT ON report_products BEGIN
                  INSERT OR IGNORE INTO product_names VALUES (NEW.name); END""")
    kept_figures_schema(db)


def kept_figures_schema(db):
    """The figures kept up to date at ingest (collector/counting/kept.py), and the marks
    every change that moves them leaves, written by triggers whoever the writer is."""
    # What changed since the kept figures were last brought up to date: a machine (a report,
    # its retirement or assignment) from a moment on, or every machine (machine_id NULL).
    db.execute("""CREATE TABLE kept_marks (id INTEGER PRIMARY KEY, machine_id TEXT,
                  report_rowid INTEGER, since TEXT NOT NULL)""")
    db.execute("""CREATE TRIGGER kept_mark_report AFTER INSERT ON reports BEGIN
                  INSERT INTO kept_marks (machine_id, report_rowid, since)
                  VALUES (NEW.machine_id, NEW.rowid, NEW.observed_at); END""")
    for table, column in (
        ("machine_retirements", "retired_on"),
        ("machine_assignments", "assigned_at"),
    ):
        for event, rows in (("INSERT", ("NEW",)), ("UPDATE", ("OLD", "NEW")), ("DELETE", ("OLD",))):
            since = rows[0] + "." + column if len(rows) == 1 else f"min(OLD.{column}, NEW.{column})"
            db.execute(f"""CREATE TRIGGER kept_mark_{table}_{event.lower()} AFTER {event}
                           ON {table} BEGIN INSERT INTO kept_marks (machine_id, since)
                           VALUES ({rows[-1]}.machine_id, {since}); END""")  # noqa: S608
    # The naming rule and the unit tree apply to every date; a counting setting from its day.
    for event, when in (
        ("INSERT", ""),
        ("DELETE", ""),
        ("UPDATE", "WHEN OLD.code IS NOT NEW.code OR OLD.parent IS NOT NEW.parent"),
    ):
        db.execute(f"""CREATE TRIGGER kept_mark_units_{event.lower()} AFTER {event}
                       ON units {when} BEGIN INSERT INTO kept_marks (since) VALUES ('');
                       END""")  # noqa: S608
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        db.execute(f"""CREATE TRIGGER kept_mark_naming_{event.lower()} AFTER {event}
                       ON settings WHEN {row}.key = 'naming_pattern'
                       BEGIN INSERT INTO kept_marks (since) VALUES (''); END""")  # noqa: S608
        db.execute(f"""CREATE TRIGGER kept_mark_setting_{event.lower()} AFTER {event}
                       ON setting_versions BEGIN INSERT INTO kept_marks (since)
                       VALUES ({row}.effective_from); END""")  # noqa: S608
    # Retirements and assignments as the kept figures last saw them.
    db.execute("""CREATE TABLE kept_retirements (machine_id TEXT PRIMARY KEY,
                  retired_on TEXT NOT NULL)""")
    db.execute("""CREATE TABLE kept_assignments (machine_id TEXT PRIMARY KEY,
                  unit_code TEXT NOT NULL, assigned_at TEXT NOT NULL)""")
    counts = ", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in KEPT_COUNTS)
    machine_now_schema(db)
    # Each machine's latest report's addresses as text (one per line; MACs as bare hex),
    # and every machine found by any part of its name, id, IPs or MACs by trigrams, so that a
    # search reads the few that match, not every machine (row: machines.rowid).
    db.execute("""CREATE TABLE machine_addresses (machine_id TEXT PRIMARY KEY,
                  ips TEXT, macs TEXT) WITHOUT ROWID""")
    db.execute("CREATE VIRTUAL TABLE machine_search USING fts5(text, tokenize='trigram')")
    # Per unit ('' for none): the counts now, and those of each day kept.
    db.execute(f"CREATE TABLE unit_now (unit TEXT PRIMARY KEY, {counts}) WITHOUT ROWID")
    db.execute(f"""CREATE TABLE unit_days (day TEXT NOT NULL, unit TEXT NOT NULL, {counts},
                   PRIMARY KEY (day, unit)) WITHOUT ROWID""")
    db.execute("""CREATE TABLE conflict_days (day TEXT NOT NULL, enrolled_code TEXT NOT NULL,
                  named_unit TEXT NOT NULL, conflicts INTEGER NOT NULL,
                  PRIMARY KEY (day, enrolled_code, named_unit)) WITHOUT ROWID""")
    db.execute("""CREATE TABLE shared_now (hostname TEXT PRIMARY KEY, machines TEXT NOT NULL)
                  WITHOUT ROWID""")
    db.execute("""CREATE TABLE day_duplicates (day TEXT NOT NULL, hostname TEXT NOT NULL,
                  machines TEXT NOT NULL, PRIMARY KEY (day, hostname)) WITHOUT ROWID""")
    # The days kept (computed once, then kept up to date), and whether `machine_now` is.
    db.execute("CREATE TABLE kept_days (day TEXT PRIMARY KEY, computed_at TEXT NOT NULL)")
    db.execute("CREATE TABLE kept_state (key TEXT PRIMARY KEY, value TEXT)")
    # Each unit with itself and every unit above it (for attribution conflicts), rebuilt
    # when the units' tag moves (counting/states.py).
    db.execute("""CREATE TABLE unit_lineage (unit TEXT NOT NULL, ancestor TEXT NOT NULL,
                  PRIMARY KEY (unit, ancestor)) WITHOUT ROWID""")


@migrations()
def m017_ingest_lookups(db):
    # Ingest checks whether some credential reports into a new machine's id (`stored_as`):
    # without this index, a scan of every enrolled machine for each new one.
    db.execute(
        "CREATE INDEX machine_credentials_stored_as ON machine_credentials (stored_as) "
        "WHERE stored_as IS NOT NULL"
    )
    # A tag that changes with every change to the unit codes or the tree, in any process:
    # the naming check keeps the codes in memory and reads them again only when it moved.
    db.execute("CREATE TABLE units_version (tag TEXT NOT NULL)")
    db.execute("INSERT INTO units_version VALUES (lower(hex(randomblob(8))))")
    retag = "BEGIN UPDATE units_version SET tag = lower(hex(randomblob(8))); END"
    db.execute("CREATE TRIGGER units_version_insert AFTER INSERT ON units " + retag)
    db.execute("CREATE TRIGGER units_version_delete AFTER DELETE ON units " + retag)
    db.execute("CREATE TRIGGER units_version_update AFTER UPDATE OF code, parent ON units " + retag)


@migrations()
def m018_read_tokens(db):
    # Bearer tokens for scripts and collectors above that read GET /api/v1/* (store/api_tokens.py).
    db.execute("""
        CREATE TABLE api_tokens (
            token_id INTEGER PRIMARY KEY,
            token_hash TEXT NOT NULL UNIQUE,
            role TEXT NOT NULL CHECK (role IN ('viewer', 'unit')),
            unit_code TEXT,
            note TEXT,
            expires_on TEXT NOT NULL,
            created_at TEXT NOT NULL,
            created_by TEXT NOT NULL,
            last_used_on TEXT,
            revoked_at TEXT
        )""")


@migrations()
def m019_console_export_dates(db):
    # When a KSC or AD file was exported (its own date, or the one the officer gave), which
    # its "12 minutes ago" counts back from and its connections are judged against.
    db.execute("ALTER TABLE console_imports ADD COLUMN exported_at TEXT")
    db.execute("ALTER TABLE console_imports ADD COLUMN exported_from TEXT")
    # KSC's own product names ("Kaspersky Endpoint Security 10 MR1") now count as their
    # family: every kept figure not kept for good is counted again (counting/products.py).
    db.execute("INSERT INTO kept_marks (since) VALUES ('')")


@migrations()
def m020_letters_each_level_and_replies(db):
    # Each unit's own letterhead (a district drafts under its own name, not the province's).
    db.execute("""CREATE TABLE unit_letterheads (unit_code TEXT NOT NULL, key TEXT NOT NULL,
                  value TEXT NOT NULL, PRIMARY KEY (unit_code, key)) WITHOUT ROWID""")
    # Reminders are issued and kept like reports; a number is unique per issuer (the
    # province, or the unit whose letterhead it bears) and day, not across all of them.
    # Both tables are rebuilt (SQLite cannot change a constraint; renaming the parent
    # renames the files' reference with it): old ones aside, new ones made, rows copied.
    db.execute("ALTER TABLE issued_reports RENAME TO issued_reports_old")
    db.execute("ALTER TABLE issued_files RENAME TO issued_files_old")
    db.execute("""
        CREATE TABLE issued_reports (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL DEFAULT 'report' CHECK (kind IN ('report', 'reminder')),
            number TEXT NOT NULL,
            issued_on TEXT NOT NULL,
            as_of TEXT NOT NULL,
            parent TEXT,
            issued_at TEXT NOT NULL,
            issued_by TEXT NOT NULL
        )""")
    db.execute("""
        CREATE TABLE issued_files (
            report_id INTEGER NOT NULL REFERENCES issued_reports (id),
            filename TEXT NOT NULL,
            body BLOB NOT NULL,
            sha256 TEXT NOT NULL,
            PRIMARY KEY (report_id, filename)
        )""")
    db.execute(
        "INSERT INTO issued_reports (id, number, issued_on, as_of, parent, issued_at, "
        "issued_by) SELECT id, number, issued_on, as_of, parent, issued_at, issued_by "
        "FROM issued_reports_old"
    )
    db.execute("INSERT INTO issued_files SELECT * FROM issued_files_old")
    db.execute("DROP TABLE issued_files_old")
    db.execute("DROP TABLE issued_reports_old")
    db.execute(
        "CREATE UNIQUE INDEX issued_reports_number ON issued_reports "
        "(number, issued_on, coalesce(parent, ''))"
    )
    # Each unit's answer to the reminders: on which day, by whom, recorded by which officer.
    db.execute("""
        CREATE TABLE unit_replies (
            id INTEGER PRIMARY KEY,
            unit_code TEXT NOT NULL,
            replied_on TEXT NOT NULL,
            replied_by TEXT NOT NULL,
            note TEXT NOT NULL DEFAULT '',
            recorded_at TEXT NOT NULL,
            recorded_by TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX unit_replies_unit ON unit_replies (unit_code, replied_on)")
    # Who the reminders name as sender ("Sở Thông tin và Truyền thông <avroll@…>").
    db.execute("INSERT OR IGNORE INTO mail_settings (key, value) VALUES ('sender_name', '')")


@migrations()
def m021_national_collector(db):
    # A national collector keeps what each province pushed, as signed (store/national.py).
    db.execute("CREATE TABLE collector_role (role TEXT NOT NULL)")
    db.execute("""CREATE TABLE push_credentials (id INTEGER PRIMARY KEY,
                  province TEXT NOT NULL, credential_hash TEXT NOT NULL UNIQUE,
                  created_at TEXT NOT NULL, created_by TEXT NOT NULL, revoked_at TEXT)""")
    db.execute("""CREATE TABLE national_days (province TEXT NOT NULL, as_of TEXT NOT NULL,
                  version INTEGER NOT NULL, figures TEXT NOT NULL, sha256 TEXT NOT NULL,
                  computed_at TEXT, received_at TEXT NOT NULL, clock_skew_seconds INTEGER,
                  PRIMARY KEY (province, as_of, version)) WITHOUT ROWID""")
    # A report's number is unique per issuer and day: the province ('') or a unit drafting
    # under its own letterhead (`parent`).
    db.execute("""CREATE TABLE national_issued (province TEXT NOT NULL, number TEXT NOT NULL,
                  issued_on TEXT NOT NULL, parent TEXT NOT NULL, as_of TEXT NOT NULL,
                  issued_at TEXT NOT NULL, received_at TEXT NOT NULL,
                  PRIMARY KEY (province, number, issued_on, parent))""")
    db.execute("""CREATE TABLE national_issued_files (province TEXT NOT NULL,
                  number TEXT NOT NULL, issued_on TEXT NOT NULL, parent TEXT NOT NULL,
                  filename TEXT NOT NULL, body BLOB NOT NULL, sha256 TEXT NOT NULL,
                  PRIMARY KEY (province, number, issued_on, parent, filename))""")
    db.execute("""CREATE TABLE national_pushes (id INTEGER PRIMARY KEY, province TEXT NOT NULL,
                  received_at TEXT NOT NULL, clock_skew_seconds INTEGER, what TEXT)""")
    db.execute("CREATE INDEX national_pushes_province ON national_pushes (province, received_at)")


@migrations()
def m022_search_follows_the_latest_report(db):
    # The search index was kept with the figures (counting/kept.py), rewritten for every
    # report; triggers now keep it with the machine, only when its name or addresses change.
    search_index.install(db)
    db.execute("DELETE FROM kept_state WHERE key = 'search'")


@migrations()
def m023_recount_in_steps(db):
    # A change that moves every machine is counted again in steps (counting/kept.py): the
    # new counts per unit gather here, then replace unit_now at once.
    columns = ", ".join(f"{name} INTEGER NOT NULL DEFAULT 0" for name in KEPT_COUNTS)
    db.execute(f"CREATE TABLE unit_next (unit TEXT PRIMARY KEY, {columns}) WITHOUT ROWID")
    # A past day is counted in steps too: each machine's name that day gathers here, for
    # the names several machines shared, found once the last step is done.
    db.execute("""CREATE TABLE day_names (machine_id TEXT PRIMARY KEY, hostname TEXT NOT NULL,
                  enrolled_code TEXT) WITHOUT ROWID""")


@migrations()
def m024_figures_door(db):
    # Each machine's kept row carries every rule as a column (seen, installed, official...),
    # so readers filter on columns and never restate a rule; the mismatch rule changed (a
    # name under the enrolling unit is none): every kept figure is counted again.
    db.execute("DROP TABLE machine_now")
    machine_now_schema(db)
    db.execute("DELETE FROM unit_now")
    db.execute("DELETE FROM unit_next")
    db.execute("DELETE FROM kept_state WHERE key IN ('now', 'recount')")
    db.execute("INSERT INTO kept_marks (since) VALUES ('')")
    # The figures version: moves with every change that can move a figure (a mark, a unit,
    # an allocation), whichever process makes it; every cache of figures is keyed on it.
    db.execute("CREATE TABLE figures_version (version INTEGER NOT NULL)")
    db.execute("INSERT INTO figures_version VALUES (1)")
    bump = "BEGIN UPDATE figures_version SET version = version + 1; END"
    db.execute("CREATE TRIGGER figures_version_mark AFTER INSERT ON kept_marks " + bump)
    for table in ("units", "unit_versions"):
        for event in ("INSERT", "UPDATE", "DELETE"):
            db.execute(
                f"CREATE TRIGGER figures_version_{table}_{event.lower()} "
                f"AFTER {event} ON {table} " + bump
            )


@migrations()
def m025_held_admissions(db):
    # Enrollments that wait for an administrator (store/held.py): a reinstall that would
    # rename a machine or move it to another unit, an enrolled machine id without proof.
    # One row per reported machine id and token, however often the agent tries.
    db.execute("""
        CREATE TABLE held_admissions (
            held_id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL CHECK (kind IN ('reinstall', 'known_id')),
            machine_id TEXT NOT NULL,
            hardware_uuid TEXT,
            stored_as TEXT NOT NULL,
            hostname TEXT NOT NULL,
            unit_code TEXT,
            current_hostname TEXT,
            current_unit TEXT,
            token_id INTEGER NOT NULL,
            proposal_hash TEXT,
            first_seen_at TEXT NOT NULL,
            last_seen_at TEXT NOT NULL,
            tries INTEGER NOT NULL DEFAULT 1,
            decision TEXT CHECK (decision IN ('accepted', 'refused')),
            decided_at TEXT,
            decided_by TEXT,
            UNIQUE (machine_id, token_id)
        )""")
    db.execute(
        "CREATE INDEX held_admissions_waiting ON held_admissions (token_id) WHERE decision IS NULL"
    )


@migrations()
def m026_issued_figures(db):
    # The appendix's figures an issued report went out with (its unit rows, misnamed row
    # and total, JSON), beside its files: its page shows what late data would change.
    db.execute("ALTER TABLE issued_reports ADD COLUMN figures TEXT")


# The counts kept per unit since m027, after KEPT_COUNTS (so in `COUNTS`' order).
LATER_COUNTS = ("misnamed_listed", "licence_expiring")


@migrations()
def m027_unit_page_tabs_kept(db):
    # The unit page's tabs are counted from kept figures, not from its machines one by one:
    # misnamed machines in any state, licences ending soon (each machine's row says whether,
    # until the day it starts to), and machines whose name another one has; a tab's page
    # reads one index.
    if "licence_expiring" not in {row[1] for row in db.execute("PRAGMA table_info(machine_now)")}:
        db.execute("ALTER TABLE machine_now ADD COLUMN licence_expiring INTEGER NOT NULL DEFAULT 0")
    for table in ("unit_now", "unit_days", "unit_next"):
        for name in LATER_COUNTS:
            db.execute(f"ALTER TABLE {table} ADD COLUMN {name} INTEGER NOT NULL DEFAULT 0")
    db.execute("DROP INDEX machine_now_unit")
    machine_now_unit_index(db)
    db.execute("""CREATE TABLE unit_shared_now (unit TEXT PRIMARY KEY,
                  machines INTEGER NOT NULL) WITHOUT ROWID""")
    # licence_warning_days is not kept in versions: like the naming pattern, a change of it
    # applies to every day.
    for event, row in (("INSERT", "NEW"), ("UPDATE", "NEW"), ("DELETE", "OLD")):
        db.execute(f"""CREATE TRIGGER kept_mark_licence_warning_{event.lower()} AFTER {event}
                       ON settings WHEN {row}.key = 'licence_warning_days'
                       BEGIN INSERT INTO kept_marks (since) VALUES (''); END""")  # noqa: S608
    # Every machine counted again, in steps; pages show the figures of before meanwhile.
    db.execute("INSERT INTO kept_marks (since) VALUES ('')")


def machine_now_schema(db):
    """Each machine's state now, as `counting/states.py` computes it (every rule a column),
    and until when it holds; indexed for the machine lists."""
    db.execute("""CREATE TABLE machine_now (
                      machine_id TEXT PRIMARY KEY, hostname TEXT NOT NULL,
                      observed_at TEXT NOT NULL, report_id TEXT NOT NULL,
                      enrolled_code TEXT, named_unit TEXT, assigned_unit TEXT,
                      conflict INTEGER NOT NULL, unit TEXT, follows_guideline INTEGER NOT NULL,
                      last_connected_at TEXT, seen INTEGER NOT NULL,
                      installed INTEGER NOT NULL, connected INTEGER NOT NULL,
                      official INTEGER NOT NULL, mismatch INTEGER NOT NULL,
                      state TEXT NOT NULL, state_until TEXT,
                      licence_expiring INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID""")
    # The machine lists: by name, within a unit or a state.
    for name, columns in (("hostname", ""), ("state", "state, ")):
        db.execute(
            f"CREATE INDEX machine_now_{name} ON machine_now "
            f"({columns}hostname COLLATE NOCASE, machine_id)"
        )
    machine_now_unit_index(db)
    db.execute(
        "CREATE INDEX machine_now_until ON machine_now (state_until) WHERE state_until IS NOT NULL"
    )
    db.execute("CREATE INDEX machine_now_conflict ON machine_now (enrolled_code) WHERE conflict")


def machine_now_unit_index(db):
    """A unit's machines by name, with what its page's tabs filter on: a tab's page reads
    the index alone, not each of the unit's machines' rows scattered through the table."""
    db.execute(
        "CREATE INDEX machine_now_unit ON machine_now (unit, hostname COLLATE NOCASE, "
        "machine_id, state, installed, connected, follows_guideline, licence_expiring)"
    )


def apply(db):
    """Bring the schema up to date; safe to run at every start."""
    migrations.apply(db)
