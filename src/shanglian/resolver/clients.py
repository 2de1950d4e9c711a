"""Who is looking at an item page: whether a request is a person's view, and which client made it.

A scan count is meant to count people, so these requests are not scans: HEAD (and anything but
GET), a browser's prefetch (``Sec-Purpose``/``Purpose: prefetch``), a request without a user agent
(every phone browser sends one), and known bots and link-preview fetchers — the user agents of
crawlerdetect (a maintained port of Crawler-Detect: search engines, WeChat's and DingTalk's bots,
Slack, Telegram, WhatsApp, Facebook previews, headless browsers, curl, HTTP libraries …). A view
that is a scan names its client by address and user agent; :class:`~.scans.ScanQueue` then counts
one scan per client per item per window and keeps only a salted hash of them.

The client address is the one uvicorn reports: behind a reverse proxy, start the server with the
proxy's address trusted (uvicorn's ``--forwarded-allow-ips``, default 127.0.0.1) so that it is the
consumer's, not the proxy's.
"""

from __future__ import annotations

from typing import Any

from crawlerdetect import CrawlerDetect

__all__ = ["Viewers"]

_PREFETCH_HEADERS = (b"sec-purpose", b"purpose", b"x-purpose", b"x-moz")


class Viewers:
    """Tells a person's view from the rest (see the module doc), remembering each user agent's answer."""

    def __init__(self, cache_size: int = 4096) -> None:
        self._detect = CrawlerDetect()
        self._bots: dict[bytes, bool] = {}
        self._cache_size = cache_size
        self._detect.is_crawler("warm-up")  # compiles its patterns now, not on a consumer's first view

    def is_bot(self, user_agent: bytes) -> bool:
        known = self._bots.get(user_agent)
        if known is None:
            known = self._detect.is_crawler(user_agent.decode("latin-1"))
            if len(self._bots) >= self._cache_size:
                self._bots.clear()
            self._bots[user_agent] = known
        return known

    def client(self, scope: dict[str, Any]) -> bytes | None:
        """The client of an ASGI request whose view is a scan; None when it is not one."""
        if scope["method"] != "GET":
            return None
        agent = None
        for name, value in scope["headers"]:
            if name == b"user-agent":
                agent = value
            elif name in _PREFETCH_HEADERS and b"prefetch" in value.lower():
                return None
        if not agent or self.is_bot(agent):
            return None
        host = (scope.get("client") or ("", 0))[0] or ""
        return host.encode("latin-1") + b"\0" + agent
