"""NAF rév. 2 (the French activity nomenclature): activity code → section letter.

A code reads "94.99Z" (division 94, group 94.9, class 94.99, sub-class Z); its section is
fixed by the division (the first two digits), the sections being ranges of divisions.
"""

import re

# (first division, last division, section), from INSEE's NAF rév. 2 (2008).
SECTION_RANGES = (
    (1, 3, "A"),
    (5, 9, "B"),
    (10, 33, "C"),
    (35, 35, "D"),
    (36, 39, "E"),
    (41, 43, "F"),
    (45, 47, "G"),
    (49, 53, "H"),
    (55, 56, "I"),
    (58, 63, "J"),
    (64, 66, "K"),
    (68, 68, "L"),
    (69, 75, "M"),
    (77, 82, "N"),
    (84, 84, "O"),
    (85, 85, "P"),
    (86, 88, "Q"),
    (90, 93, "R"),
    (94, 96, "S"),
    (97, 98, "T"),
    (99, 99, "U"),
)
SECTIONS = tuple(section for _, _, section in SECTION_RANGES)
DIVISION_SECTION = {
    division: section
    for first, last, section in SECTION_RANGES
    for division in range(first, last + 1)
}
NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})([A-Z])$")


def normalise_naf(code: str) -> str:
    """'9499z' or '94.99Z' → '94.99Z'; '' when it is not a NAF rév. 2 sub-class code."""
    match = NAF_RE.match((code or "").strip().upper())
    if not match:
        return ""
    return f"{match[1]}.{match[2]}{match[3]}"


def naf_section(code: str) -> str | None:
    """The section letter (A..U) of a NAF rév. 2 code, or None (unknown division, bad code)."""
    naf = normalise_naf(code)
    if not naf:
        return None
    return DIVISION_SECTION.get(int(naf[:2]))
