"""Posting an edit form as a browser does: the hidden edit token (cases.concurrency) is read from
the form on the page the user loaded, so a test also shows the page carries it."""

import html
import re

from cases.concurrency import TOKEN_FIELD


def form_html(body: str, action_url: str, *, prefix: bool = False) -> str | None:
    """The HTML of the first <form> on the page that posts to `action_url` (or to an address
    starting with it, with `prefix`)."""
    end = "" if prefix else '"'
    for match in re.finditer(r"<form\b[^>]*>.*?</form>", body, flags=re.S):
        opening = match.group(0).split(">", 1)[0]
        if re.search(rf'\baction="{re.escape(html.escape(action_url))}{end}', opening):
            return match.group(0)
    return None


def token_in(form: str | None) -> str:
    """The edit token a form carries ("" when it carries none)."""
    if form is None:
        return ""
    tag = re.search(rf'<input\b[^>]*\bname="{TOKEN_FIELD}"[^>]*>', form)
    value = re.search(r'\bvalue="([^"]*)"', tag.group(0)) if tag else None
    return html.unescape(value.group(1)) if value else ""


def page_token(client, page_url: str, action_url: str, *, prefix: bool = False) -> str:
    """Load `page_url` as the client's user and return the token of the form posting to `action_url`."""
    response = client.get(page_url)
    assert response.status_code == 200, response.status_code
    form = form_html(response.content.decode(), action_url, prefix=prefix)
    assert form is not None, f"no form posting to {action_url} on {page_url}"
    return token_in(form)


def post_edit(client, page_url: str, action_url: str, data: dict, *, token_from: str = "", **kwargs):
    """Open `page_url`, then post `data` to `action_url` with the token the page gave (read from
    the first form whose address starts with `token_from`, when given: e.g. any step of one indsats,
    to post a step the page no longer offers)."""
    if token_from:
        token = page_token(client, page_url, token_from, prefix=True)
    else:
        token = page_token(client, page_url, action_url)
    return client.post(action_url, {**data, TOKEN_FIELD: token}, **kwargs)
