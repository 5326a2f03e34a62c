"""Patient search benchmark against PostgreSQL.

Times the patient list's queries exactly as the view runs them (count() plus one page
of rows from Patient.objects.in_list_order().matching(parse_patient_query(text))) on a
table of synthetic patients, and shows which plan PostgreSQL picks for each.

    uv run python bench/search.py [--database-url URL] [--patients N]

Creates the database if it is missing, migrates it, and tops the patient table up to N
synthetic patients (made-up names from Faker's name lists, random dates of birth).
Exits 1 if a search's plan reads patients_patient with a sequential scan, 2 on error.
See bench/README.md.
"""

import argparse
import os
import random
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import accumulate
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/clinic_bench"
DEEP_OFFSET = 50_000
BATCH = 5000
SEED = 20_250_601
SLOW_MS = 50.0
TABLE = "patients_patient"


class BenchError(Exception):
    """Something went wrong: exit 2 (exit 1 means a sequential scan was found)."""


# --- Database ---------------------------------------------------------------------------


def ensure_database(url: str, icu_locale: str | None) -> bool:
    """Create the database named in url if it is missing. True if it was created."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    if not name:
        raise BenchError(f"--database-url has no database name: {url}")
    admin_url = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return False
        stmt = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if icu_locale:
            stmt += sql.SQL(" TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE {}").format(
                sql.Literal(icu_locale)
            )
        conn.execute(stmt)
    return True


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


# --- Synthetic patients -------------------------------------------------------------------


def _name_pools():
    """(weight, family names, female given names, male given names) per locale: mostly
    English names with Faker's frequency weights, plus accented Spanish, French and German
    names so the normalised columns hold folded accents."""
    from faker.providers.person import de_DE, en_US, es_ES, fr_FR

    def weighted(values):  # (names, cumulative weights) for random.choices
        if isinstance(values, dict):
            return list(values), list(accumulate(values.values()))
        return list(values), None

    pools = []
    for share, module in ((0.80, en_US), (0.08, es_ES), (0.06, fr_FR), (0.06, de_DE)):
        p = module.Provider
        pools.append(
            (
                share,
                weighted(p.last_names),
                weighted(p.first_names_female),
                weighted(p.first_names_male),
            )
        )
    return pools


def seed_patients(target: int) -> None:
    from django.db import connection, transaction

    from patients.models import Patient
    from patients.mrn import new_mrn
    from patients.search import normalise_name

    have = Patient.objects.count()
    if have >= target:
        print(f"Patients: {have:,} already present (wanted {target:,}); not seeding.")
        return
    missing = target - have
    print(f"Seeding {missing:,} synthetic patients ({have:,} present)...", flush=True)
    rng = random.Random(SEED + have)
    pools = _name_pools()
    shares = [p[0] for p in pools]
    mrns = set(Patient.objects.values_list("mrn", flat=True))
    first_dob = date(1925, 1, 1)
    dob_days = (date(2024, 12, 31) - first_dob).days
    sexes = ["female", "male", "other", "unknown"]
    sex_weights = [0.50, 0.48, 0.01, 0.01]

    def pick(pool):
        names, cum_weights = pool
        return rng.choices(names, cum_weights=cum_weights)[0]

    started = time.perf_counter()
    made = 0
    while made < missing:
        batch = []
        for _ in range(min(BATCH, missing - made)):
            _, families, female, male = rng.choices(pools, shares)[0]
            sex = rng.choices(sexes, sex_weights)[0]
            if sex not in ("female", "male"):
                sex_pool = rng.choice((female, male))
            else:
                sex_pool = female if sex == "female" else male
            given = pick(sex_pool)
            family = pick(families)
            if rng.random() < 0.03:  # a few double-barrelled family names
                family = f"{family}-{pick(families)}"
            mrn = new_mrn()
            while mrn in mrns:
                mrn = new_mrn()
            mrns.add(mrn)
            batch.append(
                Patient(
                    public_id=uuid.uuid4(),
                    mrn=mrn,
                    given_name=given,
                    family_name=family,
                    date_of_birth=first_dob + timedelta(days=rng.randrange(dob_days)),
                    sex=sex,
                    # bulk_create skips save(), which fills these.
                    search_family=normalise_name(family)[:100],
                    search_given=normalise_name(given)[:100],
                )
            )
        with transaction.atomic():
            Patient.objects.bulk_create(batch, batch_size=BATCH)
        made += len(batch)
    took = time.perf_counter() - started
    print(f"Seeded {made:,} patients in {took:.1f} s ({made / took:,.0f}/s).")
    # A production table is kept vacuumed by autovacuum; do it now so plans (index-only
    # scans need the visibility map) match a table in steady state.
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM {TABLE}")
    print(f"VACUUM {TABLE}: {time.perf_counter() - started:.2f} s.")


# --- Plans ------------------------------------------------------------------------------------


@dataclass
class Plan:
    shape: str  # the top of the tree, e.g. "Limit > Sort > Bitmap Heap Scan"
    indexes: list[str]
    seq_scan: bool
    text: str = ""


def _walk(node, depth=0):
    yield depth, node
    for child in node.get("Plans", []):
        yield from _walk(child, depth + 1)


def explain(sql: str, params) -> Plan:
    import json

    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        raw = cursor.fetchone()[0]
        cursor.execute("EXPLAIN " + sql, params)
        text = "\n".join(row[0] for row in cursor.fetchall())
    tree = (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]
    nodes = list(_walk(tree))
    chain, node = [], tree
    while True:  # follow first children down to the first scan
        label = node["Node Type"]
        if node.get("Index Name"):
            label += f" ({node['Index Name']})"
        elif node["Node Type"] == "Seq Scan":
            label += f" ({node.get('Relation Name')})"
        chain.append(label)
        if "Scan" in node["Node Type"] or not node.get("Plans") or len(chain) >= 4:
            break
        node = node["Plans"][0]
    indexes = []
    for _, n in nodes:
        if n.get("Index Name") and n["Index Name"] not in indexes:
            indexes.append(n["Index Name"])
    seq = any(n["Node Type"] == "Seq Scan" and n.get("Relation Name") == TABLE for _, n in nodes)
    return Plan(" > ".join(chain), indexes, seq, text)


def capture_sql(run: Callable[[], object]) -> list[tuple[str, object]]:
    """The (sql, params) of every query run() sends, as the ORM sends them."""
    from django.db import connection

    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        run()
    return seen


# --- Benchmarks -------------------------------------------------------------------------------


@dataclass
class Case:
    name: str
    text: str | None  # None: the unfiltered list
    offset: int = 0
    is_search: bool = True


@dataclass
class Result:
    case: Case
    found: int
    count_ms: list[float] = field(default_factory=list)
    page_ms: list[float] = field(default_factory=list)
    total_ms: list[float] = field(default_factory=list)
    count_plan: Plan | None = None
    page_plan: Plan | None = None


def queryset_for(case: Case):
    """What patient_list builds for this search text."""
    from patients.models import Patient
    from patients.search import parse_patient_query

    qs = Patient.objects.in_list_order()
    if case.text is None:
        return qs
    query = parse_patient_query(case.text)
    if query.is_empty:
        raise BenchError(f"{case.name}: {case.text!r} parses to an empty search")
    return qs.matching(query)


def run_case(case: Case) -> tuple[int, float, float, int]:
    """count() then one page of rows, as Paginator does for the view. Times in ms."""
    from django.conf import settings

    size = settings.PAGE_SIZE  # 25 unless PAGE_SIZE is set
    t0 = time.perf_counter()
    qs = queryset_for(case)
    found = qs.count()
    t1 = time.perf_counter()
    rows = list(qs[case.offset : case.offset + size])
    t2 = time.perf_counter()
    return found, (t1 - t0) * 1000, (t2 - t1) * 1000, len(rows)


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * pct // 100))  # ceil
    return ordered[int(rank) - 1]


def median(values: list[float]) -> float:
    import statistics

    return statistics.median(values)


def pick_cases() -> list[Case]:
    """Search texts drawn from the data: the commonest surname and one patient with it."""
    from django.conf import settings
    from django.db.models import Count

    from patients.models import Patient

    common = (
        Patient.objects.values("search_family")
        .annotate(n=Count("id"))
        .order_by("-n", "search_family")
        .first()
    )
    if common is None:
        raise BenchError("No patients to search.")
    # A patient with the commonest surname who shares their date of birth with others.
    p = Patient.objects.filter(search_family=common["search_family"]).order_by("id").first()
    # A prefix late in the list order that no given name starts with: the planner tends
    # to walk the list-order index from "a" filtering rows, expecting matches early.
    late = p
    rows = (
        Patient.objects.filter(search_family__gte="t")
        .values("search_family")
        .annotate(n=Count("id"))
        .order_by("-n", "search_family")[:50]
    )
    for row in rows:
        prefix = row["search_family"][:3]
        if not Patient.objects.filter(search_given__startswith=prefix).exists():
            late = Patient.objects.filter(search_family=row["search_family"]).first()
            break
    dmy = settings.DATE_INPUT_ORDER == "DMY"
    dob = p.date_of_birth.strftime("%d/%m/%Y" if dmy else "%m/%d/%Y")
    return [
        Case("family prefix", p.family_name[:3]),
        Case("family prefix, late A-Z", late.family_name[:3]),
        Case("one letter (live search)", p.family_name[:1]),
        Case("given family", f"{p.given_name} {p.family_name}"),
        Case("family, given", f"{p.family_name}, {p.given_name}"),
        Case("exact MRN", p.mrn),
        Case("MRN prefix (4 digits)", p.mrn[:4]),
        Case("date of birth", dob),
        Case("name + DOB", f"{p.family_name} {dob}"),
        Case("list, first page", None, is_search=False),
        Case(f"list, offset {DEEP_OFFSET:,}", None, offset=DEEP_OFFSET, is_search=False),
    ]


def bench(case: Case, reps: int, warmup: int) -> Result:
    for _ in range(warmup):
        run_case(case)
    result = Result(case, found=0)
    for _ in range(reps):
        found, count_ms, page_ms, _ = run_case(case)
        result.found = found
        result.count_ms.append(count_ms)
        result.page_ms.append(page_ms)
        result.total_ms.append(count_ms + page_ms)
    queries = capture_sql(lambda: run_case(case))
    if len(queries) != 2:
        raise BenchError(f"{case.name}: expected 2 queries (count, page), saw {len(queries)}")
    result.count_plan = explain(*queries[0])
    result.page_plan = explain(*queries[1])
    return result


def print_table(results: list[Result]) -> None:
    header = (
        f"{'benchmark':<26} {'search text':<26} {'found':>7} "
        f"{'count p50':>9} {'page p50':>8} {'total p50':>9} {'total p95':>9}  plan (page query)"
    )
    print(header)
    print("-" * len(header))
    for r in results:
        text = "(none)" if r.case.text is None else repr(r.case.text)
        flags = []
        if r.page_plan.seq_scan:
            flags.append("SEQ SCAN")
        if r.count_plan.seq_scan:
            flags.append("SEQ SCAN in count")
        p95 = percentile(r.total_ms, 95)
        if p95 > SLOW_MS:
            flags.append("SLOW")
        print(
            f"{r.case.name:<26} {text[:26]:<26} {r.found:>7,} "
            f"{median(r.count_ms):>9.2f} {median(r.page_ms):>8.2f} "
            f"{median(r.total_ms):>9.2f} {p95:>9.2f}  {r.page_plan.shape}"
            + (f"  ** {', '.join(flags)} **" if flags else "")
        )
    print()
    print("Indexes used (count query | page query):")
    for r in results:
        print(
            f"  {r.case.name:<26} {', '.join(r.count_plan.indexes) or '-':<40} | "
            f"{', '.join(r.page_plan.indexes) or '-'}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--patients", type=int, default=100_000)
    parser.add_argument("--reps", type=int, default=50, help="timed runs per benchmark")
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--icu-locale",
        help="when creating the database, use this ICU collation (e.g. en-GB) instead of "
        "the server default, to see plans under a non-C collation",
    )
    parser.add_argument("--show-plans", action="store_true", help="print every plan in full")
    args = parser.parse_args()

    if ensure_database(args.database_url, args.icu_locale):
        print(f"Created database {urlsplit(args.database_url).path.lstrip('/')}.")
    setup_django(args.database_url)

    from django.db import connection

    seed_patients(args.patients)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {TABLE}")
        cursor.execute("SELECT version(), current_setting('lc_collate')")
        version, collate = cursor.fetchone()
        cursor.execute(
            "SELECT datlocprovider, daticulocale FROM pg_database"
            " WHERE datname = current_database()"
        )
        provider, icu = cursor.fetchone()
        cursor.execute(f"SELECT count(*) FROM {TABLE}")  # noqa: S608 (a constant)
        total = cursor.fetchone()[0]
    collation = f"ICU {icu}" if provider == "i" else collate
    print(f"{version.split(' on ')[0]}, collation {collation}, {total:,} patients.")
    from django.conf import settings

    print(
        f"Pages of {settings.PAGE_SIZE} rows; {args.reps} timed runs per benchmark after "
        f"{args.warmup} warm-up runs; times in ms."
    )
    print()

    results = [bench(case, args.reps, args.warmup) for case in pick_cases()]
    print_table(results)

    problems = []
    for r in results:
        slow = percentile(r.total_ms, 95) > SLOW_MS
        seq = r.page_plan.seq_scan or (r.case.is_search and r.count_plan.seq_scan)
        if args.show_plans or slow or seq:
            print()
            print(f"--- {r.case.name}: count query ---")
            print(r.count_plan.text)
            print(f"--- {r.case.name}: page query ---")
            print(r.page_plan.text)
        if r.case.is_search and (r.page_plan.seq_scan or r.count_plan.seq_scan):
            problems.append(f"{r.case.name}: sequential scan on {TABLE}")

    searches = [r for r in results if r.case.is_search]
    worst = max(searches, key=lambda r: percentile(r.total_ms, 95))
    lists = [r for r in results if not r.case.is_search]
    worst_list = max(lists, key=lambda r: percentile(r.total_ms, 95))
    print()
    for problem in problems:
        print(f"FAIL {problem}")
    print(
        f"Slowest search p95: {percentile(worst.total_ms, 95):.2f} ms "
        f"({worst.case.name}, {worst.case.text!r}, {worst.found:,} found); "
        f"slowest list page p95: {percentile(worst_list.total_ms, 95):.2f} ms "
        f"({worst_list.case.name})."
    )
    return 1 if problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BenchError as exc:
        print(f"ERROR {exc}", file=sys.stderr)
        sys.exit(2)
    except Exception:
        import traceback

        traceback.print_exc()
        sys.exit(2)
