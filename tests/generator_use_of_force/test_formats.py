"""Value formats: tracking numbers, dates, system stamps, badges and birth dates."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

FTN = re.compile(r"^FTN(\d{4})-(\d{4})$")
MALFORMED = re.compile(r"^(ftn|UF|)(\d{4})-(\d{4})$")
MIDNIGHT = re.compile(r"^\d{4}-\d{2}-\d{2}T00:00:00\.000$")
UTC_STAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")


def test_tracking_numbers_are_ftn_year_sequence_with_a_rare_malformed_share(busy_rows):
    numbers = {row["pib_file_number"] for row in busy_rows}
    malformed = {number for number in numbers if not FTN.match(number)}
    assert all(MALFORMED.match(number) for number in malformed), malformed
    assert {MALFORMED.match(number)[1] for number in malformed} == {"ftn", "UF", ""}
    assert 0 < len(malformed) / len(numbers) < 0.01


def test_tracking_numbers_carry_the_year_the_incident_occurred(busy_rows):
    for row in busy_rows:
        if row["date_occurred"]:
            assert row["pib_file_number"][-9:-5] == row["date_occurred"][:4]


def test_date_occurred_is_a_floating_midnight_or_rarely_blank(busy_rows):
    dated = [row["date_occurred"] for row in busy_rows if row["date_occurred"]]
    assert all(MIDNIGHT.match(value) for value in dated)
    assert 0 < len(busy_rows) - len(dated) < 0.01 * len(busy_rows)


def test_updated_at_is_utc_and_after_the_incident(busy_rows):
    for row in busy_rows:
        assert UTC_STAMP.match(row[":updated_at"]), row[":updated_at"]
        if row["date_occurred"]:
            stamp = datetime.fromisoformat(row[":updated_at"].replace("Z", "+00:00"))
            occurred = datetime.fromisoformat(row["date_occurred"]).replace(tzinfo=UTC)
            assert stamp > occurred


def test_badges_are_four_or_five_digits_and_one_per_officer_name_and_year(busy_rows):
    badges = {(row["officer_name"], row["officer_badge_number"]) for row in busy_rows}
    assert all(re.fullmatch(r"\d{4,5}", badge) for _, badge in badges)
    officers = {badge: name for name, badge in badges}
    assert len(officers) == len(badges)


def test_birth_dates_give_the_subject_age_on_the_incident_day(busy_rows):
    checked = 0
    for row in busy_rows:
        if row["subject_date_of_birth"] and row["date_occurred"]:
            born = date.fromisoformat(row["subject_date_of_birth"])
            day = date.fromisoformat(row["date_occurred"][:10])
            age = day.year - born.year - ((day.month, day.day) < (born.month, born.day))
            assert str(age) == row["subject_age"]
            checked += 1
    assert checked > 1000


def test_ages_and_years_of_service_are_whole_numbers_that_fit(busy_rows):
    for row in busy_rows:
        age, years = int(row["officer_age"]), int(row["officer_years_of_service"])
        assert 0 <= years <= age - 18
        assert row["subject_age"] == "" or 10 <= int(row["subject_age"]) <= 99
