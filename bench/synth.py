#!/usr/bin/env python3
"""Deterministic synthetic content for Petitio's benchmarks (issue 5).

Writes N petitions in kk, ru and en twice, with byte-identical Markdown bodies:

  OUT/petitio/petitio.toml
  OUT/petitio/content/petitions/<slug>/index.<lang>.md   Petitio's format: TOML front
        matter between +++ lines, shared fields (created, deadline, status, goal,
        milestones, tags, response date, ...) only in the kk file.
  OUT/hugo/hugo.toml
  OUT/hugo/content/petitions/<slug>/index.<lang>.md      the same Markdown for Hugo
        (multilingual by file name); Hugo cannot merge translations, so every language
        file repeats the shared fields. Build with `--themesDir bench` (theme
        `hugo-theme`).

Every petition i is generated from its own PRNG seeded with the string
"<seed>/<i>", so the output is byte-identical from run to run, and the first 1,000
petitions of the 10,000 site are the 1,000 site.

Bodies are ~4 KB of UTF-8 Markdown per file (headings, paragraphs, bullet and numbered
lists, links, emphasis, strong, a quote in some). Statuses, tags, goals, milestones,
dates, responses and updates vary. Statuses `draft` and `removed` are left out on
purpose: the two generators would not render the same page set for them.

Usage: synth.py N OUT [--seed S]     (Python 3 standard library only)
"""

import argparse
import datetime as dt
import os
import random
import shutil
import sys

LANGS = ("kk", "ru", "en")
DEFAULT_LANG = "kk"

# Civic vocabulary per language. Realism here is about byte lengths, word lengths and
# scripts (Cyrillic with Kazakh letters, Cyrillic, Latin), not meaning.
WORDS = {
    "kk": """әкімдік қала аудан ауыл мектеп балабақша емхана аурухана жол көпір саябақ
ағаш ауа су жарық жылу газ көлік автобус аялдама трамвай велосипед жаяу жүргінші
тұрғын азамат бала ата-ана мұғалім дәрігер зейнеткер жастар мүмкіндігі шектеулі
бюджет қаражат шығыс табыс салық есеп дерек ашық жария ақпарат тізім кесте мерзім
жоба жоспар шешім талап ұсыныс өтініш петиция қолтаңба жауап кездесу тыңдау
қауіпсіздік денсаулық білім мәдениет спорт экология қоқыс қалдық өзен көл тау дала
құрылыс жөндеу салу ашу жабу жариялау қарау бекіту қаржыландыру енгізу сақтау
жаңа ескі үлкен кіші қауіпті таза лас жылдам баяу қолжетімді ыңғайлы тиімді
барлық әр бірнеше көптеген жыл ай апта күн түн қыс көктем жаз күз
біз сіз олар бұл осы сол және бірақ себебі сондықтан үшін дейін кейін бойынша
маңызды қажет керек мүмкін тиіс болады емес жоқ бар әлі қазір бүгін ертең""",
    "ru": """акимат город район село школа детский сад поликлиника больница дорога мост
парк дерево воздух вода свет тепло газ транспорт автобус остановка трамвай
велосипед пешеход житель гражданин ребёнок родители учитель врач пенсионер
молодёжь инвалидность бюджет средства расходы доходы налог отчёт данные открытый
публичный информация список график срок проект план решение требование
предложение обращение петиция подпись ответ встреча слушание безопасность
здоровье образование культура спорт экология мусор отходы река озеро горы степь
строительство ремонт построить открыть закрыть опубликовать рассмотреть
утвердить финансировать ввести сохранить новый старый большой малый опасный
чистый грязный быстрый медленный доступный удобный эффективный все каждый
несколько многие год месяц неделя день ночь зима весна лето осень мы вы они это
этот тот и но потому поэтому для до после по важно нужно необходимо возможно
должен будет нет есть ещё сейчас сегодня завтра""",
    "en": """akimat city district village school kindergarten clinic hospital road bridge
park tree air water light heating gas transport bus stop tram bicycle pedestrian
resident citizen child parents teacher doctor pensioner young people disability
budget funds spending income tax report data open public information list
timetable deadline project plan decision demand proposal appeal petition
signature answer meeting hearing safety health education culture sport ecology
waste rubbish river lake mountains steppe construction repair build open close
publish review approve fund introduce protect new old large small dangerous clean
dirty fast slow accessible convenient efficient all every several many year
month week day night winter spring summer autumn we you they this that and but
because therefore for before after by important needed necessary possible must
will not there still now today tomorrow""",
}

HEADINGS = {
    "kk": ["Мәселе", "Біз не сұраймыз", "Неге бұл маңызды", "Қолтаңба межелері",
           "Біз кімбіз", "Не істелді", "Сандар", "Қосымша ақпарат", "Келесі қадамдар"],
    "ru": ["В чём проблема", "Чего мы просим", "Почему это важно", "Пороги подписей",
           "Кто мы", "Что уже сделано", "Цифры", "Дополнительно", "Следующие шаги"],
    "en": ["The problem", "What we ask for", "Why it matters", "Signature milestones",
           "Who we are", "What has been done", "Figures", "More information",
           "Next steps"],
}

ADDRESSEES = {
    "kk": ["Алматы қаласының әкімдігі", "Астана қаласының әкімдігі",
           "Шымкент қаласының әкімдігі", "Қазақстан Республикасының Білім министрлігі",
           "Қазақстан Республикасының Денсаулық сақтау министрлігі",
           "Қарағанды облысының әкімдігі", "Маңғыстау облысының әкімдігі",
           "Қазақстан Республикасының Парламенті Мәжілісі"],
    "ru": ["Акимат города Алматы", "Акимат города Астаны", "Акимат города Шымкента",
           "Министерство просвещения Республики Казахстан",
           "Министерство здравоохранения Республики Казахстан",
           "Акимат Карагандинской области", "Акимат Мангистауской области",
           "Мажилис Парламента Республики Казахстан"],
    "en": ["Akimat of Almaty", "Akimat of Astana", "Akimat of Shymkent",
           "Ministry of Education of the Republic of Kazakhstan",
           "Ministry of Health of the Republic of Kazakhstan",
           "Akimat of Karaganda Region", "Akimat of Mangystau Region",
           "Mazhilis of the Parliament of the Republic of Kazakhstan"],
}

AUTHORS = {
    "kk": ["Бастамашыл топ", "«Таза ауа» қоғамдық бірлестігі", "Ата-аналар кеңесі",
           "Тұрғындар бастамасы", "«Ашық бюджет» клубы"],
    "ru": ["Инициативная группа", "Общественное объединение «Таза ауа»",
           "Родительский совет", "Инициатива жителей", "Клуб «Открытый бюджет»"],
    "en": ["Initiative group", "Taza Aua public association", "Parents' council",
           "Residents' initiative", "Open Budget club"],
}

REASONS = {
    "kk": "Петиция сайт ережелерін бұзады: мәтінде нақты талап жоқ.",
    "ru": "Петиция нарушает правила сайта: в тексте нет конкретного требования.",
    "en": "The petition breaks the site's rules: the text has no concrete demand.",
}

TAGS = ["ecology", "air", "water", "transport", "roads", "schools", "health",
        "budget", "open-data", "housing", "parks", "safety", "culture", "sport",
        "accessibility", "almaty", "astana", "shymkent", "karaganda", "aktobe",
        "pavlodar", "atyrau", "taraz", "kostanay", "villages", "youth", "pensions",
        "animals", "heritage", "language"]

SLUG_WORDS = ["clean", "air", "park", "school", "bus", "road", "budget", "water",
              "river", "trees", "tram", "bridge", "clinic", "ramps", "light", "heat",
              "gas", "waste", "library", "stadium", "square", "market", "playground",
              "bike", "lane", "stop", "data", "hearing", "village", "lake"]

STATUSES = [("open", 50), ("closed", 15), ("responded", 15),
            ("partially_satisfied", 8), ("rejected", 12)]
GOALS = [500, 1000, 2000, 5000, 10000, 25000, 50000, 100000]
LINK_HOSTS = ["https://adilet.example.kz/", "https://stat.example.kz/",
              "https://budget.example.kz/", "https://news.example.kz/"]

START = dt.date(2023, 1, 1)
LISTINGS = ("open", "responded", "closed", "archive")


def words(rng, lang, n):
    vocab = WORDS_SPLIT[lang]
    return [rng.choice(vocab) for _ in range(n)]


def sentence(rng, lang, lo=6, hi=16, plain=False):
    w = words(rng, lang, rng.randint(lo, hi))
    # Inline markup in some sentences: emphasis, strong, a link, a number.
    r = 1.0 if plain else rng.random()
    if r < 0.12:
        i = rng.randrange(len(w))
        w[i] = "*" + w[i] + "*"
    elif r < 0.22:
        i = rng.randrange(len(w) - 1)
        w[i] = "**" + w[i]
        w[i + 1] = w[i + 1] + "**"
    elif r < 0.30:
        i = rng.randrange(len(w) - 1)
        url = rng.choice(LINK_HOSTS) + "doc/" + str(rng.randint(1000, 99999))
        w[i] = "[" + w[i]
        w[i + 1] = w[i + 1] + "](" + url + ")"
    elif r < 0.36:
        w.insert(rng.randrange(len(w)), "{:,}".format(rng.randint(10, 5_000_000)).replace(",", " "))
    s = " ".join(w)
    end = rng.choice(".....!")
    if s[0] in "*[":
        return s + end
    return s[0].upper() + s[1:] + end


def paragraph(rng, lang):
    return " ".join(sentence(rng, lang) for _ in range(rng.randint(2, 5)))


def body(rng, lang, target):
    """Markdown body of about `target` UTF-8 bytes."""
    heads = HEADINGS[lang]
    out = []
    size = 0
    k = 0
    while size < target:
        block = []
        block.append("## " + heads[k % len(heads)])
        k += 1
        block.append(paragraph(rng, lang))
        r = rng.random()
        if r < 0.35:
            block.append("\n".join("- " + sentence(rng, lang, 3, 9)
                                   for _ in range(rng.randint(3, 6))))
        elif r < 0.65:
            block.append("\n".join("%d. %s" % (j + 1, sentence(rng, lang, 5, 12))
                                   for j in range(rng.randint(3, 5))))
        elif r < 0.75:
            block.append("> " + sentence(rng, lang, 8, 18))
        if rng.random() < 0.5:
            block.append(paragraph(rng, lang))
        text = "\n\n".join(block)
        out.append(text)
        size += len(text.encode("utf-8")) + 2
    return "\n\n".join(out) + "\n"


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def toml_ml(s):
    return '"""\n' + s.replace("\\", "\\\\").replace('"""', '\\"\\"\\"') + '"""'


def petition(seed, i):
    """One petition: shared fields and per-language fields and bodies."""
    rng = random.Random("%s/%d" % (seed, i))
    slug = "p%05d-%s-%s" % (i, rng.choice(SLUG_WORDS), rng.choice(SLUG_WORDS))
    created = START + dt.timedelta(days=rng.randrange(0, 1400))
    deadline = created + dt.timedelta(days=rng.choice([30, 60, 90, 180, 365]))
    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    goal = rng.choice(GOALS)
    ms = sorted(rng.sample([goal // 10, goal // 5, goal // 4, goal // 2],
                           rng.randint(0, 3)))
    tags = sorted(rng.sample(TAGS, rng.randint(1, 4)))
    addressee = rng.randrange(len(ADDRESSEES["kk"]))
    author = rng.randrange(len(AUTHORS["kk"])) if rng.random() < 0.8 else None
    n_updates = rng.choice([0, 0, 0, 1, 1, 2, 3])
    update_dates = sorted(created + dt.timedelta(days=rng.randrange(1, 300))
                          for _ in range(n_updates))
    response_date = (deadline + dt.timedelta(days=rng.randrange(1, 60))
                     if status in ("responded", "partially_satisfied") else None)
    target = rng.randint(3200, 4400)
    shared = {
        "created": created, "deadline": deadline, "status": status, "goal": goal,
        "milestones": ms, "tags": tags, "response_date": response_date,
        "update_dates": update_dates,
    }
    per_lang = {}
    for lang in LANGS:
        lr = random.Random("%s/%d/%s" % (seed, i, lang))
        per_lang[lang] = {
            "title": " ".join(words(lr, lang, lr.randint(6, 12))).capitalize(),
            "summary": " ".join(sentence(lr, lang, 10, 20, plain=True)
                                for _ in range(2)),
            "addressee": ADDRESSEES[lang][addressee],
            "author": AUTHORS[lang][author] if author is not None else None,
            "reason": REASONS[lang] if status == "rejected" else None,
            "response": ("\n\n".join(paragraph(lr, lang) for _ in range(2)) + "\n"
                         if response_date else None),
            "updates": [paragraph(lr, lang) + "\n" for _ in update_dates],
            "body": body(lr, lang, target),
        }
    return slug, shared, per_lang


def front_matter(shared, lang_fields, with_shared):
    f = lang_fields
    lines = ["+++", "title = " + toml_str(f["title"]),
             "summary = " + toml_str(f["summary"]),
             "addressee = " + toml_str(f["addressee"])]
    if f["author"] is not None:
        lines.append("author = " + toml_str(f["author"]))
    if with_shared:
        lines += [
            "created = %s" % shared["created"].isoformat(),
            "deadline = %s" % shared["deadline"].isoformat(),
            "status = " + toml_str(shared["status"]),
            "goal = %d" % shared["goal"],
        ]
        if shared["milestones"]:
            lines.append("milestones = [%s]" % ", ".join(str(m) for m in shared["milestones"]))
        lines.append("tags = [%s]" % ", ".join(toml_str(t) for t in shared["tags"]))
    if f["reason"] is not None:
        lines.append("status_reason = " + toml_str(f["reason"]))
    if f["response"] is not None:
        lines.append("")
        lines.append("[response]")
        if with_shared:
            lines.append("date = %s" % shared["response_date"].isoformat())
        lines.append("from = " + toml_str(f["addressee"]))
        lines.append("text = " + toml_ml(f["response"]))
    for d, text in zip(shared["update_dates"], f["updates"]):
        lines.append("")
        lines.append("[[updates]]")
        lines.append("date = %s" % d.isoformat())
        lines.append("text = " + toml_ml(text))
    lines.append("+++")
    return "\n".join(lines) + "\n"


PETITIO_TOML = '''base_url = "https://petitio.example/"
default_language = "kk"
languages = ["kk", "ru", "en"]
api_url = "/api"
theme = "default"
allow_raw_html = false

[title]
kk = "Petitio — азаматтық петициялар"
ru = "Petitio — гражданские петиции"
en = "Petitio — civic petitions"

[description]
kk = "Қазақстан азаматтарының петициялары: синтетикалық сынақ сайты."
ru = "Петиции жителей Казахстана: синтетический тестовый сайт."
en = "Petitions from people in Kazakhstan: a synthetic benchmark site."
'''

HUGO_TOML = '''baseURL = "https://petitio.example/"
theme = "hugo-theme"
defaultContentLanguage = "kk"
defaultContentLanguageInSubdir = true
# The page set of `petitio build` (see BENCHMARKS.md): per petition and language a page
# and a "signed" page; per language a home, four listings (open, responded, closed,
# archive), a tag index and one page per tag, a feed of 100 entries;
# sitemaps, robots.txt, a 404 page. Listings and tag pages have 50 petitions a page, as
# Petitio's. Not mirrored: Petitio's open data (JSON, CSV), its _headers file and worker
# manifest.
enableRobotsTXT = true
paginate = 50
timeZone = "Asia/Almaty"

[taxonomies]
tag = "tags"

[frontmatter]
date = ["created", ":default"]

[outputFormats.signed]
mediaType = "text/html"
baseName = "index"
path = "signed"
isHTML = true
permalinkable = false

[outputs]
home = ["HTML", "RSS"]
page = ["HTML", "signed"]
section = ["HTML"]
taxonomy = ["HTML"]
term = ["HTML"]

[services.rss]
limit = 100

[markup.goldmark.renderer]
unsafe = false

[languages.kk]
languageName = "Қазақша"
weight = 1
title = "Petitio — азаматтық петициялар"
[languages.ru]
languageName = "Русский"
weight = 2
title = "Petitio — гражданские петиции"
[languages.en]
languageName = "English"
weight = 3
title = "Petitio — civic petitions"
'''


def write(path, text):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("n", type=int, help="number of petitions")
    ap.add_argument("out", help="output folder (replaced)")
    ap.add_argument("--seed", default="petitio-bench-1")
    a = ap.parse_args()
    if os.path.exists(a.out):
        shutil.rmtree(a.out)
    pet = os.path.join(a.out, "petitio")
    hug = os.path.join(a.out, "hugo")
    os.makedirs(os.path.join(pet, "content", "petitions"))
    os.makedirs(os.path.join(pet, "content", "pages"))
    os.makedirs(os.path.join(hug, "content", "petitions"))
    write(os.path.join(pet, "petitio.toml"), PETITIO_TOML)
    write(os.path.join(hug, "hugo.toml"), HUGO_TOML)
    # Hugo: the four listings are (empty) sections paginated over the petitions, like
    # Petitio's /<lang>/<listing>/page/<n>/; the petitions section page is not rendered.
    for lang in LANGS:
        for name in LISTINGS:
            os.makedirs(os.path.join(hug, "content", name), exist_ok=True)
            write(os.path.join(hug, "content", name, "_index.%s.md" % lang),
                  '+++\ntitle = "%s"\ntype = "listings"\nlayout = "listing"\nlisting = "%s"\n+++\n'
                  % (name, name))
        write(os.path.join(hug, "content", "petitions", "_index.%s.md" % lang),
              '+++\ntitle = "petitions"\n[_build]\nrender = "never"\nlist = "always"\n+++\n')
    total = 0
    for i in range(1, a.n + 1):
        slug, shared, per_lang = petition(a.seed, i)
        pdir = os.path.join(pet, "content", "petitions", slug)
        hdir = os.path.join(hug, "content", "petitions", slug)
        os.makedirs(pdir)
        os.makedirs(hdir)
        for lang in LANGS:
            f = per_lang[lang]
            write(os.path.join(pdir, "index.%s.md" % lang),
                  front_matter(shared, f, lang == DEFAULT_LANG) + f["body"])
            write(os.path.join(hdir, "index.%s.md" % lang),
                  front_matter(shared, f, True) + f["body"])
            total += len(f["body"].encode("utf-8"))
    print("%d petitions x %d languages, %.0f bytes of body Markdown per file on average"
          % (a.n, len(LANGS), total / (a.n * len(LANGS))), file=sys.stderr)


WORDS_SPLIT = {k: v.split() for k, v in WORDS.items()}

if __name__ == "__main__":
    main()
