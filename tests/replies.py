"""Reading chat replies in tests: what a follow-up test compares between two turns."""

from __future__ import annotations

import statistics

from core.models import ChatReply


def feature_mean(reply: ChatReply, feature: str) -> float:
    """Mean of an audio feature (``"energy"``, ``"tempo"`` in BPM, …) over the reply's tracks that have it.

    Raises:
        AssertionError: the reply holds no list (its text is the message), e.g. a question back.
    """
    rec = reply.recommendation
    assert rec is not None and rec.tracks, reply.text
    return statistics.mean(float(getattr(i.track, feature)) for i in rec.tracks if getattr(i.track, feature) is not None)
