"""Staying on a source's own site: Scrapy's offsite filter, made loud.

Scrapy drops a request outside the spider's `allowed_domains` silently (a debug line and a
stat). A redirect from a source's page to another site means the page moved or was taken
over, so the run must say so: this filter records it as a problem on the spider (and so
fails the run) before dropping the request.
"""

from __future__ import annotations

from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from crawler.faults import short_url


class OffsiteProblems(OffsiteMiddleware):

    def process_request(self, request):
        try:
            return super().process_request(request)
        except IgnoreRequest:
            spider = self.crawler.spider
            if hasattr(spider, "problem"):
                host = urlparse_cached(request).hostname or request.url.split(":", 1)[0]
                chain = request.meta.get("redirect_urls") or []
                origin = chain[0] if chain else request.url
                how = "redirected to" if chain else "links to"
                spider.problem(
                    f"{spider.name}: {short_url(origin)}: {how} {host}, outside the source's "
                    f"site ({', '.join(spider.allowed_domains)}); not followed. The page "
                    f"may have moved: check base_url")
            raise
