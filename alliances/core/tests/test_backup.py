"""`alliances backup` and `alliances restore`: a demo instance goes through an archive into
an empty one and comes out the same (rows, media, pages, API answers), on whichever database
the suite runs on; a bad archive or a database holding data is refused, untouched."""

import datetime
import io
import json
import re
import tarfile
from importlib import import_module
from pathlib import Path

import pytest
import time_machine
from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection, transaction

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.actors.models import Organisation
from alliances.conftest import REFERENCE_DATA_MIGRATIONS
from alliances.core import backup
from alliances.core.backup import BackupError, backup_create, backup_restore
from alliances.core.demo_data import COHORT_NAME, demo_load
from alliances.core.tests.test_storage import s3_server, use_s3  # noqa: F401 (a fixture)
from alliances.journeys.models import Cohort
from alliances.partnerships.models import Alliance
from alliances.resources.models import Resource
from alliances.resources.services import resource_file_add

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime.datetime(2026, 11, 25, 10, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media-before"


@pytest.fixture(autouse=True)
def _english():
    """The operator's messages are checked by their English text (pages are requested in
    the site's language all the same: a request chooses its own)."""
    from django.utils import translation

    with translation.override("en"):
        yield


def _empty_instance(settings, media_root: Path) -> None:
    """Make the database what `migrate` leaves on another server: no data but the reference
    rows, content types and permissions made again (with other ids than before)."""
    with transaction.atomic(), connection.cursor() as cursor:
        # Not `flush`: its TRUNCATE of every table takes seconds on PostgreSQL.
        for table in connection.introspection.django_table_names(only_existing=True):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608
    ContentType.objects.clear_cache()
    emit_post_migrate_signal(verbosity=0, interactive=False, db=connection.alias)
    for module in REFERENCE_DATA_MIGRATIONS:
        import_module(module).load(apps, None)
    from alliances.resources import search

    search.clear()
    settings.MEDIA_ROOT = media_root


def _rows() -> dict[str, list[dict]]:
    """Every backed-up row, serialised by Django's own serialiser (content types, permissions
    and users by natural key), many-to-many values in a stable order."""
    rows = {}
    for model in backup.backed_up_models():
        many = {f.name for f in model._meta.many_to_many}
        natural = [f.name for f in model._meta.concrete_fields
                   if f.is_relation and hasattr(f.remote_field.model, "natural_key")]
        queryset = model._base_manager.order_by("pk")
        if natural:
            queryset = queryset.select_related(*natural)
        objects = serializers.serialize("python", queryset.prefetch_related(*many),
                                        use_natural_foreign_keys=True)
        for obj in objects:
            for name in many & set(obj["fields"]):
                obj["fields"][name] = sorted(obj["fields"][name])
        rows[model._meta.label_lower] = objects
    return rows


def _media_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


# What differs at each rendering: CSRF tokens (forms, htmx headers) and nonces.
TOKENS = re.compile(rb'(csrfmiddlewaretoken" value="|X-CSRFToken": "|nonce=")[^"]*"')


def _answers(client, urls: list[str], user: User | None = None) -> dict[str, tuple[int, bytes]]:
    from django.core.cache import caches

    for alias in ("default", "pages", "cohort_pages"):
        caches[alias].clear()
    client.logout()
    if user is not None:
        client.force_login(user)
    answers = {}
    for url in urls:
        response = client.get(url)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        answers[url] = (response.status_code, TOKENS.sub(rb"\1\"", body))
    return answers


def _assert_same(after: dict[str, tuple[int, bytes]],
                 before: dict[str, tuple[int, bytes]]) -> None:
    """Equal answers; else the first differing lines of each page, to find the cause."""
    import difflib

    assert after.keys() == before.keys()
    diffs = {
        url: "\n".join(list(difflib.unified_diff(
            before[url][1].decode(errors="replace").splitlines(),
            after[url][1].decode(errors="replace").splitlines(), lineterm="", n=1))[:12])
        for url in before if after[url] != before[url]
    }
    assert not diffs, "\n\n".join(f"{url}:\n{diff}" for url, diff in diffs.items())


def _urls() -> tuple[list[str], list[str]]:
    """Public pages and API answers, and pages a signed-in member sees."""
    resource = Resource.objects.published().filter(files__isnull=False).order_by("pk").first()
    file = resource.files.order_by("pk").first()
    organisation = Organisation.objects.order_by("pk").first()
    cohort = Cohort.objects.get(name=COHORT_NAME)
    public = [
        "/", "/territoires/", "/territoires/departement/94/", "/territoires/region/53/",
        f"/acteurs/{organisation.pk}/", "/ressources/", f"/ressources/{resource.pk}/",
        f"/ressources/{resource.pk}/fichiers/{file.pk}/", "/recherche/?q=partenariat",
        f"/parcours/{cohort.slug}/",
        "/api/v1/territories/regions", "/api/v1/territories/departements",
        "/api/v1/territories/communes?departement=94", "/api/v1/organisations",
        "/api/v1/cohorts", "/api/v1/resources", "/api/v1/resources?q=territoire",
        f"/api/v1/resources/{resource.pk}", "/api/v1/diagnostics/grids",
        "/api/v1/observatory/waves", "/api/v1/alliances",
    ]
    alliance = Alliance.objects.order_by("pk").first()
    signed_in = ["/", f"/alliances/{alliance.pk}/", "/besoins/", f"/parcours/{cohort.slug}/",
                 "/notifications/"]
    return public, signed_in


@time_machine.travel(NOW, tick=False)
def test_round_trip_gives_the_same_rows_media_pages_and_api_answers(settings, tmp_path, client):
    demo_load()
    participant = User.objects.get(email="participant@alliances.localhost")
    resource = Resource.objects.published().order_by("pk").first()
    upload = ContentFile(b"Compte rendu\n\xe9t\xe9 2026\n", name="compte-rendu.txt")
    resource_file_add(resource=resource, by=participant, upload=upload)
    # Content types and permissions are referred to by natural key: give some to people.
    analyste = User.objects.get(email="analyste@alliances.localhost")
    group = Group.objects.create(name="Relecteurs")
    group.permissions.set(Permission.objects.filter(codename__in=["view_resource",
                                                                  "change_resource"]))
    analyste.groups.add(group)
    analyste.user_permissions.add(Permission.objects.get(codename="view_organisation"))
    public, signed_in = _urls()
    pages_before = _answers(client, public)
    member_pages_before = _answers(client, signed_in, user=participant)
    rows_before = _rows()  # after the sign-in, which writes the last login
    media_before = _media_bytes(Path(settings.MEDIA_ROOT))
    content_types_before = dict(ContentType.objects.values_list("model", "pk"))
    archive = tmp_path / "instance.tar.gz"

    call_command("backup", str(archive), stdout=io.StringIO())
    _empty_instance(settings, tmp_path / "media-after")
    assert dict(ContentType.objects.values_list("model", "pk")) != content_types_before
    out = io.StringIO()
    call_command("restore", str(archive), stdout=out)

    total = sum(len(r) for r in rows_before.values())
    assert re.search(rf"\b{total}\b", out.getvalue())  # the rows loaded, in any language
    rows_after = _rows()
    generation_before = rows_before.pop("core.pagegeneration")
    generation_after = rows_after.pop("core.pagegeneration")
    assert {label: len(r) for label, r in rows_after.items()} == {
        label: len(r) for label, r in rows_before.items()
    }
    for label, rows in rows_before.items():
        assert rows_after[label] == rows, label
    # Cached pages of the instance restored over are dropped: the generation moved on.
    assert generation_after[0]["fields"]["value"] == generation_before[0]["fields"]["value"] + 1
    assert _media_bytes(Path(settings.MEDIA_ROOT)) == media_before
    assert any(name.endswith("compte-rendu.txt") for name in media_before)
    _assert_same(_answers(client, public), pages_before)
    participant = User.objects.get(email="participant@alliances.localhost")
    _assert_same(_answers(client, signed_in, user=participant), member_pages_before)
    assert all(status == 200 for status, _body in pages_before.values())

    # Ids continue after the restored ones (PostgreSQL's sequences were moved past them).
    user = user_create(email="new@example.org", password=None)
    assert user.pk > max(r["pk"] for r in rows_before["accounts.user"])
    assert Group.objects.create(name="Nouveaux").pk > group.pk


def test_a_migrated_instance_holds_exactly_the_reference_rows(db):
    """REFERENCE_MODELS is what a restore replaces without --force: kept equal to what the
    data migrations load."""
    holding = {m._meta.label_lower for m in backup.backed_up_models() if m._base_manager.exists()}
    assert holding == backup.REFERENCE_MODELS
    assert backup.database_holders() == []


@pytest.fixture
def small_archive(settings, tmp_path, admin, participant) -> Path:
    """An archive of a small instance (two people, one media file); the instance is then
    emptied as `migrate` leaves one."""
    default_storage.save("notes/bilan.txt", ContentFile(b"bilan 2026"))
    archive = tmp_path / "small.tar.gz"
    backup_create(path=archive)
    _empty_instance(settings, tmp_path / "media-after")
    return archive


def _state(settings) -> tuple[dict, dict]:
    return _rows(), _media_bytes(Path(settings.MEDIA_ROOT))


def _rewrite(source: Path, target: Path, *, replace: dict[str, bytes] | None = None,
             manifest: dict | None = None, rehash: bool = False) -> Path:
    """A copy of an archive with members replaced; `rehash` updates the manifest's checksums
    and counts to match, so that only what comes after the checks can catch the change."""
    import hashlib

    replace = replace or {}
    with tarfile.open(source) as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar if m.isfile()}
    members.update(replace)
    head = json.loads(members.pop("manifest.json"))
    if rehash:
        for name, data in replace.items():
            head["members"][name]["sha256"] = hashlib.sha256(data).hexdigest()
            if name.startswith("data/"):
                label = name.removeprefix("data/").removesuffix(".jsonl")
                head["counts"][label] = data.count(b"\n")
    head.update(manifest or {})
    members["manifest.json"] = json.dumps(head).encode()
    with tarfile.open(target, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return target


def test_restore_loads_the_small_archive(settings, small_archive):
    report = backup_restore(path=small_archive)

    assert set(User.objects.values_list("email", flat=True)) == {
        "admin@example.org", "participant@example.org"
    }
    assert report.media_files == 1
    assert (Path(settings.MEDIA_ROOT) / "notes" / "bilan.txt").read_bytes() == b"bilan 2026"
    # Nothing of the restore is left beside the media directory.
    assert sorted(p.name for p in Path(settings.MEDIA_ROOT).parent.iterdir()
                  if p.name.startswith(".alliances-restore")) == []


def test_restore_refuses_a_database_holding_data_unless_forced(settings, small_archive):
    user_create(email="someone@example.org", password=None)
    default_storage.save("other.txt", ContentFile(b"kept"))
    before = _state(settings)

    with pytest.raises(CommandError, match=r"already holds data \(.*accounts\.user.*--force"):
        call_command("restore", str(small_archive))
    assert _state(settings) == before

    call_command("restore", str(small_archive), "--force", stdout=io.StringIO())
    assert set(User.objects.values_list("email", flat=True)) == {
        "admin@example.org", "participant@example.org"
    }
    assert (Path(settings.MEDIA_ROOT) / "notes" / "bilan.txt").exists()


def test_restore_refuses_a_bad_archive_and_changes_nothing(settings, tmp_path, small_archive):
    before = _state(settings)
    data = small_archive.read_bytes()
    with tarfile.open(small_archive) as tar:
        users = tar.extractfile("data/accounts.user.jsonl").read()
        migrations = json.loads(tar.extractfile("manifest.json").read())["migrations"]
    text = tmp_path / "notes.tar.gz"
    text.write_text("not an archive")
    half, cut = tmp_path / "half.tar.gz", tmp_path / "cut.tar.gz"
    half.write_bytes(data[:len(data) // 2])
    cut.write_bytes(data[:-100])
    migrations["accounts"] = [*migrations["accounts"], "9999_from_the_future"]
    cases = [
        (text, r"notes\.tar\.gz is not a complete backup archive"),
        (tmp_path / "missing.tar.gz", r"missing\.tar\.gz: no such file"),
        (half, r"half\.tar\.gz is not a complete backup archive .*truncated"),
        (cut, r"cut\.tar\.gz (is not a complete backup archive|has no manifest)"),
        (_rewrite(small_archive, tmp_path / "tampered.tar.gz", replace={
            "data/accounts.user.jsonl": users.replace(b'"role": "admin"', b'"role": "animateur"'),
        }), r"Checksum mismatch for data/accounts\.user\.jsonl"),
        (_rewrite(small_archive, tmp_path / "media.tar.gz",
                  replace={"media/notes/bilan.txt": b"bilan 2027"}),
         r"Checksum mismatch for media/notes/bilan\.txt"),
        (_rewrite(small_archive, tmp_path / "newer.tar.gz", manifest={"format_version": 2}),
         r"backup format 2; .* format 1 only"),
        (_rewrite(small_archive, tmp_path / "future.tar.gz", manifest={"migrations": migrations}),
         r"another migration state .*\(apps: accounts\)"),
    ]
    assert users.count(b'"role": "admin"') == 1  # the tampering changes something

    for archive, message in cases:
        with pytest.raises(CommandError, match=message):
            call_command("restore", str(archive))
        assert _state(settings) == before, archive


def test_a_restore_failing_while_loading_leaves_the_database_as_it_was(settings, tmp_path,
                                                                     small_archive):
    """Checksums right but rows that break a constraint (a département of a region that does
    not exist, checked at the end; a user twice, refused at once): everything loaded is
    undone, the reference rows deleted first are back, and no media file was moved in."""
    with tarfile.open(small_archive) as tar:
        departements = tar.extractfile("data/territories.departement.jsonl").read()
        users = tar.extractfile("data/accounts.user.jsonl").read()
    lines = [json.loads(line) for line in departements.splitlines()]
    lines[0]["fields"]["region"] = "ZZ"
    orphan = {"data/territories.departement.jsonl":
              b"".join(json.dumps(line).encode() + b"\n" for line in lines)}
    duplicate = {"data/accounts.user.jsonl": users + users.splitlines(keepends=True)[0]}
    before = _state(settings)

    for name, replace in [("orphan", orphan), ("duplicate", duplicate)]:
        broken = _rewrite(small_archive, tmp_path / f"{name}.tar.gz", replace=replace,
                          rehash=True)
        with pytest.raises(BackupError, match="failed and was undone, the database is unchanged"):
            backup_restore(path=broken)
        assert _state(settings) == before, name
        assert not User.objects.exists()
        assert not (Path(settings.MEDIA_ROOT) / "notes").exists()


def test_round_trip_with_media_on_s3(settings, tmp_path, admin, s3_server):  # noqa: F811
    """Media on an S3-compatible service (moto's): read through the storage, and put back
    through it under the same names."""
    use_s3(settings, s3_server)
    name = default_storage.save("resources/7/fiche été.pdf", ContentFile(b"%PDF-1.4 fiche"))
    archive = tmp_path / "s3.tar.gz"
    backup_create(path=archive)
    _empty_instance(settings, tmp_path / "unused")
    default_storage.delete(name)
    assert not default_storage.exists(name)

    report = backup_restore(path=archive)

    assert report.media_files == 1
    with default_storage.open(name, "rb") as stream:
        assert stream.read() == b"%PDF-1.4 fiche"
    assert User.objects.get().email == admin.email
