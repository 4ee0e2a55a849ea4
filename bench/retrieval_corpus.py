"""A generated marketing corpus with graded relevance judgments, for the retrieval benchmark.

Provenance: every document, query and judgment here is produced by this module from templates written for
this project (no public collection is used, so nothing is tuned to one). Fictional products, each with a
category, audience, price, integrations and customers, are described by product sheets, FAQs, case studies,
campaign briefs and blog posts; every section is about one *aspect* (pricing, features, onboarding, ...).
Queries ask about one aspect of one product in words that mostly differ from the section's own.

`copy_space` loads documents and their vectors into a space by COPY (benchmark set-up).

Judgments (graded, by construction):
  2  a section of that product about that aspect (it answers the question);
  1  a section of that product about a related aspect (it helps: e.g. billing for a pricing question);
  0  anything else.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import psycopg
from psycopg.types.json import Jsonb

PREFIXES = (
    "Lumen",
    "Nimbus",
    "Harbor",
    "Quartz",
    "Atlas",
    "Pioneer",
    "Cobalt",
    "Verdant",
    "Summit",
    "Beacon",
    "Orbit",
    "Cascade",
    "Meridian",
    "Ember",
    "Tandem",
    "Keystone",
    "Solstice",
    "Juniper",
    "Halcyon",
    "Vector",
    "Aurora",
    "Granite",
    "Willow",
    "Falcon",
    "Horizon",
    "Maple",
    "Onyx",
    "Prism",
    "Sierra",
    "Tidal",
)
SUFFIXES = (
    "CRM",
    "Analytics",
    "Mail",
    "Pages",
    "Desk",
    "Insights",
    "Ads",
    "Social",
    "Forms",
    "Loyalty",
    "Events",
    "Commerce",
)
CATEGORY = {
    "CRM": "customer relationship management",
    "Analytics": "marketing analytics",
    "Mail": "email marketing",
    "Pages": "landing page builder",
    "Desk": "customer support",
    "Insights": "audience research",
    "Ads": "paid advertising",
    "Social": "social media scheduling",
    "Forms": "lead capture",
    "Loyalty": "loyalty programme",
    "Events": "webinar and event",
    "Commerce": "online store",
}
AUDIENCES = (
    "independent retailers",
    "B2B software vendors",
    "healthcare clinics",
    "regional banks",
    "universities",
    "travel agencies",
    "non-profit organisations",
    "restaurant groups",
    "fashion brands",
    "logistics firms",
)
INTEGRATIONS = ("Salesforce", "HubSpot", "Shopify", "Slack", "Zapier", "Google Analytics", "Stripe", "Zendesk")
CUSTOMERS = ("Northwind", "Contoso", "Fabrikam", "Tailspin", "Wingtip", "Adatum", "Litware", "Proseware")
CHANNELS = ("LinkedIn", "email newsletters", "paid search", "Instagram", "podcasts", "trade shows", "YouTube")
REGIONS = ("the Nordics", "Iberia", "the DACH region", "Benelux", "the UK and Ireland", "North America")

ASPECTS = ("pricing", "features", "onboarding", "integrations", "security", "results", "audience", "messaging")
RELATED = {
    "pricing": ("onboarding",),
    "features": ("integrations",),
    "onboarding": ("features",),
    "integrations": ("features",),
    "security": ("integrations",),
    "results": ("audience",),
    "audience": ("messaging",),
    "messaging": ("audience",),
}
HEADINGS = {
    "pricing": ("Pricing", "Plans and pricing", "Billing"),
    "features": ("Key features", "What it does", "Capabilities"),
    "onboarding": ("Getting started", "Onboarding", "Set-up"),
    "integrations": ("Integrations", "Connects with", "Ecosystem"),
    "security": ("Security and compliance", "Data protection", "Trust"),
    "results": ("Results", "Outcomes", "Impact"),
    "audience": ("Target audience", "Who it is for", "Ideal customers"),
    "messaging": ("Messaging", "Key messages", "Positioning"),
}
SENTENCES = {
    "pricing": (
        "{product} costs {price} euros per seat per month on the Team plan.",
        "The Business plan of {product} adds priority support for {price2} euros per seat.",
        "Annual billing lowers the monthly price of {product} by {pct} percent.",
        "Every {product} plan includes a {n}-day free trial without a credit card.",
        "Invoices for {product} are issued monthly and can be paid by card or bank transfer.",
        "Non-profit organisations receive a {pct} percent discount on every {product} plan.",
        "Seats can be added or removed at any time; {product} prorates the difference.",
    ),
    "features": (
        "{product} is a {category} tool with a visual workflow editor.",
        "Teams use {product} to automate repetitive {category} tasks.",
        "{product} includes reusable templates, version history and approval steps.",
        "Dashboards in {product} refresh every {n} minutes and can be shared by link.",
        "The AI assistant in {product} drafts copy and suggests subject lines.",
        "{product} supports A/B tests with up to {n} variants.",
        "Role-based permissions in {product} keep drafts private until approved.",
    ),
    "onboarding": (
        "Setting up {product} takes about {n} minutes for a small team.",
        "A guided checklist walks new {product} users through their first campaign.",
        "Each new {product} account gets a kickoff call with a customer success manager.",
        "Existing contacts can be imported into {product} from a CSV file.",
        "The {product} academy offers short video lessons for new administrators.",
        "Most teams send their first campaign from {product} within the first week.",
    ),
    "integrations": (
        "{product} connects natively with {integration} and {integration2}.",
        "A two-way sync keeps contacts in {product} and {integration} consistent.",
        "Developers can reach every {product} object through a REST API and webhooks.",
        "The {integration} connector for {product} is included in every plan.",
        "Through Zapier, {product} links to more than {n}00 other applications.",
        "Events from {product} can be streamed to a data warehouse every hour.",
    ),
    "security": (
        "{product} is certified to ISO 27001 and audited for SOC 2 Type II every year.",
        "Customer data of {product} is stored in data centres in {region}.",
        "{product} encrypts data at rest with AES-256 and in transit with TLS 1.3.",
        "Single sign-on with SAML and enforced two-factor authentication are available in {product}.",
        "A data processing agreement for {product} covers the GDPR obligations.",
        "Audit logs in {product} are kept for {n} months.",
    ),
    "results": (
        "{customer} grew qualified leads by {pct} percent within six months of adopting {product}.",
        "With {product}, {customer} cut campaign preparation time from {n} days to two.",
        "{customer} reports a return of {n} euros for every euro spent on {product}.",
        "After switching to {product}, {customer} raised email open rates to {pct} percent.",
        "{customer}'s marketing team now runs twice as many campaigns with {product}.",
        "Customer churn at {customer} fell by {pct} percent in the first year with {product}.",
    ),
    "audience": (
        "{product} is built for {audience} with small marketing teams.",
        "The typical {product} buyer is a marketing manager at one of the {audience}.",
        "{product} suits {audience} that run campaigns in {region}.",
        "Teams of {n} to 50 people get the most out of {product}.",
        "Decision makers for {product} are usually heads of marketing and operations.",
        "{product} is less suited to enterprises that need on-premise hosting.",
    ),
    "messaging": (
        "The core promise of {product}: less busywork, more campaigns that land.",
        "Messaging for {product} stresses simplicity over feature counts.",
        "Lead with the time {product} saves, then show the proof from customers.",
        "Avoid superlatives when describing {product}; state measurable benefits instead.",
        "The tagline for {product} this year is 'Campaigns without the chaos'.",
        "Promote {product} on {channel} and {channel2} with customer stories.",
    ),
}
FILLER = (
    "Our team reviews this page every quarter.",
    "Contact your account manager for details.",
    "See the internal wiki for the latest version.",
    "This section was updated after the last product review.",
    "Feedback from the sales team is welcome.",
)
DOC_KINDS = {
    "Product sheet": ("features", "pricing", "integrations", "security"),
    "FAQ": ("onboarding", "pricing", "security"),
    "Case study": ("audience", "results", "features"),
    "Campaign brief": ("audience", "messaging", "results"),
    "Launch blog post": ("features", "messaging", "onboarding"),
}
QUERIES = {
    "pricing": (
        "how much does {product} cost",
        "{product} price per user",
        "is there a discount on {product} for yearly payment",
        "{product} free trial length",
        "what do {product} plans cost per month",
    ),
    "features": (
        "what can {product} do",
        "main capabilities of {product}",
        "does {product} have A/B testing",
        "{product} workflow automation",
        "AI writing assistant in {product}",
    ),
    "onboarding": (
        "how long does it take to set up {product}",
        "getting started with {product}",
        "import contacts into {product}",
        "training for new {product} admins",
        "{product} first campaign setup",
    ),
    "integrations": (
        "which tools does {product} connect to",
        "{product} API and webhooks",
        "does {product} sync with {integration}",
        "{product} connectors",
        "link {product} to other apps",
    ),
    "security": (
        "is {product} GDPR compliant",
        "where is {product} data hosted",
        "{product} encryption and certifications",
        "does {product} support single sign-on",
        "{product} audit log retention",
    ),
    "results": (
        "customer success story for {product}",
        "ROI achieved with {product}",
        "how did {customer} benefit from {product}",
        "{product} impact on lead generation",
        "results customers got with {product}",
    ),
    "audience": (
        "who is {product} for",
        "ideal customer profile for {product}",
        "which companies should buy {product}",
        "{product} target market",
        "buyer persona of {product}",
    ),
    "messaging": (
        "how should we position {product}",
        "{product} tagline",
        "key selling points to stress for {product}",
        "tone for promoting {product}",
        "{product} value proposition",
    ),
}


@dataclass(frozen=True, slots=True)
class Section:
    """One chunk of a document: its product and aspect are what the judgments key on."""

    heading: str
    content: str
    product: str
    aspect: str


@dataclass(slots=True)
class Document:
    title: str
    kind: str
    product: str
    sections: list[Section] = field(default_factory=list)

    @property
    def filename(self) -> str:
        return hashlib.sha1(self.title.encode()).hexdigest()[:12] + ".md"


@dataclass(frozen=True, slots=True)
class LabelledQuery:
    text: str
    product: str
    aspect: str


@dataclass(slots=True)
class Product:
    name: str
    suffix: str
    audience: str
    region: str
    customer: str
    integrations: tuple[str, str]
    channels: tuple[str, str]
    price: int


def products(count: int, rng: random.Random) -> list[Product]:
    names = [f"{p} {s}" for p in PREFIXES for s in SUFFIXES]
    rng.shuffle(names)
    if count > len(names):
        names += [f"{n} {i}" for i in range(2, count // len(names) + 2) for n in list(names)]
    out = []
    for name in names[:count]:
        out.append(
            Product(
                name=name,
                suffix=name.split()[1],
                audience=rng.choice(AUDIENCES),
                region=rng.choice(REGIONS),
                customer=rng.choice(CUSTOMERS),
                integrations=tuple(rng.sample(INTEGRATIONS, 2)),  # type: ignore[arg-type]
                channels=tuple(rng.sample(CHANNELS, 2)),  # type: ignore[arg-type]
                price=rng.choice((9, 12, 19, 24, 29, 39, 49, 59, 79)),
            )
        )
    return out


def _fill(template: str, product: Product, rng: random.Random) -> str:
    return template.format(
        product=product.name,
        category=CATEGORY[product.suffix],
        audience=product.audience,
        region=product.region,
        customer=product.customer,
        integration=product.integrations[0],
        integration2=product.integrations[1],
        channel=product.channels[0],
        channel2=product.channels[1],
        price=product.price,
        price2=product.price * 2,
        pct=rng.choice((10, 15, 20, 25, 30, 40)),
        n=rng.randint(2, 30),
    )


def _section(product: Product, aspect: str, rng: random.Random) -> Section:
    templates = list(SENTENCES[aspect])
    rng.shuffle(templates)
    sentences = [_fill(t, product, rng) for t in templates[: rng.randint(4, len(templates))]]
    sentences.insert(rng.randint(0, len(sentences)), rng.choice(FILLER))
    return Section(rng.choice(HEADINGS[aspect]), " ".join(sentences), product.name, aspect)


def corpus(chunks: int, seed: int = 20261203) -> tuple[list[Document], list[Product]]:
    """Documents totalling about `chunks` sections (one chunk each), reproducible from `seed`."""
    rng = random.Random(seed)
    per_product = sum(len(aspects) for aspects in DOC_KINDS.values())
    catalogue = products(max(1, round(chunks / per_product)), rng)
    documents = []
    for product in catalogue:
        for kind, aspects in DOC_KINDS.items():
            document = Document(f"{kind}: {product.name}", kind, product.name)
            document.sections = [_section(product, aspect, rng) for aspect in aspects]
            documents.append(document)
    return documents, catalogue


def queries(catalogue: list[Product], count: int, seed: int = 7) -> list[LabelledQuery]:
    """`count` queries, each about one aspect of one product of the catalogue."""
    rng = random.Random(seed)
    out: list[LabelledQuery] = []
    while len(out) < count:
        product = rng.choice(catalogue)
        aspect = rng.choice(ASPECTS)
        text = _fill(rng.choice(QUERIES[aspect]), product, rng)
        out.append(LabelledQuery(text, product.name, aspect))
    return out


def grade(query: LabelledQuery, section: Section) -> int:
    if section.product != query.product:
        return 0
    if section.aspect == query.aspect:
        return 2
    return 1 if section.aspect in RELATED[query.aspect] else 0


def sections(documents: list[Document]) -> Iterator[tuple[Document, int, Section]]:
    for document in documents:
        for index, section in enumerate(document.sections):
            yield document, index, section


def copy_space(
    conn: psycopg.Connection[Any],
    org: uuid.UUID,
    space: uuid.UUID,
    documents: list[Document],
    vectors: np.ndarray,
    model_id: str,
    tags: tuple[str, ...] = (),
    scan_version: str | None = None,
) -> dict[tuple[uuid.UUID, int], Section]:
    """Documents and chunks by COPY as the owner (the triggers keep the BM25 statistics); each document is
    tagged with its kind and `tags`. Every chunk is stored as not quarantined; `scan_version` records that
    verdict as ingestion would, as the given detector version's (None: never scanned, as a chunk stored before
    verdicts were versioned)."""
    now = datetime.now(UTC)
    ids = [uuid.uuid4() for _ in documents]
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY documents (id, organization_id, space_id, title, filename, kind, status, progress, chunk_count, "
            "quarantined_count, tags, embedding_model, created_at, updated_at) FROM STDIN"
        ) as copy,
    ):
        for doc_id, document in zip(ids, documents, strict=True):
            copy.write_row(
                (
                    doc_id,
                    org,
                    space,
                    document.title,
                    document.filename,
                    "markdown",
                    "ready",
                    100,
                    len(document.sections),
                    0,
                    [document.kind.lower().replace(" ", "_"), *tags],
                    model_id,
                    now,
                    now,
                )
            )
    by_chunk: dict[tuple[uuid.UUID, int], Section] = {}
    with (
        conn.cursor() as cur,
        cur.copy(
            "COPY chunks (id, organization_id, space_id, document_id, chunk_index, content, heading_path, page, kind, "
            "content_hash, token_count, metadata, embedding, embedding_model, quarantined, scan_version) FROM STDIN"
        ) as copy,
    ):
        doc_index = {id(d): i for i, d in enumerate(documents)}
        for row, (document, index, section) in enumerate(sections(documents)):
            doc_id = ids[doc_index[id(document)]]
            by_chunk[(doc_id, index)] = section
            copy.write_row(
                (
                    uuid.uuid4(),
                    org,
                    space,
                    doc_id,
                    index,
                    section.content,
                    [document.title, section.heading],
                    None,
                    "text",
                    hashlib.sha256(section.content.encode()).hexdigest(),
                    len(section.content.split()) + 4,
                    Jsonb({}),
                    vectors[row],
                    model_id,
                    False,
                    scan_version,
                )
            )
    return by_chunk


__all__ = ["Document", "LabelledQuery", "Section", "copy_space", "corpus", "grade", "queries", "sections"]
