"""A fake Telegram Bot API server on 127.0.0.1 (aiohttp.web) for end-to-end tests of the real PTB Application.

PTB calls ``base_url + token + "/" + method`` (form-encoded; non-string values JSON-encoded), so pointing
``TELEGRAM_API_BASE_URL`` at :attr:`FakeBotApi.base_url` runs polling, commands, callbacks and inline queries over
real HTTP. Like Telegram, the fake checks what it is sent: HTML parse mode (only Telegram's tags, escaped ``<``,
``>``, ``&``, balanced tags), message length (4,096 UTF-16 units after parsing), captions (1,024), ``callback_data``
(1–64 bytes), at most 100 buttons and 8 per row, command names (``[a-z0-9_]{1,32}``), known chats and callback/inline
query ids — and answers 400 like Telegram does. :meth:`FakeBotApi.flood` makes it answer 429 with
``parameters.retry_after`` like Telegram's flood control. Files (``sendDocument``, ``sendPhoto``: a PNG/JPEG of at most
10 MB, width + height ≤ 10,000, side ratio ≤ 20) arrive as multipart uploads and are kept
in the call's params as ``{"filename", "content", "content_type"}``. ``getChatMember`` answers from
:attr:`FakeBotApi.chat_roles` (``member`` by default).

Tests push updates with :meth:`push_message`, :meth:`push_callback`, :meth:`push_inline` and wait for the bot's
calls with :meth:`wait_for`.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import re
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

#: Tags Telegram accepts in HTML parse mode (https://core.telegram.org/bots/api#html-style).
TELEGRAM_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre", "span", "tg-spoiler",
    "tg-emoji", "blockquote",
}
JSON_PARAMS = {
    "reply_markup", "commands", "scope", "results", "link_preview_options", "reply_parameters", "entities",
    "allowed_updates", "button",
}
INT_PARAMS = {"chat_id", "message_id", "offset", "limit", "timeout", "cache_time", "user_id"}
_COMMAND_NAME = re.compile(r"^[a-z0-9_]{1,32}$")
_HTML_TOKEN = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)>|&(#\d+|#x[0-9a-fA-F]+|lt|gt|amp|quot);|([<>&])")


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG (IHDR) or JPEG (first SOF marker) upload.

    Raises:
        ApiError: 400 ``IMAGE_PROCESS_FAILED`` for anything else, as Telegram answers an undecodable photo.
    """
    if data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR" and len(data) >= 24:
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                break
            marker, length = data[i + 1], int.from_bytes(data[i + 2 : i + 4], "big")
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                return int.from_bytes(data[i + 7 : i + 9], "big"), int.from_bytes(data[i + 5 : i + 7], "big")
            i += 2 + length
    raise ApiError(400, "Bad Request: IMAGE_PROCESS_FAILED")


class ApiError(Exception):
    """A Bot API error answer (HTTP status = error_code; ``parameters`` e.g. ``{"retry_after": 5}``)."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code, self.description, self.parameters = code, description, parameters


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units (Telegram's unit for lengths and entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def parse_telegram_html(text: str) -> str:
    """Validate Telegram HTML like the Bot API does and return the plain text.

    Raises:
        ApiError: 400 "can't parse entities" for an unsupported tag, an unclosed/mismatched tag, a bare ``<``,
        ``>`` or ``&``, or an ``<a>`` without ``href``.
    """
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    for m in _HTML_TOKEN.finditer(text):
        out.append(text[pos : m.start()])
        pos = m.end()
        closing, tag, attrs, entity, bare = m.groups()
        if bare:
            raise ApiError(400, f"Bad Request: can't parse entities: unescaped {bare!r} at byte offset {m.start()}")
        if entity:
            out.append(html.unescape(f"&{entity};"))
            continue
        tag = tag.lower()
        if tag not in TELEGRAM_TAGS:
            raise ApiError(400, f"Bad Request: can't parse entities: Unsupported start tag \"{tag}\" at byte offset {m.start()}")
        if closing:
            if not stack or stack[-1] != tag:
                raise ApiError(400, f"Bad Request: can't parse entities: Unmatched end tag at byte offset {m.start()}, expected \"</{stack[-1] if stack else ''}>\", found \"</{tag}>\"")
            stack.pop()
        else:
            if tag == "a" and not re.search(r'href\s*=\s*"[^"]*"', attrs or ""):
                raise ApiError(400, "Bad Request: can't parse entities: <a> without href")
            stack.append(tag)
    out.append(text[pos:])
    if stack:
        raise ApiError(400, f"Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"{stack[-1]}\"")
    return "".join(out)


@dataclass
class Call:
    """One request the bot made: method name (as sent), decoded params, the result returned, order index."""

    index: int
    method: str
    params: dict[str, Any]
    result: Any = None
    error: str | None = None
    at: float = field(default_factory=time.monotonic)


class FakeBotApi:
    """The fake server. ``async with FakeBotApi() as api: ... api.base_url ...``."""

    def __init__(self, token: str = "123456789:AAFakeTokenForTests_abcdefghijklmno", username: str = "music_test_bot") -> None:
        self.token = token
        self.bot_user = {
            "id": 7000001, "is_bot": True, "first_name": "Music Test Bot", "username": username,
            "can_join_groups": True, "can_read_all_group_messages": False, "supports_inline_queries": True,
        }
        self.calls: list[Call] = []
        self.updates: list[dict[str, Any]] = []
        self.chats: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.callback_ids: dict[str, bool] = {}  # id -> answered
        self.inline_ids: dict[str, bool] = {}
        self.fail_scope_chats: set[int] = set()
        self.chat_roles: dict[tuple[int, int], str] = {}  # (chat id, user id) -> creator | administrator | member
        self.webhook: dict[str, Any] | None = None
        self.floods: dict[str, list[int]] = {}  # method (lower case) -> retry_after of the next 429 answers
        self._update_id = 1000
        self._message_id = 1
        self._cond: asyncio.Condition | None = None
        self._runner: web.AppRunner | None = None
        self.port = 0
        self.closing = False

    # ------------------------------------------------------------------------------------------ lifecycle
    @property
    def base_url(self) -> str:
        """Value for ``TELEGRAM_API_BASE_URL`` (PTB appends the token and ``/method``)."""
        return f"http://127.0.0.1:{self.port}/bot"

    async def start(self) -> FakeBotApi:
        self._cond = asyncio.Condition()
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        self.closing = True
        await self._notify()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _notify(self) -> None:
        if self._cond is not None:
            async with self._cond:
                self._cond.notify_all()

    # ------------------------------------------------------------------------------------------ HTTP
    async def _params(self, request: web.Request) -> dict[str, Any]:
        raw: dict[str, Any] = dict(request.query)
        ctype = request.content_type
        if ctype == "application/json":
            body = await request.json()
            raw.update(body if isinstance(body, dict) else {})
        elif request.can_read_body:
            form = await request.post()
            for k, v in form.items():
                if isinstance(v, str):
                    raw[k] = v
                elif isinstance(v, web.FileField):
                    params_file = {"filename": v.filename, "content": v.file.read(), "content_type": v.content_type}
                    raw[k] = params_file
        params: dict[str, Any] = {}
        for key, value in raw.items():
            if isinstance(value, str) and key in JSON_PARAMS:
                value = json.loads(value)
            elif isinstance(value, str) and key in INT_PARAMS and re.fullmatch(r"-?\d+", value):
                value = int(value)
            elif isinstance(value, str) and value in ("true", "false"):
                value = value == "true"
            params[key] = value
        return params

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response({"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401)
        method = request.match_info["method"]
        params = await self._params(request)
        handler = getattr(self, "api_" + method.lower(), None)
        call = Call(len(self.calls), method, params)
        if method.lower() != "getupdates":
            self.calls.append(call)
        try:
            if handler is None:
                raise ApiError(404, "Not Found: method not found")
            pending = self.floods.get(method.lower())
            if pending:
                wait = pending.pop(0)
                raise ApiError(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
            result = await handler(params)
        except ApiError as exc:
            call.error = exc.description
            await self._notify()
            body: dict[str, Any] = {"ok": False, "error_code": exc.code, "description": exc.description}
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.code)
        call.result = result
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    # ------------------------------------------------------------------------------------------ API methods
    async def api_getme(self, p: dict[str, Any]) -> dict[str, Any]:
        return self.bot_user

    async def api_deletewebhook(self, p: dict[str, Any]) -> bool:
        return True

    async def api_getwebhookinfo(self, p: dict[str, Any]) -> dict[str, Any]:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": len(self.updates)}

    async def api_close(self, p: dict[str, Any]) -> bool:
        return True

    async def api_setwebhook(self, p: dict[str, Any]) -> bool:
        if not str(p.get("url", "")).startswith("https://"):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = p
        return True

    async def api_getupdates(self, p: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(p.get("offset") or 0)
        limit = int(p.get("limit") or 100)
        timeout = min(float(p.get("timeout") or 0), 2.0)
        deadline = time.monotonic() + timeout
        assert self._cond is not None
        async with self._cond:
            while True:
                self.updates = [u for u in self.updates if u["update_id"] >= offset]
                if self.updates or self.closing:
                    return self.updates[:limit]
                left = deadline - time.monotonic()
                if left <= 0:
                    return []
                try:
                    await asyncio.wait_for(self._cond.wait(), left)
                except TimeoutError:
                    return []

    async def api_setmycommands(self, p: dict[str, Any]) -> bool:
        commands = p.get("commands")
        if not isinstance(commands, list) or not commands or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a non-empty list of at most 100 commands")
        for c in commands:
            if not _COMMAND_NAME.match(c.get("command", "")):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(c.get("description", "")) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        scope = p.get("scope") or {"type": "default"}
        if scope.get("type") == "chat" and int(scope.get("chat_id", 0)) in self.fail_scope_chats:
            raise ApiError(400, "Bad Request: chat not found")
        return True

    async def api_deletemycommands(self, p: dict[str, Any]) -> bool:
        return True

    async def api_sendchataction(self, p: dict[str, Any]) -> bool:
        self._chat(p)
        return True

    def _chat(self, p: dict[str, Any]) -> dict[str, Any]:
        chat_id = p.get("chat_id")
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self.chats[chat_id]

    @staticmethod
    def _check_markup(markup: Any) -> None:
        if not markup:
            return
        rows = markup.get("inline_keyboard", [])
        if sum(len(r) for r in rows) > 100 or any(len(r) > 8 for r in rows):
            raise ApiError(400, "Bad Request: REPLY_MARKUP_TOO_LONG")
        for row in rows:
            for button in row:
                if not button.get("text"):
                    raise ApiError(400, "Bad Request: text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    @staticmethod
    def _plain(p: dict[str, Any], key: str = "text", limit: int = 4096) -> str:
        text = p.get(key)
        if not isinstance(text, str):
            raise ApiError(400, f"Bad Request: {key} is missing")
        plain = parse_telegram_html(text) if str(p.get("parse_mode", "")).upper() == "HTML" else text
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > limit:
            raise ApiError(400, "Bad Request: message is too long")
        return plain

    async def api_sendmessage(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        plain = self._plain(p)
        self._check_markup(p.get("reply_markup"))
        msg = {
            "message_id": self._message_id, "date": int(time.time()), "chat": chat, "from": self.bot_user,
            "text": plain,
        }
        if p.get("reply_markup"):
            msg["reply_markup"] = p["reply_markup"]
        self._message_id += 1
        self.messages[(chat["id"], msg["message_id"])] = {**msg, "html": p["text"]}
        return msg

    async def api_sendaudio(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        audio = p.get("audio")
        if not isinstance(audio, str) or not audio.startswith(("http://", "https://")):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if "fail" in audio:
            raise ApiError(400, "Bad Request: failed to get HTTP URL content")
        caption = self._plain({"text": p.get("caption", " "), "parse_mode": p.get("parse_mode")}, limit=1024)
        msg = {
            "message_id": self._message_id, "date": int(time.time()), "chat": chat, "from": self.bot_user,
            "audio": {"file_id": "AQAD", "file_unique_id": "u1", "duration": 30}, "caption": caption,
        }
        self._message_id += 1
        self.messages[(chat["id"], msg["message_id"])] = {**msg, "html": p.get("caption", "")}
        return msg

    async def api_editmessagetext(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        key = (chat["id"], p.get("message_id"))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        plain = self._plain(p)
        self._check_markup(p.get("reply_markup"))
        old = self.messages[key]
        if old["html"] == p["text"] and old.get("reply_markup") == p.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        msg = {**{k: v for k, v in old.items() if k not in ("html", "reply_markup")}, "text": plain, "edit_date": int(time.time())}
        if p.get("reply_markup"):
            msg["reply_markup"] = p["reply_markup"]
        self.messages[key] = {**msg, "html": p["text"]}
        return msg

    async def api_senddocument(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        doc = p.get("document")
        if not isinstance(doc, dict) or not doc.get("content"):
            raise ApiError(400, "Bad Request: file must be non-empty")
        if len(doc["content"]) > 50 * 1024 * 1024:
            raise ApiError(413, "Request Entity Too Large")
        caption = self._plain({"text": p.get("caption", " "), "parse_mode": p.get("parse_mode")}, limit=1024) if p.get("caption") else ""
        msg = {
            "message_id": self._message_id, "date": int(time.time()), "chat": chat, "from": self.bot_user,
            "document": {"file_id": "BQAD", "file_unique_id": f"d{self._message_id}", "file_name": doc.get("filename"),
                         "mime_type": doc.get("content_type"), "file_size": len(doc["content"])},
            "caption": caption,
        }
        self._message_id += 1
        self.messages[(chat["id"], msg["message_id"])] = {**msg, "html": p.get("caption", "")}
        return msg

    async def api_sendphoto(self, p: dict[str, Any]) -> dict[str, Any]:
        """``sendPhoto`` as Telegram checks it: an uploaded file (multipart) of at most 10 MB that is a PNG or JPEG
        whose width + height is at most 10,000 and whose side ratio is at most 20; caption at most 1,024 characters
        after parsing; keyboard limits. A string ``photo`` must be an http(s) URL or a file id."""
        chat = self._chat(p)
        photo = p.get("photo")
        if isinstance(photo, dict):
            data = photo.get("content") or b""
            if not data:
                raise ApiError(400, "Bad Request: file must be non-empty")
            if len(data) > 10 * 1024 * 1024:
                raise ApiError(400, "Bad Request: file is too big")
            width, height = image_size(data)
            if width + height > 10_000 or max(width, height) > 20 * min(width, height):
                raise ApiError(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        elif not isinstance(photo, str) or not photo:
            raise ApiError(400, "Bad Request: there is no photo in the request")
        else:
            width, height, data = 800, 600, b""
        self._check_markup(p.get("reply_markup"))
        caption = self._plain({"text": p.get("caption", " "), "parse_mode": p.get("parse_mode")}, limit=1024) if p.get("caption") else ""
        sizes = [{"file_id": f"AgAD{self._message_id}{i}", "file_unique_id": f"p{self._message_id}{i}",
                  "width": max(1, width // d), "height": max(1, height // d), "file_size": len(data) // d}
                 for i, d in enumerate((4, 2, 1))]
        msg = {"message_id": self._message_id, "date": int(time.time()), "chat": chat, "from": self.bot_user,
               "photo": sizes, "caption": caption}
        if p.get("reply_markup"):
            msg["reply_markup"] = p["reply_markup"]
        self._message_id += 1
        self.messages[(chat["id"], msg["message_id"])] = {**msg, "html": p.get("caption", "")}
        return msg

    async def api_editmessagereplymarkup(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        key = (chat["id"], p.get("message_id"))
        if key not in self.messages:
            raise ApiError(400, "Bad Request: message to edit not found")
        self._check_markup(p.get("reply_markup"))
        old = self.messages[key]
        if old.get("reply_markup") == p.get("reply_markup"):
            raise ApiError(400, "Bad Request: message is not modified")
        msg = {k: v for k, v in old.items() if k not in ("html", "reply_markup")}
        if p.get("reply_markup"):
            msg["reply_markup"] = p["reply_markup"]
        self.messages[key] = {**msg, "html": old["html"]}
        return msg

    async def api_getchatmember(self, p: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(p)
        user_id = p.get("user_id")
        if not isinstance(user_id, int):
            raise ApiError(400, "Bad Request: invalid user_id specified")
        status = "creator" if chat["type"] == "private" and user_id == chat["id"] else self.chat_roles.get((chat["id"], user_id), "member")
        user = self.user(user_id)
        if status == "creator":
            return {"status": "creator", "user": user, "is_anonymous": False}
        if status == "administrator":
            rights = ("can_be_edited", "is_anonymous", "can_manage_chat", "can_delete_messages", "can_manage_video_chats",
                      "can_restrict_members", "can_promote_members", "can_change_info", "can_invite_users",
                      "can_post_stories", "can_edit_stories", "can_delete_stories")
            return {"status": "administrator", "user": user, **{r: r not in ("can_be_edited", "is_anonymous") for r in rights}}
        return {"status": "member", "user": user}

    async def api_answercallbackquery(self, p: dict[str, Any]) -> bool:
        qid = p.get("callback_query_id")
        if qid not in self.callback_ids:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if self.callback_ids[qid]:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(p.get("text") or "") > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self.callback_ids[qid] = True
        return True

    async def api_answerinlinequery(self, p: dict[str, Any]) -> bool:
        qid = p.get("inline_query_id")
        if qid not in self.inline_ids or self.inline_ids[qid]:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        results = p.get("results")
        if not isinstance(results, list) or len(results) > 50:
            raise ApiError(400, "Bad Request: RESULTS_TOO_MUCH")
        ids = [r.get("id", "") for r in results]
        if len(set(ids)) != len(ids) or any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        for r in results:
            content = r.get("input_message_content") or {}
            self._plain({"text": content.get("message_text"), "parse_mode": content.get("parse_mode")})
            if not r.get("title"):
                raise ApiError(400, "Bad Request: RESULT_TITLE_EMPTY")
        self.inline_ids[qid] = True
        return True

    # ------------------------------------------------------------------------------------------ test helpers
    def flood(self, method: str, times: int = 1, retry_after: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with 429 "Too Many Requests" and
        ``parameters.retry_after`` (seconds), as Telegram does under flood control."""
        self.floods.setdefault(method.lower(), []).extend([retry_after] * times)

    def rejected(self, method: str, since: int = 0, code: str = "Too Many Requests") -> list[Call]:
        """Calls of ``method`` the fake refused with an error containing ``code``."""
        return [c for c in self.calls[since:] if c.method.lower() == method.lower() and c.error and code in c.error]

    def add_chat(self, chat_id: int, chat_type: str = "private", title: str = "Test group", first_name: str = "Tester") -> dict[str, Any]:
        """Register a chat (Telegram answers "chat not found" for chats the bot has never seen)."""
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": first_name}
        else:
            chat = {"id": chat_id, "type": chat_type, "title": title}
        self.chats[chat_id] = chat
        return chat

    @staticmethod
    def user(user_id: int, first_name: str = "Tester") -> dict[str, Any]:
        return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}

    def _entities(self, text: str) -> list[dict[str, Any]]:
        ents: list[dict[str, Any]] = []
        m = re.match(r"/[A-Za-z0-9_]+(?:@\w+)?", text)
        if m:
            ents.append({"type": "bot_command", "offset": 0, "length": utf16_len(m.group())})
        for m in re.finditer(r"(?<![\w/])@\w{3,}", text):
            ents.append({"type": "mention", "offset": utf16_len(text[: m.start()]), "length": utf16_len(m.group())})
        return ents

    async def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update (``update_id`` is assigned)."""
        self._update_id += 1
        update = {"update_id": self._update_id, **update}
        self.updates.append(update)
        await self._notify()
        return update

    async def push_message(
        self,
        text: str,
        *,
        user_id: int = 501,
        chat_id: int | None = None,
        chat_type: str = "private",
        reply_to: dict[str, Any] | None = None,
        via_bot: bool = False,
    ) -> dict[str, Any]:
        """A user's text message (command and @mention entities are added as Telegram would). Returns it."""
        chat_id = user_id if chat_id is None else chat_id
        chat = self.chats.get(chat_id) or self.add_chat(chat_id, chat_type)
        msg: dict[str, Any] = {
            "message_id": self._message_id, "date": int(time.time()), "chat": chat, "from": self.user(user_id),
            "text": text,
        }
        self._message_id += 1
        ents = self._entities(text)
        if ents:
            msg["entities"] = ents
        if reply_to is not None:
            msg["reply_to_message"] = {k: v for k, v in reply_to.items() if k != "html"}
        if via_bot:
            msg["via_bot"] = self.bot_user
        await self.push({"message": msg})
        return msg

    async def push_callback(self, message: dict[str, Any], data: str, user_id: int = 501) -> str:
        """A press on an inline keyboard button of ``message`` (a message the bot sent). Returns the query id."""
        qid = f"cq{self._update_id + 1}"
        self.callback_ids[qid] = False
        msg = {k: v for k, v in self.messages.get((message["chat"]["id"], message["message_id"]), message).items() if k != "html"}
        await self.push({"callback_query": {"id": qid, "from": self.user(user_id), "message": msg,
                                            "chat_instance": "ci-1", "data": data}})
        return qid

    async def push_inline(self, query: str, user_id: int = 501) -> str:
        """An inline query ``@bot <query>``. Returns its id."""
        qid = f"iq{self._update_id + 1}"
        self.inline_ids[qid] = False
        await self.push({"inline_query": {"id": qid, "from": self.user(user_id), "query": query, "offset": "",
                                          "chat_type": "sender"}})
        return qid

    def find(self, method: str, since: int = 0, **match: Any) -> list[Call]:
        """Successful calls of ``method`` (case-insensitive) from index ``since`` whose params contain ``match``."""
        return [
            c for c in self.calls[since:]
            if c.method.lower() == method.lower() and c.error is None
            and all(c.params.get(k) == v for k, v in match.items())
        ]

    async def wait_for(self, method: str, since: int = 0, count: int = 1, timeout: float = 10.0, **match: Any) -> list[Call]:
        """Wait until ``count`` successful calls of ``method`` matching ``match`` happened after ``since``."""
        assert self._cond is not None
        deadline = time.monotonic() + timeout
        async with self._cond:
            while True:
                found = self.find(method, since, **match)
                if len(found) >= count:
                    return found
                failed = [c for c in self.calls[since:] if c.error]
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(
                        f"timed out waiting for {count}× {method} {match or ''}; calls: "
                        + ", ".join(c.method for c in self.calls[since:])
                        + (f"; errors: {[c.error for c in failed]}" if failed else "")
                    )
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._cond.wait(), left)

    def mark(self) -> int:
        """Index to pass as ``since`` to only see calls made from now on."""
        return len(self.calls)

    def errors(self, since: int = 0) -> list[Call]:
        """Calls the fake rejected (a correct bot makes none)."""
        return [c for c in self.calls[since:] if c.error]

    def message(self, call: Call) -> dict[str, Any]:
        """The stored message (with its raw ``html``) a sendMessage/editMessageText call produced."""
        return self.messages[(call.result["chat"]["id"], call.result["message_id"])]
