"""MkDocs hook: load Material's search index only when the reader opens search.

Without it every page downloads search/search_index.json (about 2.5 MB) as it loads, so the
home page alone weighs about 3 MB. docs/assets/javascripts/search-on-demand.js holds that
request back until the search box gets focus; it must run before Material's bundle, so it is
put just before the bundle's script tag, with the same relative path.
"""

from __future__ import annotations

import re

SCRIPT = "assets/javascripts/search-on-demand.js"
_BUNDLE = re.compile(r'<script src="(?P<base>[^"]*?)assets/javascripts/bundle\.[0-9a-f]+\.min\.js"></script>')


def on_post_page(output, page, config):
    return add_script(output, config)


def on_post_template(output_content, template_name, config):
    # The theme's 404 page is a static template, not a page.
    return add_script(output_content, config) if template_name.endswith(".html") else output_content


def add_script(output: str, config) -> str:
    """Put the search-on-demand script just before Material's bundle."""
    if not any(name.split("/")[-1] == "search" for name in config["plugins"]):
        return output
    m = _BUNDLE.search(output)
    if m is None:
        return output
    tag = f'<script src="{m["base"]}{SCRIPT}"></script>\n'
    return output[: m.start()] + tag + output[m.start() :]
