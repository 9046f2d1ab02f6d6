"""FSM states for dialogs that need typed input."""

from aiogram.fsm.state import State, StatesGroup


class NewLead(StatesGroup):
    name = State()
    phone = State()
    email = State()
    company = State()
    source = State()
    comment = State()
    amount = State()
    confirm = State()


class LinkSearch(StatesGroup):
    query = State()


class ConvertName(StatesGroup):
    name = State()


class RemindTime(StatesGroup):
    when = State()


class CommentText(StatesGroup):
    text = State()


class RescheduleTime(StatesGroup):
    when = State()


class ReportPeriod(StatesGroup):
    dates = State()
