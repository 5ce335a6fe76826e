"""Escaping of user text for Folium tooltips, popups, labels and DivIcon html."""
from __future__ import annotations

import html

# Folium pastes tooltip text into a JavaScript template literal (`...`), and the
# literal's content then becomes HTML. So text must survive two readers:
# HTML (tags, attributes) and the template literal (`\`, backtick, `${`).
_TEMPLATE_LITERAL = str.maketrans({"\\": "\\\\", "`": "\\`", "$": "\\$"})


def js_safe(text: object) -> str:
    """User text made inert inside a Folium template literal and the HTML it becomes.

    HTML-escape first (quotes too), then escape backslash, backtick and dollar for
    the template literal. Order matters: html.escape never adds a backslash, so the
    second step cannot undo the first. ``None`` becomes "".
    """
    if text is None:
        return ""
    return html.escape(str(text), quote=True).translate(_TEMPLATE_LITERAL)
