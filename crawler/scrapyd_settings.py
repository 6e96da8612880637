"""The settings module of chipwatch's Scrapyd project (the egg `chipwatch scrapyd deploy`
uploads names it in its `scrapy` entry point, as scrapy.cfg's [settings] would): the crawler's
own settings, spiders found through the source registry, and a report beside each job's items.
The [crawl] settings of the configuration arrive with each job (`-s KEY=VALUE`)."""

from crawler.settings import *  # noqa: F403 (a Scrapy settings module extends another so)

SPIDER_LOADER_CLASS = "crawler.jobs.JobSpiderLoader"
EXTENSIONS = {"crawler.jobs.JobReport": 0}
# The job's log is Scrapyd's log file of it: progress lines included, with their time.
LOG_LEVEL = "INFO"
LOG_FORMAT = "%(asctime)s %(name)s %(levelname)s: %(message)s"
