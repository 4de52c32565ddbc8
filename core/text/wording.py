"""The first line of a reply in the request's language: coverage lines and the summary's cues, in Spanish (``es``),
Portuguese (``pt``), French (``fr``) and German (``de``); English stays as :mod:`core.coverage` and :mod:`core.text`
write it.

Two public functions, both pure string work on data the engine already produced (no catalog access):

- :func:`coverage_line_in` words a :class:`~core.models.CoverageNote` ("no X in the catalog", "nothing from the
  1940s", "going by X's sound", "no data on the lyrics' language") with the same facts as the English
  :func:`core.coverage.coverage_line` (the note's counts, labels, years and alternative);
- :func:`localize_cue` words one cue of a parsed request ("tristes → low valence, softer" -> "tristes → valencia
  baja, más suave"; "not reggaeton" -> "sin reggaeton"; "1970s → 1970–1979" -> "años 70 → 1970–1979"). Pieces it has
  no wording for stay as written, so a new English cue never disappears — :data:`GLOSSARY` lists every piece the
  vocabulary (``data/text_concepts.json`` cues and :func:`core.text.concepts.describe` words) produces; the unit
  tests check that coverage.

:func:`short_playlist_name` keeps a playlist name short enough to quote ("Techno House 2020 👽 Best Collection 👻 Top
DJ's …" is cut at its first separator), and :func:`playlist_mentions` splits the names a missing style has into the
few short enough to quote and a count of the rest: a first line names the style briefly, never whole playlist titles.

The wording is hand-written (the four languages' usual music vocabulary); numbers, labels and names are copied from
the note or cue unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - types only
    from core.models import CoverageNote

#: Languages with their own wording here (English is the source wording).
LOCAL = ("es", "pt", "fr", "de")
#: Longest playlist name quoted in a first line, in characters; longer names are cut at a separator or counted.
QUOTE_MAX = 32


def _t(row: str) -> dict[str, str]:
    es, pt, fr, de = (part.strip() for part in row.split("|"))
    return {"es": es, "pt": pt, "fr": fr, "de": de}


#: English piece of a cue's meaning (lower case) -> its wording per language. Pieces are what follows "→" in a cue,
#: split at ", ": the concept cues of data/text_concepts.json and the words of core.text.concepts.describe.
GLOSSARY: dict[str, dict[str, str]] = {k: _t(v) for k, v in {
    # core.text.concepts._FEATURE_WORDS (describe)
    "calm": "tranquilo | calmo | calme | ruhig",
    "energetic": "enérgico | energético | énergique | energiegeladen",
    "sad/dark": "triste/oscuro | triste/sombrio | triste/sombre | traurig/düster",
    "happy": "alegre | alegre | joyeux | fröhlich",
    "less danceable": "menos bailable | menos dançante | moins dansant | weniger tanzbar",
    "danceable": "bailable | dançante | dansant | tanzbar",
    "electric": "eléctrico | elétrico | électrique | elektrisch",
    "acoustic": "acústico | acústico | acoustique | akustisch",
    "vocal": "con voz | com voz | chanté | mit Gesang",
    "instrumental": "instrumental | instrumental | instrumental | instrumental",
    "few spoken words": "poca palabra hablada | pouca fala | peu de paroles parlées | wenig Sprechgesang",
    "rap/spoken": "rap/hablado | rap/falado | rap/parlé | Rap/gesprochen",
    "studio": "de estudio | de estúdio | studio | Studio",
    "live": "en directo | ao vivo | live | live",
    "quiet": "suave | baixo | doux | leise",
    "loud": "fuerte | alto | fort | laut",
    "minor": "menor | menor | mineur | Moll",
    "major": "mayor | maior | majeur | Dur",
    # concept cues (the part after "→")
    "electronic": "electrónico | eletrônico | électronique | elektronisch",
    "acousticness high": "muy acústico | muito acústico | très acoustique | sehr akustisch",
    "aggressive": "agresivo | agressivo | agressif | aggressiv",
    "high energy": "mucha energía | muita energia | très énergique | viel Energie",
    "slow": "lento | lento | lent | langsam",
    "emotional": "emotivo | emotivo | émouvant | gefühlvoll",
    "heavy low end": "graves potentes | graves pesados | basses lourdes | wuchtige Bässe",
    "rhythmic": "rítmico | rítmico | rythmé | rhythmisch",
    "low energy": "poca energía | pouca energia | peu d'énergie | wenig Energie",
    "mellow": "suave | suave | doux | sanft",
    "upbeat": "animado | animado | entraînant | beschwingt",
    "festive playlists": "listas festivas | playlists festivas | playlists festives | festliche Playlists",
    "classic playlists": "listas de clásicos | playlists de clássicos | playlists de classiques | Klassiker-Playlists",
    "clean-version playlists": "listas de versiones limpias | playlists de versões limpas | playlists de versions "
                               "propres | Playlists mit Clean-Versionen",
    "steady": "constante | constante | régulier | gleichmäßig",
    "few vocals": "poca voz | pouca voz | peu de chant | wenig Gesang",
    "warm": "cálido | caloroso | chaleureux | warm",
    "danceability high": "muy bailable | muito dançante | très dansant | sehr tanzbar",
    "low valence": "valencia baja | valência baixa | valence basse | niedrige Valenz",
    "danceable r&b / pop": "r&b / pop bailable | r&b / pop dançante | r&b / pop dansant | tanzbarer R&B / Pop",
    "danceable dance pop": "dance pop bailable | dance pop dançante | dance pop dansant | tanzbarer Dance-Pop",
    "atmospheric": "atmosférico | atmosférico | atmosphérique | atmosphärisch",
    "steady energy": "energía constante | energia constante | énergie régulière | gleichmäßige Energie",
    "big": "grandioso | grandioso | grandiose | groß",
    "vocal tracks": "pistas con voz | faixas com voz | morceaux chantés | Titel mit Gesang",
    "groovy r&b": "r&b con groove | r&b com groove | r&b groovy | grooviger R&B",
    "rap vocals": "voces de rap | vocais de rap | voix rap | Rap-Gesang",
    "guitar music": "música de guitarra | música de guitarra | musique à guitare | Gitarrenmusik",
    "high valence": "valencia alta | valência alta | valence haute | hohe Valenz",
    "sad": "triste | triste | triste | traurig",
    "softer": "más suave | mais suave | plus doux | sanfter",
    "soft": "suave | suave | doux | sanft",
    "jazzy": "jazzístico | jazzístico | jazzy | jazzig",
    "instrumentalness high": "muy instrumental | muito instrumental | très instrumental | sehr instrumental",
    "liveness high": "muy en directo | muito ao vivo | très live | sehr live",
    "mellow instrumental beats": "beats instrumentales suaves | batidas instrumentais suaves | beats instrumentaux "
                                 "doux | sanfte instrumentale Beats",
    "high loudness": "volumen alto | volume alto | volume élevé | hohe Lautstärke",
    "ambient": "ambiental | ambiente | ambient | Ambient",
    "very high energy": "muchísima energía | energia altíssima | énergie très élevée | sehr viel Energie",
    "last ~6 years of the catalog": "últimos ~6 años del catálogo | últimos ~6 anos do catálogo | ~6 dernières années "
                                    "du catalogue | letzte ~6 Jahre des Katalogs",
    "last ~3 years of the catalog": "últimos ~3 años del catálogo | últimos ~3 anos do catálogo | ~3 dernières années "
                                    "du catalogue | letzte ~3 Jahre des Katalogs",
    "the catalog's newest year": "el año más reciente del catálogo | o ano mais recente do catálogo | l'année la plus "
                                 "récente du catalogue | das neueste Jahr des Katalogs",
    "bright": "luminoso | luminoso | lumineux | hell",
    "gentle": "suave | suave | doux | sanft",
    "positive": "positivo | positivo | positif | positiv",
    "moody": "melancólico | melancólico | mélancolique | stimmungsvoll",
    "synthy": "con sintetizadores | com sintetizadores | synthétique | synthielastig",
    "older songs": "canciones antiguas | músicas antigas | chansons anciennes | ältere Lieder",
    "chart playlists": "listas de éxitos | playlists de sucessos | playlists de tubes | Chart-Playlists",
    "fast": "rápido | rápido | rapide | schnell",
    "low loudness and energy": "poco volumen y energía | pouco volume e energia | peu de volume et d'énergie | "
                               "leise und wenig Energie",
    "wistful": "nostálgico | nostálgico | nostalgique | wehmütig",
    "remix playlists": "listas de remixes | playlists de remixes | playlists de remixes | Remix-Playlists",
    "cover playlists": "listas de versiones | playlists de covers | playlists de reprises | Cover-Playlists",
    "synths": "sintetizadores | sintetizadores | synthés | Synthesizer",
    "upbeat sing-alongs": "canciones animadas para cantar | músicas animadas para cantar junto | chansons entraînantes "
                          "à chanter | beschwingte Mitsing-Lieder",
    "relaxed": "relajado | relaxado | détendu | entspannt",
    "slow groove": "groove lento | groove lento | groove lent | langsamer Groove",
    "catchy": "pegadizo | chiclete | accrocheur | eingängig",
    "very calm": "muy tranquilo | muito calmo | très calme | sehr ruhig",
    "mid energy": "energía media | energia média | énergie moyenne | mittlere Energie",
    "sunny": "soleado | ensolarado | ensoleillé | sonnig",
    "mellow groove": "groove suave | groove suave | groove doux | sanfter Groove",
    "driving": "con empuje | com pegada | entraînant | treibend",
    "traditional latin: acoustic": "latino tradicional: acústico | latino tradicional: acústico | latin "
                                   "traditionnel : acoustique | traditionell lateinamerikanisch: akustisch",
    "live instruments": "instrumentos en vivo | instrumentos ao vivo | instruments live | Live-Instrumente",
    "slow, moody beats": "beats lentos y melancólicos | batidas lentas e melancólicas | beats lents et mélancoliques | "
                         "langsame, düstere Beats",
    "moody beats": "beats melancólicos | batidas melancólicas | beats mélancoliques | düstere Beats",
    "niche playlists": "listas de nicho | playlists de nicho | playlists de niche | Nischen-Playlists",
    "high energy and valence": "mucha energía y valencia | muita energia e valência | énergie et valence élevées | "
                               "viel Energie und Valenz",
    "low instrumentalness": "poco instrumental | pouco instrumental | peu instrumental | wenig instrumental",
    "lower energy": "menos energía | menos energia | moins d'énergie | weniger Energie",
    "groovy": "con groove | com groove | groovy | groovig",
    "four-on-the-floor": "bombo a negras | bumbo reto | kick en quatre temps | Four-on-the-Floor",
    "~124 bpm four-on-the-floor": "~124 BPM, bombo a negras | ~124 BPM, bumbo reto | ~124 BPM, kick en quatre temps | "
                                  "~124 BPM, Four-on-the-Floor",
    "edm": "EDM | EDM | EDM | EDM",  # the genre's own name in every language ("música eletrônica → EDM")
    "energetic, electronic": "enérgico, electrónico | energético, eletrônico | énergique, électronique | "
                             "energiegeladen, elektronisch",
    "up to 1999": "hasta 1999 | até 1999 | jusqu'à 1999 | bis 1999",
    "up to 1989": "hasta 1989 | até 1989 | jusqu'à 1989 | bis 1989",
    "up to 1979": "hasta 1979 | até 1979 | jusqu'à 1979 | bis 1979",
    "tempo filter": "filtro de tempo | filtro de andamento | filtre de tempo | Tempofilter",
    "artist": "artista | artista | artiste | Künstler",
    "calmer": "más tranquilo | mais calmo | plus calme | ruhiger",
    "higher mood": "ánimo más alegre | astral mais alto | humeur plus gaie | bessere Stimmung",
    "lower mood": "ánimo más bajo | astral mais baixo | humeur plus sombre | gedrücktere Stimmung",
    "higher acoustic feel": "más acústico | mais acústico | plus acoustique | akustischer",
    "lower acoustic feel": "menos acústico | menos acústico | moins acoustique | weniger akustisch",
    "higher instrumental feel": "más instrumental | mais instrumental | plus instrumental | instrumentaler",
    "lower instrumental feel": "menos instrumental | menos instrumental | moins instrumental | weniger instrumental",
    "higher vocal density": "más voz | mais voz | plus de chant | mehr Gesang",
    "lower vocal density": "menos voz | menos voz | moins de chant | weniger Gesang",
    "lower valence": "valencia más baja | valência mais baixa | valence plus basse | niedrigere Valenz",
    "higher valence": "valencia más alta | valência mais alta | valence plus haute | höhere Valenz",
    "higher energy": "más energía | mais energia | plus d'énergie | mehr Energie",
    "lower danceability": "menos bailable | menos dançante | moins dansant | weniger tanzbar",
    "higher danceability": "más bailable | mais dançante | plus dansant | tanzbarer",
    "lower acousticness": "menos acústico | menos acústico | moins acoustique | weniger akustisch",
    "higher acousticness": "más acústico | mais acústico | plus acoustique | akustischer",
    "lower tempo": "tempo más lento | andamento mais lento | tempo plus lent | langsameres Tempo",
    "higher tempo": "tempo más rápido | andamento mais rápido | tempo plus rapide | schnelleres Tempo",
    # language / nationality concepts (their cue is the name itself)
    "portuguese / brazilian": "portugués / brasileño | português / brasileiro | portugais / brésilien | "
                              "portugiesisch / brasilianisch",
    "latin / spanish": "latino / español | latino / espanhol | latino / espagnol | lateinamerikanisch / spanisch",
    "german": "alemán | alemão | allemand | deutsch",
    "french": "francés | francês | français | französisch",
    "italian": "italiano | italiano | italien | italienisch",
    "english": "inglés | inglês | anglais | englisch",
    "japanese": "japonés | japonês | japonais | japanisch",
    "mexican": "mexicano | mexicano | mexicain | mexikanisch",
    "argentinian": "argentino | argentino | argentin | argentinisch",
    "cuban": "cubano | cubano | cubain | kubanisch",
    "dutch": "neerlandés | holandês | néerlandais | niederländisch",
    "polish": "polaco | polonês | polonais | polnisch",
    "russian": "ruso | russo | russe | russisch",
    "arabic": "árabe | árabe | arabe | arabisch",
    "indian": "indio | indiano | indien | indisch",
    "filipino": "filipino | filipino | philippin | philippinisch",
}.items()}

#: Relative moves of core.moves (their cue words) and era moves, per language.
MOVES: dict[str, dict[str, str]] = {k: _t(v) for k, v in {
    "less upbeat": "menos animado | menos animado | moins entraînant | weniger beschwingt",
    "more upbeat": "más animado | mais animado | plus entraînant | beschwingter",
    "sadder": "más triste | mais triste | plus triste | trauriger",
    "happier": "más alegre | mais alegre | plus joyeux | fröhlicher",
    "more energetic": "más enérgico | mais energético | plus énergique | energiegeladener",
    "calmer": "más tranquilo | mais calmo | plus calme | ruhiger",
    "lower valence": "valencia más baja | valência mais baixa | valence plus basse | niedrigere Valenz",
    "higher valence": "valencia más alta | valência mais alta | valence plus haute | höhere Valenz",
    "higher energy": "más energía | mais energia | plus d'énergie | mehr Energie",
    "lower danceability": "menos bailable | menos dançante | moins dansant | weniger tanzbar",
    "higher danceability": "más bailable | mais dançante | plus dansant | tanzbarer",
    "lower acousticness": "menos acústico | menos acústico | moins acoustique | weniger akustisch",
    "higher acousticness": "más acústico | mais acústico | plus acoustique | akustischer",
    "lower tempo": "tempo más lento | andamento mais lento | tempo plus lent | langsameres Tempo",
    "higher tempo": "tempo más rápido | andamento mais rápido | tempo plus rapide | schnelleres Tempo",
    "slower": "más lento | mais lento | plus lent | langsamer",
    "faster": "más rápido | mais rápido | plus rapide | schneller",
    "more danceable": "más bailable | mais dançante | plus dansant | tanzbarer",
    "less danceable": "menos bailable | menos dançante | moins dansant | weniger tanzbar",
    "more acoustic": "más acústico | mais acústico | plus acoustique | akustischer",
    "more electronic": "más electrónico | mais eletrônico | plus électronique | elektronischer",
    "more instrumental": "más instrumental | mais instrumental | plus instrumental | instrumentaler",
    "with vocals": "con voz | com voz | avec chant | mit Gesang",
    "more romantic": "más romántico | mais romântico | plus romantique | romantischer",
    "less rap": "menos rap | menos rap | moins de rap | weniger Rap",
    "more rap": "más rap | mais rap | plus de rap | mehr Rap",
    "newer": "más reciente | mais recente | plus récent | neuer",
    "older": "más antiguo | mais antigo | plus ancien | älter",
    "anchor": "referencia | referência | référence | Vorbild",
    "like": "Como | Como | Comme | Wie",
    "nothing newer": "{w}: aquí no hay nada más reciente que {y} | {w}: aqui não há nada mais recente que {y} | {w} : "
                     "rien ici n'est plus récent que {y} | {w}: hier ist nichts neuer als {y}",
    "nothing older": "{w}: aquí no hay nada más antiguo que {y} | {w}: aqui não há nada mais antigo que {y} | {w} : "
                     "rien ici n'est plus ancien que {y} | {w}: hier ist nichts älter als {y}",
}.items()}

#: Audio features and request attributes as named in a cue ("energy 0.35–0.45") or a coverage note.
FEATURES: dict[str, dict[str, str]] = {k: _t(v) for k, v in {
    "energy": "energía | energia | énergie | Energie",
    "valence": "valencia | valência | valence | Valenz",
    "danceability": "bailabilidad | dançabilidade | dansabilité | Tanzbarkeit",
    "acousticness": "acusticidad | acusticidade | acoustique | Akustik",
    "instrumentalness": "instrumentalidad | instrumentalidade | instrumentalité | Instrumentalanteil",
    "speechiness": "palabra hablada | fala | parole | Sprechanteil",
    "liveness": "directo | ao vivo | live | Live-Anteil",
    "loudness": "volumen | volume | volume sonore | Lautstärke",
    "tempo": "tempo | andamento | tempo | Tempo",
    "key": "tonalidad | tom | tonalité | Tonart",
    "mode": "modo | modo | mode | Tongeschlecht",
    "duration_ms": "duración | duração | durée | Dauer",
    "length": "duración | duração | durée | Dauer",
    "popularity": "popularidad | popularidade | popularité | Beliebtheit",
    "the singer's gender": "el género de quien canta | o gênero de quem canta | le genre de l'interprète | "
                           "das Geschlecht der Stimme",
    "instruments": "los instrumentos | os instrumentos | les instruments | Instrumente",
    "the language of the lyrics": "el idioma de las letras | o idioma das letras | la langue des paroles | "
                                  "die Sprache der Texte",
    "what the lyrics are about": "el tema de las letras | o tema das letras | le sujet des paroles | "
                                 "den Inhalt der Texte",
}.items()}

#: Style names of core.coverage.STYLES whose usual name differs in the language (others are said as they are).
STYLE_NAMES: dict[str, dict[str, str]] = {k: _t(v) for k, v in {
    "classical": "música clásica | música clássica | musique classique | Klassik",
    "opera": "ópera | ópera | opéra | Oper",
    "french chanson": "chanson francesa | chanson francesa | chanson française | französisches Chanson",
    "regional mexican": "música regional mexicana | música regional mexicana | musique régionale mexicaine | "
                        "mexikanische Regionalmusik",
    "big band swing": "swing de big band | swing de big band | swing de big band | Big-Band-Swing",
    "gregorian chant": "canto gregoriano | canto gregoriano | chant grégorien | Gregorianischer Choral",
    "celtic": "música celta | música celta | musique celtique | keltische Musik",
    "folk": "folk | folk | folk | Folk",
}.items()}

#: Words of core.coverage.describe_alternative -> the adjective agreeing with the language's word for "tracks".
_ALT_WORDS: dict[str, dict[str, str]] = {k: _t(v) for k, v in {
    "calm": "tranquilas | calmas | calmes | ruhige",
    "high-energy": "muy enérgicas | muito energéticas | très énergiques | energiegeladene",
    "dark": "oscuras | sombrias | sombres | düstere",
    "upbeat": "alegres | alegres | enjoués | fröhliche",
    "acoustic": "acústicas | acústicas | acoustiques | akustische",
    "instrumental": "instrumentales | instrumentais | instrumentaux | instrumentale",
    "danceable": "bailables | dançantes | dansants | tanzbare",
    "rap-heavy": "con mucho rap | com muito rap | très rap | rap-lastige",
    "slow": "lentas | lentas | lents | langsame",
}.items()}

_PHRASES: dict[str, dict[str, str]] = {k: _t(v) for k, v in {
    # describe_alternative
    "tracks": "pistas {w} | faixas {w} | morceaux {w} | {w} Titel",
    "closest sound": "pistas de sonido parecido | faixas de som parecido | morceaux au son proche | ähnlich "
                     "klingende Titel",
    "mostly": "{head}, sobre todo {label} | {head}, a maioria {label} | {head}, surtout {label} | {head}, meist {label}",
    "mostly playlist": "{head}, sobre todo de la lista “{name}” | {head}, a maioria da playlist “{name}” | {head}, "
                       "surtout de la playlist « {name} » | {head}, meist aus der Playlist „{name}“",
    "features only": "estas elecciones se basan solo en las características de audio | estas escolhas seguem só as "
                     "características de áudio | ces choix reposent uniquement sur les caractéristiques audio | diese "
                     "Auswahl beruht nur auf den Audio-Merkmalen",
    # coverage lines
    "tail": "— lo más parecido: {alt} | — o mais próximo: {alt} | — le plus proche : {alt} | — am nächsten kommt: {alt}",
    "via missing": "Este catálogo no tiene ninguna etiqueta de {req}, así que estas van por el sonido y las listas de "
                   "{via}{alt}. | Este catálogo não tem nenhum rótulo de {req}, então estas seguem o som e as playlists "
                   "de {via}{alt}. | Ce catalogue n'a aucune étiquette {req}, donc ces choix suivent le son et les "
                   "playlists de {via}{alt}. | Dieser Katalog hat kein Label {req}, daher richten sich diese nach Klang "
                   "und Playlists von {via}{alt}.",
    "via sparse": "Este catálogo solo tiene {tracks} con la etiqueta {req}, así que estas van por el sonido y las "
                  "listas de {via}{alt}. | Este catálogo só tem {tracks} com o rótulo {req}, então estas seguem o "
                  "som e as playlists de {via}{alt}. | Ce catalogue n'a que {tracks} avec l'étiquette {req}, donc ces "
                  "choix suivent le son et les playlists de {via}{alt}. | Dieser Katalog hat nur {tracks} mit dem "
                  "Label {req}, daher richten sich diese nach Klang und Playlists von {via}{alt}.",
    "missing from": "Este catálogo no tiene {req} {span}{tail}. | Este catálogo não tem {req} {span}{tail}. | Ce "
                    "catalogue n'a pas de {req} {span}{tail}. | Dieser Katalog hat kein {req} {span}{tail}.",
    "sparse from": "Este catálogo tiene muy poco {req} {span} ({tracks}){tail}. | Este catálogo tem muito pouco {req} "
                   "{span} ({tracks}){tail}. | Ce catalogue a très peu de {req} {span} ({tracks}){tail}. | Dieser "
                   "Katalog hat sehr wenig {req} {span} ({tracks}){tail}.",
    "missing said": "Este catálogo no tiene música etiquetada como {req} ({said}){alts}. | Este catálogo não tem música "
                    "rotulada como {req} ({said}){alts}. | Ce catalogue n'a pas de musique étiquetée {req} ({said})"
                    "{alts}. | Dieser Katalog hat keine Musik mit dem Label {req} ({said}){alts}.",
    "alts": "— alternativas: {alt} | — alternativas: {alt} | — voici des alternatives : {alt} | — Alternativen: {alt}",
    "missing": "Este catálogo no tiene música etiquetada como {req}{tail}. | Este catálogo não tem música rotulada como "
               "{req}{tail}. | Ce catalogue n'a pas de musique étiquetée {req}{tail}. | Dieser Katalog hat keine Musik "
               "mit dem Label {req}{tail}.",
    "sparse": "Este catálogo tiene muy poco {req} ({tracks}){tail}. | Este catálogo tem muito pouco {req} ({tracks})"
              "{tail}. | Ce catalogue a très peu de {req} ({tracks}){tail}. | Dieser Katalog hat sehr wenig {req} "
              "({tracks}){tail}.",
    "unlabelled": "Este catálogo no tiene etiquetas de género, así que no puedo comprobar {req}{tail}. | Este catálogo "
                  "não tem rótulos de gênero, então não posso verificar {req}{tail}. | Ce catalogue n'a pas "
                  "d'étiquettes de genre, je ne peux donc pas vérifier {req}{tail}. | Dieser Katalog hat keine "
                  "Genre-Labels, daher kann ich {req} nicht prüfen{tail}.",
    "or": "o | ou | ou | oder",
    "no_match": "Nada en este catálogo coincide con «{req}» — ningún título, artista o álbum con ese nombre{alt} | "
                "Nada neste catálogo corresponde a “{req}” — nenhum título, artista ou álbum com esse nome{alt} | "
                "Rien dans ce catalogue ne correspond à « {req} » — aucun titre, artiste ou album de ce nom{alt} | "
                "Nichts in diesem Katalog passt zu „{req}“ — kein Titel, Künstler oder Album dieses Namens{alt}",
    "closest_match": "Nada en este catálogo se llama «{req}» — lo más parecido es {alt}. | Nada neste catálogo se chama "
                     "“{req}” — o mais próximo é {alt}. | Rien dans ce catalogue ne s'appelle « {req} » — le plus proche "
                     "est {alt}. | Nichts in diesem Katalog heißt „{req}“ — am nächsten kommt {alt}.",
    "did you mean": "; ¿quizás {names}? | ; você quis dizer {names}? | ; tu voulais dire {names} ? | ; meintest du "
                    "{names}?",
    "missing_artist": "No hay ningún artista llamado {req} en este catálogo{tail}. | Não há nenhum artista chamado {req} "
                      "neste catálogo{tail}. | Il n'y a aucun artiste nommé {req} dans ce catalogue{tail}. | In diesem "
                      "Katalog gibt es keinen Künstler namens {req}{tail}.",
    "era": "Este catálogo no tiene nada {span}{tail}. | Este catálogo não tem nada {span}{tail}. | Ce catalogue n'a "
           "rien {span}{tail}. | Dieser Katalog hat nichts {span}{tail}.",
    "no_data": "Este catálogo no tiene datos sobre {req}{alt}. | Este catálogo não tem dados sobre {req}{alt}. | Ce "
               "catalogue n'a pas de données sur {req}{alt}. | Dieser Katalog hat keine Daten über {req}{alt}.",
    # spans of years
    "span range": "de {lo}–{hi} | de {lo}–{hi} | de {lo}–{hi} | aus {lo}–{hi}",
    "span later": "de {lo} en adelante | de {lo} em diante | de {lo} ou après | ab {lo}",
    "span earlier": "de {hi} o antes | de {hi} ou antes | de {hi} ou avant | bis {hi}",
    # evidence of a missing style
    "closest family": "lo más parecido: {closest}, de la familia {family} a la que pertenece | o mais próximo: "
                      "{closest}, da família {family} a que pertence | le plus proche : {closest}, de la famille "
                      "{family} dont il fait partie | am nächsten: {closest}, aus der Familie {family}, zu der es gehört",
    "closest": "lo más parecido: {closest} | o mais próximo: {closest} | le plus proche : {closest} | am nächsten: "
               "{closest}",
    "named": "{n} pistas mencionan {req} en su título, álbum o lista | {n} faixas mencionam {req} no título, álbum ou "
             "playlist | {n} morceaux citent {req} dans leur titre, album ou playlist | {n} Titel nennen {req} in "
             "Titel, Album oder Playlist",
    "one playlist": "{names} es solo el nombre de una lista | {names} é só o nome de uma playlist | {names} n'est qu'un "
                    "nom de playlist | {names} ist nur ein Playlist-Name",
    "playlists": "{names} son solo nombres de listas | {names} são só nomes de playlists | {names} ne sont que des noms "
                 "de playlists | {names} sind nur Playlist-Namen",
    "and": "y | e | et | und",
    "more playlists": "otras {n} listas lo mencionan solo en su nombre | outras {n} playlists o mencionam só no nome | "
                      "{n} autres playlists ne le citent que dans leur nom | {n} weitere Playlists nennen es nur im Namen",
    "only playlists": "{n} listas lo mencionan solo en su nombre | {n} playlists o mencionam só no nome | {n} playlists "
                      "ne le citent que dans leur nom | {n} Playlists nennen es nur im Namen",
    "more playlist": "otra lista lo menciona solo en su nombre | outra playlist o menciona só no nome | une autre "
                     "playlist ne le cite que dans son nom | eine weitere Playlist nennt es nur im Namen",
    "only playlist": "una lista lo menciona solo en su nombre | uma playlist o menciona só no nome | une playlist ne le "
                     "cite que dans son nom | eine Playlist nennt es nur im Namen",
    # cues: the request's own side
    "not": "sin {x} | sem {x} | sans {x} | ohne {x}",
    "less": "menos {x} | menos {x} | moins {x} | weniger {x}",
    "only": "solo {x} | só {x} | seulement {x} | nur {x}",
    "no vocals": "sin voz | sem voz | sans voix | ohne Gesang",
    "like": "como {x} | como {x} | comme {x} | wie {x}",
    "over": "más de {x} | mais de {x} | plus de {x} | über {x}",
    "under": "menos de {x} | menos de {x} | moins de {x} | unter {x}",
    "around": "unos {x} | cerca de {x} | environ {x} | etwa {x}",
    "decade": "años {d} | anos {d} | années {d} | {d}er",
    "early": "principios de los {d} | início dos anos {d} | début des années {d} | frühe {d}er",
    "mid": "mediados de los {d} | meados dos anos {d} | milieu des années {d} | mittlere {d}er",
    "late": "finales de los {d} | final dos anos {d} | fin des années {d} | späte {d}er",
    "since": "desde {x} | desde {x} | depuis {x} | seit {x}",
    "before": "antes de {x} | antes de {x} | avant {x} | vor {x}",
    "or earlier": "{y} o antes | {y} ou antes | {y} ou avant | {y} oder früher",
    "onwards": "desde {y} | desde {y} | depuis {y} | ab {y}",
    "last years": "últimos {n} años | últimos {n} anos | {n} dernières années | letzte {n} Jahre",
    "long": "petición larga: leí las primeras {n} palabras | pedido longo: li as primeiras {n} palavras | demande "
            "longue : j'ai lu les {n} premiers mots | lange Anfrage: die ersten {n} Wörter gelesen",
    # cues: the meaning side
    "genre": "género {x} | gênero {x} | genre {x} | Genre {x}",
    "subgenre": "subgénero {x} | subgênero {x} | sous-genre {x} | Subgenre {x}",
    "playlist": "lista «{x}» | playlist “{x}” | playlist « {x} » | Playlist „{x}“",
    "avoid": "evitar {x} | evitar {x} | éviter {x} | ohne {x}",
    "exclude": "excluir a {x} | excluir {x} | exclure {x} | ohne {x}",
    "years": "años {x} | anos {x} | années {x} | Jahre {x}",
    "released in": "de {x} | de {x} | de {x} | aus {x}",
    "up to": "hasta {x} | até {x} | jusqu'à {x} | bis {x}",
    "from": "desde {x} | desde {x} | à partir de {x} | ab {x}",
    "read as": "leído como {x} | lido como {x} | lu comme {x} | gelesen als {x}",
    "shipped": "el sonido de «{x}» | o som de “{x}” | le son de « {x} » | der Klang von „{x}“",
    "minor key": "tonalidad menor | tom menor | tonalité mineure | Moll",
    "major key": "tonalidad mayor | tom maior | tonalité majeure | Dur",
    "instrumental rule": "instrumental (instrumentalidad > 0.5) | instrumental (instrumentalidade > 0.5) | instrumental "
                         "(instrumentalité > 0.5) | instrumental (Instrumentalanteil > 0.5)",
}.items()}


def _tracks(n: int, lang: str) -> str:
    """"1 canción" / "12 canciones": a count with its noun in ``lang`` (:func:`core.reply_words.counted`)."""
    from core.reply_words import counted

    return counted(n, "1 track", "n tracks", lang)


def _p(key: str, lang: str, **fields: object) -> str:
    return _PHRASES[key][lang].format(**fields)


# ------------------------------------------------------------------------------------------------ playlist names
_SEPARATORS = re.compile(r"\s+(?:[-|–—/•·:]|\||\(|\[)\s*|\s*[|•·]\s*")


def short_playlist_name(name: str, limit: int = QUOTE_MAX, word: str = "") -> str:
    """``name`` cut to at most ``limit`` characters for quoting in a first line: at its first separator (" - ",
    " | ", " / ", "(" …) when that leaves a part of 3+ characters, else at a word boundary with "…"; short names are
    returned unchanged. With ``word`` (the style the line is about), the cut comes after the word's first occurrence
    when that fits, so the quote still names it ("Progressive Rock / Metal", not "Progressive Rock")."""
    name = " ".join(name.split())
    if len(name) <= limit:
        return name
    at = re.search(rf"\b{re.escape(word)}\b", name, re.IGNORECASE) if word else None
    if at is not None:
        cut = next((m.start() for m in _SEPARATORS.finditer(name) if m.start() >= at.end()), len(name))
        if cut <= limit:
            return name[:cut].strip()
    head = _SEPARATORS.split(name, maxsplit=1)[0].strip()
    if 3 <= len(head) <= limit:
        return head
    cut = name[: limit - 1].rsplit(" ", 1)[0].rstrip(" -|/,;:")
    return (cut or name[: limit - 1]) + "…"


def playlist_mentions(playlists: Sequence[str], limit: int = QUOTE_MAX) -> tuple[list[str], int]:
    """Split the playlist names that name a missing style into ``(names short enough to quote, at most 2; how many
    others there are)``: "Jazz Vibes" is quoted, "Techno House 2020 👽 Best Collection 👻 Top DJ's …" only counted."""
    quoted = [p for p in playlists if len(p) <= limit][:2]
    return quoted, len(playlists) - len(quoted)


# ------------------------------------------------------------------------------------------------ coverage lines
def _style(name: str, lang: str) -> str:
    return STYLE_NAMES.get(name, {}).get(lang, name)


def _span(text: str, lang: str) -> str:
    """"1940–1949" / "1960 or later" / "1979 or earlier" as a localized prepositional phrase ("de 1940–1949")."""
    m = re.fullmatch(r"(\d{4})–(\d{4})", text)
    if m:
        return _p("span range", lang, lo=m.group(1), hi=m.group(2))
    m = re.fullmatch(r"(\d{4}) or later", text)
    if m:
        return _p("span later", lang, lo=m.group(1))
    m = re.fullmatch(r"(\d{4}) or earlier", text)
    if m:
        return _p("span earlier", lang, hi=m.group(1))
    return _p("span range", lang, lo=text, hi="").replace("–", "")


#: What a no-data coverage note offers when the parse did nothing else about the attribute.
FEATURES_ONLY = "these picks go by the audio features only"
#: core.coverage's names of attributes without data -> the keys of core.text.language.ATTRIBUTES.
_ATTRIBUTE_KEYS = {"the language of the lyrics": "lyrics_language", "the singer's gender": "gender",
                   "instruments": "instrument", "what the lyrics are about": "lyrics_topic"}


def no_data_alternative(notes: Sequence[object], requested: str) -> str:
    """The alternative of a ``no_data`` coverage note for ``requested`` (core.coverage's attribute name): what the
    parse actually did about it when a :class:`~core.models.TextNote` of the request says so ("I used the catalog's
    labels named after it": a Portuguese request ranked by the "Trapperz Brasil" playlist), else
    :data:`FEATURES_ONLY`. English; :func:`alternative_in` words it in the request's language."""
    from core.text.language import INSTEAD

    key = _ATTRIBUTE_KEYS.get(requested)
    for note in notes:
        if getattr(note, "kind", "") == "no_data" and getattr(note, "subject", "") == key:
            used = getattr(note, "used", "")
            if used in INSTEAD and used != "ignored":
                return INSTEAD[used]["en"]
    return FEATURES_ONLY


def alternative_in(alt: str, lang: str) -> str:
    """The alternative of a coverage note (:func:`core.coverage.describe_alternative`'s English wording, or the
    no-data sentence) in ``lang``; an alternative of another shape is returned unchanged."""
    if lang not in LOCAL or not alt:
        return alt
    if alt == FEATURES_ONLY:
        return _p("features only", lang)
    from core.text.language import INSTEAD

    for forms in INSTEAD.values():
        if alt == forms["en"]:
            return forms.get(lang, alt)
    m = re.fullmatch(r"(?:(.+?) tracks|tracks with the closest sound|tracks)(?:, mostly (.+))?", alt)
    if not m:
        return alt
    if m.group(1):
        words = [w.strip() for w in m.group(1).split(",")]
        if not all(w in _ALT_WORDS for w in words):
            return alt
        head = _p("tracks", lang, w=", ".join(_ALT_WORDS[w][lang] for w in words))
    else:
        head = _p("closest sound", lang)
    playlist = re.fullmatch(r"from the playlist \u201c(.+)\u201d", m.group(2) or "")
    if playlist:
        return _p("mostly playlist", lang, head=head, name=playlist.group(1))
    return _p("mostly", lang, head=head, label=m.group(2)) if m.group(2) else head


def _evidence(note: CoverageNote, lang: str) -> str:
    parts: list[str] = []
    if note.closest and note.family:
        parts.append(_p("closest family", lang, closest=note.closest, family=note.family))
    elif note.closest:
        parts.append(_p("closest", lang, closest=note.closest))
        if not note.scene:  # a script's playlists name no style: no "N tracks name it" (core.style_scripts)
            parts.append(_p("named", lang, n=note.found_count, req=_style(note.requested, lang)))
    quoted, more = playlist_mentions(note.playlists)
    if quoted:
        names = f' {_p("and", lang)} '.join(_quote(q, lang) for q in quoted)
        parts.append(_p("one playlist" if len(quoted) == 1 else "playlists", lang, names=names))
    if more:
        key = ("more playlist" if quoted else "only playlist") + ("s" if more > 1 else "")
        parts.append(_p(key, lang, n=more))
    return "; ".join(parts)


def _quote(text: str, lang: str) -> str:
    if lang == "fr":
        return f"\u00ab {text} \u00bb"
    if lang == "de":
        return f"\u201e{text}\u201c"
    return f"\u201c{text}\u201d"


def coverage_line_in(note: CoverageNote, lang: str) -> str:
    """The first line of a reply for ``note`` in ``lang`` (``es``/``pt``/``fr``/``de``; any other language gets ""
    so the caller keeps its English line). Same facts as :func:`core.coverage.coverage_line`: the style, count,
    closest label, quoted short playlist names, years, artist and alternative of the note."""
    if lang not in LOCAL:
        return ""
    alt = alternative_in(note.alternative, lang)
    tail = " " + _p("tail", lang, alt=alt) if alt else ""
    req = _style(note.requested, lang)
    if note.kind in ("missing", "sparse") and note.via:
        return _p("via missing" if note.kind == "missing" else "via sparse", lang, req=req, via=note.via,
                  n=note.found_count, tracks=_tracks(note.found_count, lang), alt=f": {alt}" if alt else "")
    if " from " in note.requested and note.kind in ("missing", "sparse") and not (note.closest or note.playlists):
        style, span = note.requested.split(" from ", 1)
        key = "missing from" if note.kind == "missing" else "sparse from"
        return _p(key, lang, req=_style(style, lang), span=_span(span, lang), n=note.found_count,
                  tracks=_tracks(note.found_count, lang), tail=tail)
    if note.kind == "missing":
        said = _evidence(note, lang)
        if said:
            return _p("missing said", lang, req=req, said=said, alts=" " + _p("alts", lang, alt=alt) if alt else "")
        return _p("missing", lang, req=req, tail=tail)
    if note.kind == "sparse":
        return _p("sparse", lang, req=req, n=note.found_count, tracks=_tracks(note.found_count, lang), tail=tail)
    if note.kind == "unlabelled":
        joined = f' {_p("or", lang)} '.join(_style(s, lang) for s in note.requested.split(" or "))
        return _p("unlabelled", lang, req=joined, tail=tail)
    if note.kind == "missing_artist":
        return _p("missing_artist", lang, req=note.requested, tail=tail)
    if note.kind == "no_match":  # a search: core.app.discovery's alternative is the close names, "A or B"
        names = note.alternative
        said = _p("did you mean", lang, names=f' {_p("or", lang)} '.join(names.split(" or "))) if names else "."
        return _p("no_match", lang, req=note.requested, alt=said)
    if note.kind == "closest_match":
        return _p("closest_match", lang, req=note.requested, alt=note.alternative)
    if note.kind == "era":
        return _p("era", lang, span=_span(note.requested, lang), tail=tail)
    what = FEATURES.get(note.requested, {}).get(lang, note.requested)
    return _p("no_data", lang, req=what, alt=f" — {alt}" if alt else "")


# ------------------------------------------------------------------------------------------------ cues
_DECADE = re.compile(r"(?:(early|mid|middle|late) )?((?:19|20)\d0)s")


def _decade(m: re.Match[str], lang: str) -> str:
    start = int(m.group(2))
    d = f"{start % 100:02d}" if start < 2000 else str(start)
    mod = {"middle": "mid"}.get(m.group(1) or "", m.group(1) or "")
    return _p(mod or "decade", lang, d=d)


#: Cue prefixes the parser writes in English and the phrase key (:func:`_p`) each is worded with, in order.
_LEFT_PREFIXES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(rx), key) for rx, key in ((r"without (.+)", "not"), (r"only (.+)", "only"), (r"less (.+)", "less"),
                                          (r"(?:not|no) (.+)", "not"), (r"like (.+)", "like")))


def _left(text: str, lang: str) -> str:
    """The request's side of a cue: English words the parser wrote ("not", "no vocals", "1970s", "over 140 BPM",
    "like X") in ``lang``; the user's own words are kept."""
    if text == "no vocals":
        return _p("no vocals", lang)
    if text in MOVES:
        return MOVES[text][lang]
    if text.lower() in GLOSSARY:  # a follow-up's change ("higher mood", "lower energy")
        return GLOSSARY[text.lower()][lang]
    for pattern, key in _LEFT_PREFIXES:  # "without X", "only X", "less X", "not X", "like X"
        m = pattern.fullmatch(text)
        if m:
            return _p(key, lang, x=m.group(1))
    m = re.fullmatch(r"(over|under|around) (\d+ BPM)", text)
    if m:
        return _p(m.group(1), lang, x=m.group(2))
    m = _DECADE.fullmatch(text)
    if m:
        return _decade(m, lang)
    m = re.fullmatch(r"(since|after|post|from|before|pre|until|till|up to) the (.+)", text)
    if m:
        inner = _DECADE.fullmatch(m.group(2))
        said = _decade(inner, lang) if inner else m.group(2)
        return _p("since" if m.group(1) in ("since", "after", "post", "from") else "before", lang, x=said)
    m = re.fullmatch(r"(\d{4}) or earlier", text)
    if m:
        return _p("or earlier", lang, y=m.group(1))
    m = re.fullmatch(r"(\d{4}) onwards", text)
    if m:
        return _p("onwards", lang, y=m.group(1))
    m = re.fullmatch(r"last (\d+) years", text)
    if m:
        return _p("last years", lang, n=m.group(1))
    m = re.fullmatch(r"(minor|major) key", text)
    if m:
        return _p(f"{m.group(1)} key", lang)
    return text


def _piece(piece: str, lang: str) -> str:
    """One comma-separated piece of a cue's meaning in ``lang`` (unchanged when there is no wording for it)."""
    key = piece.strip()
    low = key.lower()
    if low in GLOSSARY:
        return GLOSSARY[low][lang]
    m = re.fullmatch(r"(avoid )?(genre|subgenre|playlist):(.+)", key)
    if m:
        name = m.group(3)
        said = _p(m.group(2), lang, x=short_playlist_name(name) if m.group(2) == "playlist" else name)
        return _p("avoid", lang, x=said) if m.group(1) else said
    m = re.fullmatch(r"exclude (.+)", key)
    if m:
        return _p("exclude", lang, x=m.group(1))
    m = re.fullmatch(r"(years|released in|up to|from) (.+)", key)
    if m:
        return _p(m.group(1), lang, x=m.group(2))
    m = re.fullmatch(r"read as (.+)", key)
    if m:
        return _p("read as", lang, x=m.group(1))
    m = re.fullmatch(r"sounds of the shipped '(.+)' \w+", key)
    if m:
        return _p("shipped", lang, x=short_playlist_name(m.group(1)))
    m = re.fullmatch(r"instrumental \(instrumentalness > 0\.5\)", key)
    if m:
        return _p("instrumental rule", lang)
    m = re.fullmatch(r"(tempo|energy|valence|danceability|acousticness|instrumentalness|speechiness|liveness|loudness|"
                     r"length|duration_ms|popularity|key|mode)(\s.*)", key)
    if m:
        return FEATURES[m.group(1)][lang] + m.group(2)
    if " / " in key:  # "danceable r&b / pop", "sad/dark" are whole entries; other alternatives piece by piece
        return " / ".join(_piece(p, lang) for p in key.split(" / "))
    if " and " in key:
        return f' {_p("and", lang)} '.join(_piece(p, lang) for p in key.split(" and "))
    return key


#: The parser's key and mode cues (core.text.cues): "D minor → key 2, mode 0", "minor key → mode 0 (minor)".
_KEY_CUE = re.compile(r"(.+) → key (\d{1,2}), mode ([01])")
_MODE_CUE = re.compile(r"(.+) → mode [01] \((?:minor|major)\)")


def localize_cue(cue: str, lang: str) -> str:
    """One cue of a parsed request ("tristes → low valence, softer", "not reggaeton", "1970s → 1970–1979") worded in
    ``lang`` (``es``/``pt``/``fr``/``de``; other languages, and sentences such as notes, are returned unchanged).
    The user's own words, numbers, labels and artist names are kept as they are; a key the parser wrote as Spotify's
    numbers ("D minor → key 2, mode 0") is named as musicians do in every language, English included ("D minor →
    key: D minor", "Tonart: d-Moll"; :func:`core.reply_words.key_name`), a bare mode as what was said ("minor key")."""
    key = _KEY_CUE.fullmatch(cue)
    if key:
        from core.reply_words import key_name, say  # only for a request naming a key

        said = key.group(1) if lang not in LOCAL else _left(key.group(1), lang)
        return f"{said} → {say('field key', lang)}: {key_name(int(key.group(2)), int(key.group(3)), lang)}"
    mode = _MODE_CUE.fullmatch(cue)
    if mode:
        return mode.group(1) if lang not in LOCAL else _left(mode.group(1), lang)
    if lang not in LOCAL or not cue or cue.endswith((".", "!", "?")):
        return cue
    m = re.fullmatch(r"long request: read the first (\d+) words", cue)
    if m:
        return _p("long", lang, n=m.group(1))
    left, arrow, right = cue.partition(" → ")
    said = _left(left.strip(), lang)
    if not arrow:
        return said
    if right.lower() in GLOSSARY:  # a whole entry with commas ("slow, moody beats")
        return f"{said} → {GLOSSARY[right.lower()][lang]}"
    return f"{said} → " + ", ".join(_piece(p, lang) for p in right.split(", "))


#: A catalog label key inside an English cue ("genre:rock", "avoid playlist:Southern soul & hip hop").
_LABEL_KEY = re.compile(r"\b(genre|subgenre|playlist):([^,;]+)")


def _english_label(m: re.Match[str]) -> str:
    """An English cue's label key as words: "genre rock", "playlist “Southern soul & hip hop”" (short name)."""
    name = m.group(2).strip()
    return f"playlist \u201c{short_playlist_name(name)}\u201d" if m.group(1) == "playlist" else f"{m.group(1)} {name}"


def localize_cues(cues: Sequence[str], lang: str) -> list[str]:
    """:func:`localize_cue` over a request's cues, duplicates after wording dropped; in a language of :data:`LOCAL`
    the sentences (notes such as "El catálogo no tiene datos sobre …", the language's lead) come first, then the
    cues in their order — a follow-up's changes are put before the request's cues and must not split them."""
    from core.text.language import NOTE_TEMPLATES

    worded = list(dict.fromkeys(localize_cue(c, lang) for c in cues))
    if lang not in LOCAL:
        return [_LABEL_KEY.sub(_english_label, c) for c in worded]
    leads = set(NOTE_TEMPLATES["language"].values())
    first = [c for c in worded if c.endswith((".", "!", "?")) or c in leads]
    return first + [c for c in worded if c not in first]


def _anchor_cue(cue: str, lang: str) -> str:
    """One modifier of an anchored request ("slower", "newer → 2018+ (anchor 2013)", "2010–2019") in ``lang``."""
    m = re.fullmatch(r"(newer|older) → (.+?) \(anchor (\d{4})\)", cue)
    if m:
        span = m.group(2)
        up = re.fullmatch(r"up to (\d{4})", span)
        span = _p("up to", lang, x=up.group(1)) if up else span
        return f"{MOVES[m.group(1)][lang]} → {span} ({MOVES['anchor'][lang]} {m.group(3)})"
    m = re.fullmatch(r"(newer|older): nothing here is (?:newer|older) than (\d{4})", cue)
    if m:
        return MOVES[f"nothing {m.group(1)}"][lang].format(w=MOVES[m.group(1)][lang], y=m.group(2))
    m = re.fullmatch(r"up to (\d{4})", cue)
    if m:
        return _p("up to", lang, x=m.group(1))
    return localize_cue(cue, lang)


_CONFLICT = re.compile(r"\u201c(.+?)\u201d and \u201c(.+?)\u201d pull opposite ways: \u201c(.+?)\u201d wins \u2014 say "
                       r"\u201c(.+?)\u201d if you meant that\.")
_LIKE = re.compile(r"Like (.+?)(?: \((.+)\))?")


#: The first-line sentence for an anchor whose scene the catalog barely holds (:func:`core.anchors.thin_scene_line`):
#: language -> (labelled catalog, catalog without labels, one song, n songs, "after n of theirs, ").
THIN_SCENE: dict[str, tuple[str, str, str, str, str]] = {
    "es": ("La escena de {name} es escasa en este catálogo ({songs} y pocos artistas relacionados): {after}estas son "
           "las más cercanas por sonido y listas compartidas.",
           "{name} tiene {songs} aquí y el catálogo no tiene etiquetas de género para situar su escena: {after}estas "
           "son las más cercanas por sonido, época y créditos compartidos.",
           "solo 1 canción", "solo {n} canciones", "tras {m} suyas, "),
    "pt": ("A cena de {name} é escassa neste catálogo ({songs} e poucos artistas relacionados): {after}estas são as "
           "mais próximas por som e playlists em comum.",
           "{name} tem {songs} aqui e o catálogo não tem rótulos de gênero para situar a cena: {after}estas são as "
           "mais próximas por som, época e créditos em comum.",
           "só 1 música", "só {n} músicas", "depois de {m} dele(s), "),
    "fr": ("La scène de {name} est mince dans ce catalogue ({songs} et peu d'artistes liés) : {after}voici les plus "
           "proches par le son et les playlists partagées.",
           "{name} a {songs} ici et le catalogue n'a pas d'étiquettes de genre pour situer sa scène : {after}voici les "
           "plus proches par le son, l'époque et les crédits partagés.",
           "seulement 1 titre", "seulement {n} titres", "après {m} des siens, "),
    "de": ("Die Szene von {name} ist in diesem Katalog dünn ({songs} und wenige verwandte Künstler): {after}das sind "
           "die nächsten nach Klang und gemeinsamen Playlists.",
           "{name} hat hier {songs}, und der Katalog hat keine Genre-Labels, um die Szene einzuordnen: {after}das sind "
           "die nächsten nach Klang, Zeit und gemeinsamen Credits.",
           "nur 1 Titel", "nur {n} Titel", "nach {m} eigenen, "),
}


def thin_scene_in(lang: str, name: str, own: int, mine: int, labelled: bool) -> str:
    """:func:`core.anchors.thin_scene_line` in ``lang`` (es/pt/fr/de; "" for another): ``own`` songs of ``name`` in
    the catalog, ``mine`` of them in the answer, ``labelled`` = the catalog has genre labels."""
    forms = THIN_SCENE.get(lang)
    if forms is None:
        return ""
    songs = forms[2] if own == 1 else forms[3].format(n=own)
    after = forms[4].format(m=mine) if mine else ""
    return forms[0 if labelled else 1].format(name=name, songs=songs, after=after)


def localize_anchor_summary(summary: str, lang: str) -> str:
    """The summary of an anchored request ("Like Queen (calmer; 2010–2019)", led by any conflict sentences of
    :func:`core.moves.conflict_sentence`) in ``lang``; unchanged for other languages or another shape."""
    if lang not in LOCAL or not summary:
        return summary
    from core.text.language import note_text

    def conflict(m: re.Match[str]) -> str:
        ask = MOVES.get(m.group(4), {}).get(lang, m.group(4))
        return note_text("conflict", lang, a=m.group(1), b=m.group(2), winner=_quote(m.group(3), lang), alt=ask)

    out = _CONFLICT.sub(conflict, summary)
    head, sep, like = out.rpartition("Like ")
    m = _LIKE.fullmatch("Like " + like) if sep else None
    if not m:
        return out
    said = f"{MOVES['like'][lang]} {m.group(1)}"
    if m.group(2):
        said += " (" + "; ".join(_anchor_cue(c.strip(), lang) for c in m.group(2).split("; ")) + ")"
    return head + said


#: The clarifying question for a request with nothing musical in it, per language: (greeting lead, unclear lead, ask).
_CLARIFY: dict[str, tuple[str, str, str]] = {
    "es": ("¡Hola! ", "No entendí qué tipo de música es \u201c{raw}\u201d. ",
           "Dime un estado de ánimo, una actividad, un género, una época o un artista — por ejemplo \u201ccanciones "
           "acústicas relajantes\u201d o \u201ccomo Daft Punk pero más lento\u201d."),
    "pt": ("Oi! ", "Não entendi que tipo de música é \u201c{raw}\u201d. ",
           "Diga um clima, uma atividade, um gênero, uma época ou um artista — por exemplo \u201cmúsicas acústicas "
           "relaxantes\u201d ou \u201cparecido com Daft Punk, mas mais lento\u201d."),
    "fr": ("Salut ! ", "Je n'ai pas compris quel genre de musique est \u00ab {raw} \u00bb. ",
           "Donne-moi une humeur, une activité, un genre, une époque ou un artiste — par exemple \u00ab des "
           "chansons acoustiques relaxantes \u00bb ou \u00ab comme Daft Punk mais plus lent \u00bb."),
    "de": ("Hallo! ", "Ich habe nicht verstanden, welche Musik \u201e{raw}\u201c meint. ",
           "Nenn mir eine Stimmung, eine Aktivität, ein Genre, eine Epoche oder einen Künstler — zum Beispiel "
           "\u201eentspannte akustische Lieder\u201c oder \u201ewie Daft Punk, aber langsamer\u201c."),
}


def clarify_in(raw: str, greeting: bool, lang: str) -> str:
    """The clarifying question for ``raw`` (a greeting, or text with nothing musical in it) in ``lang``; "" for
    English and other languages (the caller keeps its English question). ``raw`` is quoted up to 80 characters."""
    if lang not in _CLARIFY:
        return ""
    hello, unclear, ask = _CLARIFY[lang]
    return (hello if greeting else unclear.format(raw=raw[:80])) + ask
