"""Render a template to PDF with WeasyPrint (meeting packets; later Min Plan)."""

from django.http import HttpRequest
from django.template.loader import render_to_string


def offline_url_fetcher():
    """A WeasyPrint fetcher that reads inline `data:` URLs only: never the network or the disk.

    The PDF templates carry their stylesheet inline, so nothing needs fetching, and a fetch
    would be a request from the server to wherever a URL in the page points."""
    import weasyprint

    return weasyprint.URLFetcher(allowed_protocols={"data"}, allow_redirects=False, timeout=2)


def render_pdf(template_name: str, context: dict, request: HttpRequest) -> bytes:
    """The template rendered to PDF bytes. Relative links resolve against the site's root."""
    import weasyprint  # imported lazily: loading pango/cairo costs time that other pages need not pay

    html = render_to_string(template_name, context, request=request)
    document = weasyprint.HTML(string=html, base_url=request.build_absolute_uri("/"), url_fetcher=offline_url_fetcher())
    return document.write_pdf()
