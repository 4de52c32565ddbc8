"""The fixed lines of a chat reply, one table per language (English, Spanish, Portuguese, French, German).

What a conversation shows besides a list's first line (:mod:`core.text.wording`), its reasons
(:mod:`core.reason_words`) and a follow-up's lead (:mod:`core.agent.followup_replies`): the count-cap note, the
count of a search's results, "nothing matched", the errors a user can cause (empty or too long message, unknown
song, no ``#N`` on the list, unknown command), the flood notice, the generic apology, and the labels every adapter
puts around a list ("Next page", "More like #3", "Page 2", column names). The English table is the wording every
surface has always shown, byte for byte; the others say the same facts with the same numbers, names and commands
(``/more``, ``/similar`` stay as typed: platform command names are English everywhere).

:func:`say` is the one formatter (``str.format`` fields; a key missing from a language falls back to English);
:func:`error_text` words a :class:`~core.errors.MusicBotError` that carries a :attr:`key` (raised through
:func:`invalid`), :func:`count` writes a number with the language's thousands separator.
"""

from __future__ import annotations

import re
from typing import Any

from core.errors import InvalidInput, MusicBotError, NotATrackLink, SongNotFound

#: Languages with a wording (``en`` first); any other language is worded in English.
LANGS = ("en", "es", "pt", "fr", "de")

REPLY_WORDS: dict[str, dict[str, str]] = {
    "en": {
        "count cap": "You asked for {requested}; I send at most {limit} at a time — {more} for the next page.",
        "say more": "say “more”",
        "type more": "type /more",
        "press next": "press “Next page”",
        "send or press": "send /more or press “Next page”",
        "n tracks": "{n} tracks",
        "no search match": 'No tracks match "{q}".',
        "no match": "No tracks match that — try loosening the filters.",
        "no match short": "No tracks match — try loosening the request.",
        "empty": "Your {what} is empty — tell me what you'd like to hear, e.g. “chill study music”.",
        "too long": "Your {what} is {n} characters long; please keep it under {limit}.",
        "what message": "message", "what request": "request", "what search": "search",
        "what song reference": "song reference",
        "not found": 'No track found for "{ref}".',
        "not in catalog": "That Spotify track is not in this catalog; try its title instead.",
        "did you mean": " Did you mean: {s}?",
        "no item": "There is no #{n} in the last list shown.",
        "no item here": "There is no #{n} in the last list.",
        "unknown command": "Unknown command /{name}.",
        "give a song": "Give at least one song, e.g. /similar Blinding Lights - The Weeknd",
        "slow down": "Slow down — try again in {s} s.",
        "sorry": "Sorry, something went wrong handling that. Please try again.",
        "fallback": "(the language model was unavailable; answered with the built-in model)",
        "chart saved": "Chart saved:",
        "cleared": "Conversation cleared.",
        "commands": "Commands:",
        "help tail": "#N means item N of the last list shown. Or just tell me what you want to hear.",
        # labels around a list (adapters)
        "add to playlist": "Add to playlist", "like…": "Like…", "dislike…": "Dislike…", "chart": "Chart",
        "using other artist": "No “{title}” by {artist} here — using {quote}.",
        "using closest": "No exact match for “{ref}” — using the closest: {quote}.",
        "quote": "“{title}” by {artist}",
        "unknown artist": "an unknown artist",
        "using links": "Using {used}.",
        "link missing": "That track link is not in this catalog.",
        "links missing": "{n} of the track links are not in this catalog.",
        "link track missing": ("That Spotify track is not in this catalog — send its title and I'll look for it, or a song name."),
        "link invalid_id": ("That's not a valid Spotify track id — track ids are exactly 22 letters and digits. Send the whole "
                "track link or the song's name."),
        "link short": ("That's a Spotify short link and I couldn't open it. Please send the full track link (in Spotify: "
                "Share → Copy link, or the open.spotify.com/track/… address from a browser) or the song's name."),
        "link ignored": ("That link isn't a Spotify track link — send a track link (open.spotify.com/track/…) or a song name."),
        "link kind": "That's {article} {noun} link — send a track link or a song name.",
        "noun album": "album", "noun playlist": "playlist", "noun artist": "artist", "noun episode": "episode",
        "noun show": "show", "noun user": "user profile",
        "next page": "Next page",
        "more like n": "More like #{n}",
        "more like this": "More like this",
        "page": "Page {n}",
        "showing": "showing {n} of {total}",
        "below": "Below: more like a track · next page · ➕ add to a playlist · 👍/👎",
        "results for": "Results for “{q}”",
        "recommendations": "Recommendations",
        "col title": "Title", "col artist": "Artist", "col year": "Year", "col genre": "Genre", "col why": "Why",
        "card album": "Album", "card released": "Released", "card length": "Length",
        "card popularity": "Popularity", "card genres": "Genres", "card audio features": "Audio features",
        "field album": "album", "field released": "released", "field popularity": "popularity",
        "field duration": "duration", "field genres": "genres", "field playlists": "playlists",
        "field audio features": "audio features", "field no audio features": "no audio features",
        "field danceability": "danceability", "field energy": "energy", "field key": "key",
        "field loudness": "loudness", "field mode": "mode", "field speechiness": "speechiness",
        "field acousticness": "acousticness", "field instrumentalness": "instrumentalness",
        "field liveness": "liveness", "field valence": "valence", "field tempo": "tempo", "field spotify": "spotify",
    },
    "es": {
        "count cap": "Pediste {requested}; envío como mucho {limit} a la vez — {more} para la página siguiente.",
        "say more": "di «más»",
        "type more": "escribe /more",
        "press next": "pulsa «Página siguiente»",
        "send or press": "envía /more o pulsa «Página siguiente»",
        "n tracks": "{n} canciones",
        "no search match": "Ninguna canción coincide con «{q}».",
        "no match": "Ninguna canción encaja — prueba a relajar los filtros.",
        "no match short": "Ninguna canción encaja — prueba a pedir algo menos estricto.",
        "empty": "No hay nada en {what} — dime qué te gustaría escuchar, por ejemplo «música tranquila para estudiar».",
        "too long": "{what} tiene {n} caracteres; por favor, no pases de {limit}.",
        "what message": "tu mensaje", "what request": "tu petición", "what search": "tu búsqueda",
        "what song reference": "la referencia de la canción",
        "not found": "No encontré ninguna canción para «{ref}».",
        "not in catalog": "Esa canción de Spotify no está en este catálogo; prueba con su título.",
        "did you mean": " ¿Quizás quisiste decir: {s}?",
        "no item": "No hay #{n} en la última lista.",
        "no item here": "No hay #{n} en la última lista.",
        "unknown command": "No conozco el comando /{name}.",
        "give a song": "Dime al menos una canción, por ejemplo /similar Blinding Lights - The Weeknd",
        "slow down": "Más despacio — vuelve a intentarlo en {s} s.",
        "sorry": "Perdona, algo salió mal con eso. Inténtalo de nuevo.",
        "fallback": "(el modelo de lenguaje no estaba disponible; respondió el modelo integrado)",
        "chart saved": "Gráfico guardado:",
        "cleared": "Conversación borrada.",
        "commands": "Comandos:",
        "help tail": "#N es el elemento N de la última lista. O simplemente dime qué quieres escuchar.",
        "help recommend": "Canciones para un estado de ánimo, una actividad, un género o una época",
        "help similar": "Canciones como una o varias canciones (sepáralas con ;)",
        "help search": "Buscar canciones por título, artista o álbum",
        "help song": "Detalles y características de audio de una canción",
        "help chart": "Un gráfico: la última lista frente a lo que pediste, o las características de audio de una canción",
        "help preview": "Un fragmento de 30 segundos de una canción, cuando existe",
        "help like": "Marcar que te gusta una canción: tus recomendaciones se acercan a ella",
        "help dislike": "Marcar que no te gusta una canción: no te la volveré a sugerir",
        "help more": "La página siguiente de la última lista",
        "help playlists": "Las listas compartidas de este grupo",
        "help playlist create": "Crear una nueva lista compartida",
        "help playlist add": "Añadir canciones a una lista (sepáralas con ;)",
        "help playlist remove": "Quitar canciones de una lista",
        "help playlist show": "Mostrar una lista, diez canciones por página",
        "help playlist rename": "Renombrar una lista (quien la creó o un admin del grupo)",
        "help playlist delete": "Borrar una lista (quien la creó o un admin del grupo)",
        "help playlist recommend": "Canciones que encajan con una lista entera (que aún no están en ella)",
        "help playlist export": "Todos los enlaces de Spotify de una lista (un archivo si es larga)",
        "help reset": "Olvidar esta conversación",
        "help help": "Lo que este bot sabe hacer",
        "help addsong": "Admin: añadir una canción al catálogo",
        "help editsong": "Admin: cambiar campos de una canción",
        "help delsong": "Admin: borrar una canción del catálogo",
        "add to playlist": "Añadir a una lista", "like…": "Me gusta…", "dislike…": "No me gusta…", "chart": "Gráfico",
        "using other artist": "No hay «{title}» de {artist} aquí — uso {quote}.",
        "using closest": "No hay una coincidencia exacta para «{ref}» — uso la más parecida: {quote}.",
        "quote": "«{title}» de {artist}",
        "unknown artist": "un artista desconocido",
        "using links": "Uso {used}.",
        "link missing": "Ese enlace de canción no está en este catálogo.",
        "links missing": "{n} de los enlaces de canciones no están en este catálogo.",
        "link track missing": ("Esa canción de Spotify no está en este catálogo — envíame su título y la busco, o el nombre de una "
                "canción."),
        "link invalid_id": ("Ese no es un id de canción de Spotify válido — tienen exactamente 22 letras y cifras. Envía el "
                "enlace completo de la canción o su nombre."),
        "link short": ("Es un enlace corto de Spotify y no pude abrirlo. Envía el enlace completo de la canción (en Spotify:"
                " Compartir → Copiar enlace, o la dirección open.spotify.com/track/… del navegador) o su nombre."),
        "link ignored": ("Ese enlace no es de una canción de Spotify — envía un enlace de canción (open.spotify.com/track/…) o"
                " el nombre de una canción."),
        "link kind": "Es un enlace de {noun} — envía un enlace de canción o el nombre de una canción.",
        "noun album": "álbum",
        "noun playlist": "lista",
        "noun artist": "artista",
        "noun episode": "episodio",
        "noun show": "programa",
        "noun user": "perfil de usuario",
        "next page": "Página siguiente",
        "more like n": "Más como #{n}",
        "more like this": "Más como esta",
        "page": "Página {n}",
        "showing": "se muestran {n} de {total}",
        "below": "Abajo: más como una canción · página siguiente · ➕ añadir a una lista · 👍/👎",
        "results for": "Resultados para «{q}»",
        "recommendations": "Recomendaciones",
        "col title": "Título", "col artist": "Artista", "col year": "Año", "col genre": "Género", "col why": "Por qué",
        "card album": "Álbum", "card released": "Publicada", "card length": "Duración",
        "card popularity": "Popularidad", "card genres": "Géneros", "card audio features": "Características de audio",
        "field album": "álbum", "field released": "publicada", "field popularity": "popularidad",
        "field duration": "duración", "field genres": "géneros", "field playlists": "listas",
        "field audio features": "características de audio", "field no audio features": "sin características de audio",
        "field danceability": "bailabilidad", "field energy": "energía", "field key": "tonalidad",
        "field loudness": "volumen", "field mode": "modo", "field speechiness": "palabra hablada",
        "field acousticness": "acusticidad", "field instrumentalness": "instrumentalidad",
        "field liveness": "directo", "field valence": "valencia", "field tempo": "tempo", "field spotify": "spotify",
    },
    "pt": {
        "count cap": "Você pediu {requested}; envio no máximo {limit} de cada vez — {more} para a próxima página.",
        "say more": "diga “mais”",
        "type more": "digite /more",
        "press next": "toque em “Próxima página”",
        "send or press": "envie /more ou toque em “Próxima página”",
        "n tracks": "{n} músicas",
        "no search match": "Nenhuma música corresponde a “{q}”.",
        "no match": "Nenhuma música combina — tente afrouxar os filtros.",
        "no match short": "Nenhuma música combina — tente um pedido menos restrito.",
        "empty": "Não há nada em {what} — diga o que você gostaria de ouvir, por exemplo “música calma para estudar”.",
        "too long": "{what} tem {n} caracteres; por favor, fique abaixo de {limit}.",
        "what message": "sua mensagem", "what request": "seu pedido", "what search": "sua busca",
        "what song reference": "a referência da música",
        "not found": "Não encontrei nenhuma música para “{ref}”.",
        "not in catalog": "Essa música do Spotify não está neste catálogo; tente pelo título.",
        "did you mean": " Você quis dizer: {s}?",
        "no item": "Não há #{n} na última lista.",
        "no item here": "Não há #{n} na última lista.",
        "unknown command": "Não conheço o comando /{name}.",
        "give a song": "Diga pelo menos uma música, por exemplo /similar Blinding Lights - The Weeknd",
        "slow down": "Mais devagar — tente de novo em {s} s.",
        "sorry": "Desculpe, algo deu errado com isso. Tente de novo.",
        "fallback": "(o modelo de linguagem não estava disponível; respondeu o modelo embutido)",
        "chart saved": "Gráfico salvo:",
        "cleared": "Conversa apagada.",
        "commands": "Comandos:",
        "help tail": "#N é o item N da última lista. Ou simplesmente diga o que você quer ouvir.",
        "help recommend": "Músicas para um clima, uma atividade, um gênero ou uma época",
        "help similar": "Músicas parecidas com uma ou mais músicas (separe várias com ;)",
        "help search": "Buscar músicas por título, artista ou álbum",
        "help song": "Detalhes e características de áudio de uma música",
        "help chart": "Um gráfico: a última lista comparada ao que você pediu, ou as características de áudio de uma música",
        "help preview": "Uma prévia de 30 segundos de uma música, quando existe",
        "help like": "Curtir uma música: suas recomendações se aproximam dela",
        "help dislike": "Não curtir uma música: ela nunca mais será sugerida a você",
        "help more": "A próxima página da última lista",
        "help playlists": "As playlists compartilhadas deste grupo",
        "help playlist create": "Criar uma nova playlist compartilhada",
        "help playlist add": "Adicionar músicas a uma playlist (separe várias com ;)",
        "help playlist remove": "Tirar músicas de uma playlist",
        "help playlist show": "Mostrar uma playlist, dez músicas por página",
        "help playlist rename": "Renomear uma playlist (quem a criou ou um admin do grupo)",
        "help playlist delete": "Apagar uma playlist (quem a criou ou um admin do grupo)",
        "help playlist recommend": "Músicas que combinam com uma playlist inteira (que ainda não estão nela)",
        "help playlist export": "Todos os links do Spotify de uma playlist (um arquivo quando é longa)",
        "help reset": "Esquecer esta conversa",
        "help help": "O que este bot sabe fazer",
        "help addsong": "Admin: adicionar uma música ao catálogo",
        "help editsong": "Admin: alterar campos de uma música",
        "help delsong": "Admin: apagar uma música do catálogo",
        "add to playlist": "Adicionar à playlist", "like…": "Curtir…", "dislike…": "Não curtir…", "chart": "Gráfico",
        "using other artist": "Não há “{title}” de {artist} aqui — uso {quote}.",
        "using closest": "Não há correspondência exata para “{ref}” — uso a mais próxima: {quote}.",
        "quote": "“{title}” de {artist}",
        "unknown artist": "um artista desconhecido",
        "using links": "Uso {used}.",
        "link missing": "Esse link de música não está neste catálogo.",
        "links missing": "{n} dos links de músicas não estão neste catálogo.",
        "link track missing": ("Essa música do Spotify não está neste catálogo — mande o título e eu procuro, ou o nome de uma "
                "música."),
        "link invalid_id": ("Esse não é um id de música do Spotify válido — eles têm exatamente 22 letras e dígitos. Mande o link"
                " completo da música ou o nome dela."),
        "link short": ("É um link curto do Spotify e não consegui abri-lo. Mande o link completo da música (no Spotify: "
                "Compartilhar → Copiar link, ou o endereço open.spotify.com/track/… do navegador) ou o nome dela."),
        "link ignored": ("Esse link não é de uma música do Spotify — mande um link de música (open.spotify.com/track/…) ou o "
                "nome de uma música."),
        "link kind": "É um link de {noun} — mande um link de música ou o nome de uma música.",
        "noun album": "álbum",
        "noun playlist": "playlist",
        "noun artist": "artista",
        "noun episode": "episódio",
        "noun show": "programa",
        "noun user": "perfil de usuário",
        "next page": "Próxima página",
        "more like n": "Mais como #{n}",
        "more like this": "Mais como esta",
        "page": "Página {n}",
        "showing": "mostrando {n} de {total}",
        "below": "Abaixo: mais como uma música · próxima página · ➕ adicionar a uma playlist · 👍/👎",
        "results for": "Resultados para “{q}”",
        "recommendations": "Recomendações",
        "col title": "Título", "col artist": "Artista", "col year": "Ano", "col genre": "Gênero", "col why": "Por quê",
        "card album": "Álbum", "card released": "Lançamento", "card length": "Duração",
        "card popularity": "Popularidade", "card genres": "Gêneros", "card audio features": "Características de áudio",
        "field album": "álbum", "field released": "lançamento", "field popularity": "popularidade",
        "field duration": "duração", "field genres": "gêneros", "field playlists": "playlists",
        "field audio features": "características de áudio", "field no audio features": "sem características de áudio",
        "field danceability": "dançabilidade", "field energy": "energia", "field key": "tom",
        "field loudness": "volume", "field mode": "modo", "field speechiness": "fala",
        "field acousticness": "acusticidade", "field instrumentalness": "instrumentalidade",
        "field liveness": "ao vivo", "field valence": "valência", "field tempo": "andamento",
        "field spotify": "spotify",
    },
    "fr": {
        "count cap": "Tu as demandé {requested} ; j'en envoie au plus {limit} à la fois — {more} pour la page suivante.",
        "say more": "dis « encore »",
        "type more": "tape /more",
        "press next": "appuie sur « Page suivante »",
        "send or press": "envoie /more ou appuie sur « Page suivante »",
        "n tracks": "{n} morceaux",
        "no search match": "Aucun morceau ne correspond à « {q} ».",
        "no match": "Aucun morceau ne convient — essaie d'assouplir les filtres.",
        "no match short": "Aucun morceau ne convient — essaie une demande moins stricte.",
        "empty": "Il n'y a rien dans {what} — dis-moi ce que tu aimerais écouter, par exemple « musique calme pour "
                 "étudier ».",
        "too long": "{what} fait {n} caractères ; merci de rester sous {limit}.",
        "what message": "ton message", "what request": "ta demande", "what search": "ta recherche",
        "what song reference": "la référence du morceau",
        "not found": "Aucun morceau trouvé pour « {ref} ».",
        "not in catalog": "Ce morceau Spotify n'est pas dans ce catalogue ; essaie plutôt son titre.",
        "did you mean": " Tu voulais dire : {s} ?",
        "no item": "Il n'y a pas de #{n} dans la dernière liste.",
        "no item here": "Il n'y a pas de #{n} dans la dernière liste.",
        "unknown command": "Commande inconnue : /{name}.",
        "give a song": "Donne au moins un morceau, par exemple /similar Blinding Lights - The Weeknd",
        "slow down": "Doucement — réessaie dans {s} s.",
        "sorry": "Désolé, quelque chose s'est mal passé. Réessaie.",
        "fallback": "(le modèle de langage était indisponible ; réponse du modèle intégré)",
        "chart saved": "Graphique enregistré :",
        "cleared": "Conversation effacée.",
        "commands": "Commandes :",
        "help tail": "#N désigne l'élément N de la dernière liste. Ou dis-moi simplement ce que tu veux écouter.",
        "help recommend": "Des morceaux pour une humeur, une activité, un genre ou une époque",
        "help similar": "Des morceaux comme un ou plusieurs titres (sépare-les par ;)",
        "help search": "Chercher des morceaux par titre, artiste ou album",
        "help song": "Détails et caractéristiques audio d'un morceau",
        "help chart": "Un graphique : la dernière liste face à ce que tu as demandé, ou les caractéristiques audio d'un morceau",
        "help preview": "Un extrait de 30 secondes d'un morceau, quand il existe",
        "help like": "Aimer un morceau : tes recommandations s'en rapprochent",
        "help dislike": "Ne pas aimer un morceau : il ne te sera plus jamais proposé",
        "help more": "La page suivante de la dernière liste",
        "help playlists": "Les playlists partagées de ce groupe",
        "help playlist create": "Créer une nouvelle playlist partagée",
        "help playlist add": "Ajouter des morceaux à une playlist (sépare-les par ;)",
        "help playlist remove": "Retirer des morceaux d'une playlist",
        "help playlist show": "Afficher une playlist, dix morceaux par page",
        "help playlist rename": "Renommer une playlist (son créateur ou un admin du groupe)",
        "help playlist delete": "Supprimer une playlist (son créateur ou un admin du groupe)",
        "help playlist recommend": "Des morceaux qui vont avec toute une playlist (pas encore dedans)",
        "help playlist export": "Tous les liens Spotify d'une playlist (un fichier si elle est longue)",
        "help reset": "Oublier cette conversation",
        "help help": "Ce que ce bot sait faire",
        "help addsong": "Admin : ajouter un morceau au catalogue",
        "help editsong": "Admin : modifier des champs d'un morceau",
        "help delsong": "Admin : supprimer un morceau du catalogue",
        "add to playlist": "Ajouter à une playlist", "like…": "J'aime…", "dislike…": "Je n'aime pas…", "chart": "Graphique",
        "using other artist": "Pas de « {title} » de {artist} ici — j'utilise {quote}.",
        "using closest": "Aucune correspondance exacte pour « {ref} » — j'utilise la plus proche : {quote}.",
        "quote": "« {title} » de {artist}",
        "unknown artist": "un artiste inconnu",
        "using links": "J'utilise {used}.",
        "link missing": "Ce lien de morceau n'est pas dans ce catalogue.",
        "links missing": "{n} des liens de morceaux ne sont pas dans ce catalogue.",
        "link track missing": ("Ce morceau Spotify n'est pas dans ce catalogue — envoie son titre et je le cherche, ou le nom d'un "
                "morceau."),
        "link invalid_id": ("Ce n'est pas un id de morceau Spotify valide — ils font exactement 22 lettres et chiffres. Envoie le"
                " lien complet du morceau ou son nom."),
        "link short": ("C'est un lien court Spotify et je n'ai pas pu l'ouvrir. Envoie le lien complet du morceau (dans "
                "Spotify : Partager → Copier le lien, ou l'adresse open.spotify.com/track/… d'un navigateur) ou son "
                "nom."),
        "link ignored": ("Ce lien n'est pas un lien de morceau Spotify — envoie un lien de morceau (open.spotify.com/track/…) "
                "ou le nom d'un morceau."),
        "link kind": "C'est un lien {noun} — envoie un lien de morceau ou le nom d'un morceau.",
        "noun album": "d'album",
        "noun playlist": "de playlist",
        "noun artist": "d'artiste",
        "noun episode": "d'épisode",
        "noun show": "d'émission",
        "noun user": "de profil utilisateur",
        "next page": "Page suivante",
        "more like n": "Plus comme #{n}",
        "more like this": "Plus comme celui-ci",
        "page": "Page {n}",
        "showing": "{n} sur {total} affichés",
        "below": "Dessous : plus comme un morceau · page suivante · ➕ ajouter à une playlist · 👍/👎",
        "results for": "Résultats pour « {q} »",
        "recommendations": "Recommandations",
        "col title": "Titre", "col artist": "Artiste", "col year": "Année", "col genre": "Genre", "col why": "Pourquoi",
        "card album": "Album", "card released": "Sortie", "card length": "Durée",
        "card popularity": "Popularité", "card genres": "Genres", "card audio features": "Caractéristiques audio",
        "field album": "album", "field released": "sortie", "field popularity": "popularité",
        "field duration": "durée", "field genres": "genres", "field playlists": "playlists",
        "field audio features": "caractéristiques audio", "field no audio features": "aucune caractéristique audio",
        "field danceability": "dansabilité", "field energy": "énergie", "field key": "tonalité",
        "field loudness": "volume sonore", "field mode": "mode", "field speechiness": "parole",
        "field acousticness": "acoustique", "field instrumentalness": "instrumentalité", "field liveness": "live",
        "field valence": "valence", "field tempo": "tempo", "field spotify": "spotify",
    },
    "de": {
        "count cap": "Du wolltest {requested}; ich schicke höchstens {limit} auf einmal — {more} für die nächste Seite.",
        "say more": "sag „mehr“",
        "type more": "tippe /more",
        "press next": "drück „Nächste Seite“",
        "send or press": "schick /more oder drück „Nächste Seite“",
        "n tracks": "{n} Titel",
        "no search match": "Kein Titel passt zu „{q}“.",
        "no match": "Kein Titel passt — lockere die Filter ein wenig.",
        "no match short": "Kein Titel passt — versuch eine weniger strenge Anfrage.",
        "empty": "{what} ist leer — sag mir, was du hören möchtest, z. B. „ruhige Musik zum Lernen“.",
        "too long": "{what} hat {n} Zeichen; bitte bleib unter {limit}.",
        "what message": "deine Nachricht", "what request": "deine Anfrage", "what search": "deine Suche",
        "what song reference": "die Songangabe",
        "not found": "Kein Titel gefunden für „{ref}“.",
        "not in catalog": "Dieser Spotify-Titel ist nicht in diesem Katalog; versuch es mit seinem Titel.",
        "did you mean": " Meintest du: {s}?",
        "no item": "In der letzten Liste gibt es kein #{n}.",
        "no item here": "In der letzten Liste gibt es kein #{n}.",
        "unknown command": "Unbekannter Befehl /{name}.",
        "give a song": "Nenn mindestens einen Song, z. B. /similar Blinding Lights - The Weeknd",
        "slow down": "Langsamer — versuch es in {s} s noch einmal.",
        "sorry": "Entschuldige, da ist etwas schiefgelaufen. Bitte versuch es noch einmal.",
        "fallback": "(das Sprachmodell war nicht erreichbar; geantwortet hat das eingebaute Modell)",
        "chart saved": "Diagramm gespeichert:",
        "cleared": "Unterhaltung gelöscht.",
        "commands": "Befehle:",
        "help tail": "#N ist Eintrag N der letzten Liste. Oder sag mir einfach, was du hören willst.",
        "help recommend": "Titel für eine Stimmung, eine Aktivität, ein Genre oder eine Epoche",
        "help similar": "Titel wie ein oder mehrere Songs (mehrere mit ; trennen)",
        "help search": "Titel nach Name, Künstler oder Album suchen",
        "help song": "Details und Audio-Merkmale eines Titels",
        "help chart": "Ein Diagramm: die letzte Liste gegen deine Anfrage, oder die Audio-Merkmale eines Songs",
        "help preview": "Eine 30-Sekunden-Hörprobe eines Titels, wenn es eine gibt",
        "help like": "Einen Titel mögen: deine Empfehlungen richten sich danach",
        "help dislike": "Einen Titel nicht mögen: er wird dir nie wieder vorgeschlagen",
        "help more": "Die nächste Seite der letzten Liste",
        "help playlists": "Die gemeinsamen Playlists dieser Gruppe",
        "help playlist create": "Eine neue gemeinsame Playlist anlegen",
        "help playlist add": "Songs zu einer Playlist hinzufügen (mehrere mit ; trennen)",
        "help playlist remove": "Songs aus einer Playlist entfernen",
        "help playlist show": "Eine Playlist zeigen, zehn Titel pro Seite",
        "help playlist rename": "Eine Playlist umbenennen (wer sie angelegt hat oder ein Gruppen-Admin)",
        "help playlist delete": "Eine Playlist löschen (wer sie angelegt hat oder ein Gruppen-Admin)",
        "help playlist recommend": "Titel, die zu einer ganzen Playlist passen (noch nicht darin)",
        "help playlist export": "Alle Spotify-Links einer Playlist (als Datei, wenn sie lang ist)",
        "help reset": "Diese Unterhaltung vergessen",
        "help help": "Was dieser Bot kann",
        "help addsong": "Admin: einen Titel zum Katalog hinzufügen",
        "help editsong": "Admin: Felder eines Titels ändern",
        "help delsong": "Admin: einen Titel aus dem Katalog löschen",
        "add to playlist": "Zur Playlist hinzufügen", "like…": "Gefällt mir…", "dislike…": "Gefällt mir nicht…", "chart": "Diagramm",
        "using other artist": "Kein „{title}“ von {artist} hier — ich nehme {quote}.",
        "using closest": "Kein genauer Treffer für „{ref}“ — ich nehme den nächsten: {quote}.",
        "quote": "„{title}“ von {artist}",
        "unknown artist": "einem unbekannten Künstler",
        "using links": "Ich nehme {used}.",
        "link missing": "Dieser Titel-Link ist nicht in diesem Katalog.",
        "links missing": "{n} der Titel-Links sind nicht in diesem Katalog.",
        "link track missing": ("Dieser Spotify-Titel ist nicht in diesem Katalog — schick mir seinen Namen und ich suche ihn, oder "
                "einen Songnamen."),
        "link invalid_id": ("Das ist keine gültige Spotify-Titel-ID — sie hat genau 22 Buchstaben und Ziffern. Schick den ganzen "
                "Titel-Link oder den Songnamen."),
        "link short": ("Das ist ein Spotify-Kurzlink, den ich nicht öffnen konnte. Schick bitte den vollen Titel-Link (in "
                "Spotify: Teilen → Link kopieren, oder die Adresse open.spotify.com/track/… aus dem Browser) oder den"
                " Songnamen."),
        "link ignored": ("Dieser Link ist kein Spotify-Titel-Link — schick einen Titel-Link (open.spotify.com/track/…) oder "
                "einen Songnamen."),
        "link kind": "Das ist ein {noun}-Link — schick einen Titel-Link oder einen Songnamen.",
        "noun album": "Album",
        "noun playlist": "Playlist",
        "noun artist": "Künstler",
        "noun episode": "Episoden",
        "noun show": "Show",
        "noun user": "Profil",
        "next page": "Nächste Seite",
        "more like n": "Mehr wie #{n}",
        "more like this": "Mehr wie dieser",
        "page": "Seite {n}",
        "showing": "{n} von {total} angezeigt",
        "below": "Darunter: mehr wie ein Titel · nächste Seite · ➕ zu einer Playlist · 👍/👎",
        "results for": "Ergebnisse für „{q}“",
        "recommendations": "Empfehlungen",
        "col title": "Titel", "col artist": "Künstler", "col year": "Jahr", "col genre": "Genre", "col why": "Warum",
        "card album": "Album", "card released": "Veröffentlicht", "card length": "Dauer",
        "card popularity": "Beliebtheit", "card genres": "Genres", "card audio features": "Audio-Merkmale",
        "field album": "Album", "field released": "veröffentlicht", "field popularity": "Beliebtheit",
        "field duration": "Dauer", "field genres": "Genres", "field playlists": "Playlists",
        "field audio features": "Audio-Merkmale", "field no audio features": "keine Audio-Merkmale",
        "field danceability": "Tanzbarkeit", "field energy": "Energie", "field key": "Tonart",
        "field loudness": "Lautstärke", "field mode": "Tongeschlecht", "field speechiness": "Sprechanteil",
        "field acousticness": "Akustik", "field instrumentalness": "Instrumentalanteil",
        "field liveness": "Live-Anteil", "field valence": "Valenz", "field tempo": "Tempo",
        "field spotify": "spotify",
    },
}

#: Thousands separator per language ("5,000" / "5.000" / "5 000").
_THOUSANDS = {"en": ",", "es": ".", "pt": ".", "fr": "\u202f", "de": "."}


def say(key: str, lang: str = "en", **fields: Any) -> str:
    """The line ``key`` of :data:`REPLY_WORDS` in ``lang`` with ``fields`` filled in (``str.format``); English for a
    language without a table or a key the language lacks.

    Raises:
        KeyError: ``key`` is not in the English table, or a field the template names is missing.
    """
    table = REPLY_WORDS.get(lang, REPLY_WORDS["en"])
    return table.get(key, REPLY_WORDS["en"][key]).format(**fields)


def count(n: int, lang: str = "en") -> str:
    """``n`` with the language's thousands separator: ``5,000`` (en), ``5.000`` (es, pt, de), ``5 000`` (fr)."""
    return f"{n:,}".replace(",", _THOUSANDS.get(lang, ","))


def invalid(key: str, field: str | None = None, **fields: Any) -> InvalidInput:
    """An :class:`~core.errors.InvalidInput` whose message is :func:`say` of ``key`` in English and which carries
    ``key`` and ``fields`` so :func:`error_text` can word it in the conversation's language. A ``what`` field names
    a ``"what …"`` key ("message", "request", "search", "song reference"); ``n`` / ``limit`` are ints."""
    exc = InvalidInput(_worded(key, "en", fields), field)
    exc.key, exc.fields = key, fields  # type: ignore[attr-defined]
    return exc


def _worded(key: str, lang: str, fields: dict[str, Any]) -> str:
    shown = dict(fields)
    if "what" in shown:
        what = f"what {shown['what']}"
        shown["what"] = REPLY_WORDS.get(lang, {}).get(what) or REPLY_WORDS["en"].get(what, str(shown["what"]))
    for name in ("n", "limit"):
        if isinstance(shown.get(name), int):
            shown[name] = count(shown[name], lang)
    text = say(key, lang, **shown)
    return text[:1].upper() + text[1:]


def error_text(exc: MusicBotError, lang: str = "en") -> str:
    """The user-facing message of ``exc`` in ``lang``: ``str(exc)`` in English (and for errors this table has no
    wording for); :class:`~core.errors.SongNotFound` from its ``ref`` / ``suggestions`` / ``reason``, an error
    raised through :func:`invalid` from its key and fields, "There is no #N in the last list" from the number."""
    if lang == "en" or lang not in REPLY_WORDS:
        return str(exc)
    if isinstance(exc, SongNotFound):
        return _not_found(exc, lang)
    if isinstance(exc, NotATrackLink):
        return link_text(exc.kind, lang)
    key = getattr(exc, "key", "")
    if key:
        return _worded(key, lang, getattr(exc, "fields", {}))
    return str(exc)


def link_text(kind: str, lang: str = "en") -> str:
    """The reply for a reference that is not a usable track link (:data:`core.spotify_links.LinkKind`) in ``lang``:
    "That's an album link — send a track link or a song name." (the link itself is never echoed)."""
    if f"link {kind}" in REPLY_WORDS["en"]:
        return say(f"link {kind}", lang)
    noun = say(f"noun {kind}", lang) if f"noun {kind}" in REPLY_WORDS["en"] else kind
    article = "an" if noun[:1] in "aeio" else "a"  # English: "a user profile", by sound, not by letter
    return say("link kind", lang, article=article, noun=noun)


def _pattern(key: str) -> re.Pattern[str]:
    """The English template ``key`` as a regex whose named groups are its fields (to reword a line made from it)."""
    parts = re.split(r"\{(\w+)\}", REPLY_WORDS["en"][key])
    return re.compile("".join(re.escape(p) if i % 2 == 0 else f"(?P<{p}>.+?)" for i, p in enumerate(parts)))


def localize_note(note: str, lang: str) -> str:
    """A first-line note of :class:`core.references.TrackReferences` ("No “Yellow” by Drake here — using “Yellow” by
    Coldplay.", "No exact match for “…” — using the closest: …") in ``lang``, same titles and names; other notes,
    and every note in English, unchanged."""
    if lang == "en" or lang not in REPLY_WORDS:
        return note
    for key in ("using other artist", "using closest"):
        m = _pattern(key).fullmatch(note)
        if m is None:
            continue
        fields = m.groupdict()
        q = _pattern("quote").fullmatch(fields["quote"])
        if q is not None:
            artist = q["artist"] if q["artist"] != say("unknown artist") else say("unknown artist", lang)
            fields["quote"] = say("quote", lang, title=q["title"], artist=artist)
        return say(key, lang, **fields)
    return note


def _not_found(exc: SongNotFound, lang: str) -> str:
    shown = " ".join(str(exc.ref).split())
    shown = shown if len(shown) <= 120 else shown[:119] + "…"
    english = str(exc)
    text = say("not found", lang, ref=shown)
    if say("not in catalog", "en") in english:
        text += " " + say("not in catalog", lang)
    if exc.suggestions:
        text += say("did you mean", lang, s="; ".join(exc.suggestions))
    return text


__all__ = ["LANGS", "REPLY_WORDS", "count", "error_text", "invalid", "link_text", "localize_note", "say"]
