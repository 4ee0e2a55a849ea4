"""A harder labelled set of marketing material, for tuning and measuring search quality (`bench_quality.py`).

Provenance: every document, query and judgment is produced by this module from templates written for this
project, with a fixed seed (no download, no public collection: nothing here is tuned to a public benchmark).

What makes it harder than `retrieval_corpus.py`:
  * the same product appears in many documents: its product sheet, an FAQ, a superseded sheet of two years
    ago with other prices, a launch press release, a case study, a battlecard against a competitor, a
    campaign brief, and in passing in monthly newsletters that mention several products per section;
  * product names share words ("Halcyon Mail", "Halcyon Pages") and products of one category share
    template sentences, so passages of different products are near-duplicates;
  * many sections never name the product in their text: only the document's title and the section heading
    do (as in a real product sheet), so some queries' words are in headings only;
  * queries are phrased as marketers ask: short keyword queries, questions, paraphrases and synonyms ("how
    much does it cost" for a section headed "Plans and pricing" that speaks of seats and euros).

Judgments (0-3), by construction from each section's product, aspect, document kind and currency:
  3  answers the query: the current product sheet's or FAQ's section on that aspect; for a competitor
     question the battlecard's section on it; for a brand question the current brand book's section;
  2  answers it in part: the same product and aspect in a press release, case study or brief; the other
     sections of the matching battlecard;
  1  related: a superseded document on that aspect, a newsletter paragraph naming the product, a related
     aspect of the same product, the archived brand book;
  0  anything else (other products, even with the same words).

`split(queries)` gives a tuning half and a held-out half by product (brand queries alternate), so a figure
reported on the held-out half was not seen while tuning.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

SEED = 20261204
NOW = datetime(2026, 11, 20, tzinfo=UTC)
OLD = datetime(2024, 9, 2, tzinfo=UTC)

PREFIXES = ("Halcyon", "Nimbus", "Cobalt", "Juniper", "Meridian", "Tandem", "Beacon", "Solstice", "Granite",
            "Willow", "Quartz", "Ember", "Orbit", "Prism", "Cascade", "Aurora", "Keystone", "Falcon")  # fmt: skip
SUFFIXES = {
    "Mail": "email marketing",
    "Pages": "landing page builder",
    "Ads": "paid advertising",
    "Social": "social media scheduling",
    "Analytics": "marketing analytics",
    "Forms": "lead capture",
    "Events": "webinar platform",
    "Loyalty": "loyalty programme",
}
COMPETITORS = ("Acme Reach", "Brightwave", "Pulsefy", "Campaignly", "Sendora", "Adlytic")
AUDIENCES = ("independent retailers", "B2B software vendors", "healthcare clinics", "regional banks", "universities",
             "travel agencies", "non-profit organisations", "restaurant groups", "fashion brands")  # fmt: skip
INTEGRATIONS = ("Salesforce", "HubSpot", "Shopify", "Slack", "Zapier", "Google Analytics", "Stripe", "Zendesk")
CUSTOMERS = ("Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Adatum", "Litware", "Proseware")
FEATURES = ("a visual journey editor", "AI subject-line suggestions", "send-time optimisation",
            "dynamic content blocks", "audience lookalikes", "a drag-and-drop canvas", "multi-touch attribution",
            "approval workflows")  # fmt: skip
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October")

ASPECTS = ("pricing", "features", "onboarding", "integrations", "security", "audience", "results", "messaging")
RELATED = {
    "pricing": ("onboarding",),
    "features": ("integrations",),
    "onboarding": ("features",),
    "integrations": ("features",),
    "security": ("integrations",),
    "audience": ("messaging",),
    "results": ("audience",),
    "messaging": ("audience",),
}
SHEET_HEADINGS = {
    "pricing": ("Plans and pricing", "Pricing", "What it costs"),
    "features": ("Key features", "What it does", "Capabilities"),
    "onboarding": ("Getting started", "Set-up", "Onboarding"),
    "integrations": ("Integrations", "Connects with", "Ecosystem"),
    "security": ("Security and compliance", "Data protection", "Trust and privacy"),
    "audience": ("Who it is for", "Ideal customers", "Target audience"),
}
FAQ_HEADINGS = {
    "pricing": ("How much does it cost?", "Is there a free trial?", "How does billing work?"),
    "onboarding": ("How long does set-up take?", "Do you help us migrate?", "How do we get started?"),
    "security": ("Is our data safe?", "Are you GDPR compliant?", "Where is data stored?"),
    "integrations": ("What does it connect to?", "Does it work with our CRM?", "Is there an API?"),
}
# Body sentences. `{P}` is the product's name: used in some sentences only, as real copy does.
BODY = {
    "pricing": (
        "The Team plan is {price} euros per seat per month.",
        "The Business plan adds single sign-on and priority support for {price2} euros per seat.",
        "Paying yearly lowers the monthly amount by {pct} percent.",
        "A {n}-day trial needs no credit card.",
        "Seats can be added or removed at any time and the difference is prorated.",
        "Non-profit organisations get {pct} percent off every plan.",
    ),
    "features": (
        "{P} is a {category} tool with {feature}.",
        "Teams automate repetitive {category} work with reusable templates and version history.",
        "Dashboards refresh every {n} minutes and can be shared by link.",
        "A/B tests run with up to {n} variants.",
        "Role-based permissions keep drafts private until someone approves them.",
        "The assistant drafts copy in the brand's voice and flags risky claims.",
    ),
    "onboarding": (
        "A small team is set up in about {n} minutes.",
        "A guided checklist walks new users through the first campaign.",
        "Our onboarding specialists migrate existing contacts and templates for free.",
        "Customers on the Business plan get a named success manager for the first {n} days.",
        "Live training sessions run every Tuesday in English and German.",
    ),
    "integrations": (
        "{P} connects natively with {i1}, {i2} and {i3}.",
        "A REST API and webhooks cover everything the interface can do.",
        "Contacts sync both ways every {n} minutes.",
        "More than {n2} further apps are reachable through Zapier.",
        "Single sign-on works with Okta and Azure AD.",
    ),
    "security": (
        "Data is stored in Frankfurt and encrypted at rest with AES-256.",
        "{P} is ISO 27001 certified and audited every year.",
        "A data processing agreement compliant with the GDPR is part of every contract.",
        "Access is logged and the logs are kept for {n} months.",
        "Penetration tests by an outside firm run twice a year.",
    ),
    "audience": (
        "{P} is built for {audience} with small marketing teams.",
        "Most customers run {n} to {n2} campaigns a month without a dedicated operations person.",
        "Typical buyers are marketing managers who report to the founder or the CMO.",
        "It suits teams that sell to {audience} across {n} countries.",
    ),
    "results": (
        "{customer} grew qualified leads by {pct} percent in one quarter with {P}.",
        "Time spent building campaigns fell from {n} hours to {n2} hours a week.",
        "Cost per acquisition dropped {pct2} percent after switching from spreadsheets.",
        "The team now ships {n} campaigns a month instead of {n2}.",
    ),
    "messaging": (
        "Lead with the time saved: campaigns in hours, not weeks.",
        "Say 'your whole team, one calendar', never 'all-in-one platform'.",
        "Proof points: {pct} percent more qualified leads at {customer}.",
        "The tagline for this quarter is 'Less busywork, more launches'.",
    ),
}
BRAND = {
    "tone": ("Tone of voice", (
        "We sound warm, direct and a little playful.",
        "We write in the active voice and address the reader as you.",
        "Exclamation marks are never used in headlines.")),
    "logo": ("Logo usage", (
        "Keep clear space around the logo equal to the height of the letter O.",
        "Never stretch, recolour or rotate the logo.",
        "On dark backgrounds use the white version.")),
    "colour": ("Colour palette", (
        "The primary colour is Deep Teal, hex {hex}.",
        "Accent colours are Coral and Sand; use them for highlights only.",
        "Text on teal is always white.")),
    "type": ("Typography", (
        "Headlines are set in Inter Bold, body copy in Source Serif.",
        "Line length stays under 75 characters.",
        "Never set body copy in capitals.")),
    "social": ("Social media", (
        "Posts use at most two hashtags, always in lower case.",
        "Reply to comments within one working day.",
        "Images carry alt text describing what they show.")),
    "words": ("Words we avoid", (
        "We never say 'synergy', 'leverage' or 'best-in-class'.",
        "We say 'customers', not 'users', in public copy.",
        "Avoid jargon such as 'omnichannel' unless a customer used it first.")),
}  # fmt: skip
BRAND_RELATED = {"tone": ("words",), "words": ("tone",), "logo": ("colour",), "colour": ("logo",), "type": ("colour",),
                 "social": ("tone",)}  # fmt: skip
BRAND_QUERIES = {
    "tone": ("tone of voice", "how should our copy sound", "can I use exclamation marks in a headline",
             "brand voice guidelines for writers"),
    "logo": ("logo clear space", "can I change the logo colour", "which logo on a dark background",
             "rules for using the logo"),
    "colour": ("brand colours hex code", "what is our primary colour", "which accent colours can I use",
               "colour palette for slides"),
    "type": ("which font for headlines", "typography rules", "brand typeface for body text",
             "can body copy be in capitals"),
    "social": ("how many hashtags per post", "social media guidelines", "how fast should we reply to comments",
               "alt text for social images"),
    "words": ("words to avoid in copy", "banned words list", "should we say users or customers",
              "is leverage ok in marketing copy"),
}  # fmt: skip
QUERIES = {
    "pricing": ("{P} pricing", "how much does {P} cost", "{P} price per user", "{P} subscription cost per seat",
                "is there a free trial of {P}", "{P} plans", "what does {P} charge for the business tier",
                "{P} discount for nonprofits"),
    "features": ("{P} features", "what can {P} do", "{P} capabilities", "does {P} do A/B testing",
                 "main functionality of {P}"),
    "onboarding": ("{P} onboarding", "how long to set up {P}", "getting started with {P}",
                   "does {P} help with migration", "{P} implementation time"),
    "integrations": ("{P} integrations", "does {P} connect to {i1}", "{P} API", "what tools does {P} work with",
                     "{P} {i1} sync"),
    "security": ("{P} security", "is {P} GDPR compliant", "where does {P} store data", "{P} ISO certification",
                 "{P} data protection"),
    "audience": ("who is {P} for", "{P} target customers", "{P} ideal customer profile", "{P} buyer persona"),
    "results": ("{P} case study", "{P} customer results", "ROI of {P}", "{P} success story numbers"),
    "messaging": ("{P} key messages", "how should we position {P}", "{P} tagline", "{P} messaging"),
}  # fmt: skip
COMPETITOR_QUERIES = ("{P} vs {C}", "how does {P} compare to {C} on price", "{C} competitor notes for {P}",
                      "why do we win against {C}", "{P} battlecard")  # fmt: skip


@dataclass(slots=True)
class Section:
    """One chunk. Its product, aspect, document kind and currency are what the judgments key on."""

    heading: str
    content: str
    aspect: str
    kind: str
    product: str | None = None
    current: bool = True
    competitor: str | None = None
    mentions: tuple[str, ...] = ()
    """Products a newsletter paragraph names in passing."""


@dataclass(slots=True)
class Document:
    title: str
    kind: str
    updated_at: datetime
    sections: list[Section] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return "".join(ch if ch.isalnum() else "-" for ch in self.title.lower()).strip("-")[:80] + ".md"


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    intent: str
    """product, competitor or brand."""
    aspect: str
    product: str | None = None
    competitor: str | None = None
    held_out: bool = False


@dataclass(slots=True)
class Product:
    name: str
    category: str
    facts: dict[str, str]
    competitor: str | None


def _catalogue(rng: random.Random, count: int) -> list[Product]:
    names: list[tuple[str, str]] = []
    prefixes = list(PREFIXES)
    rng.shuffle(prefixes)
    suffixes = list(SUFFIXES)
    # Two or three products per prefix: names share a word, as a brand's product family does.
    while len(names) < count:
        for prefix in prefixes:
            for suffix in rng.sample(suffixes, 2):
                if (prefix, suffix) not in names and len(names) < count:
                    names.append((prefix, suffix))
    catalogue = []
    for i, (prefix, suffix) in enumerate(names):
        integrations = rng.sample(INTEGRATIONS, 3)
        facts = {
            "price": str(rng.choice((9, 12, 19, 24, 29, 39, 49))),
            "price2": str(rng.choice((59, 69, 79, 99))),
            "pct": str(rng.choice((10, 15, 20, 25))),
            "pct2": str(rng.choice((18, 22, 31, 40))),
            "n": str(rng.choice((3, 5, 10, 14, 30))),
            "n2": str(rng.choice((40, 60, 120, 400))),
            "i1": integrations[0],
            "i2": integrations[1],
            "i3": integrations[2],
            "audience": rng.choice(AUDIENCES),
            "customer": rng.choice(CUSTOMERS),
            "feature": rng.choice(FEATURES),
            "category": SUFFIXES[suffix],
        }
        # Every other pair of products has a battlecard: both halves of the split (by product parity) get some.
        competitor = COMPETITORS[i % len(COMPETITORS)] if i % 4 < 2 else None
        catalogue.append(Product(f"{prefix} {suffix}", SUFFIXES[suffix], facts, competitor))
    return catalogue


def _body(product: Product, aspect: str, rng: random.Random, sentences: int, **override: str) -> str:
    facts = {**product.facts, **override, "P": product.name}
    chosen = rng.sample(BODY[aspect], min(sentences, len(BODY[aspect])))
    return " ".join(s.format(**facts) for s in chosen)


def _documents(catalogue: list[Product], rng: random.Random) -> list[Document]:
    docs: list[Document] = []
    for index, p in enumerate(catalogue):
        sheet = Document(f"{p.name} product sheet", "sheet", NOW)
        for aspect, headings in SHEET_HEADINGS.items():
            sheet.sections.append(Section(rng.choice(headings), _body(p, aspect, rng, 4), aspect, "sheet", p.name))
        docs.append(sheet)

        faq = Document(f"{p.name} FAQ", "faq", NOW)
        for aspect, headings in FAQ_HEADINGS.items():
            faq.sections.append(Section(rng.choice(headings), _body(p, aspect, rng, 2), aspect, "faq", p.name))
        docs.append(faq)

        if index % 4 in (0, 3):  # a superseded sheet for half the products, in both halves of the split
            old = Document(f"{p.name} product sheet 2024 (superseded)", "sheet", OLD)
            stale = {"price": str(int(p.facts["price"]) - 4), "price2": str(int(p.facts["price2"]) - 10), "n": "45"}
            for aspect in ("pricing", "features", "integrations", "security"):
                heading = rng.choice(SHEET_HEADINGS[aspect])
                old.sections.append(
                    Section(heading, _body(p, aspect, rng, 4, **stale), aspect, "sheet", p.name, current=False)
                )
            docs.append(old)

        launch = Document(f"{p.name} launches {p.facts['feature']}", "press", NOW)
        launch.sections += [
            Section("Announcement", f"Today {p.name} introduces {p.facts['feature']} for {p.facts['audience']}. "
                    + _body(p, "features", rng, 2), "features", "press", p.name),
            Section("Availability and pricing", f"The new capability is available to every {p.name} customer. "
                    + _body(p, "pricing", rng, 2), "pricing", "press", p.name),
            Section("About us", f"{p.name} is part of our {p.category} family, used by more than {p.facts['n2']} "
                    "marketing teams across Europe. Press contact: press@example.com.", "about", "press", p.name),
        ]  # fmt: skip
        docs.append(launch)

        if index % 3 != 2:
            case = Document(f"{p.facts['customer']} customer story", "case", NOW)
            case.sections += [
                Section("The challenge", f"{p.facts['customer']} serves {p.facts['audience']} and ran every campaign "
                        "from spreadsheets and a shared inbox.", "audience", "case", p.name),
                Section("The solution", f"They chose {p.name}. " + _body(p, "features", rng, 2), "features", "case",
                        p.name),
                Section("The results", _body(p, "results", rng, 3), "results", "case", p.name),
            ]  # fmt: skip
            docs.append(case)

        if p.competitor:
            c = p.competitor
            card = Document(f"{p.name} vs {c} battlecard", "battlecard", NOW)
            card.sections += [
                Section("Pricing comparison", f"{c} charges {int(p.facts['price']) + 10} euros per seat and bills "
                        f"yearly only. {p.name} is {p.facts['price']} euros with monthly billing.", "pricing",
                        "battlecard", p.name, competitor=c),
                Section("Where we win", f"Unlike {c}, {p.name} offers {p.facts['feature']} and native "
                        f"{p.facts['i1']} sync.", "features", "battlecard", p.name, competitor=c),
                Section("Objection handling", f"When a prospect says {c} is the safer choice, point to "
                        f"{p.facts['customer']}'s results and our ISO 27001 certificate.", "messaging", "battlecard",
                        p.name, competitor=c),
            ]  # fmt: skip
            docs.append(card)

        quarter = f"Q{index % 4 + 1}"
        brief = Document(f"{quarter} campaign brief: {p.name} for {p.facts['audience']}", "brief", NOW)
        brief.sections += [
            Section("Objective", f"Win {p.facts['n2']} new trials from {p.facts['audience']} this quarter.",
                    "objective", "brief", p.name),
            Section("Target audience", _body(p, "audience", rng, 2), "audience", "brief", p.name),
            Section("Key messages", _body(p, "messaging", rng, 3), "messaging", "brief", p.name),
        ]  # fmt: skip
        docs.append(brief)

    # Newsletters: one paragraph per aspect, each naming a few products in passing.
    for month in MONTHS:
        letter = Document(f"Product news, {month} 2026", "newsletter", NOW)
        for aspect in ("pricing", "features", "integrations", "security"):
            named = rng.sample(catalogue, 3)
            lines = [f"{q.name}: " + _body(q, aspect, rng, 1) for q in named]
            heading = {"pricing": "Price changes", "features": "New features", "integrations": "New connections",
                       "security": "Trust updates"}[aspect]  # fmt: skip
            letter.sections.append(
                Section(heading, " ".join(lines), aspect, "newsletter", mentions=tuple(q.name for q in named))
            )
        docs.append(letter)

    for title, current, updated in (("Brand book 2026", True, NOW), ("Brand book 2022 (archived)", False, OLD)):
        book = Document(title, "brand", updated)
        for topic, (heading, lines) in BRAND.items():
            text = " ".join(lines).format(hex="#0F5E63" if current else "#137A7F")
            if not current:
                text = text.replace("two hashtags", "five hashtags").replace("Inter Bold", "Georgia Bold")
            book.sections.append(Section(heading, text, topic, "brand", current=current))
        docs.append(book)
    return docs


def corpus(products: int = 36, seed: int = SEED) -> tuple[list[Document], list[Product]]:
    """The documents (deterministic for a seed) and the product catalogue the queries are drawn from."""
    rng = random.Random(seed)
    catalogue = _catalogue(rng, products)
    docs = _documents(catalogue, rng)
    rng.shuffle(docs)
    return docs, catalogue


def queries(catalogue: list[Product], per_product: int = 9, seed: int = SEED + 1) -> list[Query]:
    """Labelled queries: `per_product` per product (over its aspects), competitor and brand questions."""
    rng = random.Random(seed)
    found: list[Query] = []
    for index, p in enumerate(catalogue):
        held_out = index % 2 == 1
        facts = {**p.facts, "P": p.name}
        pool = [(aspect, t) for aspect, templates in QUERIES.items() for t in templates]
        for aspect, template in rng.sample(pool, per_product):
            found.append(Query(template.format(**facts), "product", aspect, p.name, held_out=held_out))
        if p.competitor:
            template = rng.choice(COMPETITOR_QUERIES)
            aspect = "pricing" if "price" in template else ("features" if "win" in template else "battlecard")
            found.append(
                Query(template.format(P=p.name, C=p.competitor), "competitor", aspect, p.name, p.competitor, held_out)
            )
    for topic, texts in BRAND_QUERIES.items():
        for i, text in enumerate(texts):
            found.append(Query(text, "brand", topic, held_out=i % 2 == 1))
    return found


def split(labelled: list[Query]) -> tuple[list[Query], list[Query]]:
    """(tuning half, held-out half)."""
    return [q for q in labelled if not q.held_out], [q for q in labelled if q.held_out]


def grade(query: Query, s: Section) -> int:
    """The judgment of section `s` for `query` (see the module's docstring)."""
    if query.intent == "brand":
        if s.kind != "brand":
            return 0
        if s.aspect == query.aspect:
            return 3 if s.current else 1
        return 1 if s.current and s.aspect in BRAND_RELATED.get(query.aspect, ()) else 0
    if query.intent == "competitor":
        if s.kind == "battlecard" and s.product == query.product and s.competitor == query.competitor:
            return 3 if query.aspect in (s.aspect, "battlecard") else 2
        if s.product == query.product and s.aspect == query.aspect and s.current and s.kind in ("sheet", "faq"):
            return 1
        return 0
    if s.kind == "newsletter":
        return 1 if query.product in s.mentions and s.aspect == query.aspect else 0
    if s.product != query.product:
        return 0
    if s.aspect == query.aspect:
        if not s.current:
            return 1
        if s.kind in ("sheet", "faq"):
            return 3
        if s.kind == "battlecard":
            return 1
        return 2
    if s.current and s.aspect in RELATED.get(query.aspect, ()) and s.kind in ("sheet", "faq"):
        return 1
    return 0


def sections(documents: list[Document]) -> Iterator[tuple[Document, int, Section]]:
    for document in documents:
        for index, section in enumerate(document.sections):
            yield document, index, section


__all__ = ["Document", "Product", "Query", "Section", "corpus", "grade", "queries", "sections", "split"]
