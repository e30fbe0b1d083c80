"""Backup and restore of a whole instance: its database and its media files in one archive.

The database goes in as Django's own serialisation (JSON lines, one member per model,
streamed row by row), not as a `pg_dump` or SQLite file: a small association may start on
SQLite and move to PostgreSQL, and the same archive restores on either. Every row keeps its
primary key, so what points at it by id (generic relations, URLs, the search index's ids)
still does. Content types and permissions are rebuilt by `migrate` on every instance, with
primary keys of their own: rows refer to them by natural key instead, and they are not in
the archive. Sessions are not kept: everyone signs in again after a restore.

The archive (`.tar.gz`) holds `data/<app>.<model>.jsonl`, `media/<name>` for every file of
the default storage, and last `manifest.json`: format version, application version,
creation time, database vendor, the migrations applied per app, the row count per model and
the sha256 of every other member. Written last, the manifest is made in one pass over the
media, so a file cannot change between being hashed and being stored.

A restore unpacks and checks the whole archive in a staging directory before it touches the
database, then loads everything in one transaction: any failure leaves the database as it
was, and the media are moved into place only at the end of that transaction.
"""

import datetime
import hashlib
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import IO, Any

from django.apps import apps
from django.core import serializers
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.core.serializers import jsonl
from django.core.serializers.base import DeserializationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DatabaseError, connection, models, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.core.storage import StorageFailed

FORMAT = "alliances-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA_DIR = "data"
MEDIA_DIR = "media"
CHUNK = 1024 * 1024
BATCH = 2000

# Rebuilt by `migrate` on every instance (see the module's docstring).
REBUILT_MODELS = frozenset({"contenttypes.contenttype", "auth.permission", "sessions.session"})

# Rows the data migrations put in every migrated instance, "empty" as it is: a restore
# replaces them by the archive's own (deleted, then loaded, in the same transaction), and
# they alone do not make a database count as holding data. Test: test_backup.py keeps this
# list equal to what a fresh instance holds.
REFERENCE_MODELS = frozenset({
    "territories.region", "territories.departement",
    "actors.fragility", "actors.sector",
    "journeys.stepkind", "journeys.programme", "journeys.programmephase",
    "journeys.programmestep",
    "diagnostics.grid", "diagnostics.gridversion", "diagnostics.level", "diagnostics.axis",
    "diagnostics.criterion", "diagnostics.criterionlevel",
    "resources.referentielnode",
})


class BackupError(Exception):
    """A backup or restore refused or failed; the message is for the operator."""


@dataclass
class BackupReport:
    path: Path
    rows: int
    models: int
    media_files: int
    size: int


@dataclass
class RestoreReport:
    rows: int
    models: int
    media_files: int
    manifest: dict[str, Any]


def backed_up_models() -> list[type[models.Model]]:
    """Every model whose rows the archive holds: concrete tables made by migrations, less
    the rebuilt ones. Many-to-many tables made by Django travel with their model's rows."""
    return [
        model for model in apps.get_models()
        if model._meta.managed and not model._meta.proxy
        and model._meta.label_lower not in REBUILT_MODELS
    ]


def _natural_key_models() -> tuple[type[models.Model], ...]:
    return tuple(apps.get_model(label) for label in ("contenttypes.ContentType", "auth.Permission"))


class _Encoder(DjangoJSONEncoder):
    """Dates and times to the microsecond: Django's encoder cuts them to the millisecond
    (as JavaScript reads them), which a restore would not give back."""

    def default(self, o):
        if isinstance(o, (datetime.datetime, datetime.time)):
            return o.isoformat()
        return super().default(o)


class _Serializer(jsonl.Serializer):
    """JSON lines that name only content types and permissions by natural key: those have
    other primary keys on another instance. Every other relation stays an id (users too,
    whose natural key is their email: no lookup per row on restore)."""

    def handle_fk_field(self, obj, field):
        self.use_natural_foreign_keys = field.remote_field.model in _natural_key_models()
        super().handle_fk_field(obj, field)

    def handle_m2m_field(self, obj, field):
        natural = field.remote_field.model in _natural_key_models()
        prefetched = getattr(obj, "_prefetched_objects_cache", {}).get(field.name)
        if prefetched is None or not field.remote_field.through._meta.auto_created:
            self.use_natural_foreign_keys = natural
            super().handle_m2m_field(obj, field)
            return
        # What Django's serialiser does with prefetched rows, less the query it builds (and
        # does not run) for each row: half the time of a dump of users.
        self._current[field.name] = [
            related.natural_key() if natural else self._value_from_field(related, related._meta.pk)
            for related in prefetched
        ]


def _dump_queryset(model: type[models.Model]) -> models.QuerySet:
    """All rows by primary key, with what the serialiser reads per row fetched in bulk."""
    natural = _natural_key_models()
    queryset = model._base_manager.order_by("pk")
    related = [f.name for f in model._meta.concrete_fields
               if f.is_relation and f.remote_field.model in natural]
    if related:
        queryset = queryset.select_related(*related)
    prefetch = []
    for field in model._meta.many_to_many:
        if not field.remote_field.through._meta.auto_created:
            continue  # an explicit through model is backed up as a model of its own
        prefetch.append(field.name)
        if field.remote_field.model._meta.label_lower == "auth.permission":
            prefetch.append(f"{field.name}__content_type")
    return queryset.prefetch_related(*prefetch) if prefetch else queryset


def _member_name(model: type[models.Model]) -> str:
    return f"{DATA_DIR}/{model._meta.label_lower}.jsonl"


class _HashingReader:
    """A file read through once: what it gave is hashed on the way."""

    def __init__(self, stream: IO[bytes]):
        self.stream = stream
        self.sha256 = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data = self.stream.read(size)
        self.sha256.update(data)
        return data


def _media_names(directory: str = "") -> Iterator[str]:
    """Every file of the default storage, depth first, in a stable order."""
    try:
        dirs, files = default_storage.listdir(directory)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{directory}/{name}" if directory else name
    for name in sorted(dirs):
        yield from _media_names(f"{directory}/{name}" if directory else name)


def _applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in MigrationRecorder(connection).applied_migrations():
        applied.setdefault(app_label, []).append(name)
    return {app: sorted(names) for app, names in sorted(applied.items())}


def _app_version() -> str:
    try:
        return metadata.version("alliances")
    except metadata.PackageNotFoundError:
        return "unknown"


def _add_file(tar: tarfile.TarFile, name: str, stream: IO[bytes], size: int,
              mtime: float) -> str:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = int(mtime)
    info.mode = 0o644
    reader = _HashingReader(stream)
    tar.addfile(info, reader)
    return reader.sha256.hexdigest()


def _read_snapshot() -> None:
    """Make the current transaction read one state of the database throughout, so that the
    dump's rows agree with each other while the site keeps writing. PostgreSQL: a read-only
    repeatable-read snapshot. SQLite: the transaction is enough (with WAL it reads one state
    of the file; being IMMEDIATE, it also holds other writers back until the dump ends)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")


def backup_create(*, path: Path) -> BackupReport:
    """Write the archive of the database and media to `path` (a `.tar.gz`); the file
    appears only once complete."""
    path = Path(path)
    if path.exists():
        raise BackupError(_("%(path)s already exists: choose another file name.") % {"path": path})
    members: dict[str, dict[str, Any]] = {}
    partial = path.with_name(f".{path.name}.partial")
    try:
        with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
            manifest, counts = _write_database(tar, members)
            media_files = 0
            for name in _media_names():
                member = f"{MEDIA_DIR}/{name}"
                with default_storage.open(name, "rb") as stream:
                    size = default_storage.size(name)
                    sha = _add_file(tar, member, stream, size, _mtime(name))
                members[member] = {"sha256": sha, "size": size}
                media_files += 1
            manifest |= {"counts": counts, "media_files": media_files, "members": members}
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            _add_file(tar, MANIFEST, _BytesReader(body), len(body), timezone.now().timestamp())
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupReport(path=path, rows=sum(counts.values()), models=len(counts),
                        media_files=media_files, size=path.stat().st_size)


def _write_database(tar: tarfile.TarFile,
                    members: dict[str, dict[str, Any]]) -> tuple[dict[str, Any], dict[str, int]]:
    """Store one member per model, all read in one snapshot; returns the manifest's head
    and the row counts."""
    counts: dict[str, int] = {}
    outermost = not connection.in_atomic_block  # else the isolation level is already set
    with tempfile.TemporaryDirectory(prefix="alliances-backup-") as scratch, \
            transaction.atomic():
        if outermost:
            _read_snapshot()
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": _app_version(),
            "created_at": timezone.now().isoformat(),
            "database_vendor": connection.vendor,
            "migrations": _applied_migrations(),
        }
        for model in backed_up_models():
            name = _member_name(model)
            counts[model._meta.label_lower], members[name] = _dump_model(
                model, tar, name, Path(scratch) / "member.jsonl"
            )
    return manifest, counts


class _BytesReader:
    def __init__(self, data: bytes):
        self.data, self.offset = data, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.offset + size
        chunk, self.offset = self.data[self.offset:end], min(end, len(self.data))
        return chunk


def _mtime(name: str) -> float:
    try:
        return default_storage.get_modified_time(name).timestamp()
    except (NotImplementedError, OSError):
        return timezone.now().timestamp()


def _dump_model(model: type[models.Model], tar: tarfile.TarFile, name: str,
                scratch: Path) -> tuple[int, dict[str, Any]]:
    """Serialise one model to a scratch file (its size must be known before it goes in the
    tar), then store it; returns its row count and its manifest entry."""
    with scratch.open("w", encoding="utf-8") as stream:
        _Serializer().serialize(_dump_queryset(model).iterator(chunk_size=BATCH), stream=stream,
                                cls=_Encoder)
    rows = 0
    with scratch.open("rb") as stream:
        for block in iter(lambda: stream.read(CHUNK), b""):
            rows += block.count(b"\n")
    size = scratch.stat().st_size
    with scratch.open("rb") as stream:
        sha = _add_file(tar, name, stream, size, timezone.now().timestamp())
    return rows, {"sha256": sha, "size": size}


# -- restore ------------------------------------------------------------------------------


def _staging_parent() -> Path:
    """Next to the media directory when there is one, so that moving the restored files
    into it is a rename on the same file system."""
    try:
        root = Path(default_storage.path(""))
    except NotImplementedError:
        return Path(tempfile.gettempdir())
    root.mkdir(parents=True, exist_ok=True)
    return root.parent


def _member_target(staging: Path, name: str) -> Path:
    """Where a member is unpacked; refuses any name that would land outside the staging
    directory or that no backup writes."""
    pure = PurePosixPath(name)
    valid = (
        not pure.is_absolute()
        and ".." not in pure.parts
        and (name == MANIFEST or (len(pure.parts) >= 2 and pure.parts[0] in (DATA_DIR, MEDIA_DIR)))
    )
    if not valid:
        raise BackupError(_("Unexpected member %(name)s in the archive.") % {"name": name})
    return staging.joinpath(*pure.parts)


def _unpack(path: Path, staging: Path) -> tuple[dict[str, Any], dict[str, str]]:
    """Unpack every member into `staging`, hashing it on the way; returns the manifest and
    the sha256 of each other member."""
    digests: dict[str, str] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(
                        _("Unexpected member %(name)s in the archive.") % {"name": member.name}
                    )
                if member.name in digests:
                    raise BackupError(
                        _("Member %(name)s appears twice in the archive.") % {"name": member.name}
                    )
                target = _member_target(staging, member.name)
                target.parent.mkdir(parents=True, exist_ok=True)
                source = tar.extractfile(member)
                digest = hashlib.sha256()
                with target.open("wb") as out:
                    while block := source.read(CHUNK):
                        digest.update(block)
                        out.write(block)
                digests[member.name] = digest.hexdigest()
    except FileNotFoundError:
        raise BackupError(_("%(path)s: no such file.") % {"path": path}) from None
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise BackupError(
            _("%(path)s is not a complete backup archive (%(error)s): is it truncated, or not "
              "made by 'alliances backup'?") % {"path": path, "error": error}
        ) from None
    if MANIFEST not in digests:
        raise BackupError(
            _("%(path)s has no manifest.json: it is truncated or not made by "
              "'alliances backup'.") % {"path": path}
        )
    try:
        manifest = json.loads((staging / MANIFEST).read_text(encoding="utf-8"))
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(
            _("The manifest of %(path)s is not valid JSON (%(error)s).")
            % {"path": path, "error": error}
        ) from None
    del digests[MANIFEST]
    return manifest, digests


def _check_manifest(manifest: dict[str, Any], digests: dict[str, str]) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(_("The archive's manifest is not that of an Alliances backup."))
    if manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            _("The archive is in backup format %(found)s; this version of Alliances reads "
              "format %(expected)s only.")
            % {"found": manifest.get("format_version"), "expected": FORMAT_VERSION}
        )
    listed = manifest.get("members") or {}
    missing = sorted(set(listed) - set(digests))
    if missing:
        raise BackupError(
            _("Members listed in the manifest are missing from the archive: %(names)s.")
            % {"names": ", ".join(missing[:5])}
        )
    unlisted = sorted(set(digests) - set(listed))
    if unlisted:
        raise BackupError(
            _("Members of the archive are not listed in its manifest: %(names)s.")
            % {"names": ", ".join(unlisted[:5])}
        )
    for name, digest in sorted(digests.items()):
        entry = listed[name] if isinstance(listed[name], dict) else {}
        if entry.get("sha256") != digest:
            raise BackupError(
                _("Checksum mismatch for %(name)s: the archive is corrupted or was altered.")
                % {"name": name}
            )
    here = _applied_migrations()
    there = manifest.get("migrations") or {}
    differing = sorted(app for app in set(here) | set(there) if here.get(app) != there.get(app))
    if differing:
        raise BackupError(
            _("The archive was made at another migration state than this database's (apps: "
              "%(apps)s). Restore it with the version that made it (%(version)s), after "
              "'alliances migrate'.")
            % {"apps": ", ".join(differing), "version": manifest.get("app_version")}
        )
    unknown = sorted(set(manifest.get("counts") or {}) - {
        m._meta.label_lower for m in backed_up_models()
    })
    if unknown:
        raise BackupError(
            _("The archive holds models this version does not have: %(models)s.")
            % {"models": ", ".join(unknown)}
        )


def database_holders() -> list[str]:
    """The models holding rows other than the data migrations' reference rows."""
    return [
        model._meta.label_lower for model in backed_up_models()
        if model._meta.label_lower not in REFERENCE_MODELS and model._base_manager.exists()
    ]


def _empty_database() -> None:
    """Delete every backed-up row, and the sessions, inside the current transaction.

    DELETE rather than the TRUNCATE of `flush`: on PostgreSQL, truncating a hundred tables
    takes seconds even when they hold a few reference rows, as a restore usually finds
    them. Foreign keys are checked at commit (Django declares them deferred), so the order
    does not matter."""
    tables = [m._meta.db_table for m in backed_up_models()]
    tables += [
        f.remote_field.through._meta.db_table
        for m in backed_up_models() for f in m._meta.local_many_to_many
        if f.remote_field.through._meta.auto_created
    ]
    tables.append(apps.get_model("sessions", "Session")._meta.db_table)
    with connection.cursor() as cursor:
        for table in sorted(set(tables)):
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


def _load_model(model: type[models.Model], path: Path) -> int:
    """Insert the rows of one member as they are (raw: no field computes its value again,
    `auto_now` dates included); the many-to-many links go in in bulk."""
    rows = 0
    links: dict[models.Field, list[models.Model]] = {}
    with path.open(encoding="utf-8") as stream:
        for deserialized in serializers.deserialize("jsonl", stream):
            obj = deserialized.object
            if type(obj) is not model:
                raise BackupError(
                    _("%(member)s holds rows of %(model)s.")
                    % {"member": path.name, "model": obj._meta.label}
                )
            models.Model.save_base(obj, raw=True, force_insert=True)
            rows += 1
            for name, targets in (deserialized.m2m_data or {}).items():
                field = model._meta.get_field(name)
                through = field.remote_field.through
                source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
                links.setdefault(field, []).extend(
                    through(**{f"{source}_id": obj.pk, f"{target}_id": pk}) for pk in targets
                )
    for field, objects in links.items():
        field.remote_field.through._base_manager.bulk_create(objects, batch_size=BATCH)
    return rows


def _install_media(source: Path) -> int:
    """Move the unpacked media into the default storage: a rename when it is a local
    directory, a copy through the storage otherwise. A file of the same name is replaced."""
    count = 0
    if not source.is_dir():
        return 0
    for path in sorted(p for p in source.rglob("*") if p.is_file()):
        name = path.relative_to(source).as_posix()
        try:
            target = Path(default_storage.path(name))
        except NotImplementedError:  # S3 and the like
            default_storage.delete(name)
            with path.open("rb") as stream:
                saved = default_storage.save(name, File(stream))
            if saved != name:  # the rows name the file as it was
                raise BackupError(
                    _("The media storage saved %(name)s as %(saved)s.")
                    % {"name": name, "saved": saved}
                ) from None
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
        count += 1
    return count


def backup_restore(*, path: Path, force: bool = False) -> RestoreReport:
    """Restore an archive into this instance, which must hold no data (`force`: its data is
    deleted first). All or nothing: the database is left as it was on any error."""
    from alliances.core.pagecache import pages_changed
    from alliances.resources.services import search_index_rebuild

    staging = Path(tempfile.mkdtemp(prefix=".alliances-restore-", dir=_staging_parent()))
    try:
        manifest, digests = _unpack(Path(path), staging)
        _check_manifest(manifest, digests)
        counts = manifest.get("counts") or {}
        loaded: Counter[str] = Counter()
        try:
            with transaction.atomic():
                holders = database_holders()
                if holders and not force:
                    raise BackupError(
                        _("This database already holds data (%(models)s): restore into an "
                          "empty instance, or add --force to delete that data first.")
                        % {"models": ", ".join(holders[:5]) + ("…" if len(holders) > 5 else "")}
                    )
                _empty_database()
                for model in backed_up_models():
                    label = model._meta.label_lower
                    member = staging / _member_name(model)
                    if label in counts and member.exists():
                        loaded[label] = _load_model(model, member)
                wrong = sorted(
                    label for label in set(counts) | set(loaded)
                    if counts.get(label, 0) != loaded.get(label, 0)
                )
                if wrong:
                    raise BackupError(
                        _("Rows loaded differ from the manifest's counts for %(models)s.")
                        % {"models": ", ".join(wrong)}
                    )
                connection.check_constraints()
                _reset_sequences()
                search_index_rebuild()
                pages_changed()
                media_files = _install_media(staging / MEDIA_DIR)
        except (DatabaseError, DeserializationError, OSError, StorageFailed) as error:
            raise BackupError(
                _("The restore failed and was undone, the database is unchanged: %(error)s")
                % {"error": error}
            ) from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return RestoreReport(rows=sum(loaded.values()), models=len(loaded), media_files=media_files,
                         manifest=manifest)


def _reset_sequences() -> None:
    """Rows came with their ids: PostgreSQL's sequences must start past them (SQLite's
    AUTOINCREMENT follows by itself, and this is a no-op there)."""
    all_models = list(backed_up_models())
    statements = connection.ops.sequence_reset_sql(no_style(), all_models)
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)

