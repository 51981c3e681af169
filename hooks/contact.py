"""MkDocs hook: the operator's contact details, from `extra.contact` in mkdocs.yml, on the pages that ask for them.

A page puts `<!-- contact-details -->` on a line of its own. The hub never invents an address:
when the operator has not filled in `extra.contact`, the page says so plainly instead.
"""

from __future__ import annotations

MARKER = "<!-- contact-details -->"
NOT_SET = (
    '!!! warning "Contact details not set"\n'
    "    The organisation running this copy of the hub has not added its contact details yet.\n"
    "    If you run this hub, add them under `extra.contact` in `mkdocs.yml`."
)


def contact_markdown(contact: dict | None) -> str:
    """Markdown for the contact details: name, email, web page and reply time, or a clear notice."""
    c = {k: str(v).strip() for k, v in (contact or {}).items() if v is not None and str(v).strip()}
    lines = []
    if c.get("name"):
        lines.append(f"- Who runs the hub: {c['name']}")
    if c.get("email"):
        lines.append(f"- Email: [{c['email']}](mailto:{c['email']})")
    if c.get("url"):
        lines.append(f"- Report a problem online: [{c.get('url_text') or c['url']}]({c['url']})")
    if c.get("phone"):
        lines.append(f"- Phone: {c['phone']}")
    if not lines[1 if c.get("name") else 0 :]:
        return NOT_SET  # a name alone is no way to get in touch
    out = "\n".join(lines)
    if c.get("reply_days"):
        out += f"\n\nWe will reply within {c['reply_days']} working days."
    return out


def on_page_markdown(markdown, page, config, files):
    if MARKER not in markdown:
        return markdown
    return markdown.replace(MARKER, contact_markdown((config.get("extra") or {}).get("contact")))
