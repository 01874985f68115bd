"""The private parts of a 911 call: who called, from what number, and the call-taker's notes.

They exist only in the internal export and the pipeline must never publish them. They are
invented from short name lists and the fictional 555-01xx telephone range, so nothing real is
ever at risk, yet they look like what a privacy filter has to catch: names and numbers in their
own columns and again inside free text, next to the exact address.
"""

from __future__ import annotations

from random import Random

from tooling.generator.sampling import Weighted

FIRST_NAMES = (
    "James", "Mary", "Michael", "Patricia", "Robert", "Jennifer", "John", "Linda", "David",
    "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
    "Sarah", "Charles", "Karen", "Darnell", "Keisha", "Tyrone", "Latoya", "Andre", "Shantell",
    "Trung", "Linh", "Carlos", "Maria", "Jose", "Rosa", "Pierre", "Marie", "Antoine", "Yvonne",
)  # fmt: skip
LAST_NAMES = (
    "Smith", "Johnson", "Williams", "Brown", "Jones", "Jackson", "Davis", "Thomas", "Harris",
    "Robinson", "Washington", "Joseph", "Batiste", "Boudreaux", "Thibodeaux", "Landry",
    "Broussard", "Nguyen", "Tran", "Le", "Hebert", "Guidry", "Fontenot", "LeBlanc", "Martinez",
    "Garcia", "Lewis", "Walker", "Green", "Scott", "Butler", "Jefferson", "Coleman", "Dupre",
)  # fmt: skip
AREA_CODES = Weighted([("504", 85.0), ("985", 10.0), ("225", 5.0)])
NAMED_SHARE = 0.75  # 911 callers who give a name
PHONE_SHARE = 0.9  # 911 calls with a callback number
CALLER_NOTE_SHARE = 0.7  # 911 calls with call-taker notes
OFFICER_NOTE_SHARE = 0.4  # self-initiated calls with officer notes

# Call-taker and officer notes in CAD style. Fields: caller, subject, phone, address, what, dob.
CALLER_NOTES = (
    "RP {caller} ADVS {what} AT {address}. CB {phone}",
    "COMP {caller} STATES SUBJ {subject} IS AT {address} AND REFUSES TO LEAVE",
    "Caller {caller} reports {what_lower} near {address}; suspect left on foot.",
    "RP ADVS HER EX {subject} WAS BANGING ON THE DOOR AT {address}. CB {phone}",
    "CALLER STATES {subject} TOOK HIS PHONE AND LEFT TOWARDS {address}",
    "RP REQ CALLBACK AT {phone} RE {what_lower} AT {address}",
    "ANON CALLER ADVS {what} NEAR {address}",
    "UNIT ON SCENE. SPOKE WITH {caller} AT {address}, WHO ADVS {what_lower}.",
)
OFFICER_NOTES = (
    "OFCR OUT WITH {subject} AT {address}",
    "Subject {subject} (DOB {dob}) detained at {address}.",
    "FLAGGED DOWN AT {address} RE {what_lower}",
    "TRAFFIC STOP AT {address}. DRIVER {subject} CITED.",
)


def person_name(rng: Random) -> str:
    first = FIRST_NAMES[int(rng.random() * len(FIRST_NAMES))]
    return f"{first} {LAST_NAMES[int(rng.random() * len(LAST_NAMES))]}"


def _phone(rng: Random) -> str:
    """A number in 555-0100..0199, the range reserved for fiction."""
    return f"({AREA_CODES.pick(rng)}) 555-01{int(rng.random() * 100):02d}"
