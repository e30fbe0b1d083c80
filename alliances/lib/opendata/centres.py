"""Commune centres (latitude, longitude) from the usual published layouts.

Recognised by their header (case-insensitive), `,` or `;` separated (sniffed):
- a code column: code_insee, code_commune_insee, codgeo, com, insee_com;
- either latitude (latitude, latitude_centre, lat) and longitude (longitude,
  longitude_centre, lon, lng) columns, or one "lat, lon" column (coordonnees_gps in
  La Poste's base of postal codes, geo_point_2d in Opendatasoft exports).
La Poste's file has a row per postal code: a commune met again keeps its first centre.
"""

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from alliances.lib.cog import COMMUNE_CODE_RE, ImportFileError

from .reading import open_text, sniff_delimiter

CODE_COLUMNS = ("code_insee", "code_commune_insee", "codgeo", "com", "insee_com")
LATITUDE_COLUMNS = ("latitude", "latitude_centre", "lat")
LONGITUDE_COLUMNS = ("longitude", "longitude_centre", "lon", "lng")
POINT_COLUMNS = ("coordonnees_gps", "geo_point_2d")
NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")


@dataclass(frozen=True, slots=True)
class Centre:
    line: int
    code: str
    latitude: float
    longitude: float


def _find(position: dict[str, int], names: tuple[str, ...]) -> str | None:
    return next((name for name in names if name in position), None)


def _number(text: str, *, file: str, line: int, column: str, low: float, high: float) -> float:
    value = text.strip().replace(",", ".")
    if not NUMBER_RE.match(value):
        raise ImportFileError(f"{text!r} is not a number", file=file, line=line, column=column)
    number = float(value)
    if not low <= number <= high:
        raise ImportFileError(
            f"{number} is out of range ({low} to {high})", file=file, line=line, column=column
        )
    return number


def read_centres(path: str | Path) -> tuple[Iterator[Centre], dict[str, int]]:
    """(the centres, counters) — counters["no_coordinates"] counts rows left without a point.

    Raises ImportFileError (located) on a missing column or a bad number; the iterator
    raises it when it meets the row.
    """
    name = Path(path).name
    file = open_text(path)
    first = file.text.readline()
    delimiter = sniff_delimiter(first)
    header = [column.strip().lower() for column in next(csv.reader([first],
                                                                   delimiter=delimiter), [])]
    position = {column: index for index, column in enumerate(header)}
    code = _find(position, CODE_COLUMNS)
    latitude = _find(position, LATITUDE_COLUMNS)
    longitude = _find(position, LONGITUDE_COLUMNS)
    point = _find(position, POINT_COLUMNS)
    if code is None or not ((latitude and longitude) or point):
        file.close()
        wanted = []
        if code is None:
            wanted.append(" or ".join(CODE_COLUMNS))
        if not ((latitude and longitude) or point):
            wanted.append(
                f"{' or '.join(LATITUDE_COLUMNS)} with {' or '.join(LONGITUDE_COLUMNS)}, "
                f"or {' or '.join(POINT_COLUMNS)}"
            )
        raise ImportFileError("missing column: " + "; ".join(wanted), file=name, line=1)
    counters = {"no_coordinates": 0}

    def rows() -> Iterator[Centre]:
        try:
            reader = csv.reader(file.text, delimiter=delimiter)
            for values in _checked(reader, name):
                line = reader.line_num + 1
                if not values or not any(v.strip() for v in values):
                    continue
                if len(values) != len(header):
                    raise ImportFileError(
                        f"{len(values)} fields instead of {len(header)}", file=name, line=line
                    )
                commune = values[position[code]].strip().upper()
                if len(commune) == 4 and commune.isdigit():
                    commune = "0" + commune  # a spreadsheet dropped the leading zero
                if not COMMUNE_CODE_RE.match(commune):
                    raise ImportFileError(
                        f"{commune!r} is not a commune code", file=name, line=line, column=code
                    )
                if latitude and longitude:
                    lat_text, lon_text = values[position[latitude]], values[position[longitude]]
                    lat_column, lon_column = latitude, longitude
                else:
                    assert point is not None  # the header check found one or the other
                    both = values[position[point]].strip()
                    if not both:
                        lat_text = lon_text = ""
                    else:
                        pieces = both.split(",")
                        if len(pieces) != 2:
                            raise ImportFileError(
                                f"{both!r} is not 'latitude, longitude'", file=name, line=line,
                                column=point,
                            )
                        lat_text, lon_text = pieces
                    lat_column = lon_column = point
                if not lat_text.strip() and not lon_text.strip():
                    counters["no_coordinates"] += 1
                    continue
                yield Centre(
                    line=line,
                    code=commune,
                    latitude=_number(lat_text, file=name, line=line, column=lat_column,
                                     low=-90, high=90),
                    longitude=_number(lon_text, file=name, line=line, column=lon_column,
                                      low=-180, high=180),
                )
        finally:
            file.close()

    return rows(), counters


def _checked(reader, file: str) -> Iterator[list[str]]:
    """The reader's rows; a row the csv module refuses (a field over its limit, as a quote
    left open makes) is an ImportFileError at its line, like every other bad row."""
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise ImportFileError(f"malformed CSV: {error}", file=file,
                                  line=reader.line_num + 1) from None
        yield values
