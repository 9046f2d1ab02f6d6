"""The Telegram UI: aiogram routers that parse an update, call one service and render the answer."""
