"""Every threshold the report judges by, defined once: the page states each one.

The leakage check warns above ``LEAK_SEPARATION``; a difficulty band's guards (DESIGN.md
section 9) ask that history add at least ``HISTORY_GAIN_MIN`` ROC AUC over the raw columns and
that no raw column alone reach ``SINGLE_COLUMN_MAX``, both read off the same single-column
scores the leakage section shows. The bands themselves are the realism's (its report profile).
"""

from __future__ import annotations

import math

# A column whose separation max(AUC, 1 - AUC) alone exceeds this gives the label away.
LEAK_SEPARATION = 0.9
# Guards of every difficulty band: history adds at least this much ROC AUC over the raw
# columns, and the strongest raw column (not an identifier) stays below this separation.
HISTORY_GAIN_MIN = 0.08
SINGLE_COLUMN_MAX = 0.85
# An id-like column at or above this separation carries a "seen before" signal (not a leak).
ID_SIGNAL = 0.55
# History moving ROC AUC by at least this much means entity history carries signal.
HISTORY_SIGNAL = 0.02
# Average precision / base rate: the upper edge of each word (no difficulty band).
LIFT_WORDS: tuple[tuple[float, str], ...] = (
    (5.0, "weak signal"),
    (15.0, "moderate signal"),
    (50.0, "realistic signal"),
    (math.inf, "strong signal"),
)
# A loss of ROC AUC from the first scored test week to the last worth pointing at (drift).
DRIFT_DROP = 0.03
# The practitioner's baseline beating the classic one by less than GAP_LITTLE ROC AUC: the
# classic families carry nearly all the signal; by more than GAP_MOST: most of it sits in what
# they lack.
CLASSIC_GAP_LITTLE, CLASSIC_GAP_MOST = 0.03, 0.10
