"""manage.py import_register (issue 13): each register status, --complete, --dry-run, a second
run, name mismatches, each kind of bad row and bad file, --strict, --report, the query budget."""

import csv
import io
import time
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from directory.messages import message_build
from directory.models import (
    Credential,
    CredentialStatus,
    MatchEntry,
    MessageKind,
    OutboundEmail,
    PractitionerProfile,
    PractitionerStats,
    Profession,
    User,
)
from directory.register_file import REGISTER_COLUMNS, register_name_matches
from directory.services.match_index import (
    match_index_expected,
    match_index_rebuild,
    match_index_stored,
)
from directory.services.register import register_import
from directory.services.stats import stats_credentials_rebuild, stats_drift
from tests.factories import CredentialFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

SOURCE = "confirmed by the CA-BC register on {today}"


def today() -> str:
    return timezone.localdate().isoformat()


def register_csv(*rows: tuple, header: tuple = REGISTER_COLUMNS) -> bytes:
    stream = io.StringIO()
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return stream.getvalue().encode()


def holder(name: str, number: str, **licence) -> Credential:
    """A qualified practitioner (in the match index) and their verified CA-BC licence."""
    practitioner = PractitionerFactory(user__name=name)
    CredentialFactory(owner=practitioner.user, verified=True, ims=True)
    return CredentialFactory(owner=practitioner.user, verified=True, number=number, **licence)


def in_matching(licence: Credential) -> bool:
    return MatchEntry.objects.filter(credential_owner=licence.owner_id).exists()


def assert_consistent() -> None:
    """Figures and match index as a recount and a rebuild would have them."""
    assert stats_drift() == []
    assert match_index_stored() == match_index_expected()


def snapshot() -> tuple:
    """Everything an import might write."""
    return (
        list(Credential.objects.order_by("id").values()),
        list(OutboundEmail.objects.order_by("id").values()),
        list(PractitionerProfile.objects.order_by("id").values("id", "listing_changed_at")),
        list(PractitionerStats.objects.order_by("pk").values()),
        match_index_stored(),
        User.objects.count(),
    )


@pytest.fixture
def run(tmp_path):
    def run(content: bytes, *options: str, jurisdiction: str = "CA-BC") -> str:
        path = tmp_path / "register.csv"
        path.write_bytes(content)
        out, err = io.StringIO(), io.StringIO()
        call_command(
            "import_register",
            str(path),
            "--jurisdiction",
            jurisdiction,
            *options,
            stdout=out,
            stderr=err,
        )
        assert "Checking rows: 100%" in err.getvalue()  # the progress bar
        return out.getvalue()

    return run


def test_active_licence_is_confirmed_and_stays_verified(run):
    licence = holder("Jane Doe", "PT1", expires_on=timezone.localdate() + timedelta(days=90))
    expires_on = licence.expires_on

    output = run(register_csv(("PT1", "Jane Doe", "physiotherapist", "active", "", "yes")))

    source = SOURCE.format(today=today())
    assert output.splitlines() == [
        f"line 2: PT1 (Jane Doe): confirmed — {source}",
        f"CA-BC register, {today()}: confirmed 1, updated 0, unchanged 0, back_to_pending 0, "
        "flagged 0, not_found 0, not_verified 0, error 0; applied.",
    ]
    licence.refresh_from_db()
    assert (licence.status, licence.expires_on, licence.needling_authorized) == (
        CredentialStatus.VERIFIED,
        expires_on,
        True,
    )
    assert (licence.register_checked_on, licence.register_source, licence.register_flag) == (
        timezone.localdate(),
        source,
        "",
    )
    assert in_matching(licence)
    assert not OutboundEmail.objects.exists()
    assert_consistent()


def test_register_expiry_and_needling_replace_the_licence_s(run):
    licence = holder("Jane Doe", "PT1", expires_on=timezone.localdate() + timedelta(days=20))
    old = licence.expires_on
    renewed = timezone.localdate() + timedelta(days=400)

    output = run(
        register_csv(("pt1", "Jane Doe", "Physiotherapist", "ACTIVE", renewed.isoformat(), "no"))
    )

    source = SOURCE.format(today=today())
    assert output.splitlines()[0] == (
        f"line 2: pt1 (Jane Doe): updated — {source}; expires_on {old} → {renewed}, "
        "needling_authorized yes → no"
    )
    licence.refresh_from_db()
    assert licence.status == CredentialStatus.VERIFIED
    assert (licence.expires_on, licence.needling_authorized) == (renewed, False)
    stats = PractitionerStats.objects.get(practitioner__user=licence.owner)
    assert stats.licence_valid_until == renewed
    assert_consistent()


@pytest.mark.parametrize("status", ["suspended", "lapsed", "cancelled"])
def test_inactive_status_sends_the_licence_back_to_pending_and_out_of_matching(run, status):
    licence = holder("Jane Doe", "PT1")
    assert in_matching(licence)
    before = licence.owner.practitioner.listing_changed_at

    output = run(register_csv(("PT1", "Jane Doe", "physiotherapist", status, "", "")))

    assert output.splitlines()[0] == (
        f"line 2: PT1 (Jane Doe): back_to_pending — listed as {status}; owner notified"
    )
    licence.refresh_from_db()
    assert (licence.status, licence.reviewed_by, licence.reviewed_at) == ("pending", None, None)
    assert licence.note == (
        f"Listed as {status} on the CA-BC register checked on {today()} (register import); "
        "back to pending until a moderator verifies it again."
    )
    assert not in_matching(licence)
    assert PractitionerProfile.objects.get(user=licence.owner).listing_changed_at > before
    message = OutboundEmail.objects.get()
    assert (message.kind, message.recipient, message.params) == (
        MessageKind.CREDENTIAL_REGISTER_PENDING,
        licence.owner,
        {
            "credential": licence.pk,
            "register": "CA-BC",
            "register_status": status,
            "checked_on": today(),
        },
    )
    assert_consistent()


def test_complete_sends_back_the_verified_licences_the_file_does_not_name(run):
    holder("Jane Doe", "PT1")
    absent = holder("Omar Haddad", "PT2")
    holder("Li Wei", "PT3")
    CredentialFactory(verified=True, number="MD9", profession=Profession.PHYSICIAN)
    holder("Ana Silva", "PT4", jurisdiction="CA-AB")
    CredentialFactory(number="PT5")
    content = register_csv(
        ("PT1", "Jane Doe", "physiotherapist", "active", "", ""),
        ("PT3", "Li Wei", "physiotherapist", "retired", "", ""),
    )

    output = run(content, "--complete")

    assert output.splitlines()[:3] == [
        f"line 2: PT1 (Jane Doe): confirmed — {SOURCE.format(today=today())}",
        "line 3: PT3 (Li Wei): error — status “retired” is not one of active, suspended, lapsed, "
        "cancelled",
        "not in file: PT2 (Omar Haddad): back_to_pending — not in the register file "
        "(--complete); owner notified",
    ]
    statuses = dict(Credential.objects.values_list("number", "status"))
    assert statuses == {
        "PT1": "verified",
        "PT2": "pending",
        "PT3": "verified",  # its number is in the file, on a row that could not be read
        "MD9": "verified",  # the file lists no physicians
        "PT4": "verified",
        "PT5": "pending",
        **{c.number: c.status for c in Credential.objects.filter(kind="ims_certification")},
    }
    absent.refresh_from_db()
    assert absent.note.startswith(f"No longer listed on the CA-BC register checked on {today()}")
    assert list(OutboundEmail.objects.values_list("recipient", "params__register_status")) == [
        (absent.owner_id, "absent")
    ]
    assert_consistent()


def test_dry_run_writes_nothing_and_prints_the_same_report(run):
    holder("Jane Doe", "PT1")
    holder("Omar Haddad", "PT2")
    holder("Li Wei", "PT3")
    holder("Ana Silva", "PT4")
    content = register_csv(
        ("PT1", "Jane Doe", "physiotherapist", "active", "2031-01-31", "no"),
        ("PT2", "Omar Haddad", "physiotherapist", "suspended", "", ""),
        ("PT3", "Someone Else", "physiotherapist", "active", "", ""),
        ("PT9", "Nobody Known", "physiotherapist", "active", "", ""),
        ("PT8", "Bad Date", "physiotherapist", "active", "tomorrow", ""),
    )
    before = snapshot()

    dry = run(content, "--dry-run", "--complete")

    assert snapshot() == before
    # The same lines, except that a dry run notifies no one and says so.
    assert "owner notified" not in dry
    assert dry.count("owner would be notified") == 2  # PT2 suspended, PT4 absent
    applied = run(content, "--complete")
    assert (
        dry.replace("dry run: nothing written", "applied").replace(
            "owner would be notified", "owner notified"
        )
        == applied
    )
    assert snapshot() != before


def test_a_second_run_changes_nothing(run):
    holder("Jane Doe", "PT1")
    holder("Omar Haddad", "PT2")
    holder("Li Wei", "PT3")
    holder("Ana Silva", "PT4")
    content = register_csv(
        ("PT1", "Jane Doe", "physiotherapist", "active", "2031-01-31", "no"),
        ("PT2", "Omar Haddad", "physiotherapist", "lapsed", "", ""),
        ("PT3", "Someone Else", "physiotherapist", "active", "", ""),
    )
    run(content, "--complete")
    after_first = snapshot()

    second = run(content, "--complete")

    assert snapshot() == after_first
    assert second.splitlines()[-1] == (
        f"CA-BC register, {today()}: confirmed 0, updated 0, unchanged 3, back_to_pending 0, "
        "flagged 0, not_found 0, not_verified 0, error 0; applied."
    )


def test_a_name_that_does_not_match_is_flagged_and_nothing_else_changes(run):
    licence = holder("Jane Doe", "PT1")
    before = Credential.objects.filter(pk=licence.pk).values().get()

    output = run(register_csv(("PT1", "Janet Dane", "physiotherapist", "suspended", "", "no")))

    flag = (
        f"The CA-BC register checked on {today()} lists the name “Janet Dane”, "
        "the account's is “Jane Doe”"
    )
    assert (
        output.splitlines()[0]
        == f"line 2: PT1 (Janet Dane): flagged — {flag}; nothing else changed"
    )
    after = Credential.objects.filter(pk=licence.pk).values().get()
    assert after.pop("register_flag") == flag
    assert after.pop("updated_at") >= before.pop("updated_at")
    before.pop("register_flag")
    assert after == before
    assert in_matching(licence)
    assert not OutboundEmail.objects.exists()


def test_a_profession_that_does_not_match_is_flagged(run):
    licence = holder("Jane Doe", "PT1")

    run(register_csv(("PT1", "Jane Doe", "chiropractor", "active", "", "")))

    licence.refresh_from_db()
    assert licence.register_flag == (
        f"The CA-BC register checked on {today()} lists a chiropractor, the licence a "
        "physiotherapist"
    )
    assert licence.register_checked_on is None


def test_a_flag_fits_its_field_however_long_the_names(run):
    licence = holder("Jane " + "Doe" * 35, "PT1", issued_on=date(2015, 1, 1))
    row = ("PT1", "Janet " + "Dane" * 60, "chiropractor", "active", "2001-01-01", "")

    output = run(register_csv(row))

    licence.refresh_from_db()
    assert len(licence.register_flag) == 300
    assert licence.register_flag.endswith("…")
    assert f"flagged — {licence.register_flag}; nothing else changed" in output


def test_a_later_match_clears_the_flag(run):
    licence = holder("Jane Doe", "PT1")
    run(register_csv(("PT1", "Janet Dane", "physiotherapist", "active", "", "")))

    run(register_csv(("PT1", "DOE, Jane", "physiotherapist", "active", "", "")))

    licence.refresh_from_db()
    assert (licence.register_flag, licence.register_checked_on) == ("", timezone.localdate())


@pytest.mark.parametrize(
    ("register", "account", "same"),
    [
        ("Jane Doe", "Jane Doe", True),
        ("DOE, JANE", "Jane Doe", True),
        ("Dr. Andrés Martínez", "Andres Martinez", True),
        ("Jane Marie Doe", "Jane Doe", True),
        ("Jane Doe, PT", "Jane Doe", True),
        ("Anne-Marie Côté", "Anne Marie Cote", True),
        ("Janet Doe", "Jane Doe", False),
        ("Doe", "Jane Doe", False),
        ("Jane", "Jane Doe", False),
        ("Jane Doe", "", False),
        ("Dr.", "Dr.", False),
    ],
)
def test_name_comparison_is_tolerant_but_not_loose(register, account, same):
    assert register_name_matches(register, account) is same


def test_numbers_not_on_the_directory_or_not_verified_change_nothing(run):
    CredentialFactory(rejected=True, number="PT1", owner__name="Jane Doe")
    withdrawn = holder("Omar Haddad", "PT2")
    Credential.objects.filter(pk=withdrawn.pk).update(withdrawn_at=timezone.now())
    before = snapshot()

    output = run(
        register_csv(
            ("PT1", "Jane Doe", "physiotherapist", "active", "", ""),
            ("PT2", "Omar Haddad", "physiotherapist", "cancelled", "", ""),
            ("PT7", "New Person", "physiotherapist", "active", "2030-01-01", "yes"),
        )
    )

    assert output.splitlines()[:3] == [
        "line 2: PT1 (Jane Doe): not_verified — the licence is rejected; nothing done",
        "line 3: PT2 (Omar Haddad): not_found — no licence with this number in CA-BC; nothing done",
        "line 4: PT7 (New Person): not_found — no licence with this number in CA-BC; nothing done",
    ]
    assert snapshot() == before  # and no account was created


BAD_ROWS = [
    (("", "Jane Doe", "physiotherapist", "active", "", ""), "registration_number is empty"),
    (("PT1", "", "physiotherapist", "active", "", ""), "name is empty"),
    (
        ("PT1", "Jane Doe", "physiotherapist", "active", "2030-02-30", ""),
        "expires_on “2030-02-30” is not a date written YYYY-MM-DD",
    ),
    (
        ("PT1", "Jane Doe", "physiotherapist", "active", "1899-01-01", ""),
        "expires_on 1899-01-01 is not a date from 1950 to 2100",
    ),
    (
        ("PT1", "Jane Doe", "physiotherapist", "struck off", "", ""),
        "status “struck off” is not one of active, suspended, lapsed, cancelled",
    ),
    (
        ("PT1", "Jane Doe", "dentist", "active", "", ""),
        "profession “dentist” is not one of physiotherapist, physician, nurse_practitioner, "
        "chiropractor, kinesiologist, other",
    ),
    (
        ("PT1", "Jane Doe", "physiotherapist", "active", "", "sometimes"),
        "needling_authorized “sometimes” is not one of true/false, yes/no, 1/0 (or empty)",
    ),
]


@pytest.mark.parametrize(("row", "message"), BAD_ROWS)
def test_a_bad_row_is_reported_with_its_line_and_skipped(run, row, message):
    licence = holder("Jane Doe", "PT1")
    other = holder("Omar Haddad", "PT2")

    output = run(register_csv(("PT2", "Omar Haddad", "physiotherapist", "active", "", ""), row))

    assert output.splitlines()[1] == f"line 3: {row[0]} ({row[1]}): error — {message}".replace(
        " ()", ""
    )
    licence.refresh_from_db()
    other.refresh_from_db()
    assert (licence.register_checked_on, licence.status) == (None, "verified")
    assert other.register_checked_on == timezone.localdate()


def test_every_row_of_a_repeated_number_is_skipped(run):
    licence = holder("Jane Doe", "PT1")

    output = run(
        register_csv(
            ("PT1", "Jane Doe", "physiotherapist", "active", "", ""),
            ("PT5", "Omar Haddad", "physiotherapist", "active", "", ""),
            (" pt1 ", "Jane Doe", "physiotherapist", "suspended", "", ""),
        )
    )

    assert output.splitlines()[:3] == [
        "line 2: PT1 (Jane Doe): error — registration number PT1 appears again on line(s) 4",
        "line 3: PT5 (Omar Haddad): not_found — no licence with this number in CA-BC; nothing done",
        "line 4: pt1 (Jane Doe): error — registration number pt1 appears again on line(s) 2",
    ]
    licence.refresh_from_db()
    assert (licence.status, licence.register_checked_on) == ("verified", None)


def test_strict_refuses_the_whole_file(run):
    licence = holder("Jane Doe", "PT1")
    before = snapshot()

    with pytest.raises(CommandError, match="--strict is on: nothing was written"):
        run(
            register_csv(
                ("PT1", "Jane Doe", "physiotherapist", "suspended", "", ""),
                ("PT2", "Omar Haddad", "physiotherapist", "active", "soon", ""),
            ),
            "--strict",
        )

    assert snapshot() == before
    assert licence.status == "verified"


def test_strict_applies_a_clean_file(run):
    licence = holder("Jane Doe", "PT1")

    run(register_csv(("PT1", "Jane Doe", "physiotherapist", "suspended", "", "")), "--strict")

    licence.refresh_from_db()
    assert licence.status == "pending"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            "registration_number,name,status\nPT1,Zoë Tremblay,active\n".encode("latin-1"),
            "The file is not UTF-8: line 2 has the byte 0xEB, which UTF-8 does not allow there. "
            "Save it as “CSV UTF-8” and import it again.",
        ),
        (
            b"registration_number,name,status\nPT1,Jane Doe,active\n",
            "Line 1 (the header) lacks the column(s) profession, expires_on, "
            "needling_authorized; the columns are registration_number, name, profession, "
            "status, expires_on, needling_authorized.",
        ),
        (
            b"",
            "The file is empty; its first line must name the columns: registration_number, "
            "name, profession, status, expires_on, needling_authorized.",
        ),
        (
            b'registration_number,name,profession,status,expires_on,needling_authorized\n"PT1',
            "Line 2 is not valid CSV: unexpected end of data.",
        ),
    ],
)
def test_a_file_that_cannot_be_read_is_refused_whole(run, content, message):
    holder("Zoë Tremblay", "PT1")
    before = snapshot()

    with pytest.raises(CommandError) as refused:
        run(content)

    assert str(refused.value).endswith(f"{message} Nothing was written.")
    assert snapshot() == before


def test_a_byte_order_mark_extra_columns_and_column_order_are_fine(run):
    licence = holder("Zoë Tremblay", "PT1")
    content = (
        "\ufeffName,Status,Registration_Number,Profession,Notes,Expires_On,Needling_Authorized\n"
    )
    content += "Zoë Tremblay,active,PT1,physiotherapist,anything,,1\n"

    run(content.encode("utf-8"))

    licence.refresh_from_db()
    assert licence.register_checked_on == timezone.localdate()


def test_a_bad_jurisdiction_is_refused(run):
    with pytest.raises(CommandError, match="Use an ISO 3166-2 code"):
        run(register_csv(), jurisdiction="British Columbia")


def test_report_is_written_as_csv(run, tmp_path):
    licence = holder("Jane Doe", "PT1")
    report = tmp_path / "report.csv"

    run(
        register_csv(
            ("PT1", "Jane Doe", "physiotherapist", "lapsed", "", ""),
            ("PT2", "Omar Haddad", "physiotherapist", "active", "", "perhaps"),
        ),
        "--report",
        str(report),
    )

    with report.open(newline="", encoding="utf-8") as stream:
        assert list(csv.reader(stream)) == [
            ["line", "registration_number", "name", "action", "detail", "credential_id"],
            [
                "2",
                "PT1",
                "Jane Doe",
                "back_to_pending",
                "listed as lapsed; owner notified",
                str(licence.pk),
            ],
            [
                "3",
                "PT2",
                "Omar Haddad",
                "error",
                "needling_authorized “perhaps” is not one of true/false, yes/no, 1/0 (or empty)",
                "",
            ],
        ]


def test_an_unreadable_file_or_report_path_is_a_clear_error(run, tmp_path):
    with pytest.raises(CommandError, match="Cannot read .*missing.csv"):
        call_command("import_register", str(tmp_path / "missing.csv"), "--jurisdiction", "CA-BC")
    with pytest.raises(CommandError, match="Cannot write .*report.csv"):
        run(register_csv(), "--report", str(tmp_path / "no" / "such" / "report.csv"))


def _licences(count: int, start: int = 0) -> None:
    """`count` practitioners with verified licences PT<n>, their figures and index rows."""
    for n in range(start, start + count):
        holder(f"Person Number{n}", f"PT{n}")


def _mixed_file(count: int, start: int = 0) -> bytes:
    renewed = (timezone.localdate() + timedelta(days=800)).isoformat()
    rows = []
    for n in range(start, start + count):
        status, expiry = [("active", ""), ("active", renewed), ("suspended", "")][n % 3]
        rows.append((f"PT{n}", f"Person Number{n}", "physiotherapist", status, expiry, ""))
    rows.append(("PT999999", "Not Here", "physiotherapist", "active", "", ""))
    return register_csv(*rows)


def test_the_query_count_does_not_grow_with_the_rows(django_assert_num_queries):
    # Three licences each confirmed, renewed and suspended, then twice as many: the same
    # statements, except the e-mail per licence sent back to pending (its outbox row, in a
    # savepoint of its own).
    _licences(9)
    with django_assert_num_queries(32 + 3 * 3):
        register_import(content=_mixed_file(9), jurisdiction="CA-BC")
    _licences(18, start=100)
    with django_assert_num_queries(32 + 6 * 3):
        register_import(content=_mixed_file(18, start=100), jurisdiction="CA-BC")
    assert_consistent()


EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "register-CA-BC.csv"


def test_the_example_file_shows_every_action_on_the_demo_data(run, settings):
    settings.DEBUG = True  # seed_demo's guard: its passwords are public
    call_command("seed_demo", stdout=io.StringIO())
    content = EXAMPLE.read_bytes()

    first = run(content)

    actions = [line.split(": ")[2].split(" — ")[0] for line in first.splitlines()[:-1]]
    assert actions == [
        "confirmed",  # PT-DEMO-1: no expiry given, needling agrees
        "updated",  # a renewal: the register's later expiry
        "updated",  # needling no longer authorized; "Taylor, Noah" is Noah Taylor
        "confirmed",  # "Dr." is not part of a name
        "confirmed",  # "LEA GAGNE" is Léa Gagné
        "back_to_pending",  # suspended
        "back_to_pending",  # lapsed
        "back_to_pending",  # cancelled
        "flagged",  # Arjun Sandhu is not Arjun Singh
        "not_verified",  # a rejected licence
        "not_found",
        "error",  # unknown status
        "error",  # a date in another format, and "maybe"
    ]
    assert OutboundEmail.objects.filter(kind=MessageKind.CREDENTIAL_REGISTER_PENDING).count() == 3
    assert_consistent()
    second = run(content)
    assert second.splitlines()[-1].endswith(
        "confirmed 0, updated 0, unchanged 9, back_to_pending 0, flagged 0, not_found 1, "
        "not_verified 1, error 2; applied."
    )
    complete = run(content, "--dry-run", "--complete").splitlines()
    absent = [line for line in complete if line.startswith("not in file: ")]
    numbers = {line.split(": ")[1].split(" ")[0] for line in absent}
    assert numbers and all(number.startswith("PT") for number in numbers)  # physicians kept


def test_the_register_message_names_the_register_and_the_status(run):
    licence = holder("Jane Doe", "PT1")
    run(register_csv(("PT1", "Jane Doe", "physiotherapist", "cancelled", "", "")))

    message = message_build(OutboundEmail.objects.get())

    assert message.to == [licence.owner.email]
    assert message.subject == "Your licence is back to pending verification"
    assert (
        f"On {today()} we checked your professional licence ({licence.issuer}, no. PT1) "
        "against the CA-BC register, which lists it as cancelled." in message.body
    )
    assert "does not count towards your listing" in message.body


BENCH_ROWS = 10_000


def _bench_directory(count: int) -> None:
    """`count` qualified practitioners PT0…, written in bulk as seed_demo writes them, with
    their figures and match index rebuilt once."""
    moderator, now = UserFactory(is_staff=True), timezone.now()
    users = User.objects.bulk_create(
        User(email=f"bench{n}@example.test", name=f"Bench Person{n}", role="practitioner")
        for n in range(count)
    )
    PractitionerProfile.objects.bulk_create(PractitionerProfile(user=user) for user in users)
    review = {"status": "verified", "reviewed_by": moderator, "reviewed_at": now}
    expires_on = timezone.localdate() + timedelta(days=300)
    Credential.objects.bulk_create(
        [
            *(
                Credential(
                    owner=user,
                    kind="license",
                    issuer="College",
                    number=f"PT{n}",
                    expires_on=expires_on,
                    profession="physiotherapist",
                    jurisdiction="CA-BC",
                    needling_authorized=True,
                    **review,
                )
                for n, user in enumerate(users)
            ),
            *(
                Credential(owner=user, kind="ims_certification", issuer="iSTOP", **review)
                for user in users
            ),
        ],
        batch_size=1000,
    )
    stats_credentials_rebuild()
    match_index_rebuild()


def _bench_file(count: int) -> bytes:
    """Mostly confirmations; every 20th a renewal, every 40th suspended, every 200th a
    name that does not match, and 50 numbers the directory does not have."""
    renewed = (timezone.localdate() + timedelta(days=700)).isoformat()
    rows = []
    for n in range(count - 50):
        name, status, expiry = f"Bench Person{n}", "active", ""
        if n % 20 == 1:
            expiry = renewed
        elif n % 40 == 2:
            status = "suspended"
        elif n % 200 == 3:
            name = f"Other Person{n}"
        rows.append((f"PT{n}", name, "physiotherapist", status, expiry, "yes"))
    rows += [(f"XX{n}", "Not Here", "physiotherapist", "active", "", "") for n in range(50)]
    return register_csv(*rows)


def test_ten_thousand_rows_in_a_bounded_number_of_statements(django_assert_num_queries):
    _bench_directory(BENCH_ROWS)
    content = _bench_file(BENCH_ROWS)

    # One UPDATE per 500 licences with the same new values, the figures and match index per
    # 500 owners, the flags in batches of 200; and each of the 249 suspended licences' e-mail.
    # SQLite takes at most 999 parameters a statement, so the figures' upsert goes in more
    # batches there.
    statements = 120 if connection.vendor == "sqlite" else 105
    started = time.perf_counter()
    with django_assert_num_queries(statements + 249 * 3):
        report = register_import(content=content, jurisdiction="CA-BC")
    elapsed = time.perf_counter() - started

    assert report.counts() == {
        "confirmed": 9153,
        "updated": 498,
        "unchanged": 0,
        "back_to_pending": 249,
        "flagged": 50,
        "not_found": 50,
        "not_verified": 0,
        "error": 0,
    }
    suspended = Credential.objects.filter(kind="license", status="pending")
    assert suspended.count() == 249
    assert not MatchEntry.objects.filter(credential_owner__in=suspended.values("owner")).exists()
    # (Figures and index equal a recount's: the smaller tests above check that.)
    # The number the README quotes (pytest -s shows it).
    print(f"\nregister import of {BENCH_ROWS} rows: {elapsed:.2f} s")
