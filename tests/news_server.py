"""A small Arabic news site on 127.0.0.1 for the fetch and watch tests (and the fetch
benchmark): a feed, news sitemaps (plain, gzipped, an index), robots.txt, article pages in
UTF-8 and windows-1256, and the misbehaviours a monitor meets: 429 with Retry-After, a
redirect to a private address, a huge and a slow answer, broken XML, duplicate URLs with
tracking parameters. Every text is written for these tests.

The server answers only on loopback, logs every request it gets, and shuts itself down after
``lifetime`` seconds even if a test forgets to.
"""

from __future__ import annotations

import gzip
import hashlib
import threading
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime, formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARTICLES = {
    "/news/hospital.html": (
        "افتتاح مستشفى جديد في الزرقاء بسعة مئتي سرير",
        ["أعلنت وزارة الصحة صباح الأحد افتتاح مستشفى حكومي جديد في مدينة الزرقاء بسعة مئتي سرير، "
         "في خطوة قالت إنها ستخفف الضغط عن مستشفيات العاصمة.",
         "وقال وزير الصحة خلال حفل الافتتاح إن المستشفى يضم قسماً للطوارئ وآخر لجراحة القلب، "
         "وإن الكوادر الطبية التي ستعمل فيه جرى تدريبها خلال الأشهر الستة الماضية.",
         "وأضاف الوزير أن كلفة المشروع بلغت أربعين مليون دينار، موّلت الحكومة معظمها "
         "بقرض ميسّر من صندوق التنمية.",
         "ورحّب سكان المدينة بالمستشفى الجديد، مشيرين إلى أنهم كانوا يضطرون إلى السفر ساعات "
         "لتلقي العلاج في العاصمة."]),
    "/news/vegetables.html": (
        "ارتفاع أسعار الخضروات في أسواق عمّان مع بداية الشتاء",
        ["شهدت أسواق الخضار في العاصمة عمّان ارتفاعاً ملحوظاً في الأسعار مع بداية فصل الشتاء، "
         "إذ تضاعف سعر البندورة خلال أسبوع واحد.",
         "وعزا تجار في السوق المركزي الارتفاع إلى تراجع الكميات الواردة من المزارع في الأغوار "
         "بسبب موجة البرد التي ضربت المنطقة.",
         "وطالبت جمعية حماية المستهلك الحكومة بالتدخل لضبط الأسعار ومنع الاحتكار، "
         "محذرة من أثر الارتفاع على الأسر محدودة الدخل.",
         "من جهتها قالت وزارة الزراعة إن الأسعار ستعود إلى مستوياتها الطبيعية خلال أسبوعين "
         "مع دخول إنتاج المناطق الجنوبية إلى الأسواق."]),
    "/news/budget.html": (
        "مجلس النواب يقرّ مشروع قانون الموازنة العامة للعام المقبل",
        ["أقرّ مجلس النواب مساء الثلاثاء مشروع قانون الموازنة العامة للعام المقبل بأغلبية "
         "ثمانين نائباً من أصل مئة وعشرين حضروا الجلسة.",
         "وقال رئيس اللجنة المالية في المجلس إن الموازنة تتضمن زيادة في مخصصات التعليم والصحة، "
         "وخفضاً في النفقات الجارية للوزارات.",
         "وانتقد نواب معارضون ارتفاع العجز المقدر في الموازنة، معتبرين أن الحكومة لم تقدم "
         "خطة واضحة لتقليص الدين العام.",
         "ومن المنتظر أن يحال القانون إلى مجلس الأعيان لمناقشته قبل نهاية الشهر الجاري."]),
    "/news/bookfair.html": (
        "انطلاق معرض الكتاب الدولي بمشاركة أربعمئة دار نشر",
        ["انطلقت صباح الخميس فعاليات معرض الكتاب الدولي في دورته الجديدة بمشاركة أربعمئة دار "
         "نشر من عشرين دولة عربية وأجنبية.",
         "وقالت إدارة المعرض إن البرنامج الثقافي يضم أكثر من خمسين ندوة وأمسية شعرية، "
         "إضافة إلى جناح خاص بكتب الأطفال.",
         "وأشار ناشرون مشاركون إلى أن ارتفاع كلفة الورق والشحن انعكس على أسعار الكتب هذا العام، "
         "لكنهم قدموا خصومات للطلاب.",
         "ويستمر المعرض عشرة أيام، ويفتح أبوابه للزوار من العاشرة صباحاً حتى العاشرة مساءً."]),
    "/news/rain.html": (
        "أمطار غزيرة تغلق طرقاً رئيسية في جنوب البلاد",
        ["أغلقت السلطات عدداً من الطرق الرئيسية في المحافظات الجنوبية بعد هطول أمطار غزيرة "
         "تسببت في جريان السيول في الأودية.",
         "وقالت مديرية الدفاع المدني إن فرقها أنقذت اثني عشر شخصاً حاصرتهم المياه داخل "
         "مركباتهم، ولم تسجل أي إصابات خطيرة.",
         "ودعت دائرة الأرصاد الجوية المواطنين إلى الابتعاد عن مجاري السيول وعدم المجازفة "
         "بعبور الأودية خلال اليومين المقبلين.",
         "وتوقعت الدائرة أن تتراجع فرص هطول الأمطار تدريجياً اعتباراً من مساء الجمعة."]),
    "/private/draft.html": (
        "مسودة لم تنشر",
        ["هذه الصفحة محجوبة عن الزواحف في ملف robots.txt ولا يجوز جلبها."]),
}

WINDOWS_1256 = {"/news/vegetables.html"}

# The site's news is from yesterday, whenever the tests run.
YESTERDAY = (datetime.now(timezone.utc) - timedelta(days=1)).replace(second=0, microsecond=0)
DAY = YESTERDAY.strftime("%Y-%m-%d")


def rfc822(hour: int, minute: int = 0, days_ago: int = 1) -> str:
    """An RSS date on the site's news day (or ``days_ago`` days back) at hour:minute UTC."""
    when = YESTERDAY.replace(hour=hour, minute=minute) - timedelta(days=days_ago - 1)
    return format_datetime(when, usegmt=True)


def page_html(path: str, declare_charset: bool = True) -> str:
    title, paragraphs = ARTICLES[path]
    meta = '<meta charset="utf-8">' if declare_charset else ""
    body = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    return (f"<!DOCTYPE html><html lang=\"ar\" dir=\"rtl\"><head>{meta}<title>{title} | صحيفة الأفق</title>"
            f"</head><body><nav><a href=\"/\">الرئيسية</a> <a href=\"/news/\">أخبار</a></nav>"
            f"<article><h1>{title}</h1>{body}</article>"
            f"<footer>جميع الحقوق محفوظة</footer></body></html>")


def rss(base: str) -> bytes:
    items = [
        ("/news/hospital.html", rfc822(8, 0)),
        ("/news/hospital.html?utm_source=rss&utm_medium=feed", rfc822(8, 0)),
        ("/news/vegetables.html", rfc822(9, 30)),
        ("/private/draft.html", rfc822(10, 0)),
        ("/go/metadata", rfc822(10, 5)),
        ("/go/localhost", rfc822(10, 6)),
        ("/news/rain.html", rfc822(11, 0)),
        ("/images/rain-map.jpg", rfc822(11, 5)),
    ]
    body = "".join(
        f"<item><title>{ARTICLES.get(p.split('?')[0], ('خبر', []))[0]}</title>"
        f"<link>{base}{p.replace('&', '&amp;')}</link><pubDate>{d}</pubDate></item>"
        for p, d in items)
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
            f"<title>صحيفة الأفق</title><link>{base}/</link><description>آخر الأخبار</description>"
            f"{body}</channel></rss>").encode("utf-8")


def sitemap(base: str, paths: list[str]) -> bytes:
    urls = "".join(
        f"<url><loc>{base}{p}</loc><lastmod>{DAY}</lastmod><news:news><news:publication>"
        f"<news:name>وكالة النهار</news:name><news:language>ar</news:language></news:publication>"
        f"<news:publication_date>{DAY}T12:00:00+00:00</news:publication_date>"
        f"<news:title>{ARTICLES[p][0]}</news:title></news:news></url>" for p in paths)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>").encode("utf-8")


class NewsServer:
    """Start with ``with NewsServer() as srv:``; ``srv.base`` is its URL, ``srv.log`` the
    (time, path, headers) of every request, ``srv.hits(path)`` how often a path was asked."""

    def __init__(self, lifetime: float = 120.0, page_delay: float = 0.0):
        self.log: list[tuple[float, str, dict[str, str]]] = []
        self.lock = threading.Lock()
        self.lifetime = lifetime
        self.page_delay = page_delay  # seconds each article page takes to answer
        self.busy_left = 1  # /news/rain.html answers 429 this many times first
        self.extra: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.posts: list[bytes] = []  # bodies POSTed to /hook
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                with server.lock:
                    server.log.append((time.monotonic(), self.path, dict(self.headers.items())))
                try:
                    server.answer(self)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_POST(self):  # the webhook receiver: /hook takes JSON alerts
                length = min(int(self.headers.get("Content-Length") or 0), 1_000_000)
                body = self.rfile.read(length)
                with server.lock:
                    server.log.append((time.monotonic(), self.path, dict(self.headers.items())))
                    if self.path == "/hook":
                        server.posts.append(body)
                server._send(self, 204 if self.path == "/hook" else 404, {}, b"")

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.port = self.httpd.server_address[1]

    # -- routes ---------------------------------------------------------------------------
    def routes(self) -> dict[str, tuple[int, dict[str, str], bytes]]:
        b = self.base
        robots = (f"User-agent: *\nDisallow: /private/\n\nSitemap: {b}/sitemap.xml\n"
                  f"Sitemap: {b}/sitemap-index.xml\n").encode()
        home = (f'<html><head><title>صحيفة الأفق</title><link rel="alternate" type="application/rss+xml" '
                f'title="آخر الأخبار" href="/rss.xml"></head><body><h1>صحيفة الأفق</h1></body></html>').encode()
        out = {
            "/robots.txt": (200, {"Content-Type": "text/plain"}, robots),
            "/": (200, {"Content-Type": "text/html; charset=utf-8"}, home),
            "/rss.xml": (200, {"Content-Type": "application/rss+xml"}, rss(b)),
            "/sitemap.xml": (200, {"Content-Type": "application/xml"}, sitemap(b, ["/news/budget.html"])),
            "/sitemap-index.xml": (200, {"Content-Type": "application/xml"}, (
                '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                f"<sitemap><loc>{b}/sitemaps/latest.xml.gz</loc><lastmod>{DAY}</lastmod></sitemap>"
                "</sitemapindex>").encode()),
            "/sitemaps/latest.xml.gz": (200, {"Content-Type": "application/gzip"},
                                         gzip.compress(sitemap(b, ["/news/bookfair.html"]))),
            "/broken.xml": (200, {"Content-Type": "application/rss+xml"},
                            b'<?xml version="1.0"?><rss><channel><title>\xd8\xae\xd8\xa8\xd8\xb1<item><link>'),
            "/go/metadata": (302, {"Location": "http://169.254.169.254/latest/meta-data/"}, b""),
            "/go/localhost": (302, {"Location": f"http://localhost:{self.port}/news/budget.html"}, b""),
            "/go/loop": (302, {"Location": "/go/loop"}, b""),
        }
        for path in ARTICLES:
            if path in WINDOWS_1256:  # no charset declared anywhere: marsad must detect it
                out[path] = (200, {"Content-Type": "text/html"},
                             page_html(path, declare_charset=False).encode("cp1256"))
            else:
                out[path] = (200, {"Content-Type": "text/html; charset=utf-8"}, page_html(path).encode())
        out.update(self.extra)
        return out

    def answer(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/huge.html":
            return self._huge(h)
        if path == "/slow.html":
            return self._slow(h)
        routes = self.routes()
        if path == "/news/rain.html":
            with self.lock:
                busy = self.busy_left > 0
                self.busy_left -= 1
            if busy:
                return self._send(h, 429, {"Retry-After": "1"}, b"")
        key = path.split("?")[0] if path.split("?")[0] in ARTICLES else path
        if key not in routes:
            return self._send(h, 404, {"Content-Type": "text/plain"}, b"not found")
        status, headers, body = routes[key]
        if key in ARTICLES and self.page_delay:
            time.sleep(self.page_delay)
        if status == 200:
            etag = '"' + hashlib.sha1(body).hexdigest()[:16] + '"'
            modified = formatdate(1_765_000_000, usegmt=True)
            headers = dict(headers, ETag=etag, **{"Last-Modified": modified})
            if h.headers.get("If-None-Match") == etag:
                return self._send(h, 304, {"ETag": etag}, b"")
        self._send(h, status, headers, body)

    def _send(self, h, status, headers, body):
        h.send_response(status)
        for k, v in headers.items():
            h.send_header(k, v)
        h.send_header("Content-Length", str(len(body)))
        h.end_headers()
        if body:
            h.wfile.write(body)

    def _huge(self, h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        chunk = ("<p>" + "نص طويل جداً " * 500 + "</p>").encode()
        try:
            for _ in range(200):  # about 2.6 MB, no Content-Length
                h.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True

    def _slow(self, h):
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Connection", "close")
        h.end_headers()
        try:
            for _ in range(40):  # a byte every 0.25 s for 10 s
                h.wfile.write(b"<")
                h.wfile.flush()
                time.sleep(0.25)
        except (BrokenPipeError, ConnectionResetError):
            pass
        h.close_connection = True

    # -- life -----------------------------------------------------------------------------
    def hits(self, path: str) -> int:
        with self.lock:
            return sum(1 for _, p, _ in self.log if p == path)

    def paths(self) -> list[str]:
        with self.lock:
            return [p for _, p, _ in self.log]

    def __enter__(self) -> "NewsServer":
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.1},
                                       daemon=True)
        self.thread.start()
        self.timer = threading.Timer(self.lifetime, self.httpd.shutdown)
        self.timer.daemon = True
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.cancel()
        self.httpd.shutdown()
        self.httpd.server_close()
