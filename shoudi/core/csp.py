"""The Content-Security-Policy on Shoudi's pages (django-csp; the policy is settings.CONTENT_SECURITY_POLICY)."""

from __future__ import annotations

from csp.middleware import CSPMiddleware

__all__ = ["DocumentCSPMiddleware"]


class DocumentCSPMiddleware(CSPMiddleware):
    """django-csp's middleware, for HTML documents only.

    Chromium shows an inline PDF (the work cards' 下载 PDF) in a page it builds itself, with inline styles and an
    <embed>, under the PDF response's own policy: object-src 'none' and style-src 'self' leave that page blank
    (crbug.com/271452). Downloads and PDFs carry X-Frame-Options and nosniff instead.
    """

    def process_response(self, request, response):
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
