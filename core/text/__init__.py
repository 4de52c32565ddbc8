"""Offline text understanding: a chat request -> :class:`~core.models.TextQuery` or :class:`NeedsClarification`.

Nothing here calls a network. Three layers of evidence, strongest first:

1. **Explicit rules** (regular expressions and token patterns): tempo ("around 120 bpm", "120-130 bpm", "over 140
   bpm"), years and decades ("90s", "early 2000s", "2010-2015", "since 2015", "last 5 years"), keys and modes
   ("minor key", "in C# minor"), "no vocals", result counts ("20 songs"), negations ("not Drake", "no rap",
   "without Ed Sheeran", "nothing sad") and artist references ("like Daft Punk", "by Queen"; rapidfuzz against the
   loaded catalog's artist names).
2. **Concept vocabulary** (``data/text_concepts.json``, hand-written): ~120 concepts (moods, activities, genres,
   eras, instruments, languages) with ~1,400 phrases -> target features, weights and label-text hints that are
   resolved against the loaded catalog's own labels at :meth:`TextUnderstanding.fit` time. Adjective cues (slow,
   happy, loud, acoustic...) carry priority 3 and override mood concepts (priority 2).
3. **Label evidence**: the request is matched against the loaded catalog's genre / subgenre / playlist names
   (whole-phrase, partial phrase, typo-tolerant with rapidfuzz, and wordllama embedding similarity) to produce
   ``labels`` weights; the audio-feature profiles (mean, std) of the matched labels give low-priority targets for the
   features the request did not constrain otherwise. When the loaded catalog has no labels at all, the same matching
   runs against ``data/text_profiles.json`` (profiles measured on the shipped catalog by
   ``benchmarks/build_text_profiles.py``), so "lofi beats" still yields targets on a plain imported CSV.

Per feature, the highest-priority evidence wins (numeric rules 4 > adjective cues 3 > concepts 2 > label/artist
profiles 1); evidence of equal priority is averaged by weight. Targets are in raw units (0–1, tempo BPM, loudness
dB, mode 0/1), weights in 0–1.

Modules: :mod:`~core.text.tokens` (folding, tokenizing), :mod:`~core.text.embedder`, :mod:`~core.text.concepts`,
:mod:`~core.text.labels`, :mod:`~core.text.state` (evidence bookkeeping), the parsing steps :mod:`~core.text.cues`,
:mod:`~core.text.references`, :mod:`~core.text.matching`, :mod:`~core.text.assembly`, and the facade
:mod:`~core.text.understanding`.
"""

from core.text.assembly import MAX_LABELS
from core.text.concepts import CONCEPTS_PATH, Concept, Vocabulary, load_vocabulary
from core.text.embedder import Embedder, WordLlamaEmbedder, default_embedder
from core.text.labels import PROFILES_PATH, LabelSet, load_shipped_profiles
from core.text.matching import CONCEPT_SIM_MIN, LABEL_SIM_MIN, LABEL_SIM_UNDERSTOOD
from core.text.state import P_ADJ, P_CONCEPT, P_PROFILE, P_RULE
from core.text.tokens import GREETINGS, STOPWORDS
from core.text.understanding import MAX_CHARS, TextUnderstanding

DATA_DIR = CONCEPTS_PATH.parent

__all__ = [
    "CONCEPTS_PATH",
    "CONCEPT_SIM_MIN",
    "DATA_DIR",
    "GREETINGS",
    "LABEL_SIM_MIN",
    "LABEL_SIM_UNDERSTOOD",
    "MAX_CHARS",
    "MAX_LABELS",
    "PROFILES_PATH",
    "P_ADJ",
    "P_CONCEPT",
    "P_PROFILE",
    "P_RULE",
    "STOPWORDS",
    "Concept",
    "Embedder",
    "LabelSet",
    "TextUnderstanding",
    "Vocabulary",
    "WordLlamaEmbedder",
    "default_embedder",
    "load_shipped_profiles",
    "load_vocabulary",
]
