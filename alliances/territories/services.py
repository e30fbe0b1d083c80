"""Writes to territories: imports of INSEE's communes, populations and EPCI files.

Every import reads and checks the whole file before writing anything, then writes in bulk
inside one transaction: a bad row anywhere leaves the database as it was. Communes that
disappeared from a newer file are reported, never deleted, since organisations point at
them.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction

from alliances.core.pagecache import pages_changed
from alliances.lib.cog import (
    COMMUNE,
    CogRow,
    ImportFileError,
    read_communes,
    read_epci,
    read_populations,
)
from alliances.lib.text import fold

from .models import Commune, CommuneSubdivision, Departement, Epci, size_band_of

BATCH_SIZE = 2000
# How many codes a report lists by name; the counts are always complete.
REPORT_SAMPLE = 20


@dataclass
class ImportReport:
    """What an import did. 'missing' are in the database but no longer in the file."""

    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    missing: list[str] = field(default_factory=list)
    subdivisions_created: int = 0
    subdivisions_updated: int = 0
    subdivisions_unchanged: int = 0
    populations: int = 0
    # Codes the file mentions that the database does not know (populations of
    # arrondissements, EPCI members from another COG vintage): skipped, not fatal.
    unknown: list[str] = field(default_factory=list)
    communes_linked: int = 0
    kind: str = "communes"

    @property
    def subdivisions(self) -> int:
        return self.subdivisions_created + self.subdivisions_updated + self.subdivisions_unchanged

    def lines(self) -> list[str]:
        out = [
            f"{self.file}: {self.kind} {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        ]
        if self.kind == "communes":
            out.append(
                f"subdivisions (ARM/COMD/COMA): {self.subdivisions_created} created, "
                f"{self.subdivisions_updated} updated, {self.subdivisions_unchanged} unchanged"
            )
            if self.populations:
                out.append(f"populations set: {self.populations}")
        else:
            out.append(f"communes whose EPCI changed: {self.communes_linked}")
        if self.missing:
            out.append(
                f"{len(self.missing)} {self.kind} in the database are not in the file "
                f"(kept): {_sample(self.missing)}"
            )
        if self.unknown:
            out.append(
                f"{len(self.unknown)} commune codes in the file are not in the database "
                f"(skipped): {_sample(self.unknown)}"
            )
        return out


def _sample(codes: list[str]) -> str:
    shown = ", ".join(codes[:REPORT_SAMPLE])
    return shown + (", …" if len(codes) > REPORT_SAMPLE else "")


def _check_communes(rows: list[CogRow], file: str) -> None:
    """Départements and regions exist and agree; codes unique; parents present."""
    regions_of = dict(Departement.objects.values_list("code", "region_id"))
    communes: dict[str, int] = {}
    subdivisions: dict[tuple[str, str], int] = {}
    for row in rows:
        if row.kind == COMMUNE:
            region = regions_of.get(row.departement)
            if region is None:
                raise ImportFileError(
                    f"unknown département '{row.departement}'",
                    file=file,
                    line=row.line,
                    column="DEP",
                )
            if row.region != region:
                raise ImportFileError(
                    f"region '{row.region}' does not match département '{row.departement}', "
                    f"which is in region '{region}'",
                    file=file,
                    line=row.line,
                    column="REG",
                )
            if row.code in communes:
                raise ImportFileError(
                    f"commune '{row.code}' already on line {communes[row.code]}",
                    file=file,
                    line=row.line,
                    column="COM",
                )
            communes[row.code] = row.line
        else:
            key = (row.kind, row.code)
            if key in subdivisions:
                raise ImportFileError(
                    f"{row.kind} '{row.code}' already on line {subdivisions[key]}",
                    file=file,
                    line=row.line,
                    column="COM",
                )
            subdivisions[key] = row.line
    for row in rows:
        if row.kind != COMMUNE and row.parent not in communes:
            raise ImportFileError(
                f"parent commune '{row.parent}' is not a COM row of the file",
                file=file,
                line=row.line,
                column="COMPARENT",
            )


def _read_population_map(path: Path, encoding: str | None) -> dict[str, int]:
    populations: dict[str, int] = {}
    lines: dict[str, int] = {}
    for row in read_populations(path, encoding=encoding):
        if row.code in populations:
            raise ImportFileError(
                f"commune '{row.code}' already on line {lines[row.code]}",
                file=path.name,
                line=row.line,
            )
        populations[row.code] = row.population
        lines[row.code] = row.line
    return populations


@transaction.atomic
def communes_import(
    *,
    path: Path | str,
    encoding: str | None = None,
    populations_path: Path | str | None = None,
) -> ImportReport:
    """Create or update communes and their subdivisions from INSEE's COG communes file.

    With populations_path, also set each commune's municipal population and size band;
    communes absent from the populations file keep the values they had.
    """
    path = Path(path)
    rows = list(read_communes(path, encoding=encoding))
    _check_communes(rows, path.name)
    populations: dict[str, int] | None = None
    if populations_path is not None:
        populations = _read_population_map(Path(populations_path), encoding)

    report = ImportReport(file=path.name)
    existing = {
        code: (name, departement, population, size_band)
        for code, name, departement, population, size_band in Commune.objects.values_list(
            "code", "name", "departement_id", "population", "size_band"
        )
    }
    to_write: list[Commune] = []
    seen: set[str] = set()
    for row in rows:
        if row.kind != COMMUNE:
            continue
        seen.add(row.code)
        before = existing.get(row.code)
        population, size_band = (before[2], before[3]) if before else (None, None)
        if populations is not None and row.code in populations:
            population = populations[row.code]
            size_band = size_band_of(population)
            report.populations += 1
        after = (row.name, row.departement, population, size_band)
        if before == after:
            report.unchanged += 1
            continue
        if before is None:
            report.created += 1
        else:
            report.updated += 1
        # Bulk writes bypass Commune.save(), which is what fills search_name.
        to_write.append(
            Commune(
                code=row.code,
                name=row.name,
                search_name=fold(row.name),
                departement_id=row.departement,
                population=population,
                size_band=size_band,
            )
        )
    Commune.objects.bulk_create(
        to_write,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "search_name", "departement", "population", "size_band"],
    )
    report.missing = sorted(set(existing) - seen)
    if populations is not None:
        report.unknown = sorted(set(populations) - seen)
    _write_subdivisions(rows, report)
    pages_changed()
    return report


def _write_subdivisions(rows: list[CogRow], report: ImportReport) -> None:
    existing = {
        (kind, code): (pk, name, parent)
        for pk, kind, code, name, parent in CommuneSubdivision.objects.values_list(
            "pk", "kind", "code", "name", "parent_id"
        )
    }
    to_create: list[CommuneSubdivision] = []
    to_update: list[CommuneSubdivision] = []
    for row in rows:
        if row.kind == COMMUNE:
            continue
        before = existing.get((row.kind, row.code))
        if before is None:
            to_create.append(
                CommuneSubdivision(
                    kind=row.kind, code=row.code, name=row.name, parent_id=row.parent
                )
            )
        elif (before[1], before[2]) != (row.name, row.parent):
            to_update.append(
                CommuneSubdivision(
                    pk=before[0], kind=row.kind, code=row.code, name=row.name, parent_id=row.parent
                )
            )
        else:
            report.subdivisions_unchanged += 1
    CommuneSubdivision.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    CommuneSubdivision.objects.bulk_update(to_update, ["name", "parent"], batch_size=500)
    report.subdivisions_created = len(to_create)
    report.subdivisions_updated = len(to_update)


@transaction.atomic
def epcis_import(*, path: Path | str, encoding: str | None = None) -> ImportReport:
    """Create or update EPCI and attach communes to them, from INSEE's EPCI file.

    Communes the file lists but the database lacks are reported and skipped (the EPCI file
    and the imported COG may be of different years); communes it does not list keep
    their EPCI.
    """
    path = Path(path)
    data = read_epci(path, encoding=encoding)
    departements = set(Departement.objects.values_list("code", flat=True))
    for membership in data.memberships:
        if membership.departement and membership.departement not in departements:
            raise ImportFileError(
                f"unknown département '{membership.departement}'",
                file=data.file,
                line=membership.line,
                column="DEP",
            )

    report = ImportReport(file=data.file, kind="EPCI")
    existing = {
        code: (name, nature)
        for code, name, nature in Epci.objects.values_list("code", "name", "nature")
    }
    to_write: list[Epci] = []
    for row in data.epcis:
        before = existing.get(row.code)
        # A composition-only CSV has no nature: keep the one already known.
        nature = row.nature or (before[1] if before else "")
        if before == (row.name, nature):
            report.unchanged += 1
            continue
        if before is None:
            report.created += 1
        else:
            report.updated += 1
        to_write.append(Epci(code=row.code, name=row.name, nature=nature))
    Epci.objects.bulk_create(
        to_write,
        batch_size=BATCH_SIZE,
        update_conflicts=True,
        unique_fields=["code"],
        update_fields=["name", "nature"],
    )
    report.missing = sorted(set(existing) - {row.code for row in data.epcis})

    current = dict(Commune.objects.values_list("code", "epci_id"))
    by_epci: dict[str | None, list[str]] = {}
    for membership in data.memberships:
        if membership.commune not in current:
            report.unknown.append(membership.commune)
            continue
        epci = membership.epci or None
        if current[membership.commune] != epci:
            by_epci.setdefault(epci, []).append(membership.commune)
    # One UPDATE per EPCI (about 1,250 nationally) beats a 35,000-branch CASE.
    for epci, codes in by_epci.items():
        for start in range(0, len(codes), BATCH_SIZE):
            Commune.objects.filter(code__in=codes[start : start + BATCH_SIZE]).update(epci_id=epci)
        report.communes_linked += len(codes)
    report.unknown.sort()
    pages_changed()
    return report
