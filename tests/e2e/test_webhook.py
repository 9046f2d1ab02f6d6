import socket

from leadbot.app import Application
from leadbot.clock import FrozenClock
from leadbot.config import Settings
from tests.fakes.telegram import FakeTelegram, User


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_webhook_mode_verifies_the_secret_and_drops_repeats(
    settings: Settings, telegram: FakeTelegram, clock: FrozenClock, admin_user: User
) -> None:
    port = free_port()
    configured = settings.model_copy(
        update={
            "telegram_api_url": telegram.base_url,
            "http_port": port,
            "webhook_url": f"http://127.0.0.1:{port}/hook/telegram",
        }
    )
    async with Application(configured, clock):
        assert telegram.webhook == f"http://127.0.0.1:{port}/hook/telegram"
        assert telegram.webhook_secret
        assert not telegram.sent("getUpdates")
        message = await telegram.send_message(admin_user, "/start")
        reply = await telegram.next_message(admin_user.id)
        assert "Добро пожаловать" in reply.text

        update = {
            "update_id": 500,
            "message": {
                **message,
                "text": "/help",
                "entities": [{"type": "bot_command", "offset": 0, "length": 5}],
            },
        }
        assert await telegram.post_to_webhook(update, secret="wrong") == 401
        telegram.from_now_on()
        assert await telegram.post_to_webhook(update) == 200  # handled in the background: wait for it
        await telegram.next_call(where=lambda c: "/new" in c.text)
        assert await telegram.post_to_webhook(update) == 200  # Telegram re-sent it
        sentinel = {"update_id": 501, "message": {**message, "text": "/start"}}
        assert await telegram.post_to_webhook(sentinel) == 200
        await telegram.next_call(where=lambda c: "Добро пожаловать" in c.text)
        helps = [c for c in telegram.recent("sendMessage", admin_user.id) if "/new" in c.text]
        assert len(helps) == 2  # /help once (the repeat was dropped), and the greeting's help
