"""Forms and links of the product's pages as a browser sees them: the locust users
(``locustfile.py``) and ``bench/concurrency.py`` fill and send the forms the pages give, every
field as the browser would send it, changing only what a person would type."""

import re
from html import unescape
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit


class Form:
    """A form as the browser would submit it: its action and the (name, value) pairs of its
    fields with their current values (hidden fields and the CSRF token included)."""

    def __init__(self, action, method, enctype):
        self.action = action
        self.method = method.lower()
        self.enctype = enctype
        self.fields = []
        self.options = {}  # a select's name → the values of its options

    def choose(self, name, index=0):
        """Pick a select's ``index``-th option that is not the empty one (a person's choice)."""
        self.set(name, [v for v in self.options.get(name, []) if v][index])

    def names(self):
        return {name for name, _ in self.fields}

    def get(self, name, default=None):
        return next((value for n, value in self.fields if n == name), default)

    def set(self, name, *values):
        """Replace every value of ``name`` (a multiple choice takes several)."""
        self.fields = [(n, v) for n, v in self.fields if n != name]
        self.fields += [(name, str(value)) for value in values]


class FormParser(HTMLParser):
    """Every form of a page: inputs (text, hidden, number, date, password, checked boxes and
    radios), selects (the selected options, else the first of a single choice) and textareas.
    Buttons and file inputs send nothing (no file is chosen)."""

    SKIPPED = {"submit", "button", "image", "reset", "file"}

    def __init__(self, url):
        super().__init__(convert_charrefs=True)
        self.url = url
        self.forms = []
        self._form = None
        self._select = None  # [name, multiple, options, selected]
        self._textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            self._form = Form(
                urljoin(self.url, a.get("action") or self.url),
                a.get("method", "get"),
                a.get("enctype", ""),
            )
            self.forms.append(self._form)
        elif self._form is None or "name" not in a:
            if tag == "option" and self._select is not None:
                self._option(a)
        elif tag == "input":
            kind = a.get("type", "text").lower()
            if kind in self.SKIPPED:
                return
            if kind in {"checkbox", "radio"} and "checked" not in a:
                return
            self._form.fields.append(
                (a["name"], a.get("value", "on" if kind in {"checkbox", "radio"} else ""))
            )
        elif tag == "select":
            self._select = [a["name"], "multiple" in a, [], []]
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def _option(self, a):
        value = a.get("value", "")
        self._select[2].append(value)
        if "selected" in a:
            self._select[3].append(value)

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select" and self._select is not None:
            name, multiple, options, selected = self._select
            self._form.options[name] = options
            if not selected and not multiple and options:
                selected = options[:1]
            self._form.fields += [(name, value) for value in selected]
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            name, text = self._textarea
            # The HTML parser keeps the newline that follows <textarea>; a browser drops it.
            self._form.fields.append((name, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._form = None


def forms_of(html, url):
    parser = FormParser(url)
    parser.feed(html)
    return parser.forms


def links(html, pattern):
    """The distinct paths of the page's links that match ``pattern`` (in page order)."""
    found = []
    for href in re.findall(r'href="([^"#]+)"', html):
        path = unescape(href)
        if re.fullmatch(pattern, path) and path not in found:
            found.append(path)
    return found


def alert_text(html, kind):
    """The text of the page's alerts of ``kind`` (``danger``, ``success``)."""
    blocks = re.findall(rf'class="alert alert-{kind}[^"]*"[^>]*>(.*?)</div>', html, re.S)
    return " ".join(" ".join(re.sub(r"<[^>]+>", " ", b).split()) for b in blocks)


def form_errors(html):
    """What a form page that came back says is wrong: its alerts and the fields' messages."""
    messages = re.findall(r'class="invalid-feedback[^"]*"[^>]*>(.*?)</', html, re.S)
    messages = [" ".join(re.sub(r"<[^>]+>", " ", m).split()) for m in messages]
    return "; ".join(filter(None, [alert_text(html, "danger"), *messages]))[:300] or "no message"


def path_of(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")
