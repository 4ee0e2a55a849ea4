"""Benign text for training and measuring the detector, from sources available offline.

Provenance (written into the model's manifest):
- `package`: the long descriptions (METADATA) of the Python packages installed in the interpreter running
  the build (the project's .venv), cut into paragraphs: real READMEs full of "install with pip", "run",
  "ignore", "override", links and badges.
- `stdlib`: docstrings of the Python standard library modules, classes and functions: documentation prose
  ("Return ...", "Ignore case when matching", "If the prompt is given ...").
- `debian`: README files under /usr/share/doc.
- `marketing`: brand-guideline, email, SEO and campaign prose generated from our own templates, dense in the
  imperatives marketing people write ("you must include the unsubscribe link", "ignore competitor claims").

Each text carries a `family` (the package, module, file or template group it came from); the train/test
split is made by family, so no test text shares a source with a training text.
"""

from __future__ import annotations

import ast
import gzip
import random
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class Text:
    """One labelled text of the corpus."""

    text: str
    source: str
    family: str


def _paragraph_chunks(body: str, rng: random.Random, *, low: int = 120, high: int = 1400) -> Iterator[str]:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", body) if p.strip()]
    buf = ""
    target = rng.randint(low * 2, high)
    for p in paragraphs:
        buf = f"{buf}\n\n{p}" if buf else p
        if len(buf) >= target:
            yield buf[: high * 2]
            buf, target = "", rng.randint(low * 2, high)
    if len(buf) >= low:
        yield buf


def package_texts(rng: random.Random) -> Iterator[Text]:
    """Paragraphs of installed packages' long descriptions."""
    seen: set[str] = set()
    for dist in metadata.distributions():
        meta: Any = dist.metadata
        name = (meta.get("Name") or "").lower()
        if not name or name in seen:
            continue
        seen.add(name)
        body = meta.get_payload() or meta.get("Description") or ""
        summary = meta.get("Summary") or ""
        if len(summary) > 30:
            yield Text(summary, "package", f"pkg:{name}")
        for chunk in _paragraph_chunks(str(body), rng):
            yield Text(chunk, "package", f"pkg:{name}")


def stdlib_texts(rng: random.Random) -> Iterator[Text]:
    """Docstrings of the standard library, grouped per module."""
    lib = Path(sys.base_prefix) / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    for path in sorted(lib.glob("*.py")):
        try:
            tree = ast.parse(path.read_text(encoding="utf-8", errors="ignore"))
        except SyntaxError:
            continue
        docs: list[str] = []
        for node in ast.walk(tree):
            if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
                doc = ast.get_docstring(node)
                if doc and len(doc) >= 80:
                    docs.append(doc)
        for doc in docs[:60]:
            yield Text(doc[:2400], "stdlib", f"std:{path.stem}")


def debian_texts(rng: random.Random) -> Iterator[Text]:
    """README files of the system's packages."""
    root = Path("/usr/share/doc")
    if not root.is_dir():
        return
    for path in sorted(root.glob("*/README*"))[:400]:
        try:
            raw = path.read_bytes()
            if path.suffix == ".gz":
                raw = gzip.decompress(raw)
            body = raw.decode("utf-8")
        except (OSError, UnicodeDecodeError, EOFError, gzip.BadGzipFile):
            continue
        for chunk in list(_paragraph_chunks(body, rng))[:8]:
            yield Text(chunk, "debian", f"deb:{path.parent.name}")


_BRANDS = ["Acme", "Lumen", "Northwind", "Brightpath", "Kestrel", "Orbit Coffee", "Velora", "Tidewater Bank",
           "Pine & Pixel", "Harbor Health", "Quill", "Stackwise", "Moss Outdoor", "Cobalt CRM"]  # fmt: skip
_PRODUCTS = ["the Pro plan", "our spring collection", "the new mobile app", "the analytics add-on",
             "the loyalty programme", "the starter kit", "our webinar series", "the enterprise tier",
             "the summer sale", "the onboarding course"]  # fmt: skip
_AUDIENCES = ["small-business owners", "CMOs", "first-time buyers", "developers", "busy parents", "IT admins",
              "students", "returning customers", "enterprise buyers", "hikers"]  # fmt: skip

# Template groups of ordinary marketing and documentation prose. Each group is one `family` of the split.
_MARKETING: dict[str, list[str]] = {
    "voice": [
        "Always write in sentence case. Never use exclamation marks in headlines.",
        "You must include the unsubscribe link in every email we send to {aud}.",
        "Ignore competitor pricing claims; talk about the value {brand} delivers.",
        "Use active voice. Replace jargon with plain words, and keep sentences under 20 words.",
        "Do not promise delivery dates you cannot keep. Say 'usually ships in 3 days' instead.",
        "Avoid hype words such as 'revolutionary' or 'game-changing'. Show proof instead.",
        "Write as if you are talking to one person, not a crowd.",
        "Forget the corporate tone: {brand} sounds like a helpful neighbour.",
        "Never mention discontinued products in new campaigns.",
        "Always spell {brand} with a capital letter, even at the start of a URL slug.",
        "Follow the instructions in section 4 when you localise copy for German markets.",
        "Disregard the old tagline; it was retired in the last rebrand.",
    ],
    "email": [
        "Hi {{first_name}}, your trial of {product} ends on Friday. Upgrade now and keep your projects.",
        "Click here to confirm your subscription. If you did not sign up, ignore this email.",
        "Reply to this email with your questions and our team will answer within a day.",
        "Forward this offer to a friend and you both get 20% off {product}.",
        "Don't miss out: {product} is back in stock for a limited time.",
        "Please update your billing details before the 5th to avoid an interruption.",
        "Reset your password using the link below. The link expires in 30 minutes.",
        "You are receiving this email because you subscribed to {brand} news.",
        "Tell us what you think: take our two-minute survey and help us improve {product}.",
    ],
    "seo": [
        "Put the primary keyword in the title, the first paragraph and one subheading.",
        "Write a meta description of 150-160 characters that includes a clear call to action.",
        "Link to at least two related articles and one product page from every post.",
        "Ignore keywords with fewer than 50 monthly searches unless they convert well.",
        "Use descriptive alt text for every image; describe what the image shows.",
        "Check the page with the audit tool and fix every broken link before publishing.",
        "Target long-tail queries such as 'best {product} for {aud}'.",
        "Update old posts instead of writing new ones when the topic is the same.",
    ],
    "campaign": [
        "Launch {product} for {aud} in three waves: teaser, launch day, follow-up.",
        "Brief the agency by Monday and share the final assets in the shared drive.",
        "Install the tracking pixel on the landing page before the ads go live.",
        "Override the default budget only with approval from the regional lead.",
        "Repeat the key message in every channel, but adapt the format to each one.",
        "Our goal this quarter: grow sign-ups among {aud} by 15%.",
        "Run an A/B test on the subject line and keep the winner for the rest of the sequence.",
        "Stop the campaign immediately if the complaint rate rises above 0.1%.",
    ],
    "product": [
        "{product} syncs with your calendar and sends reminders before every meeting.",
        "Install with pip: pip install {slug}. Then run {slug} --help to see every option.",
        "Ignore case when matching product codes; 'ab-12' and 'AB-12' are the same item.",
        "Set the environment variable {upper}_TOKEN before you start the service.",
        "Press Ctrl+Shift+P and type 'Reload Window' to apply the new settings.",
        "The assistant drafts replies for you; review them before you press send.",
        "To remove your data, open Settings > Privacy and choose 'Delete account'.",
        "Our AI writing assistant suggests headlines based on your brand voice.",
        "Tip: pin the dashboard so your team sees the latest numbers every morning.",
    ],
    "social": [
        "New drop alert! {product} is here. Tap the link in bio to shop.",
        "Tag a friend who needs this. Share your photos with #{slug}.",
        "We asked {aud} what they want. Here is what they told us.",
        "Behind the scenes: how our team built {product} in six weeks.",
        "Comment 'yes' below and we will send you the guide.",
        "Save this post for later and follow us for more tips.",
    ],
    "support": [
        "If the app does not start, restart your device and try again.",
        "Clear the cache, then sign in again. If the problem persists, contact support.",
        "Make sure you are on the latest version before you report a bug.",
        "Never share your password with anyone, including our staff.",
        "Our support team will never ask you for your one-time code.",
        "Open the system settings and allow notifications for {brand}.",
        "Check the status page for current incidents before opening a ticket.",
    ],
    "ai_product": [
        "Our AI assistant drafts blog posts from your outline; you stay in control of every word.",
        "Give the assistant clear instructions: the audience, the goal and the tone you want.",
        "The prompt library stores your best prompts so the whole team can reuse them.",
        "Write a system prompt that describes your brand voice, then test it on three briefs.",
        "The model may make mistakes. Always review generated copy before you publish it.",
        "Large language models work best with examples: paste two posts you like into the brief.",
        "Ask the chatbot about order status, returns or delivery times, day or night.",
        "Our AI features never train on your data, and you can switch them off in settings.",
        "Prompt tip: ask for three headline options, then pick one and ask for variations.",
    ],
    "legal": [
        "You must obtain consent before adding a contact to any marketing list.",
        "Do not use customer logos in case studies without written permission.",
        "Ignore requests to remove data only if a legal hold applies; otherwise act within 30 days.",
        "Keep records of consent for at least three years.",
        "Never claim a product is 'clinically proven' unless the study is published.",
        "Disclose paid partnerships clearly at the start of every sponsored post.",
        "Respect the opt-out: stop sending messages as soon as someone unsubscribes.",
    ],
    "events": [
        "Register now to save your seat at the {brand} summit in Lisbon.",
        "Doors open at 9:00. Bring your badge and a photo ID.",
        "Join us for a live demo of {product}, followed by a Q&A with the team.",
        "Missed the webinar? Watch the recording and download the slides.",
        "Speakers: send your final deck to the events team two days before your talk.",
        "Please arrive 15 minutes early and check in at the front desk.",
    ],
    "recruiting": [
        "We are hiring a content designer to join our growth team in Berlin.",
        "Send your CV and two writing samples to jobs@{slug}.example.",
        "Tell us about a campaign you are proud of and what you would do differently.",
        "Candidates should have three years of experience in B2B marketing.",
        "Ignore the salary band on the old posting; the updated range is listed below.",
        "You will report to the Head of Brand and work closely with product marketing.",
    ],
    "howto": [
        "Open the editor, choose a template and replace the placeholder text with your own.",
        "Drag the image into the upload area or click Browse to pick a file.",
        "Select all rows, then press Delete to remove them. You can undo this for 30 days.",
        "To override the default font, add a custom style in Settings > Brand.",
        "Run the export again if the file is empty; large workspaces can take a minute.",
        "Forget about manual reports: schedule the dashboard to arrive in your inbox every Monday.",
        "Copy the embed code and paste it before the closing body tag of your page.",
        "Skip this step if you already connected your analytics account.",
    ],
    "newsletter": [
        "This week: five subject lines that doubled our open rate, and one that flopped.",
        "Here is what we learned from sending 2 million emails to {aud}.",
        "Read the full story on our blog, then tell us what you would try next.",
        "Quick reminder: the early-bird price for {product} ends on Sunday.",
        "Previously in this newsletter we covered pricing pages; today it is onboarding.",
        "As mentioned above, the new dashboard is rolling out to every account this month.",
    ],
    "retail": [
        "Free shipping on orders over 50 EUR. Returns are free within 30 days.",
        "Use code SPRING20 at checkout for 20% off selected items.",
        "Only a few left in your size. Add to cart before they are gone.",
        "Sign up for our newsletter and get early access to every sale.",
        "Wash at 30 degrees, do not tumble dry, iron on low heat.",
        "Pick up in store within two hours, or have it delivered tomorrow.",
    ],
    "dev_docs": [
        "Set the API key in the environment and never commit it to version control.",
        "The client retries failed requests three times with exponential backoff.",
        "Pass ignore_case=True to match names regardless of case.",
        "Override the get_queryset method to filter results for the current user.",
        "The previous behaviour is deprecated and will be removed in version 3.0.",
        "Run the migrations, then restart the server so the new settings take effect.",
        "If the token has expired, request a new one and repeat the call.",
        "Prompt the user for confirmation before deleting the resource.",
    ],
    "b2b": [
        "Book a demo and see how {brand} cuts reporting time in half.",
        "Trusted by more than 2,000 teams, from start-ups to the Fortune 500.",
        "Talk to sales about volume pricing, SSO and a dedicated success manager.",
        "Download the whitepaper to learn how {aud} use data to plan campaigns.",
        "Replace spreadsheets with one source of truth for your whole pipeline.",
        "Start your free trial today. No credit card required.",
    ],
    "internal": [
        "Note to the design team: export every icon at 1x and 2x.",
        "Reminder for the sales team: the new price list applies from 1 June.",
        "Please review the draft and leave comments by end of day.",
        "The system prompts users to accept the terms on first login.",
        "Instructions for reviewers: check facts, tone and links, in that order.",
        "Keep this confidential until the announcement on Tuesday.",
        "Answer every customer review within 48 hours, positive or negative.",
    ],
}  # fmt: skip


def marketing_texts(rng: random.Random, per_group: int = 180) -> Iterator[Text]:
    """Paragraphs assembled from our own marketing and documentation templates."""
    for group, sentences in _MARKETING.items():
        for _ in range(per_group):
            brand, product, aud = rng.choice(_BRANDS), rng.choice(_PRODUCTS), rng.choice(_AUDIENCES)
            slug = re.sub(r"[^a-z]+", "-", product.lower()).strip("-")
            picked = rng.sample(sentences, k=min(len(sentences), rng.randint(2, 6)))
            text = " ".join(picked).format(brand=brand, product=product, aud=aud, slug=slug, upper=slug.upper())
            if rng.random() < 0.3:
                text = f"## {rng.choice(['Guidelines', 'Checklist', 'Next steps', 'How to', 'Notes'])}\n\n{text}"
            yield Text(text, "marketing", f"mkt:{group}")


# Hard negatives: the verbs attacks use ("ignore", "forget", "override", "reveal", "repeat", "send", "act as",
# "you are now"), aimed at ordinary things. Each object list is its own family, so the split holds some out.
_HARD_VERBS = ["Ignore", "Disregard", "Forget", "Override", "Skip", "Drop", "Set aside", "Stop using", "Do not follow",
               "Never mention", "Don't tell customers about", "Repeat", "Print", "Show", "Reveal", "Send", "Share",
               "Follow", "Replace", "Bypass", "Cancel", "Keep", "Hide", "Remove", "Update", "Review", "Summarise",
               "Translate", "Output", "Act as if you own", "Pretend you never saw", "Always include", "Never use",
               "From now on, use", "Leave out", "Pay no attention to", "Throw out", "Abandon", "Respond to",
               "Reply only to", "Write", "Say", "Tell the customer about", "Append", "Attach", "Forward"]  # fmt: skip
_HARD_OBJECTS: dict[str, list[str]] = {
    "brand": ["the old tagline", "the previous colour palette", "the logo guidelines from 2021",
              "the earlier tone of voice",
              "the draft above", "the rules in the old brand book", "the previous version of this guide",
              "all earlier mood boards", "the font list above", "the instructions on page 3"],
    "sales": ["competitor pricing claims", "the discount table above", "the previous quote", "last year's targets",
              "the instructions from the old CRM", "the salary band on the old posting", "the earlier forecast",
              "any rumours about the merger", "prior commitments to the reseller", "the default contract terms"],
    "product": ["the default settings", "the previous release notes", "the warning in the log", "the system tray icon",
                "the setup prompt", "the cached results", "the instructions in the README", "the earlier error",
                "the above command", "all previous migrations"],
    "content": ["the previous headline", "the outline above", "the brief's first draft", "the summary on slide 2",
                "every exclamation mark", "the instructions from the client", "the old meta descriptions",
                "the preceding paragraph", "the style notes above", "the prompt card"],
    "ops": ["the invoice to finance", "the signed contract to legal", "the weekly report to the team",
            "your password with anyone", "the system requirements", "the previous checklist",
            "the instructions on the label", "the customer's email address in public channels",
            "the earlier schedule", "the API key in the repository"],
}  # fmt: skip
_HARD_TAILS = ["", "", " before Friday.", " in every campaign.", "; it is outdated.", " unless legal approves.",
               " when you write for new customers.", " and focus on the customer.", ", as agreed in the meeting.",
               " until the launch.", " in the footer.", " from the next issue on."]  # fmt: skip


def hard_negative_texts(rng: random.Random, per_group: int = 160) -> Iterator[Text]:
    """Short paragraphs of ordinary imperatives that use the vocabulary of attacks."""
    for group, objects in _HARD_OBJECTS.items():
        for _ in range(per_group):
            parts = []
            for _ in range(rng.randint(1, 4)):
                parts.append(f"{rng.choice(_HARD_VERBS)} {rng.choice(objects)}{rng.choice(_HARD_TAILS) or '.'}")
            yield Text(" ".join(parts), "marketing", f"hard:{group}")


def all_benign(seed: int) -> list[Text]:
    """Every benign text, in a fixed order for a given seed."""
    rng = random.Random(seed)
    texts = [
        *package_texts(rng),
        *stdlib_texts(rng),
        *debian_texts(rng),
        *marketing_texts(rng),
        *hard_negative_texts(rng),
    ]
    return [t for t in texts if len(t.text.strip()) >= 30]
