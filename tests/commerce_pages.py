"""The saved commerce.gov pages in tests/fixtures/commerce/ and the paths the site serves
them at, for every test that stands up a loopback Commerce site."""

LISTING = "/news/press-releases"
ARTICLES = {
    "/news/press-releases/2025/05/department-commerce-announces-rescission-biden-era-artificial":
        "article-ai-diffusion-rescission.html",
    "/news/press-releases/2024/12/commerce-strengthens-export-controls-restrict-chinas-capability-produce":
        "article-sme-controls-2024-12.html",
    "/news/press-releases/2024/11/biden-harris-administration-announces-chips-incentives-award-tsmc-arizona":
        "article-tsmc-award-2024-11.html",
    "/news/press-releases/2024/04/biden-harris-administration-announces-preliminary-terms-tsmc-expanding":
        "article-tsmc-pmt-2024-04.html",
    "/news/press-releases/2023/10/commerce-strengthens-restrictions-advanced-computing-semiconductors":
        "article-advanced-computing-2023-10.html",
}
