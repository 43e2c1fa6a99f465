"""Work against article length: time and peak memory of one article of 0.25, 1, 2 and 5 MB
through marsad: the per-input analysis (extraction, cleaning, metadata, facts: what the time
limit bounds), then the whole pipeline again with placing, storing and the story's brief.

The article is built from news paragraphs written for this benchmark (fictional places and
people, the shapes real reports have: direct and indirect quotes, denials, casualty counts,
dates, money, percentages), repeated with names and numbers varied so no two paragraphs are
equal. Each size runs in a fresh process so its peak memory is its own; time should grow in
proportion to size (the s/MB column stays flat when the work is linear).
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
import time

from benchmarks.common import ROOT

PEOPLE = ["نور الدين بوعلام", "سليم الحداد", "ليلى المنصوري", "كريم العبيدي", "هدى الزبيدي",
          "فؤاد الشامي", "رامي القاسم", "سعاد بن عيسى", "منير الخطيب", "عادل الدباغ"]
ROLES = ["وزير الداخلية", "المتحدث باسم الحكومة", "رئيس الهيئة الوطنية للانتخابات",
         "وزيرة الصحة", "قائد الشرطة في المحافظة", "الأمين العام لنقابة المعلمين"]
ORGS = ["الهيئة الوطنية المستقلة للانتخابات", "وزارة الداخلية", "الهلال الأحمر",
        "نقابة المعلمين", "البنك المركزي", "اللجنة الدولية للصليب الأحمر", "الاتحاد الأفريقي"]
PLACES = ["سيرتا", "عين الصفا", "الواحات", "مرفأ الجنوب", "وادي النخيل", "القصبة", "بئر السبع الجديدة"]
AGENCIES = ["رويترز", "فرانس برس", "وكالة الأنباء الرسمية", "أسوشيتد برس"]
DAYS = ["الأحد", "الإثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت"]
MONTHS = ["يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس"]

PARAGRAPHS = [
    "قال {role} {person}، في مؤتمر صحفي عقده {day} في {place}، إن \"الأوضاع الأمنية تحت السيطرة "
    "وإن الحكومة لن تسمح بتكرار ما جرى\"، مضيفا أن قوات الأمن انتشرت في {n1} نقطة تفتيش على الطرق المؤدية إلى المدينة.",
    "وأعلنت {org} ارتفاع حصيلة ضحايا الانفجار الذي وقع في سوق {place} إلى {n2} قتيلا على الأقل و{n3} جريحا، "
    "بينهم {n4} أطفال، مشيرة إلى أن فرق الإنقاذ ما زالت تبحث عن مفقودين تحت الأنقاض.",
    "ونفى {person} ما نقلته وكالة {agency} عن مصادر مطلعة بشأن استقالته من منصبه، ووصف التقرير بأنه "
    "«عار تماما عن الصحة ولا يستند إلى أي معلومات موثوقة».",
    "وأكد {person} أن المفاوضات مع {org} ستستأنف في {dnum} {month} {year}، موضحا أن الجانبين اتفقا على "
    "جدول أعمال من {n1} بنود، أبرزها تبادل الأسرى وإعادة فتح المعابر.",
    "من جهتها، قالت {role2} {person2} لوكالة {agency} إن المستشفيات في {place} استقبلت {n3} مصابا منذ "
    "صباح {day}، وإن نسبة إشغال الأسرة بلغت {pct} في المئة، داعية المواطنين إلى التبرع بالدم.",
    "وبحسب بيان صادر عن {org}، فإن قيمة الأضرار المادية تقدر بنحو {money} مليون دولار، في حين تعهد "
    "البنك المركزي بتخصيص {n2} مليار دينار لإعادة إعمار الأحياء المتضررة خلال عامين.",
    "وكان {person} قد صرح في وقت سابق بأن \"الحوار هو الطريق الوحيد للخروج من الأزمة\"، غير أن "
    "المعارضة اتهمت الحكومة بالمماطلة وأعلنت مقاطعة جلسة البرلمان المقررة {day} المقبل.",
    "وشهدت مدينة {place} مظاهرات شارك فيها نحو {thousands} ألف شخص احتجاجا على رفع أسعار الوقود بنسبة "
    "{pct} بالمئة، وأفاد شهود عيان بأن الشرطة استخدمت الغاز المسيل للدموع لتفريق المحتجين.",
    "في المقابل، نفت {org} في بيان مقتضب أن تكون قواتها قد أطلقت النار على المتظاهرين، مؤكدة أن "
    "{n4} من عناصرها أصيبوا بجروح طفيفة جراء رشقهم بالحجارة قرب مقر المحافظة.",
    "وأضاف {person2} أن اللجنة ستنشر نتائج التحقيق خلال {n1} يوما، مشددا على أن \"كل من يثبت تورطه "
    "سيحال إلى القضاء مهما كان منصبه\".",
]


def long_article(size: int, seed: int = 0) -> dict:
    """A JSON record (title, text) of about ``size`` bytes of UTF-8 news text."""
    rng = random.Random(seed)
    parts: list[str] = []
    n = 0
    i = 0
    while n < size:
        template = PARAGRAPHS[i % len(PARAGRAPHS)]
        para = template.format(
            person=rng.choice(PEOPLE), person2=rng.choice(PEOPLE), role=rng.choice(ROLES),
            role2=rng.choice(ROLES), org=rng.choice(ORGS), place=rng.choice(PLACES),
            agency=rng.choice(AGENCIES), day=rng.choice(DAYS), month=rng.choice(MONTHS),
            dnum=rng.randint(1, 28), year=rng.choice([2023, 2024]), n1=rng.randint(3, 40),
            n2=rng.randint(5, 300), n3=rng.randint(10, 900), n4=rng.randint(2, 9),
            pct=rng.randint(5, 95), money=rng.randint(2, 900), thousands=rng.randint(2, 60))
        parts.append(para)
        n += len(para.encode("utf-8")) + 2
        i += 1
    return {"title": "حصيلة جديدة لضحايا انفجار سوق سيرتا والحكومة تتعهد بالتحقيق",
            "date": "2024-03-14", "source": "صوت الواحات", "text": "\n\n".join(parts)}


def run_one(size: int, time_limit: float | None = None) -> dict:
    """Run the per-input pipeline on one article of ``size`` bytes in this process."""
    from marsad.model import RawDoc
    from marsad.pipeline import process_input

    rec = long_article(size)
    raw = RawDoc(origin=f"scale-{size}.json", kind="record", fields=rec)
    t0 = time.perf_counter()
    kw = {} if time_limit is None else {"time_limit": time_limit}
    result = process_input(raw, **kw)
    dt = time.perf_counter() - t0
    out = {"size": size, "seconds": dt}
    if isinstance(result, list):
        facts = [f for _, f in result]
        out.update(articles=len(result), mentions=sum(len(f.mentions) for f in facts),
                   quotes=sum(len(f.quotes) for f in facts), claims=sum(len(f.claims) for f in facts),
                   events=sum(len(f.events) for f in facts))
    else:
        out["error"] = str(result)
    return out


def _child(size: int) -> None:
    from benchmarks.common import peak_rss_mb
    from marsad.model import RawDoc
    from marsad.pipeline import Pipeline, process_input
    from marsad.store import Store

    # models and lexicons loaded first, so the figures are the article's own work
    process_input(RawDoc(origin="warm.json", kind="record", fields=long_article(5_000, seed=1)))
    base = peak_rss_mb()
    out = run_one(size, time_limit=3600)
    out.update(peak_mb=peak_rss_mb(), base_mb=base)
    pipeline = Pipeline(Store(":memory:"), use_embeddings=False, time_limit=3600)
    raw = RawDoc(origin=f"scale-{size}.json", kind="record", fields=long_article(size))
    t0 = time.perf_counter()
    report = pipeline.ingest([raw])
    t1 = time.perf_counter()
    pipeline.finish()
    out.update(ingest=t1 - t0, finish=time.perf_counter() - t1, stored=len(report.stored),
               peak_all_mb=peak_rss_mb())
    print(json.dumps(out))


def main() -> None:
    print("   one article: analysis = extraction and facts (what --time-limit bounds); whole = "
          "Pipeline.ingest + finish into an in-memory store, no embeddings")
    print(f"   {'size':>7} {'analysis s':>10} {'s/MB':>5} {'peak MB':>8} {'whole s':>8} {'finish s':>8} "
          f"{'peak MB':>8}  facts")
    for size in (250_000, 1_000_000, 2_000_000, 5_000_000):
        proc = subprocess.run([sys.executable, "-c", f"from benchmarks.bench_scale import _child; _child({size})"],
                              cwd=ROOT, capture_output=True, text=True)
        if proc.returncode:
            print(f"   {size / 1e6:>5.2f}MB failed: {proc.stderr.strip().splitlines()[-1:]}")
            continue
        r = json.loads(proc.stdout.strip().splitlines()[-1])
        facts = r.get("error") or (f"{r['mentions']} mentions, {r['quotes']} quotes, "
                                   f"{r['claims']} claims, {r['events']} events")
        whole = r["ingest"] + r["finish"]
        print(f"   {size / 1e6:>5.2f}MB {r['seconds']:>10.1f} {r['seconds'] / (size / 1e6):>5.1f} "
              f"{r['peak_mb']:>8.0f} {whole:>8.1f} {r['finish']:>8.1f} {r['peak_all_mb']:>8.0f}  {facts}",
              flush=True)


if __name__ == "__main__":
    main()
