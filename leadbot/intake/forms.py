"""The web-to-lead form: GET /forms/{key} serves it, POST /forms/{key} turns a submission into a lead.

A honeypot field catches bots (they get the thank-you page and create nothing); each visitor's address
may send a few submissions per window (FormService.allow_submission). The page speaks the team's LOCALE,
in words meant for visitors, under the form's title.
"""

from __future__ import annotations

from html import escape

from aiohttp import web

from db.models import WebForm
from leadbot.errors import DomainError, EmptyLead, NotFound
from leadbot.i18n_marker import N_
from leadbot.intake.client_address import client_address
from leadbot.services.forms import FormSubmission
from leadbot.services.registry import Services
from leadbot.translations import translator

HONEYPOT = "website"
FIELD_LIMITS = {"name": 128, "phone": 64, "email": 254, "comment": 2000}
FORMS_SERVICES = web.AppKey("form_services", Services)
VISITOR_HEADING = N_("Leave a request")
VISITOR_ASK = N_("Please leave your name and a phone or e-mail so we can reach you.")


PAGE = """<!doctype html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
 body {{ font: 16px/1.4 system-ui, sans-serif; margin: 0; padding: 1rem;
   background: #f6f7f9; color: #1d1d1f; }}
 main {{ max-width: 28rem; margin: 0 auto; background: #fff; padding: 1.25rem; border-radius: 12px; }}
 h1 {{ font-size: 1.3rem; margin-top: 0; }}
 label {{ display: block; margin: .8rem 0 .25rem; font-weight: 600; }}
 input, textarea {{ box-sizing: border-box; width: 100%; padding: .65rem; font: inherit;
   border: 1px solid #8a8a8e; border-radius: 8px; }}
 input:focus, textarea:focus, button:focus {{ outline: 3px solid #0a66c2; outline-offset: 1px; }}
 button {{ margin-top: 1rem; width: 100%; padding: .8rem; font: inherit; font-weight: 600; color: #fff;
   background: #0a66c2; border: 0; border-radius: 8px; cursor: pointer; }}
 .error {{ color: #b00020; font-weight: 600; }}
 .trap {{ position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }}
</style>
</head>
<body><main>{body}</main></body>
</html>
"""


def _page(locale: str, title: str, body: str, status: int = 200) -> web.Response:
    html = PAGE.format(lang=locale, title=escape(title), body=body)
    return web.Response(text=html, status=status, content_type="text/html", charset="utf-8")


def heading(form: WebForm, locale: str) -> str:
    """What a visitor sees as the page's title and heading: the form's own title, else a neutral one."""
    return form.title or translator(locale)(VISITOR_HEADING)


def visitor_error(error: DomainError, locale: str) -> str:
    """A refusal in words meant for a visitor: the bot's own messages speak of leads and fields a web form
    does not have."""
    _ = translator(locale)
    return _(VISITOR_ASK) if isinstance(error, EmptyLead) else error.render(_)


def render_form(form: WebForm, locale: str, values: dict[str, str] | None = None, error: str = "") -> str:
    _ = translator(locale)
    values = values or {}

    def value(name: str) -> str:
        return escape(values.get(name, ""), quote=True)

    title, ask = escape(heading(form, locale)), escape(_(VISITOR_ASK))
    name_label, phone_label, email_label = escape(_("Your name")), escape(_("Phone")), escape(_("E-mail"))
    comment_label, send = escape(_("Comment")), escape(_("Send"))
    alert = f'<p class="error" role="alert">{escape(error)}</p>' if error else f"<p>{ask}</p>"
    return f"""<h1>{title}</h1>
{alert}
<form method="post" action="/forms/{escape(form.key, quote=True)}" novalidate>
 <label for="name">{name_label}</label>
 <input id="name" name="name" autocomplete="name" maxlength="128" value="{value("name")}">
 <label for="phone">{phone_label}</label>
 <input id="phone" name="phone" type="tel" inputmode="tel" autocomplete="tel" maxlength="64"
  value="{value("phone")}">
 <label for="email">{email_label}</label>
 <input id="email" name="email" type="email" autocomplete="email" maxlength="254" value="{value("email")}">
 <label for="comment">{comment_label}</label>
 <textarea id="comment" name="comment" rows="4" maxlength="2000">{value("comment")}</textarea>
 <div class="trap" aria-hidden="true"><label for="{HONEYPOT}">Website</label>
  <input id="{HONEYPOT}" name="{HONEYPOT}" tabindex="-1" autocomplete="off"></div>
 <button type="submit">{send}</button>
</form>"""


def _thanks(locale: str) -> web.Response:
    _ = translator(locale)
    thanks, soon = escape(_("Thank you!")), escape(_("We will contact you soon."))
    return _page(locale, _("Thank you!"), f"<h1>{thanks}</h1><p>{soon}</p>")


async def _form_of(request: web.Request) -> WebForm | None:
    try:
        return await request.app[FORMS_SERVICES].forms.get(request.match_info["key"])
    except NotFound:
        return None


def _not_found(locale: str) -> web.Response:
    _ = translator(locale)
    missing = escape(_("Form not found"))
    return _page(locale, _("Form not found"), f"<h1>{missing}</h1>", status=404)


async def show_form(request: web.Request) -> web.Response:
    locale = request.app[FORMS_SERVICES].ctx.settings.locale
    form = await _form_of(request)
    if form is None:
        return _not_found(locale)
    return _page(locale, heading(form, locale), render_form(form, locale))


async def submit_form(request: web.Request) -> web.StreamResponse:
    services = request.app[FORMS_SERVICES]
    locale = services.ctx.settings.locale
    _ = translator(locale)
    form = await _form_of(request)
    if form is None:
        return _not_found(locale)
    title = heading(form, locale)
    unreadable = render_form(form, locale, error=_("The form could not be read."))
    if request.content_type not in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return _page(locale, title, unreadable, 415)
    try:
        posted = await request.post()
    except (ValueError, LookupError):  # not UTF-8, an unknown charset, a multipart body without its boundary
        return _page(locale, title, unreadable, 400)
    values = {name: str(posted.get(name, ""))[:limit].strip() for name, limit in FIELD_LIMITS.items()}
    if str(posted.get(HONEYPOT, "")).strip():
        return _thanks(locale)  # a bot filled the hidden field: it sees success, nothing is created
    visitor = client_address(request, services.ctx.settings.trusted_proxies)
    if not await services.forms.allow_submission(form, visitor):
        error = _("Too many requests from your address. Please try again later.")
        return _page(locale, title, render_form(form, locale, values, error), 429)
    try:
        await services.forms.submit(form, FormSubmission(**values))
    except DomainError as error:
        return _page(locale, title, render_form(form, locale, values, visitor_error(error, locale)), 400)
    if form.redirect_url:
        raise web.HTTPSeeOther(form.redirect_url)
    return _thanks(locale)


def mount_forms(app: web.Application, services: Services) -> None:
    app[FORMS_SERVICES] = services
    app.router.add_get("/forms/{key}", show_form)
    app.router.add_post("/forms/{key}", submit_form)
