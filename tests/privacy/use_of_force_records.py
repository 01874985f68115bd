"""Generated use-of-force incidents: identities typed into category columns, and juvenile
subjects whose exact age arrives in every format an export uses.

An `Incident` is the old layout's rows (one per officer, force type and subject). Its
`private` values are the names, dates of birth and address no published value may hold;
`juvenile_subjects` counts the subjects younger than 18, whose exact age must never stand
beside their gender, race and the date in the public row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from hypothesis import strategies as st

from tests.privacy.messy import messy, polluted
from tests.privacy.private_values import FIRST_NAMES, STREETS, SURNAMES

DAY = date(2026, 11, 2)
POLLUTABLE = (
    "use_of_force_reason", "subject_arrest_charges", "service_type", "division",
    "subject_influencing_factors", "unit",
)  # fmt: skip
AGE_FORMATS = ("{}", "{:03d}", "{}.0", " {} ", "{} yrs")


@dataclass
class Incident:
    rows: list[dict[str, str | None]]
    private: set[str] = field(default_factory=set)
    juvenile_ages: list[int] = field(default_factory=list)


def person() -> st.SearchStrategy[str]:
    return st.builds(
        lambda first, last: f"{first} {last}",
        st.sampled_from(FIRST_NAMES),
        st.sampled_from(SURNAMES),
    )


@st.composite
def incidents(draw: st.DrawFn) -> Incident:
    officers = draw(st.lists(person(), min_size=1, max_size=2, unique=True))
    subjects = draw(st.lists(person(), min_size=1, max_size=2, unique=True))
    ages = [draw(st.integers(12, 40)) for _ in subjects]
    births = [f"{2026 - age}-0{draw(st.integers(1, 9))}-1{draw(st.integers(0, 9))}" for age in ages]
    address = f"{draw(st.integers(100, 9999))} {draw(st.sampled_from(STREETS))}"
    private = [*officers, *subjects, *births, address]
    forces = draw(st.lists(st.sampled_from(["Hands", "Takedown", "CEW Deployed"]), min_size=1,
                           max_size=2, unique=True))  # fmt: skip

    rows = []
    for officer_index, officer in enumerate(officers):
        for force in forces:
            for subject, age, birth in zip(subjects, ages, births, strict=True):
                categories = {
                    "use_of_force_reason": "Resisting Lawful Arrest",
                    "subject_arrest_charges": "Battery",
                    "service_type": "Traffic Stop",
                    "division": "A Platoon",
                    "subject_influencing_factors": "None detected",
                    "unit": "Patrol",
                }
                for column in POLLUTABLE:
                    categories[column] = draw(polluted(categories[column], private))
                rows.append(
                    {
                        "date_occurred": f"{DAY.isoformat()}T00:00:00.000",
                        "originating_bureau": "FOB - Field Operations Bureau",
                        "division_level": "5th District",
                        "investigation_status": "Completed",
                        "disposition": "Use Of Force Authorized",
                        **categories,
                        "officer_name": officer,
                        "officer_badge_number": f"{1000 + officer_index}",
                        "officer_race_ethnicity": "Black",
                        "officer_gender": "Male",
                        "officer_age": "41",
                        "use_of_force_type": force,
                        "use_of_force_level": "L1",
                        "subject_name": subject,
                        "subject_date_of_birth": birth,
                        "subject_gender": draw(st.sampled_from(["Male", "Female"])),
                        "subject_ethnicity": draw(st.sampled_from(["Black", "White", "Hispanic"])),
                        "subject_age": draw(st.sampled_from(AGE_FORMATS)).format(age),
                        "incident_address": draw(messy(address)),
                        "narrative": f"{officer} restrained {subject} at {address}.",
                        "_source_updated_at": "2026-11-03T06:00:00.000Z",
                    }
                )
    return Incident(rows=rows, private=set(private), juvenile_ages=[a for a in ages if a < 18])
