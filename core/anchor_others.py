""""Artists like Taylor Swift": the anchor's own tracks are not what was asked for.

"songs like Taylor Swift" may hold a couple of her songs (the per-artist cap lets an anchored list show two); "artists
like Taylor Swift", "bands like Radiohead", "similar artists to Drake", "artistas como Shakira", "Künstler wie Nena"
ask for other artists, and the list opened with "Gorgeous" and "Look What You Made Me Do". :func:`asks_other_artists`
reads that wording; the anchored path then leaves out every track credited to the anchor's artists.
"""

from __future__ import annotations

import re

from core.text.tokens import fold

_WHO = r"(?:artists?|bands?|singers?|rappers?|groups?|acts?|musicians?|djs?|producers?|songwriters?)"
#: Folded text (lower case, no accents) asking for other artists than the anchor, in en/es/pt/fr/de.
OTHER_ARTISTS = re.compile(
    rf"\b(?:other\s+)?{_WHO}\s+(?:like|similar to|such as|that sound like|who sound like|in the style of)\b"
    rf"|\bsimilar\s+{_WHO}\b|\b{_WHO}\s+(?:that|who)\s+(?:are|is)\s+like\b"
    r"|\b(?:artistas?|bandas?|cantantes?|grupos?|raperos?)\s+(?:como|parecid[oa]s?\s+a|similares\s+a|semelhantes\s+a)\b"
    r"|\b(?:artistes?|groupes?|chanteurs?|chanteuses?|rappeurs?)\s+(?:comme|similaires\s+a|dans le style de)\b"
    r"|\b(?:kunstler(?:innen)?|kuenstler(?:innen)?|bands?|sanger(?:innen)?|gruppen?|rapper)\s+(?:wie|ahnlich wie)\b"
)


def asks_other_artists(text: str) -> bool:
    """True when ``text`` asks for artists other than the one it names ("artists like Taylor Swift", "bands similar
    to Radiohead", "similar artists to Drake", "artistas como Shakira"); False for "songs like Taylor Swift"."""
    return bool(OTHER_ARTISTS.search(fold(str(text or "").lower())))
