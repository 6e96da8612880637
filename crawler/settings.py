"""Scrapy settings in one place: polite defaults, then what the configuration asks for."""

from __future__ import annotations

from crawler.options import CrawlSettings

BOT_NAME = "chipwatch"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Politeness (Scrapy's own project template), an identifying user agent.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
COOKIES_ENABLED = False
TELNETCONSOLE_ENABLED = False
# No control server of Scrapy's own listening in a crawl child (2.19 starts one by default).
REMOTE_CONTROL_ENABLED = False

# Bounded work: a hung site or a huge page cannot hold a crawl forever.
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
DOWNLOAD_WARNSIZE = 5 * 1024 * 1024
CLOSESPIDER_TIMEOUT = 900
CLOSESPIDER_ERRORCOUNT = 50
RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
REDIRECT_MAX_TIMES = 5

# Only the web: no file://, ftp://, s3:// or data: fetches, whatever a page links to.
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None}
# Requests (redirects included) outside a source's own site are dropped and reported.
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "crawler.offsite.OffsiteProblems": 50,
}

# Conditional requests against a local cache (ETag / Last-Modified).
HTTPCACHE_ENABLED = True
HTTPCACHE_POLICY = "scrapy.extensions.httpcache.RFC2616Policy"
HTTPCACHE_STORAGE = "scrapy.extensions.httpcache.FilesystemCacheStorage"
HTTPCACHE_IGNORE_HTTP_CODES = [403, 429, 500, 502, 503, 504]

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "WARNING"


def from_spec(crawl: CrawlSettings) -> dict:
    """Settings for one crawl from the [crawl] section of the configuration."""
    settings = {key: value for key, value in globals().items() if key.isupper()}
    settings.update(configured(crawl))
    return settings


def configured(crawl: CrawlSettings) -> dict:
    """The settings the [crawl] section decides (a Scrapyd job is given these on top of its
    project's settings module)."""
    max_bytes = crawl.max_response_mb * 1024 * 1024
    return {
        "USER_AGENT": crawl.user_agent,
        "DOWNLOAD_DELAY": crawl.download_delay,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay, 0.01),
        "DOWNLOAD_TIMEOUT": crawl.download_timeout,
        "DOWNLOAD_MAXSIZE": max_bytes,
        "DOWNLOAD_WARNSIZE": min(DOWNLOAD_WARNSIZE, max_bytes),
        "RETRY_TIMES": crawl.retry_times,
        "CLOSESPIDER_TIMEOUT": crawl.crawl_timeout,
        "ROBOTSTXT_OBEY": crawl.obey_robots,
        "HTTPCACHE_ENABLED": crawl.http_cache,
        "HTTPCACHE_DIR": str(crawl.cache_dir),
    }
