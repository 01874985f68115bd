"""Derive the call generator's reference tables from the real rows beside the repo.

Why this script exists: the generator has to produce data that looks like the City's CAD export
(codes, priorities, dispositions, streets, volumes, quirks), but real published rows must never
be committed. So this script reads the research copies in ``../shared/data`` and writes only
aggregated facts (frequency tables, quantiles, street segments with one representative point)
into ``tooling/generator/reference/``. Those small CSVs are our own data; the generator
and its tests run from them alone, on a fresh clone without ``../shared``.

Inputs (see ``../shared/data/README.md`` and ``calls_for_service/PROVENANCE.txt``):

* ``cfs_2022_cfs_columns_only__derived_from_eos.csv``: 6,528 real 2022 rows, both CAD eras
  (old numeric codes, new mnemonics from 2022-09-24). A biased subset (items with an RTCC
  request: more shootings and accidents than the whole year). Minutes only; zone-``E`` beats
  mangled by a spreadsheet (``8.00E+01`` = ``8E01``) and repaired here.
* ``cfs_2011_first_rows__ptiwald_noheader.csv`` and ``socrata_catalog_top10_*.csv``: 2011-2017
  rows, used only for the type texts they spell differently.
* ``juvenile_types.csv`` in the reference folder: hand-written, read so that juvenile codes are
  kept out of the ordinary call types (the generator injects them at a controlled rate).

With ``--use-of-force`` it derives the use-of-force generator's tables instead (see
``derive_use_of_force``), from the three exports in ``use_of_force/``.

Run: ``.venv/bin/python scripts/derive_generator_reference.py [--shared-dir DIR] [--use-of-force]``.
The output is deterministic: rerunning on the same inputs rewrites identical files.
"""

from __future__ import annotations

import argparse
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

REPO = Path(__file__).resolve().parents[1]
DEFAULT_SHARED = REPO.parent / "shared" / "data"
REFERENCE = REPO / "tooling" / "generator" / "reference"
JUVENILE_TYPES = REFERENCE / "juvenile_types.csv"

CFS_2022 = "calls_for_service/cfs_2022_cfs_columns_only__derived_from_eos.csv"
CFS_2011 = "calls_for_service/cfs_2011_first_rows__ptiwald_noheader.csv"
CATALOG_GLOB = "calls_for_service/socrata_catalog_top10_*.csv"
COLUMNS_2011 = [
    "NOPD_Item", "Type", "TypeText", "Priority", "MapX", "MapY", "TimeCreate", "TimeDispatch",
    "TimeArrive", "TimeClosed", "Disposition", "DispositionText", "BLOCK_ADDRESS", "Zip",
    "PoliceDistrict", "Location",
]  # fmt: skip

BEAT = re.compile(r"^\d[A-Z]\d\d$")
MANGLED_BEAT = r"^(\d)\.00E\+0?(\d+)$"
BLOCK_ADDRESS = r"^(\d{3})XX (?:Blk )?(.+)$"
# Stand-alone highway and bridge locations, e.g. "I-10 W", "St Claude Bridge Eastbound".
HIGHWAY = r"^(?:I-\d+ [EW]|US90B [EW]|.+ Bridge \w+bound|.+ Overpass \w+|The Flyover)$"

# Published misspellings that the copied rows do not carry (README section 6.3),
# keyed by the canonical text the 2022 rows use for the same code.
README_VARIANTS = {
    "RECKLESS DRIVING": ["WRECKLESS DRIVING"],
    "BUSINESS BURGLARY": ["BUSINESS BUGLARY"],
    "POSSESSION OF STOLEN PROPERTY": ["POSESSION OF STOLEN PROPERTY"],
    "DISCHARGING FIREARM": ["DISCHARGING FIREARMS"],
    "TRAFFIC INCIDENT": ["TRAFFIC  INCIDENT"],
}
# Test calls stay in the real data (README section 6.1: 230 TEST INCIDENT of 458,255 rows).
# The copied rows hold none, so codes and texts come from the README; the disposition code is
# our choice (only the text "Test Incident" was seen).
TEST_SHARE = 230 / 458_255
TEST_TYPES = {"old": ("21TEST", "CAD TEST", "0A"), "new": ("TESTP", "TEST EVENT POLICE", "0")}
TEST_DISPOSITION = ("TEST", "Test Incident")
# Population null rates from README section 6.5 (2016: 404,064 rows). The 2022 sample is biased
# towards serious calls that nearly always get an arrival, so its own null rates are too low.
POPULATION_DISPATCH_NULL = 107_555 / 404_064
POPULATION_ARRIVE_NULL = 88_634 / 404_064
LOCATIONS_PER_BEAT = 3
QUANTILES = [0, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98, 0.995]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared-dir", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--out-dir", type=Path, default=REFERENCE)
    parser.add_argument(
        "--use-of-force",
        action="store_true",
        help="derive the use-of-force tables (use_of_force_*.csv) instead of the call tables",
    )
    args = parser.parse_args()
    if args.use_of_force:
        derive_use_of_force(args.shared_dir, args.out_dir)
    else:
        derive(args.shared_dir, args.out_dir)


def derive(shared: Path, out: Path) -> None:
    """Write every derived table into ``out`` (the committed reference folder by default)."""
    juvenile = read_csv(JUVENILE_TYPES)
    rows = load_2022(shared / CFS_2022)
    excluded = set(juvenile["type"])
    ordinary = rows[~rows["Type"].isin(excluded) & ~rows["InitialType"].isin(excluded)]
    geocoded = rows[rows["lat"].notna() & rows["Beat"].str.match(BEAT) & (rows["Zip"] != "")]
    types = call_types(ordinary)
    texts = pd.concat([types["typetext"], juvenile["typetext"]])
    tables = {
        "call_types.csv": types,
        "reclassifications.csv": reclassifications(ordinary),
        "dispositions.csv": dispositions(rows),
        "beats.csv": beats(rows),
        "streets.csv": streets(geocoded),
        "intersections.csv": intersections(geocoded),
        "highways.csv": highways(geocoded),
        "hourly_profile.csv": hourly_profile(rows),
        "weekday_profile.csv": weekday_profile(rows),
        "daily_volume.csv": daily_volume(rows),
        "durations.csv": durations(rows),
        "rates.csv": rates(rows),
        "misspellings.csv": misspellings(types, texts, older_texts(shared)),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(out / name, index=False, lineterminator="\n")
        print(f"{name:24} {len(frame):5} rows {(out / name).stat().st_size:8,} bytes")


def read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def load_2022(path: Path) -> pd.DataFrame:
    """Read the 2022 rows and undo the spreadsheet damage the README describes."""
    rows = read_csv(path)
    mangled = rows["Beat"].str.extract(MANGLED_BEAT)
    fix = mangled[0].notna()
    rows.loc[fix, "Beat"] = mangled.loc[fix, 0] + "E" + mangled.loc[fix, 1].str.zfill(2)
    rows["Zip"] = rows["Zip"].replace("None", "")
    for column in ["TimeCreate", "TimeDispatch", "TimeArrive", "TimeClosed"]:
        rows[column[4:].lower()] = pd.to_datetime(rows[column], format="%m/%d/%Y %H:%M")
    point = rows["Location"].str.extract(r"^POINT \((-?[\d.]+) (-?[\d.]+)\)$").astype(float)
    geocoded = (point[0] != 0) & (point[1] != 0)
    rows["lon"] = point[0].where(geocoded)
    rows["lat"] = point[1].where(geocoded)
    # New CAD (late Sept 2022) writes single-digit priorities; old CAD digit + letter.
    rows["cad"] = np.where(rows["Priority"].str.fullmatch(r"\d"), "new", "old")
    return rows


def distribution(values: pd.Series) -> str:
    """Encode a frequency table as ``value:count;...``, most frequent first."""
    counts = values[values != ""].value_counts()
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ";".join(f"{value}:{count}" for value, count in ordered)


def call_types(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per (CAD era, code): weight as final type, and its value distributions."""
    final = rows.groupby(["cad", "Type"]).agg(
        typetext=("TypeText", lambda s: s.mode().iloc[0]),
        weight=("Type", "size"),
        selfinitiated_share=("SelfInitiated", lambda s: round((s == "Y").mean(), 4)),
        priorities=("Priority", distribution),
        dispositions=("Disposition", distribution),
    )
    initial = rows.groupby(["cad", "InitialType"]).agg(
        initialtext=("InitialTypeText", lambda s: s.mode().iloc[0]),
        initial_priorities=("InitialPriority", distribution),
    )
    initial.index.names = ["cad", "Type"]
    types = final.join(initial, how="outer").reset_index()
    types["typetext"] = types["typetext"].fillna(types["initialtext"])
    types["weight"] = types["weight"].fillna(0).astype(int)
    types["source"] = "sample_2022"
    # Test calls get weight 0: the generator adds them at rates.csv's test_call_share instead.
    tests = [
        [cad, code, text, 0, 0.0, f"{priority}:1", f"{TEST_DISPOSITION[0]}:1", text,
         f"{priority}:1", "readme"]
        for cad, (code, text, priority) in TEST_TYPES.items()
    ]  # fmt: skip
    types = pd.concat([types, pd.DataFrame(tests, columns=types.columns)])
    columns = ["cad", "Type", "typetext", "weight", "selfinitiated_share", "priorities",
               "initial_priorities", "dispositions", "source"]  # fmt: skip
    types = types[columns].rename(columns={"Type": "type"}).astype(object).fillna("")
    return types.sort_values(["cad", "weight", "type"], ascending=[True, False, True])


def reclassifications(rows: pd.DataFrame) -> pd.DataFrame:
    """How often each final type started as each initial type (identity pairs included)."""
    pairs = rows.groupby(["cad", "Type", "InitialType"]).size().rename("count").reset_index()
    pairs = pairs.rename(columns={"Type": "type", "InitialType": "initialtype"})
    return pairs.sort_values(["cad", "type", "count", "initialtype"], ascending=[1, 1, 0, 1])


def dispositions(rows: pd.DataFrame) -> pd.DataFrame:
    seen = rows.groupby("Disposition")["DispositionText"].agg(lambda s: s.mode().iloc[0])
    table = pd.DataFrame({"code": seen.index, "text": seen.values, "source": "sample_2022"})
    test = pd.DataFrame([[*TEST_DISPOSITION, "readme (text seen 2023; code chosen)"]])
    return pd.concat([table, test.set_axis(table.columns, axis=1)]).sort_values("code")


def beats(rows: pd.DataFrame) -> pd.DataFrame:
    """Share of calls per beat; a beat's district is its first digit (data dictionary)."""
    valid = rows[rows["Beat"].str.match(BEAT)]
    table = valid.groupby("Beat").size().rename("weight").reset_index()
    table.insert(0, "policedistrict", table["Beat"].str[0])
    return table.rename(columns={"Beat": "beat"}).sort_values("beat")


def stable_rank(names: pd.Series) -> pd.Series:
    """A tie-breaker that does not favour the alphabet (zlib.crc32 is not salted)."""
    return names.map(lambda name: zlib.crc32(name.encode()))


def keep_top_per_beat(table: pd.DataFrame, name: str) -> pd.DataFrame:
    table = table.assign(_rank=stable_rank(table[name]))
    table = table.sort_values(["beat", "weight", "_rank"], ascending=[True, False, True])
    return table.groupby("beat").head(LOCATIONS_PER_BEAT).drop(columns="_rank")


def streets(rows: pd.DataFrame) -> pd.DataFrame:
    """Street segments per beat: block range and a point at each end, to place house numbers."""
    parts = rows["BLOCK_ADDRESS"].str.extract(BLOCK_ADDRESS)
    rows = rows.assign(block=parts[0].astype(float) * 100, street=parts[1]).dropna(subset=["block"])
    keys = ["street", "Beat", "PoliceDistrict", "Zip"]
    ends = rows.groupby([*keys, "block"])[["lat", "lon"]].mean().reset_index()
    low = ends.sort_values("block").groupby(keys).first()
    high = ends.sort_values("block").groupby(keys).last()
    table = pd.DataFrame(
        {
            "block_lo": low["block"].astype(int),
            "block_hi": high["block"].astype(int),
            "lat_lo": low["lat"].round(6),
            "lon_lo": low["lon"].round(6),
            "lat_hi": high["lat"].round(6),
            "lon_hi": high["lon"].round(6),
            "weight": rows.groupby(keys).size(),
        }
    ).reset_index()
    table = table.rename(columns={"Beat": "beat", "PoliceDistrict": "policedistrict", "Zip": "zip"})
    return keep_top_per_beat(table, "street")


def points(rows: pd.DataFrame, name: str) -> pd.DataFrame:
    keys = ["BLOCK_ADDRESS", "Beat", "PoliceDistrict", "Zip"]
    table = rows.groupby(keys).agg(
        latitude=("lat", lambda s: round(s.mean(), 6)),
        longitude=("lon", lambda s: round(s.mean(), 6)),
        weight=("lat", "size"),
    )
    renames = {"BLOCK_ADDRESS": name, "Beat": "beat", "PoliceDistrict": "policedistrict"}
    return table.reset_index().rename(columns={**renames, "Zip": "zip"})


def intersections(rows: pd.DataFrame) -> pd.DataFrame:
    """Intersections per beat with one point each (``Magazine St & Soniat St``)."""
    table = points(rows[rows["BLOCK_ADDRESS"].str.contains(" & ")], "intersection")
    return keep_top_per_beat(table, "intersection")


def highways(rows: pd.DataFrame) -> pd.DataFrame:
    """Locations without a number or cross street: interstates, bridges, overpasses."""
    table = points(rows[rows["BLOCK_ADDRESS"].str.match(HIGHWAY)], "location")
    return table.sort_values(["location", "beat"])


def hourly_profile(rows: pd.DataFrame) -> pd.DataFrame:
    counts = rows["create"].dt.hour.value_counts().sort_index()
    return pd.DataFrame({"hour": counts.index, "weight": counts.values})


def weekday_profile(rows: pd.DataFrame) -> pd.DataFrame:
    """Relative volume per weekday (Monday = 0), normalised to a mean of 1."""
    counts = rows["create"].dt.day_of_week.value_counts().sort_index()
    return pd.DataFrame({"weekday": counts.index, "factor": (counts / counts.mean()).round(4)})


def daily_volume(rows: pd.DataFrame) -> pd.DataFrame:
    """Calls per day by month, read off the item numbers rather than the (sampled) row counts.

    The 5-digit sequence in NOPD_Item restarts every month, so its slope over time is the
    month's true call rate even though only a sample of the calls is present.
    """
    sequence = rows["NOPD_Item"].str[1:6].astype(int)
    elapsed = (rows["create"] - rows["create"].dt.to_period("M").dt.start_time).dt.total_seconds()
    frame = pd.DataFrame(
        {"month": rows["create"].dt.month, "day": elapsed / 86400, "seq": sequence}
    )
    months = []
    for month in range(1, 13):
        part = frame[frame["month"] == month]
        if len(part) >= 100:
            slope = np.polyfit(part["day"], part["seq"], 1)[0]
            months.append([month, round(slope), "sample_2022 item-number slope"])
    mean = round(np.mean([rate for _, rate, _ in months]))
    seen = {month for month, _, _ in months}
    months += [[m, mean, "mean of the other months"] for m in range(1, 13) if m not in seen]
    return pd.DataFrame(sorted(months), columns=["month", "calls_per_day", "source"])


def quantile_rows(interval: str, group: str, minutes: pd.Series) -> list[list]:
    values = minutes.dropna().clip(lower=0).quantile(QUANTILES)
    return [[interval, group, q, round(v, 1)] for q, v in zip(QUANTILES, values, strict=True)]


def durations(rows: pd.DataFrame) -> pd.DataFrame:
    """Inverse-CDF tables (minutes) for the gaps between the four CAD timestamps."""

    def gap(start: pd.Series, end: pd.Series) -> pd.Series:
        return (end - start).dt.total_seconds() / 60

    calls = rows[rows["SelfInitiated"] == "N"]
    field = rows[rows["SelfInitiated"] == "Y"]
    level = calls["Priority"].str[0].replace("3", "2")  # priority 3 is too rare to stand alone
    table = []
    for group in sorted(level.unique()):
        part = calls[level == group]
        table += quantile_rows("create_to_dispatch", group, gap(part["create"], part["dispatch"]))
    table += quantile_rows("dispatch_to_arrive", "all", gap(calls["dispatch"], calls["arrive"]))
    undispatched = calls[calls["dispatch"].isna()]
    table += quantile_rows(
        "create_to_arrive_undispatched", "all", gap(undispatched["create"], undispatched["arrive"])
    )
    table += quantile_rows("arrive_to_close", "all", gap(rows["arrive"], rows["closed"]))
    unattended = rows[rows["arrive"].isna()]
    last = unattended["dispatch"].fillna(unattended["create"])
    table += quantile_rows("last_to_close_unattended", "all", gap(last, unattended["closed"]))
    table += quantile_rows(
        "create_to_dispatch_selfinitiated", "all", gap(field["create"], field["dispatch"])
    )
    return pd.DataFrame(table, columns=["interval", "group", "quantile", "minutes"])


def rates(rows: pd.DataFrame) -> pd.DataFrame:
    """Scalar shares the generator needs, each with where it comes from."""
    field = rows["SelfInitiated"] == "Y"
    si_share = field.mean()
    si_dispatch_null = rows.loc[field, "dispatch"].isna().mean()
    addresses = rows["BLOCK_ADDRESS"]
    blocks = addresses.str.match(BLOCK_ADDRESS).sum()
    crossings = addresses.str.contains(" & ").sum()
    same_type = rows["Type"] == rows["InitialType"]
    new_rows = rows[rows["cad"] == "new"]
    cutover = new_rows["create"].min()
    settled = rows[rows["create"] >= cutover + pd.Timedelta(days=7)]
    table = [
        ["new_cad_start", cutover.date().isoformat(), "sample_2022: first single-digit priority"],
        ["old_cad_share_after_cutover", (settled["cad"] == "old").mean(),
         "sample_2022: old-style rows from a week after the cutover"],
        ["ungeocoded_share", (rows["PoliceDistrict"] == "0").mean(), "sample_2022: district 0"],
        ["intersection_share", crossings / (blocks + crossings),
         "sample_2022: intersections among numbered and crossing addresses"],
        ["highway_share", addresses.str.match(HIGHWAY).mean(), "sample_2022"],
        ["same_priority_share", (rows.loc[same_type, "Priority"]
                                 == rows.loc[same_type, "InitialPriority"]).mean(),
         "sample_2022: priority kept when the type is kept"],
        ["dispatch_null_selfinitiated", si_dispatch_null, "sample_2022"],
        ["dispatch_null_911", (POPULATION_DISPATCH_NULL - si_share * si_dispatch_null)
         / (1 - si_share), "README 6.5 (2016 population) solved for non-self-initiated calls"],
        ["arrive_null_911", POPULATION_ARRIVE_NULL / (1 - si_share),
         "README 6.5 (2016 population); self-initiated calls always have an arrival"],
    ]  # fmt: skip
    table += [
        ["test_types", ";".join(code for code, _, _ in TEST_TYPES.values()), "README 6.1"],
        ["test_call_share", TEST_SHARE, "README 6.1: 230 TEST INCIDENT of 458,255 rows"],
    ]
    frame = pd.DataFrame(table, columns=["name", "value", "source"])
    frame["value"] = frame["value"].map(lambda v: f"{v:.6f}" if isinstance(v, float) else v)
    return frame


def older_texts(shared: Path) -> pd.DataFrame:
    """(code, text, year) as spelled in the 2011-2017 rows."""
    frames = [read_csv(shared / CFS_2011).set_axis(COLUMNS_2011, axis=1)]
    frames[0] = frames[0].assign(year="2011 (raw)")[["Type", "TypeText", "year"]]
    for path in sorted(shared.glob(CATALOG_GLOB)):
        rows = read_csv(path).rename(columns={"type_": "type"})
        year = path.name.split("_")[3]
        frames.append(
            pd.DataFrame({"Type": rows["type"], "TypeText": rows["typetext"], "year": year})
        )
        if "initialtype" in rows:
            frames.append(
                pd.DataFrame(
                    {"Type": rows["initialtype"], "TypeText": rows["initialtypetext"], "year": year}
                )
            )
    return pd.concat(frames).drop_duplicates(["Type", "TypeText"])


def misspellings(types: pd.DataFrame, texts: pd.Series, older: pd.DataFrame) -> pd.DataFrame:
    """Variant spellings per canonical type text: seen ones first, then generated ones.

    Seen: texts the 2011-2017 rows give a code whose 2022 text differs (truncation at 20
    characters, double spaces, renamed types) and the README's list. Generated: the same kinds
    of damage applied to every text, so any type can come out misspelled.
    """
    canonical = dict(zip(types["type"], types["typetext"], strict=True))
    table = []
    for code, text, year in older.itertuples(index=False):
        if code in canonical and text != canonical[code]:
            table.append([canonical[code], text, "seen", f"rows {year}"])
    for text, variants in README_VARIANTS.items():
        table += [[text, variant, "seen", "README 6.3"] for variant in variants]
    for text in sorted(set(texts)):
        generated = {
            "truncated": text[:20] if len(text) > 20 else None,
            "double_space": text.replace(" ", "  ", 1) if " " in text else None,
            "lower_case": text.lower(),
            "title_case": text.title(),
        }
        table += [[text, v, kind, "generated"] for kind, v in generated.items() if v]
    frame = pd.DataFrame(table, columns=["typetext", "variant", "kind", "source"])
    frame = frame[frame["variant"] != frame["typetext"]]
    return frame.drop_duplicates(["typetext", "variant"]).sort_values(["typetext", "kind"])


# ---------------------------------------------------------------------------------------------
# Use of force (``--use-of-force``): the tables ``tooling.generator.use_of_force`` draws
# from. Sources (``use_of_force/PROVENANCE.txt``): two exports in the old layout (one row per
# officer, force type and subject, with exact duplicate rows) and one in the current layout
# (one row per incident, lists joined with " | "). The current-layout export gives the values
# (it is the largest and spans 2016-2024, so it holds both eras' vocabularies); the 2020
# old-layout export gives the shape of an incident (officers, subjects, force types, duplicate
# rows), which the current layout no longer shows; all three give the variant spellings.

UOF_OLD = {
    "2018": "use_of_force/NOPD_Use_of_Force_Incidents_20180529.csv",
    "2020": "use_of_force/NOPD_Use_of_Force_Incidents_20200214.csv",
}
UOF_CURRENT = "use_of_force/NOPD_Use_of_Force_Incidents_20240701.csv"
UOF_LIST = " | "
UOF_ASSIGNMENT = ["originating_bureau", "division_level", "division", "unit"]
UOF_PAIRS = [
    ("working_status", "shift"),
    ("investigation_status", "disposition"),
    ("light_condition", "weather_condition"),
]
UOF_INCIDENT = [
    *UOF_ASSIGNMENT, *(column for pair in UOF_PAIRS for column in pair), "service_type",
    "use_of_force_reason",
]  # fmt: skip
# Columns whose current-layout cells are lists, drawn one value per list entry.
UOF_LISTED = [
    "officer_race_ethnicity", "officer_gender", "officer_injured", "use_of_force_effective",
    "distance_between", "subject_gender", "subject_ethnicity", "subject_build", "subject_height",
    "subject_injured", "subject_hospitalized", "subject_arrested", "subject_arrest_charges",
    "subject_influencing_factors",
]  # fmt: skip
UOF_OFFICER = [
    "officer_race_ethnicity",
    "officer_gender",
    "officer_age",
    "officer_years_of_service",
]
UOF_SUBJECT = [
    "subject_gender",
    "subject_ethnicity",
    "subject_age",
    "subject_build",
    "subject_height",
]
# Subject ages below 10 are the exports' stand-ins for an unknown age (0, -1, 1, ...).
UOF_SUBJECT_AGES = (10, 99)
UOF_FULL_YEARS = range(2016, 2024)
# Years of service are as of the export (FTN2016-0001's officer has 2 in the 2018 export and
# 4 in the 2020 one, at the same age), so hire ages come from the year before the pull only.
UOF_PULLED = "2024-07-01"
# Values that embed a case number (Working Status ``DUI 2009-0665-R``) point at one officer's
# file; incidents carrying them are left out.
UOF_CASE_NUMBER = r"\d{4}-\d{4}"
UOF_CREW_BUCKETS = 4  # subjects per incident are counted for 1, 2, 3 and 4+ officers
# Variant spellings seen in the exports (README 6.3 and a scan of the three files) and the
# spelling the pipeline corrects them to. The first three bureaus and the reasons' casing are
# README 6.3; the rest were found here. Officer races cut at 12 characters are from the
# old-layout exports, which truncated them; SOD, CID, SID and ED & TRN are the abbreviations
# the 2022-2024 incidents use for the division levels spelled out before.
UOF_VARIANTS = {
    "originating_bureau": {
        "Office of the Superintendant": "Office of the Superintendent",
        "MSB - Management Service Bureau": "MSB - Management Services Bureau",
        "ISB - Investigations and Support Bureau": "ISB - Investigative Services Bureau",
    },
    "division_level": {
        "SOD": "Special Operations Division",
        "CID": "Criminal Investigations Division",
        "SID": "Special Investigations Division",
        "ED & TRN": "Education/Training & Recruitment Division",
    },
    "division": {"Special Victims  Section": "Special Victims Section", "b": "B"},
    "unit": {
        "patrol": "Patrol",
        "patr": "Patrol",
        "pat": "Patrol",
        "Adminstrative Staff": "Administrative Staff",
    },
    "working_status": {"Regular Workingre": "Regular Working"},
    "use_of_force_type": {" VehPursuits w/Injury": "VehPursuits w/Injury"},
    "use_of_force_reason": {
        "refuse verbal commands": "Refuse Verbal Commands",
        "Room clearing": "Room Clearing",
        "room clearing": "Room Clearing",
        "Room CLearing": "Room Clearing",
    },
    "officer_race_ethnicity": {
        "Asian/Pacifi": "Asian/Pacific Islander",
        "Asian/Pacif": "Asian/Pacific Islander",
        "Not Specifie": "Not Specified",
        "American Ind": "American Indian/Alaska Native",
    },
    "subject_gender": {"femaale": "Female", "m": "Male"},
    "subject_ethnicity": {"black": "Black", "W": "White", "w": "White"},
    "subject_influencing_factors": {
        "Alchohol": "Alcohol",
        "Alchohol and unknown drugs": "Alcohol and unknown drugs",
    },
}


def derive_use_of_force(shared: Path, out: Path) -> None:
    """Write the ``use_of_force_*.csv`` tables into ``out`` (the reference folder by default)."""
    current = uof_read(shared / UOF_CURRENT)
    old = {year: uof_read(shared / path) for year, path in UOF_OLD.items()}
    usable = current[~current[UOF_INCIDENT].apply(uof_has_case_number).any(axis=1)]
    lists = usable[UOF_INCIDENT].apply(lambda cells: cells.str.contains(UOF_LIST, regex=False))
    single = usable[~lists.any(axis=1)]
    incidents = uof_incidents(old["2020"])
    tables = {
        "use_of_force_values.csv": uof_values(usable, single),
        "use_of_force_pairs.csv": uof_pairs(usable, single),
        "use_of_force_assignments.csv": uof_counts(single, UOF_ASSIGNMENT),
        "use_of_force_structure.csv": uof_structure(old["2020"], incidents, current),
        "use_of_force_volume.csv": uof_volume(current),
        "use_of_force_rates.csv": uof_rates(incidents, len(single) / len(usable)),
        "use_of_force_corrections.csv": uof_corrections([*old.values(), current]),
    }
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.to_csv(out / name, index=False, lineterminator="\n")
        print(f"{name:30} {len(frame):5} rows {(out / name).stat().st_size:8,} bytes")


def uof_read(path: Path) -> pd.DataFrame:
    """An export, its columns named as the API names them (``Division level`` ->
    ``division_level``)."""
    rows = read_csv(path)
    return rows.rename(columns=lambda name: re.sub(r"[ /]", "_", name.lower()))


def uof_has_case_number(cells: pd.Series) -> pd.Series:
    return cells.str.contains(UOF_CASE_NUMBER)


def uof_canonical(column: str, values: pd.Series) -> pd.Series:
    return values.replace(UOF_VARIANTS.get(column, {}))


def uof_items(cells: pd.Series) -> pd.Series:
    """The entries of " | "-joined cells, one per row (an empty cell gives one empty entry)."""
    return cells.str.split(UOF_LIST, regex=False).explode()


def uof_aligned(rows: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Entries of list columns side by side, from the cells whose lists have equal lengths."""
    lists = pd.DataFrame(
        {column: rows[column].str.split(UOF_LIST, regex=False) for column in columns}
    )
    lengths = lists.apply(lambda cells: cells.str.len())
    return lists[lengths.eq(lengths.iloc[:, 0], axis=0).all(axis=1)].explode(columns)


def uof_counts(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """Counts per combination of canonical values, most frequent first, ties in value order."""
    canonical = pd.DataFrame({column: uof_canonical(column, frame[column]) for column in columns})
    counts = canonical.groupby(columns).size().rename("count").reset_index()
    return counts.sort_values(["count", *columns], ascending=[False, *[True] * len(columns)])


def uof_values(current: pd.DataFrame, single: pd.DataFrame) -> pd.DataFrame:
    """One frequency table per column drawn on its own, canonical spellings, "" = blank.

    Incident columns count incidents whose cells hold one value; list columns count entries.
    ``officer_hire_age`` (age minus years of service) is not an export column: the generator
    draws it with the age, so that the years of service fit the age. It is read off the
    incidents of the year before the pull, whose years of service are nearly current.
    """
    series = {column: single[column] for column in ("service_type", "use_of_force_reason")}
    series |= {column: uof_items(current[column]) for column in UOF_LISTED}
    ages = pd.to_numeric(uof_items(current["officer_age"]), errors="coerce")
    series["officer_age"] = ages.dropna().astype(int).astype(str)
    occurred = pd.to_datetime(current["date_occurred"], format="%m/%d/%Y", errors="coerce")
    recent = current[occurred >= pd.Timestamp(UOF_PULLED) - pd.DateOffset(years=1)]
    officers = uof_aligned(recent, ["officer_age", "officer_years_of_service"])
    officers = officers.apply(pd.to_numeric, errors="coerce").dropna().astype(int)
    hired = officers["officer_age"] - officers["officer_years_of_service"]
    series["officer_hire_age"] = hired.astype(str)
    ages = pd.to_numeric(uof_items(current["subject_age"]), errors="coerce")
    known = ages.between(*UOF_SUBJECT_AGES)
    series["subject_age"] = ages.where(known).map(lambda age: str(int(age)) if age == age else "")
    tables = []
    for column, values in series.items():
        counts = uof_counts(pd.DataFrame({column: values}), [column])
        tables.append(counts.rename(columns={column: "value"}).assign(column=column))
    return pd.concat(tables)[["column", "value", "count"]]


def uof_pairs(current: pd.DataFrame, single: pd.DataFrame) -> pd.DataFrame:
    """Frequency tables of value pairs that belong together (status and disposition, a force
    type and its level), so the generator never pairs ``Initial`` with a final disposition."""
    forces = ["use_of_force_type", "use_of_force_level"]
    sources = [(single, list(pair)) for pair in UOF_PAIRS]
    sources.append((uof_aligned(current, forces), forces))
    tables = []
    for rows, (first, second) in sources:
        counts = uof_counts(rows, [first, second])
        counts = counts.rename(columns={first: "value_a", second: "value_b"})
        tables.append(counts.assign(column_a=first, column_b=second))
    return pd.concat(tables)[["column_a", "value_a", "column_b", "value_b", "count"]]


def uof_incidents(old: pd.DataFrame) -> pd.DataFrame:
    """Per incident of an old-layout export: officers, subjects and rows, as counts.

    Officers and subjects are told apart by their demographics (the exports name no one).
    ``rows`` counts distinct rows; ``repeated`` those of them the export repeats.
    """
    unique = old.drop_duplicates()
    ftn = unique["pib_file_number"]
    officer = unique[UOF_OFFICER].agg("|".join, axis=1)
    subject = unique[UOF_SUBJECT].agg("|".join, axis=1)
    described = unique[UOF_SUBJECT].ne("").any(axis=1)
    copies = old.groupby(list(old.columns)).size().rename("copies").reset_index()
    counts = {
        "officers": officer.groupby(ftn).nunique(),
        "subjects": subject[described].groupby(ftn[described]).nunique(),
        "rows": ftn.value_counts(),
        "repeated": (copies["copies"] > 1).groupby(copies["pib_file_number"]).sum(),
    }
    return pd.DataFrame(counts).fillna(0).astype(int)


def uof_structure(
    old: pd.DataFrame, incidents: pd.DataFrame, current: pd.DataFrame
) -> pd.DataFrame:
    """The shape of an incident, from the 2020 old-layout export.

    Subjects are counted by the incident's number of officers (1, 2, 3, 4 or more): bigger
    incidents involve more people on both sides. ``rows_per_incident`` keeps the exact
    duplicates, as the export has them; ``force_list_length`` is the 2024 layout's entries per
    incident (one per officer and force type).
    """
    unique = old.drop_duplicates()
    officer = unique[UOF_OFFICER].agg("|".join, axis=1)
    copies = old.groupby(list(old.columns)).size()
    officers, subjects = incidents["officers"], incidents["subjects"]
    measures = {"officers_per_incident": officers}
    for crew in range(1, UOF_CREW_BUCKETS + 1):
        bucket = (officers == crew) if crew < UOF_CREW_BUCKETS else (officers >= crew)
        measures[f"subjects_for_crew_of_{crew}"] = subjects[bucket & (subjects > 0)]
    forces = unique["use_of_force_type"].groupby([unique["pib_file_number"], officer]).nunique()
    measures |= {
        "force_types_per_officer": forces,
        "duplicate_extra_copies": copies[copies > 1] - 1,
        "rows_per_incident": old["pib_file_number"].value_counts(),
        "force_list_length": current["use_of_force_type"].str.count(re.escape(UOF_LIST)) + 1,
    }
    tables = []
    for measure, sizes in measures.items():
        counts = sizes.value_counts().sort_index().rename("count").rename_axis("size")
        tables.append(counts.reset_index().assign(measure=measure))
    return pd.concat(tables)[["measure", "size", "count"]]


def uof_volume(current: pd.DataFrame) -> pd.DataFrame:
    """Incidents per day by month, and a weekday factor (mean 1), over the full years."""
    occurred = pd.to_datetime(current["date_occurred"], format="%m/%d/%Y", errors="coerce")
    occurred = occurred[occurred.dt.year.isin(UOF_FULL_YEARS)]
    days = pd.Series(pd.date_range("2016-01-01", "2023-12-31", freq="D"))
    per_day = occurred.dt.month.value_counts() / days.dt.month.value_counts()
    weekday = occurred.dt.day_of_week.value_counts() / days.dt.day_of_week.value_counts()
    rows = [["month", month, round(per_day[month], 4)] for month in range(1, 13)]
    rows += [["weekday", day, round(weekday[day] / weekday.mean(), 4)] for day in range(7)]
    return pd.DataFrame(rows, columns=["kind", "key", "value"])


def uof_rates(incidents: pd.DataFrame, single_share: float) -> pd.DataFrame:
    """Shares the generator applies, each with where it comes from."""
    affected = incidents[incidents["repeated"] > 0]
    table = [
        ["duplicate_incident_per_row", len(affected) / incidents["rows"].sum(),
         "2020 export: incidents with exact duplicate rows per distinct row (bigger incidents "
         "are hit more often)"],
        ["duplicate_row_share", affected["repeated"].sum() / affected["rows"].sum(),
         "2020 export: distinct rows repeated, within incidents that repeat any"],
        ["inconsistent_share_of_multi_officer",
         (1 - single_share) / (incidents["officers"] > 1).mean(),
         "2024 export: incidents with a list in a single-value column, per incident with two "
         "or more officers (2020 export)"],
    ]  # fmt: skip
    frame = pd.DataFrame(table, columns=["name", "value", "source"])
    frame["value"] = frame["value"].map(lambda v: f"{v:.6f}")
    return frame


def uof_corrections(exports: list[pd.DataFrame]) -> pd.DataFrame:
    """Every variant spelling with its canonical value and its share of that value's cells.

    Fails if a listed variant is missing from the exports, or if the exports spell a value of
    one column two ways (case or spaces) that the list does not cover: the pipeline's seed is
    built from this table, so it has to be complete.
    """
    table = []
    for column in sorted(
        {column for export in exports for column in export.columns}
        - {"pib_file_number", "date_occurred"}
    ):
        cells = pd.concat([uof_items(export[column]) for export in exports if column in export])
        counts = cells.value_counts()
        variants = UOF_VARIANTS.get(column, {})
        unseen = [variant for variant in variants if variant not in counts]
        if unseen:
            raise ValueError(f"{column}: listed variants not in the exports: {unseen}")
        spellings = counts.index.to_series().groupby(
            lambda value: re.sub(r"\s+", " ", value.strip().lower())
        )
        unlisted = [
            list(group) for _, group in spellings
            if len(group) > 1 and len({variants.get(value, value) for value in group}) > 1
        ]  # fmt: skip
        if unlisted:
            raise ValueError(f"{column}: spellings of one value not in UOF_VARIANTS: {unlisted}")
        canonical = uof_canonical(column, cells)
        for variant, target in variants.items():
            share = counts[variant] / (canonical == target).sum()
            table.append([column, variant, target, f"{share:.4f}"])
    frame = pd.DataFrame(table, columns=["column_name", "variant", "canonical", "share"])
    return frame.sort_values(["column_name", "canonical", "variant"])


if __name__ == "__main__":
    main()
