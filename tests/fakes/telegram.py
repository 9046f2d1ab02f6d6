"""A fake Telegram Bot API server for end-to-end tests (aiohttp on 127.0.0.1).

aiogram talks to it over real HTTP through TELEGRAM_API_URL. It queues updates for getUpdates,
records every method call, returns realistic results, and can be told to answer 429, a 5xx, any other
error (a 404, a refusal, a proxy's HTML page instead of JSON), stall, or treat a group as upgraded to a
supergroup.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from http import HTTPStatus
from typing import Any

import aiohttp
from aiohttp import web

BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Leadbot", "username": "leadbot_test_bot"}
WAIT_TIMEOUT = 10.0


@dataclass
class Call:
    method: str
    params: dict[str, Any]
    at: float = field(default_factory=time.monotonic)
    result: Any = None
    failed: bool = False
    seq: int = -1

    @property
    def chat_id(self) -> int | None:
        value = self.params.get("chat_id")
        return int(value) if value is not None else None

    @property
    def text(self) -> str:
        return str(self.params.get("text") or self.params.get("caption") or "")

    @property
    def buttons(self) -> list[dict[str, Any]]:
        markup = self.params.get("reply_markup") or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]

    @property
    def labels(self) -> str:
        """The texts of all its buttons, in one line."""
        return " ".join(button["text"] for button in self.buttons)

    def button(self, word: str) -> dict[str, Any]:
        for button in self.buttons:
            if word in button["text"]:
                return button
        raise AssertionError(f"no button with {word!r} in {[b['text'] for b in self.buttons]}")


@dataclass(frozen=True)
class Message:
    """A message as it stands in its chat now: what the bot sent, after all its edits."""

    raw: dict[str, Any]

    @property
    def chat_id(self) -> int:
        return int(self.raw["chat"]["id"])

    @property
    def message_id(self) -> int:
        return int(self.raw["message_id"])

    @property
    def text(self) -> str:
        return str(self.raw.get("text") or self.raw.get("caption") or "")

    @property
    def rows(self) -> list[list[dict[str, Any]]]:
        rows: list[list[dict[str, Any]]] = (self.raw.get("reply_markup") or {}).get("inline_keyboard", [])
        return rows

    @property
    def buttons(self) -> list[dict[str, Any]]:
        return [button for row in self.rows for button in row]

    @property
    def labels(self) -> str:
        """The texts of all its buttons, in one line."""
        return " ".join(button["text"] for button in self.buttons)


@dataclass
class Fault:
    method: str
    status: int
    retry_after: int | None = None
    stall: float = 0.0
    description: str | None = None
    html: bool = False  # a proxy's error page instead of the Bot API's JSON
    after: int = 0  # calls of the method that succeed before this one fails


@dataclass(frozen=True)
class User:
    id: int
    first_name: str
    language_code: str = "ru"
    username: str | None = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        data["language_code"] = self.language_code
        if self.username:
            data["username"] = self.username
        return data


def _chat(chat_id: int, title: str = "Sales team") -> dict[str, Any]:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "user"}
    return {"id": chat_id, "type": "supergroup", "title": title}


def _decode(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class FakeTelegram:
    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._query_ids = itertools.count(1)
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._faults: deque[Fault] = deque()
        self._changed = asyncio.Condition()
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.webhook: str | None = None
        self.webhook_secret: str | None = None
        self.files: dict[str, bytes] = {}
        self.upgraded: dict[int, int] = {}  # group id -> the supergroup it became
        self._last_action = 0  # the call log's length when a person last sent or pressed something

    # --- lifecycle ------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"
        return self.base_url

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    # --- behaviour control ----------------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = 500,
        *,
        retry_after: int | None = None,
        times: int = 1,
        description: str | None = None,
        html: bool = False,
        after: int = 0,
    ) -> None:
        for _ in range(times):
            self._faults.append(
                Fault(method, status, retry_after, description=description, html=html, after=after)
            )

    def upgrade_group(self, group_id: int, supergroup_id: int) -> None:
        """From now on the group answers every call as Telegram does for a group that became a supergroup."""
        self.upgraded[group_id] = supergroup_id

    def stall_next(self, method: str, seconds: float) -> None:
        self._faults.append(Fault(method, 200, stall=seconds))

    # --- updates --------------------------------------------------------------------------------

    def _next_message_id(self, chat_id: int) -> int:
        return next(self._message_ids.setdefault(chat_id, itertools.count(1)))

    def person(self, user: User) -> Person:
        """Someone who talks to the bot through this fake Telegram."""
        return Person(self, user)

    async def _push(self, update: dict[str, Any]) -> dict[str, Any]:
        self._last_action = len(self.calls)
        update["update_id"] = next(self._update_ids)
        if self.webhook:
            await self.post_to_webhook(update)
            return update
        async with self._changed:
            self._updates.append(update)
            self._changed.notify_all()
        return update

    async def send_message(
        self, user: User, text: str, *, chat_id: int | None = None, **extra: Any
    ) -> dict[str, Any]:
        chat = chat_id if chat_id is not None else user.id
        message = {
            "message_id": self._next_message_id(chat),
            "date": int(time.time()),
            "chat": _chat(chat),
            "from": user.as_dict(),
            "text": text,
            **extra,
        }
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        await self._push({"message": message})
        return message

    async def send_contact(
        self, user: User, phone: str, first_name: str, last_name: str | None = None
    ) -> None:
        contact = {"phone_number": phone, "first_name": first_name}
        if last_name:
            contact["last_name"] = last_name
        message = {
            "message_id": self._next_message_id(user.id),
            "date": int(time.time()),
            "chat": _chat(user.id),
            "from": user.as_dict(),
            "contact": contact,
        }
        await self._push({"message": message})

    async def send_document(self, user: User, filename: str, data: bytes) -> None:
        file_id = f"file{len(self.files) + 1}"
        self.files[file_id] = data
        message = {
            "message_id": self._next_message_id(user.id),
            "date": int(time.time()),
            "chat": _chat(user.id),
            "from": user.as_dict(),
            "document": {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_name": filename,
                "file_size": len(data),
            },
        }
        await self._push({"message": message})

    async def _download(self, request: web.Request) -> web.Response:
        data = self.files.get(request.match_info["path"].rsplit("/", 1)[-1])
        return web.Response(body=data) if data is not None else web.Response(status=404)

    async def press(
        self, user: User, message: Call | Message | dict[str, Any], word_or_data: str
    ) -> dict[str, Any]:
        """Press the button whose text contains `word_or_data` (or send that raw callback data)."""
        stored = self._stored(message)
        data = _button_data(stored, word_or_data)
        return await self._query(user, stored, word_or_data if data is None else data)

    async def press_button(
        self, user: User, message: Call | Message | dict[str, Any], word: str
    ) -> dict[str, Any]:
        """Press the button whose text contains `word`; there must be one."""
        stored = self._stored(message)
        data = _button_data(stored, word)
        if data is None:
            raise AssertionError(f"no button with {word!r} in {Message(stored).labels!r}")
        return await self._query(user, stored, data)

    async def _query(self, user: User, stored: dict[str, Any], data: str) -> dict[str, Any]:
        query = {
            "id": f"q{next(self._query_ids)}",
            "from": user.as_dict(),
            "chat_instance": "42",
            "data": data,
            "message": stored,
        }
        await self._push({"callback_query": query})
        return query

    async def post_to_webhook(self, update: dict[str, Any], secret: str | None = None) -> int:
        """Deliver an update the way Telegram does in webhook mode; returns the HTTP status."""
        assert self.webhook is not None
        headers = {
            "X-Telegram-Bot-Api-Secret-Token": secret if secret is not None else self.webhook_secret or ""
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.webhook, json=update, headers=headers) as reply,
        ):
            return reply.status

    def _stored(self, message: Call | Message | dict[str, Any]) -> dict[str, Any]:
        if isinstance(message, Message):
            sent: dict[str, Any] = message.raw
        else:
            sent = message.result if isinstance(message, Call) else message
        key = (sent["chat"]["id"], sent["message_id"])
        return self.messages.get(key, sent)

    # --- reading what the bot did ---------------------------------------------------------------

    def sent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if not c.failed
            and (method is None or c.method == method)
            and (chat_id is None or c.chat_id == chat_id)
        ]

    async def wait_for(
        self,
        predicate: Callable[[Call], bool],
        *,
        count: int = 1,
        within: float = WAIT_TIMEOUT,
        failed: bool = False,
    ) -> list[Call]:
        """Wait until `count` successful calls (or failed ones, with `failed=True`) satisfy `predicate`."""

        def found() -> list[Call]:
            return [c for c in self.calls if c.failed == failed and predicate(c)]

        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: len(found()) >= count), within)
            except TimeoutError:
                seen = [(c.method, c.chat_id, c.text[:80]) for c in self.calls[-15:]]
                raise AssertionError(
                    f"expected {count} matching call(s) in {within}s; last calls: {seen}"
                ) from None
        return found()

    async def reply_to(
        self, chat_id: int, *, method: str = "sendMessage", count: int = 1, after: int = 0, **kwargs: Any
    ) -> Call:
        calls = await self.wait_for(
            lambda c: c.method == method and c.chat_id == chat_id and c.seq >= after,
            count=count,
            **kwargs,
        )
        return calls[count - 1]

    def mark(self) -> int:
        """Position in the call log; pass as `after=` to wait only for what comes later."""
        return len(self.calls)

    def from_now_on(self) -> None:
        """What the bot does from now on is news, as after a person's step (for changes made directly
        through the application, e.g. by a scheduled job or a service call)."""
        self._last_action = len(self.calls)

    def recent(self, method: str | None = None, chat_id: int | None = None) -> list[Call]:
        """The successful calls made since the last thing a person did (or `from_now_on`)."""
        return [c for c in self.sent(method, chat_id) if c.seq >= self._last_action]

    async def next_call(
        self,
        method: str | None = None,
        chat_id: int | None = None,
        *,
        where: Callable[[Call], bool] = lambda c: True,
        count: int = 1,
        within: float = WAIT_TIMEOUT,
    ) -> Call:
        """The `count`-th such call the bot makes after the last thing a person did, waited for."""
        since = self._last_action
        calls = await self.wait_for(
            lambda c: (
                c.seq >= since
                and (method is None or c.method == method)
                and (chat_id is None or c.chat_id == chat_id)
                and where(c)
            ),
            count=count,
            within=within,
        )
        return calls[count - 1]

    async def next_message(
        self, chat_id: int, *, method: str = "sendMessage", count: int = 1, within: float = WAIT_TIMEOUT
    ) -> Call:
        """The `count`-th message the bot sends to the chat after the last thing a person did."""
        return await self.next_call(method, chat_id, count=count, within=within)

    async def answer_to(self, query: dict[str, Any], within: float = WAIT_TIMEOUT) -> Call:
        """The bot's answer to a pressed button (its answerCallbackQuery)."""
        calls = await self.wait_for(
            lambda c: c.method == "answerCallbackQuery" and c.params.get("callback_query_id") == query["id"],
            within=within,
        )
        return calls[0]

    async def message_now(
        self,
        message: Call | Message | dict[str, Any],
        *,
        showing: str = "",
        changes: bool = True,
        edit: str = "editMessage",
        within: float = WAIT_TIMEOUT,
    ) -> Message:
        """The message as it stands once the bot has edited it after the last thing a person did.

        With `showing`, waits for an edit that left that text in it; `edit` narrows the kind of edit
        (e.g. "editMessageReplyMarkup"); with `changes=False`, nothing is expected to change and the
        message is returned as it stands.
        """
        if changes:
            sent = self._stored(message)
            key = (sent["chat"]["id"], sent["message_id"])
            since = self._last_action
            await self.wait_for(
                lambda c: (
                    c.method.startswith(edit)
                    and c.seq >= since
                    and (c.chat_id, int(c.params.get("message_id") or 0)) == key
                    and showing in Message(c.result).text
                ),
                within=within,
            )
        return Message(self._stored(message))

    def callback_answers(self) -> list[Call]:
        return self.sent("answerCallbackQuery")

    # --- the Bot API ----------------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        if request.content_type == "application/json":
            params = await request.json()
        elif request.can_read_body:
            form = await request.post()
            for key, value in form.items():
                params[key] = (
                    value
                    if isinstance(value, web.FileField) and _read_file(value, params, key)
                    else _decode(value)
                )
        params.update({k: _decode(v) for k, v in request.query.items()})
        for name, value in list(params.items()):  # aiogram uploads files as "attach://<part name>"
            if isinstance(value, str) and value.startswith("attach://"):
                params[f"_{name}_bytes"] = params.get(f"_{value.removeprefix('attach://')}_bytes", b"")
        fault: Fault | None = None
        if method != "getUpdates" and self._faults and self._faults[0].method == method:
            fault = self._faults.popleft()
            if fault.after:
                self._faults.appendleft(replace(fault, after=fault.after - 1))
                fault = None
        if fault is not None:
            if fault.stall:  # the client times out first; what it never saw does not count as delivered
                await asyncio.sleep(fault.stall)
            await self._record(Call(method, params, failed=True))
            return _error(fault)
        moved_to = self.upgraded.get(int(params.get("chat_id") or 0))
        if moved_to is not None:
            await self._record(Call(method, params, failed=True))
            return _migrated(moved_to)
        if method == "getUpdates":
            return web.json_response({"ok": True, "result": await self._get_updates(params)})
        call = Call(method, params)
        try:
            call.result = self._result(method, params)
        except _ApiError as error:
            call.failed = True
            await self._record(call)
            return web.json_response(
                {"ok": False, "error_code": 400, "description": error.description}, status=400
            )
        await self._record(call)
        return web.json_response({"ok": True, "result": call.result})

    async def _record(self, call: Call) -> None:
        async with self._changed:
            call.seq = len(self.calls)
            self.calls.append(call)
            self._changed.notify_all()

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        offset = int(params.get("offset") or 0)
        timeout = min(float(params.get("timeout") or 0), 0.5)
        async with self._changed:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
            if not self._updates and timeout:
                try:
                    await asyncio.wait_for(self._changed.wait_for(lambda: bool(self._updates)), timeout)
                except TimeoutError:
                    return []
            return list(self._updates)

    def _result(self, method: str, params: dict[str, Any]) -> Any:
        if method == "getMe":
            return BOT_USER
        if method == "getFile":
            file_id = str(params["file_id"])
            size = len(self.files.get(file_id, b""))
            return {
                "file_id": file_id,
                "file_unique_id": file_id,
                "file_size": size,
                "file_path": f"documents/{file_id}",
            }
        if method in {"sendMessage", "sendDocument", "sendPhoto"}:
            return self._new_message(params)
        if method in {"editMessageText", "editMessageReplyMarkup", "editMessageCaption"}:
            return self._edit(method, params)
        if method == "setWebhook":
            self.webhook = params.get("url")
            self.webhook_secret = params.get("secret_token")
            return True
        if method == "deleteWebhook":
            self.webhook = None
            return True
        if method == "getWebhookInfo":
            return {"url": self.webhook or "", "has_custom_certificate": False, "pending_update_count": 0}
        return True

    def _new_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat_id = int(params["chat_id"])
        message: dict[str, Any] = {
            "message_id": self._next_message_id(chat_id),
            "date": int(time.time()),
            "chat": _chat(chat_id),
            "from": BOT_USER,
        }
        if "text" in params:
            message["text"] = params["text"]
        if "caption" in params:
            message["caption"] = params["caption"]
        if "document" in params:
            message["document"] = {
                "file_id": "doc1",
                "file_unique_id": "doc1",
                "file_name": params.get("_filename", "file"),
            }
        if "photo" in params:
            message["photo"] = [{"file_id": "ph1", "file_unique_id": "ph1", "width": 800, "height": 600}]
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:  # Telegram echoes only inline keyboards
            message["reply_markup"] = markup
        self.messages[(chat_id, message["message_id"])] = message
        return message

    def _edit(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        key = (int(params["chat_id"]), int(params["message_id"]))
        message = self.messages.get(key)
        if message is None:
            raise _ApiError("Bad Request: message to edit not found")
        updated = dict(message)
        if method == "editMessageText":
            updated["text"] = params["text"]
        if "reply_markup" in params or method == "editMessageReplyMarkup":
            markup = params.get("reply_markup")
            if markup:
                updated["reply_markup"] = markup
            else:
                updated.pop("reply_markup", None)
        if updated == message:
            raise _ApiError(
                "Bad Request: message is not modified: specified new message content and reply markup "
                "are exactly the same as a current content and reply markup of the message"
            )
        self.messages[key] = updated
        return updated


@dataclass(frozen=True)
class Person:
    """Someone talking to the bot: each step waits for the bot's answer to it."""

    telegram: FakeTelegram
    user: User

    @property
    def id(self) -> int:
        return self.user.id

    async def says(
        self,
        text: str,
        *,
        chat_id: int | None = None,
        replying_to: Call | None = None,
        method: str = "sendMessage",
    ) -> Call:
        """Send `text` (in the private chat unless `chat_id`); returns the bot's reply in that chat."""
        chat = self.user.id if chat_id is None else chat_id
        extra: dict[str, Any] = {} if replying_to is None else {"reply_to_message": replying_to.result}
        await self.telegram.send_message(self.user, text, chat_id=chat, **extra)
        return await self.telegram.next_message(chat, method=method)

    async def shares_contact(self, phone: str, first_name: str, last_name: str | None = None) -> Call:
        await self.telegram.send_contact(self.user, phone, first_name, last_name)
        return await self.hears()

    async def sends_file(self, filename: str, data: bytes) -> Call:
        await self.telegram.send_document(self.user, filename, data)
        return await self.hears()

    async def press(self, message: Call | Message | dict[str, Any], word: str) -> Call:
        """Press the button whose text contains `word`; returns the bot's answer to the press."""
        query = await self.telegram.press_button(self.user, message, word)
        return await self.telegram.answer_to(query)

    async def choose(self, message: Call | Message | dict[str, Any], word: str) -> Call:
        """Press a button after which the bot writes to this person's private chat; returns what it wrote."""
        await self.press(message, word)
        return await self.hears()

    async def opens(self, message: Call | Message | dict[str, Any], word: str) -> Message:
        """Press a button that opens a submenu in the same message; returns the message showing it."""
        await self.press(message, word)
        return await self.telegram.message_now(message, edit="editMessageReplyMarkup")

    async def receives(
        self, where: Callable[[Call], bool], *, count: int = 1, within: float = WAIT_TIMEOUT
    ) -> Call:
        """The `count`-th message to this person's private chat that is `where`, whenever the bot sent it
        (for what the bot sends on its own: reminders, digests, summaries)."""
        calls = await self.telegram.wait_for(
            lambda c: c.chat_id == self.user.id and where(c), count=count, within=within
        )
        return calls[count - 1]

    async def hears(self, *, method: str = "sendMessage") -> Call:
        """The first message the bot sends to this person's private chat after the last step."""
        return await self.telegram.next_message(self.user.id, method=method)


def _button_data(stored: dict[str, Any], word: str) -> str | None:
    """The callback data of the (last) button whose text contains `word`."""
    data = None
    for row in (stored.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if word in button["text"]:
                data = button["callback_data"]
    return str(data) if data is not None else None


class _ApiError(Exception):
    def __init__(self, description: str) -> None:
        self.description = description


def _read_file(value: web.FileField, params: dict[str, Any], key: str) -> bool:
    params["_filename"] = value.filename
    params[f"_{key}_bytes"] = value.file.read()
    return True


DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    403: "Forbidden: bot was kicked from the group chat",
    404: "Not Found",
}


def _error(fault: Fault) -> web.Response:
    status = fault.status
    if fault.html:
        title = f"{status} {HTTPStatus(status).phrase}"
        page = f"<html><head><title>{title}</title></head><body><h1>{title}</h1><hr>nginx</body></html>"
        return web.Response(text=page, status=status, content_type="text/html")
    body: dict[str, Any] = {"ok": False, "error_code": status}
    if status == 429:
        body["description"] = f"Too Many Requests: retry after {fault.retry_after or 1}"
        body["parameters"] = {"retry_after": fault.retry_after or 1}
    else:
        default = "Internal Server Error" if status >= 500 else DESCRIPTIONS.get(status, "Bad Request")
        body["description"] = fault.description or default
    return web.json_response(body, status=status)


def _migrated(supergroup_id: int) -> web.Response:
    body = {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": supergroup_id},
    }
    return web.json_response(body, status=400)
