"""Pure, versioned PROM scoring engines for the tablet intake (clinical.md §3, §9).

Functions in, frozen results out: no Django, no database. Each module pins an
`ALGORITHM_VERSION` that every result carries, so stored scores say how they were made.
Restricted instruments ship item ids and scoring only, never their question text (§3.0).
"""

from .nprs import NprsResult, score_nprs
from .odi import OdiResult, score_odi
from .psfs import PsfsResult, score_psfs
from .startback import StartBackResult, StartBackRisk, score_startback

__all__ = [
    "NprsResult",
    "OdiResult",
    "PsfsResult",
    "StartBackResult",
    "StartBackRisk",
    "score_nprs",
    "score_odi",
    "score_psfs",
    "score_startback",
]
