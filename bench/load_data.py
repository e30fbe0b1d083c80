"""The data of `alliances bench load`: one database holding what the other benchmarks build
apart, made by their own generators, run one after the other in this child process:

1. communes and actors: `bench.pages.populate` (it also runs the migrations);
2. cohorts with participants, sessions, attendance and work: `bench.journeys.populate`,
   with its own call to `pages.populate` skipped (step 1 made the territory already: the
   same commune codes twice would collide), then one participant given a real password so
   that the bench signs in through the login form, as a person does;
3. an observatory wave: respondents from `bench.observatory_data.generate`, stored as one
   batch (`bench.observatory.load_directly`, as the observatory bench does without its
   importer), then published, so the dashboard and its API answer anonymous visitors;
4. resources for the site search: documents from `bench.search.Corpus`, stored as
   published `Resource` rows and indexed by the service (`search_index_rebuild`).

Run as `python -m bench.load_data populate '<shape as JSON>'` with DATABASE_URL set to the
bench's database; prints one JSON line: the paths to load, rows per table, seconds.
"""

import json
import random
import sys
import time

from bench import journeys, pages

PARTICIPANT_EMAIL = "p0-0@bench.example"  # journeys' first participant of its first cohort


def populate(shape: dict) -> dict:
    import django

    django.setup()
    started = time.perf_counter()
    seconds: dict[str, float] = {}

    t0 = time.perf_counter()
    territory = pages.populate(shape["communes"], shape["actors"])
    seconds["communes and actors"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    cohorts = journeys_populate(shape)
    seconds["cohorts"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    wave_id = observatory_populate(shape["respondents"])
    seconds["observatory wave"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    queries = resources_populate(shape["resources"])
    seconds["resources"] = time.perf_counter() - t0

    vacuum_analyze()
    targets = target_paths(territory, cohorts["slug"], wave_id, queries)
    return {
        "targets": targets,
        "participant": PARTICIPANT_EMAIL,
        "sql_queries": sql_queries(targets),
        "rows": table_rows(),
        "seconds": {name: round(s, 1) for name, s in seconds.items()},
        "total_seconds": round(time.perf_counter() - started, 1),
    }


def journeys_populate(shape: dict) -> dict:
    """`bench.journeys.populate` on the territory already built, and a password for the
    participant the bench signs in as (the journeys bench logs in server-side instead)."""
    from alliances.accounts.models import User

    def already_built(n_communes: int, n_actors: int) -> None:
        """Step 1 ran `pages.populate` with the bench's own sizes."""

    real = pages.populate
    pages.populate = already_built
    try:
        built = journeys.populate({
            "cohorts": shape["cohorts"], "participants": shape["participants"],
            "sessions": shape["sessions"],
        })
    finally:
        pages.populate = real
    if built["consistency"] != "ok":
        raise SystemExit(f"journeys data inconsistent: {built['consistency']}")
    participant = User.objects.get(email=PARTICIPANT_EMAIL)
    participant.set_password(shape["password"])
    participant.save(update_fields=["password"])
    return built


def observatory_populate(n: int) -> int:
    from alliances.accounts.models import User
    from alliances.accounts.services import user_create
    from alliances.observatory import services
    from bench import observatory_data as od
    from bench.observatory import load_directly

    owner = user_create(email="analyste@bench.example.org", password=None,
                        role=User.Role.ANALYSTE, display_name="Banc d'essai")
    survey = services.survey_create(slug="banc-essai", title="Baromètre (banc d'essai)",
                                    population="associations", owner=owner)
    wave = services.wave_create(survey=survey, label="2026", definition=od.definition(),
                                created_by=owner, attributes=od.ATTRIBUTES)
    load_directly(wave, od.generate(n), owner)
    services.wave_publish(wave=wave, by=owner)  # public: anonymous visitors see it
    return wave.pk


def resources_populate(n: int, n_queries: int = 60) -> list[str]:
    """`n` published resources drawn by the search bench's corpus, indexed by the service;
    returns queries made as that bench makes them (words of real titles)."""
    from django.utils import timezone

    from alliances.resources.models import Resource, ResourceKind, ResourceStatus
    from alliances.resources.services import search_index_rebuild
    from alliances.territories.models import Region
    from bench import search as search_bench

    rng = random.Random(2018)
    corpus = search_bench.Corpus(rng)
    kinds = set(ResourceKind.values)
    regions = set(Region.objects.values_list("code", flat=True))
    now = timezone.now()
    resources = []
    for i in range(1, n + 1):
        doc = corpus.document(i)
        kind = doc.facets["kind"][0]
        region = doc.facets["territoire"][0]
        resources.append(Resource(
            kind=kind if kind in kinds else ResourceKind.FICHE, title=doc.title[:250],
            summary=doc.summary[:1000], body=doc.body,
            region_id=region if region in regions else None,
            status=ResourceStatus.PUBLISHED, published_at=now,
        ))
    Resource.objects.bulk_create(resources, batch_size=1000)
    search_index_rebuild()
    titles = [r.title for r in resources]
    queries = [
        q for n_words in (1, 2, 3)
        for q in search_bench.title_queries(titles, n_words, n_queries // 3, rng)
    ]
    rng.shuffle(queries)
    return queries


def target_paths(territory: dict, slug: str, wave_id: int, queries: list[str]) -> dict:
    """The pages to load, each a list of paths in rotation, as people open them; `signed_in`:
    sent with the participant's session cookie."""
    from urllib.parse import quote_plus

    from bench.observatory import FILTER, distinct_selections

    api = f"/api/v1/observatory/waves/{wave_id}/questions"
    filters = "&".join(f"filter={k}:{','.join(v)}" for k, v in FILTER.items())
    selections = [  # the dashboard's form and the API take the same query string
        "question=q4&by=region", "question=q14&by=region", f"question=q4&by=region&{filters}",
        "question=q4&by=taille_commune", "question=q14&by=type_acteur",
        "question=q4&by=type_acteur&filter=region:84,11",
    ]
    dashboard = [f"/observatoire/vagues/{wave_id}/"]
    dashboard += [f"/observatoire/vagues/{wave_id}/?{s}" for s in selections]
    results = [f"{api}/q4/results?by=region", f"{api}/q14/results?by=region",
               f"{api}/q4/results?by=region&{filters}", f"{api}/q4/results?by=taille_commune"]
    results += distinct_selections(api)[:40]  # and some computed for the first time
    return {
        "home": {"paths": ["/"], "signed_in": False},
        "territory page": {"paths": territory_paths(territory), "signed_in": False},
        "cohort space (signed in)": {"paths": [f"/parcours/{slug}/"], "signed_in": True},
        "observatory dashboard": {"paths": dashboard, "signed_in": False},
        "observatory API": {"paths": results, "signed_in": False},
        "search": {"paths": [f"/recherche/?q={quote_plus(q)}" for q in queries],
                   "signed_in": False},
    }


def sql_queries(targets: dict) -> dict[str, int]:
    """Each page's SQL queries (its first path, the third time it is asked: steady state),
    with Django's test client in this process: what a slow row is made of."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from alliances.accounts.models import User

    participant = User.objects.get(email=PARTICIPANT_EMAIL)
    counts = {}
    for name, target in targets.items():
        client = Client(HTTP_HOST="127.0.0.1")
        if target["signed_in"]:
            client.force_login(participant)
        path = target["paths"][0]
        # Twice: the first answer sets the CSRF cookie, the second is the one the page
        # caches keep (public pages, cohort pages per person).
        client.get(path)
        client.get(path)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(path)
        if response.status_code != 200:
            raise SystemExit(f"{name}: {path} answers HTTP {response.status_code}")
        counts[name] = len(captured.captured_queries)
    return counts


def territory_paths(territory: dict) -> list[str]:
    """Several territories, as visitors open them: départements (some filtered by type,
    some on a later page), their region, and communes of different sizes."""
    from collections import Counter

    from alliances.actors.models import Organisation
    from alliances.territories.models import Commune, Departement

    # Eight départements, those with the most actors first (the whole list has a hundred:
    # every page would be a first view, and checking them all before the load takes long).
    counts = Counter(Organisation.objects.values_list("departement_id", flat=True))
    deps = [code for code, _ in counts.most_common(8)]
    paths = [f"/territoires/departement/{code}/" for code in deps]
    paths += [f"/territoires/departement/{code}/?type={kind}"
              for code in deps for kind in ("association", "entreprise")]
    paths += [f"/territoires/departement/{territory['departement']}/?type=association&page=2"]
    regions = Departement.objects.filter(code__in=deps).values_list("region_id", flat=True)
    paths += [f"/territoires/region/{code}/" for code in sorted(set(regions))]
    communes = list(Commune.objects.order_by("-population").values_list("code", flat=True)[:6])
    communes += list(Commune.objects.order_by("code").values_list("code", flat=True)[:4])
    paths += [f"/territoires/commune/{code}/" for code in communes]
    return paths


def table_rows() -> dict[str, int]:
    """Rows per table of the data the pages read (what was built, for the report)."""
    from django.apps import apps

    names = [
        "territories.Region", "territories.Departement", "territories.Commune",
        "actors.Organisation", "accounts.User", "sessions.Session", "journeys.Cohort",
        "journeys.CohortMember", "journeys.Session", "journeys.Registration",
        "journeys.Attendance", "journeys.Submission", "observatory.Survey", "observatory.Wave",
        "observatory.ResponseBatch", "resources.Resource",
    ]
    return {name: apps.get_model(name).objects.count() for name in names}


def vacuum_analyze() -> None:
    """Fresh statistics for the planner, as a database that has lived a while has them."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


if __name__ == "__main__" and sys.argv[1:2] == ["populate"]:
    print(json.dumps(populate(json.loads(sys.argv[2]))))
