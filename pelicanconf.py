"""Pelican settings for the Gongshi portal; `gongshi build` reads this file too.

Data-driven pages come from the `generator.plugin` Pelican plugin; content/ holds the
Markdown pages (about, how to give feedback) and the news articles.
"""

AUTHOR = "青禾区委办公室"
SITENAME = "我为群众办实事公示平台"
SITEURL = ""
PATH = "content"
THEME = "theme"
TIMEZONE = "Asia/Shanghai"
DEFAULT_LANG = "zh-CN"
DEFAULT_DATE_FORMAT = "%Y年%-m月%-d日"
RELATIVE_URLS = True

PLUGINS = ["generator.plugin"]
GONGSHI_DATA = "data"

# The data home page is index.html; Pelican's article list becomes the news section.
INDEX_SAVE_AS = "news/index.html"
INDEX_URL = "news/"
ARTICLE_PATHS = ["news"]
ARTICLE_URL = "news/{slug}/"
ARTICLE_SAVE_AS = "news/{slug}/index.html"
PAGE_PATHS = ["pages"]
PAGE_URL = "pages/{slug}/"
PAGE_SAVE_AS = "pages/{slug}/index.html"
DEFAULT_PAGINATION = 10
PAGINATION_PATTERNS = (
    (1, "{url}", "{save_as}"),
    (2, "{base_name}/page/{number}/", "{base_name}/page/{number}/index.html"),
)
SLUGIFY_SOURCE = "basename"

# Sections the portal does not use.
CATEGORY_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAG_SAVE_AS = ""
TAGS_SAVE_AS = ""
AUTHOR_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
DIRECT_TEMPLATES = ["index"]
DISPLAY_CATEGORIES_ON_MENU = False

FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None

STATIC_PATHS = []
THEME_STATIC_DIR = "theme"
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {},
    },
    "output_format": "html5",
}
CACHE_CONTENT = False
# Escape everything by default: a data cell or a setting can never become markup. The
# theme also wraps each block in {% autoescape true %}, so it is safe in any environment.
JINJA_ENVIRONMENT = {"trim_blocks": True, "lstrip_blocks": True, "extensions": [], "autoescape": True}
