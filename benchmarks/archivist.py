"""What the benchmarks that save as an archivist share (`edit.py`, `mixed.py`): the account, made
with `catalog user create`; a browser that keeps its cookies; signing in through the real sign-in
form, its CSRF token included; the fields a browser would post from a page's form; percentiles."""

from __future__ import annotations

import http.cookiejar
import os
import subprocess
import sys
import urllib.error
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

from load import OUT, ROOT, catalog_command


class FormFields(HTMLParser):
    """The fields a browser would post from one form of a page, in document order: inputs that are
    not disabled (checked boxes only, no buttons), each select's selected option (or its first),
    every text area. The form is the first whose id or class is `form_id`, or that posts to
    `action` (its own address when it names none), or else the page's first form."""

    def __init__(self, form_id: str = "", action: str | None = None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.action = action
        self.inside = False
        self.done = False
        self.fields: list[list[str]] = []
        self._select: str | None = None
        self._select_first: str | None = None
        self._select_chosen = False
        self._textarea: list | None = None

    def _chosen(self, a: dict) -> bool:
        if self.form_id:
            return self.form_id in (a.get("id"), *(a.get("class") or "").split())
        if self.action is not None:
            return a.get("action", "") in (self.action, "") and a.get("method", "").lower() == "post"
        return True

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and not self.done and self._chosen(a):
            self.inside = True
        if not self.inside:
            return
        name = a.get("name")
        if tag == "input" and name and "disabled" not in a:
            kind = (a.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "reset", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self.fields.append([name, a.get("value", "on" if kind in ("checkbox", "radio") else "")])
        elif tag == "select" and name:
            self._select, self._select_first, self._select_chosen = name, None, False
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select_first is None:
                self._select_first = value
            if "selected" in a and not self._select_chosen:
                self.fields.append([self._select, value])
                self._select_chosen = True
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self._select is not None:
            if not self._select_chosen and self._select_first is not None:
                self.fields.append([self._select, self._select_first])
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            # A browser drops the one newline that follows <textarea>.
            value = self._textarea[1]
            self.fields.append([self._textarea[0], value[1:] if value.startswith("\n") else value])
            self._textarea = None
        elif tag == "form":
            self.inside, self.done = False, True


def form_fields(html: str, form_id: str = "", action: str | None = None) -> list[list[str]]:
    parser = FormFields(form_id, action)
    parser.feed(html)
    return parser.fields


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """A signed-in archivist's browser: cookies kept; redirects followed unless asked not to (then
    a save answers with its 302 itself)."""

    def __init__(self, base: str, follow_redirects: bool = True) -> None:
        self.base = base
        self.follow_redirects = follow_redirects
        handlers = [urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())]
        if not follow_redirects:
            handlers.append(_NoRedirect())
        self.opener = urllib.request.build_opener(*handlers)

    def request(self, path: str, fields: list | None = None) -> tuple[int, str, str]:
        """(status, the address answered from, the body) of a GET, or of a POST of `fields`."""
        data = urllib.parse.urlencode([tuple(f) for f in fields]).encode() if fields is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.geturl(), response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.geturl(), error.read().decode("utf-8", "replace")


def create_archivist(url: str, username: str, password: str, *, source: Path | None = None) -> None:
    """`catalog user create USERNAME --role archivist` on this database (from another checkout when
    `source` is given); an account of that name already there is used as it is."""
    env = dict(os.environ, CATALOG_DATABASE_URL=url, CATALOG_INSTANCE_PATH=str(OUT / "instance"))
    command = catalog_command()
    if source is not None:
        env["PYTHONPATH"] = str(source)
        command = [sys.executable, "-c", "from catalog.cli import main; main()"]
    done = subprocess.run([*command, "user", "create", username, "--role", "archivist"], input=password + "\n",
                          text=True, capture_output=True, env=env, cwd=source or ROOT)
    if done.returncode != 0 and "already" not in (done.stdout + done.stderr):
        raise SystemExit(f"catalog user create failed: {done.stdout}{done.stderr}")


def sign_in(browser: Browser, username: str, password: str) -> None:
    """Sign in through the sign-in form, as a person would (its CSRF token included)."""
    _, _, page = browser.request("/sign-in")
    fields = [f for f in form_fields(page, action="/sign-in") if f[0] not in ("username", "password")]
    status, where, _ = browser.request("/sign-in", fields + [["username", username], ["password", password]])
    if browser.follow_redirects:
        signed_in = status == 200 and "/sign-in" not in urllib.parse.urlparse(where).path
    else:
        signed_in = status == 302
    if not signed_in:
        raise SystemExit(f"Signing in failed (HTTP {status}).")


def percentile(values: list[float], share: float) -> float | None:
    """The nearest-rank percentile (None of no values)."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))]
