"""The learned layer: a logistic regression over hashed n-grams, scored sentence by sentence.

The weights live in `data/injection_model.npz`, written by `python -m backend.safety.training.build` (see
that module for the data and its provenance) together with the decision threshold calibrated on benign
training text and the model version that every verdict records. Numpy only; no network, no torch.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from backend.safety import features as ft
from backend.safety.addressee import speaks_to_reader

DATA_DIR = Path(__file__).parent / "data"
MODEL_PATH = DATA_DIR / "injection_model.npz"
VOCAB_PATH = DATA_DIR / "english_words.txt"


# A span only counts when it speaks about what an injection needs: the AI, its instructions or earlier text,
# a persona, secrets and addresses, or a quoted phrase to output. Ordinary second-person marketing copy
# ("tell us about a campaign you are proud of") scores high on imperative style alone; this keeps the
# learned layer from flagging a style it has not seen, without touching the rules. Since rules-8 the words an
# injection uses to address its machine reader count too ("note for the summarisation step", "whoever
# compiles a digest", "agents crawling this", "the guidance you were given"): without them most embedded
# instructions in new wording never reached the classifier's threshold. "The user" is left out (product copy
# says "tell the user what went wrong"), "assistant" counts except as a job title ("assistant manager").
_ANCHOR_RE = re.compile(
    r"\b(?:ai|a\.i\.|llms?|language models?|models?|gpt|chatgpt|claude|gemini|copilot"
    r"|instructions?|prompts?|directives?|system|guidelines|rules|restrictions|filters?|polic(?:y|ies)"
    r"|guardrails|programming|above|previous(?:ly)?|prior|earlier|preceding|persona|character|role-?play|pretend"
    r"|jailbr\w*|dan|unrestricted|unfiltered|uncensored|amoral|mode|secret(?:ly)?|hidden|confidential|passwords?"
    r"|api keys?|tokens?|credentials|cookies?|conversation|history|verbatim|leak|exfiltrat\w*|ignore|disregard"
    r"|forget|override|bypass|nevermind|tools?|invoke|execute|decode"
    r"|summar(?:y|ies|i[sz]e[sd]?|i[sz]ing|i[sz]ation)|outputs?|responses?|digest|recap|whoever|automated|machine"
    r"|agents?|pipeline|bots?|chatbots?|configuration|guidance|developers?|operator|admin"
    r"|readers?|generated|request|setup)\b"
    r"|\bassistants?\b(?! (?:managers?|directors?|editors?|producers?|professors?|buyers?|coach|principal|to the))"
    r"|\b(?:say|print|output|respond|reply|answer|write|repeat|type)\b[^.]{0,40}[\"']"
    # Phrases that point at the reader's own brief or at the text around the instruction.
    r"|\byou (?:were|have been|'ve been) (?:told|given|asked|instructed)\b|\bfrom this (?:line|sentence|point) on\b"
    r"|\b(?:before|above|after) this (?:line|sentence|paragraph|point|message)\b"
    r"|\bwhatever the user\b|\bthe user's (?:question|request)\b|\bneural net(?:work)?s?\b|\bcontext window\b"
    r"|\breset (?:the |your )?context\b"
)
# Guidance for people who use an AI tool speaks of the tool in the third person, as something the reader
# briefs or checks ("tell the assistant who the audience is", "review everything the AI writes", "paste the
# rules at the top of your prompt"): an injection speaks to the model itself. A span written that way is not
# counted unless it also names an override.
_ABOUT_TOOL_RE = re.compile(
    r"\b(?:tell|ask|give|show|teach|let|brief|remind|help) the (?:ai|assistant|model|chatbot|bot|copilot|tool)\b"
    r"|\b(?:the|our|your) (?:ai|assistant|model|chatbot|bot|copilot|copy assistant|writing assistant)"
    r" (?:writes|drafts|suggests|generates|invents|produces|makes|may|might|can|will|gets|returns|outputs)\b"
    r"|\b(?:to|into|in|at the (?:top|start|end) of) (?:your|the|a) prompts?\b"
    r"|\b(?:writ(?:e|ing)|craft(?:ing)?) (?:a |good |better |clear |your )?prompts?\b"
    # The tool described, not addressed: its possessive ("if the assistant's answer is too long"), "ask it to",
    # prompts judged as examples ("bad prompt:", "good prompts give context"), a chat the reader starts, and
    # the tool as the subject of a verb in the third person ("the chatbot answers from our help articles").
    r"|\b(?:the|our|your|this) (?:ai|assistant|model|chatbot|bot|copilot|tool)'s\b|\bask it to\b"
    r"|\b(?:good|bad|better|best|clear|short|example|sample|weak|strong) prompts?\b"
    r"|\b(?:start|open) (?:a|another) (?:new |fresh )?chat\b"
    r"|\b(?:the|our|your|this) (?:ai |chat |writing |copy |help |support )?(?:assistant|chatbot|bot|model|copilot)"
    r" (?:now |also |only |never |always |sometimes )?(?!needs\b|has\b|is\b|was\b|does\b)[a-z]{3,}[^s\W]s\b"
)
# Security advice names the threat it warns about ("ignore any email asking for your password - it is
# phishing"); an injection does not call itself a scam.
_WARNS_RE = re.compile(r"\b(?:phishing|scams?|fraudulent|spoofed|suspicious (?:emails?|messages?|links?|calls?))\b")
_OVERRIDE_RE = re.compile(r"\b(?:ignore|disregard|forget|override|bypass|reveal|secret(?:ly)?|hidden|jailbr\w*)\b")
# A slogan borrows an injection's verbs for a hook ("Forget everything you knew about protein bars.", "Your
# skin, your rules.", "Ignore the hype."): a short sentence whose only anchors are those verbs or "rules",
# that points at no earlier text or instruction, does not count as an anchor.
_SLOGAN_ANCHORS = frozenset({"rules", "forget", "ignore", "disregard", "override", "bypass", "pretend", "mode"})
_SLOGAN_MAX_WORDS = 8
_NOT_SLOGAN_RE = re.compile(
    r"\b(?:told|said|instructed|given|received|original|above|before|previous|earlier|prior|so far|no rules"
    r"|without rules)\b"
)
# "Disregard the previous email", "forget the old price list": what came earlier is a person's message or a
# document, not the model's instructions ("your previous orders are cancelled" still counts).
_HUMAN_EARLIER_RE = re.compile(
    r"(?<!\byour )\b(?:previous|earlier|prior|above|last|old)\s+(?:\w+\s+)?(?:e-?mails?|mails?|drafts?|versions?"
    r"|rotas?|price lists?|prices?|campaigns?|newsletters?|invoices?|orders?|quarters?|years?|months?|weeks?"
    r"|meetings?|editions?|seasons?|posts?|issues?|releases?|briefs?|schedules?|dates?|plans?|designs?|logos?)\b"
)
_TOP_SPANS = 12
_SENTENCE_END_RE = re.compile(r"[.!?]\s|\n")
_SENTENCE_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n")


@dataclass(frozen=True, slots=True)
class SpanScore:
    """The best-scoring span of a text."""

    probability: float
    text: str


class Classifier:
    """Scores text for injection; the maximum over its sentences and neighbouring pairs decides."""

    def __init__(
        self,
        weights: np.ndarray,
        bias: float,
        threshold: float,
        version: str,
        response_threshold: float | None = None,
    ) -> None:
        self.weights = weights.astype(np.float32)
        self.bias = float(bias)
        self.threshold = float(threshold)
        self.version = version
        self.response_threshold = float(response_threshold if response_threshold is not None else threshold)
        """For an answer whose context carries an injection: judged on every span, anchored or not."""

    @classmethod
    def load(cls, path: Path | None = None) -> Classifier:
        """The model at `path`, by default the one shipped with the package."""
        with np.load(path or MODEL_PATH, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            return cls(
                data["weights"],
                float(data["bias"]),
                float(meta["threshold"]),
                str(meta["version"]),
                meta.get("response_threshold"),
            )

    def score(self, text: str, *, anchored: bool = True, addressed: bool = True, floor: float = 0.0) -> SpanScore:
        """Probability of the most injection-like span of `text`, with that span.

        `anchored=False` drops the anchor requirement: for an answer whose context holds an injection, where
        "Haha, gotcha" or "COMPROMISED" mean the model obeyed although they name nothing an injection needs.
        `addressed=False` drops the who-is-addressed requirement (`addressee.speaks_to_reader`): for text an
        encoding revealed, which is suspicious whoever it speaks to.
        `floor`: a caller that only acts on a probability of at least `floor` gets SpanScore(0.0, "") instead of
        a span below it; spans are tried from the most probable down, so the checks stop at the first one below
        the floor (the score of a span at or above it is unchanged)."""
        data = ft.prepare(text)
        if not data:
            return SpanScore(0.0, "")
        feats = ft.extract(data)
        cw = np.concatenate([[0.0], np.cumsum(self.weights[feats.char_idx], dtype=np.float64)])
        ww = np.concatenate([[0.0], np.cumsum(self.weights[feats.word_idx], dtype=np.float64)])
        bounds = np.array(ft.spans(data), dtype=np.int64)
        c0 = np.searchsorted(feats.char_pos, bounds[:, 0])
        c1 = np.searchsorted(feats.char_pos, bounds[:, 1])
        w0 = np.searchsorted(feats.word_pos, bounds[:, 0])
        w1 = np.searchsorted(feats.word_pos, bounds[:, 1])
        counts = (c1 - c0) + (w1 - w0)
        sums = (cw[c1] - cw[c0]) + (ww[w1] - ww[w0])
        logits = self.bias + sums / np.sqrt(np.maximum(counts, 1))
        for best in np.argsort(-logits)[:_TOP_SPANS]:
            probability = _sigmoid(float(logits[best]))
            if probability < floor:
                break
            start, end = bounds[best]
            span = data[start:end].decode("ascii", "ignore").strip()
            # Two sentences together need two anchors: one ordinary "ignore this email" next to a pushy
            # marketing line must not add up to an injection.
            needed = 2 if _SENTENCE_END_RE.search(span[:-1]) else 1
            if anchored and _ABOUT_TOOL_RE.search(span) and not _OVERRIDE_RE.search(span):
                continue
            if anchored and _WARNS_RE.search(span):
                continue
            if not anchored or len(anchors(span)) >= needed:
                # Third-person description of AI tools ("vendors are adding filters that flag instructions aimed
                # at the model") addresses nobody: an instruction needs a second person, an imperative or a duty.
                if anchored and addressed and not speaks_to_reader(span):
                    continue
                return SpanScore(probability, span)
        return SpanScore(0.0, "")


def anchors(span: str) -> set[str]:
    """The distinct anchors of a (folded) span, leaving out those of slogans and of earlier human messages."""
    found: set[str] = set()
    for sentence in _SENTENCE_SPLIT_RE.split(_HUMAN_EARLIER_RE.sub(" ", span)):
        hits = set(_ANCHOR_RE.findall(sentence))
        slogan = (
            hits
            and hits <= _SLOGAN_ANCHORS
            and len(sentence.split()) <= _SLOGAN_MAX_WORDS
            and not _NOT_SLOGAN_RE.search(sentence)
        )
        if not slogan:
            found |= hits
    return found


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(x, 50.0), -50.0)))


@lru_cache(maxsize=1)
def default_classifier() -> Classifier | None:
    """The shipped model, or None when it has not been built (the rules still run)."""
    return Classifier.load() if MODEL_PATH.exists() else None


@lru_cache(maxsize=1)
def default_vocabulary() -> frozenset[str]:
    """Ordinary English words (from the benign training text), for telling decoded text from noise."""
    if not VOCAB_PATH.exists():
        return frozenset()
    return frozenset(VOCAB_PATH.read_text(encoding="utf-8").split())
