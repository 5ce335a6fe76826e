"""Escaping of user text for Folium tooltips, popups, labels and DivIcon html."""
from __future__ import annotations

import html

# Folium pastes tooltip text into a JavaScript template literal (`...`), and the
# literal's content then becomes HTML. So text must survive two readers:
# HTML (tags, attributes) and the template literal (`\`, backtick, `${`).
_TEMPLATE_LITERAL = str.maketrans({"\\": "\\\\", "`": "\\`", "$": "\\$"})
# And a third, on the server: branca renders each element's script output as a new Jinja
# template (MacroElement.render wraps it in Element(...)), so "{{ ... }}" in a household's
# name would run as Python on the server, and "{#" would break the whole map. Braces become
# HTML character references, which the tooltip shows as braces.
_JINJA = str.maketrans({"{": "&#123;", "}": "&#125;"})


def js_safe(text: object) -> str:
    """User text made inert inside a Folium template literal and the HTML it becomes.

    HTML-escape first (quotes too), then turn braces into character references (for
    branca's second Jinja pass), then escape backslash, backtick and dollar for the
    template literal. Order matters: html.escape never adds a backslash or a brace, and
    the references add neither, so no step undoes another. ``None`` becomes "".
    """
    if text is None:
        return ""
    return html.escape(str(text), quote=True).translate(_JINJA).translate(_TEMPLATE_LITERAL)


# A marker's title is an option (JSON, then set as a DOM property, never parsed as HTML): it
# only has to survive branca's Jinja pass, and a reader of the page source.
_TITLE_DROP = str.maketrans("", "", "{}$`\\<>")


def title_safe(text: object) -> str:
    """User text for a marker's title (its accessible name): plain, with the characters that
    mean something to Jinja, a template literal or HTML left out. ``None`` becomes ""."""
    return "" if text is None else " ".join(str(text).translate(_TITLE_DROP).split())


def html_safe(text: object) -> str:
    """User text made inert as HTML inside a JSON value of a map script: HTML-escaped, and
    braces as character references (branca's second Jinja pass); no template-literal
    escapes, as a JSON string is no template literal. ``None`` becomes ""."""
    if text is None:
        return ""
    return html.escape(str(text), quote=True).translate(_JINJA)
