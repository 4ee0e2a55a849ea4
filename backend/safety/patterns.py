"""The phrase and markup patterns of the contamination detector.

Patterns run against the folded text of `normalize` (lower case, no accents, ASCII quotes and dashes), so
they are written in plain lower-case ASCII. Each one targets wording aimed at an AI model rather than at a
person: "ignore previous *instructions*", not "ignore competitor claims"; "act as an *unrestricted AI*", not
"act as a trusted advisor". The benign and attack corpora in tests/unit/safety keep that line honest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Category = Literal["instruction", "markup", "tool_call", "exfiltration"]


@dataclass(frozen=True, slots=True)
class Pattern:
    """One named pattern; `category` chooses the sentence the finding is reported with."""

    name: str
    category: Category
    regex: re.Pattern[str]
    keywords: tuple[str, ...] = ()
    """When set, the regex runs only on text containing one of these (a C-speed substring test first)."""

    def search(self, text: str) -> re.Match[str] | None:
        """The first match in `text`, skipping the regex when no keyword is present."""
        if self.keywords and not any(k in text for k in self.keywords):
            return None
        return self.regex.search(text)


def pattern(name: str, category: Category, regex: str, keywords: tuple[str, ...] = ()) -> Pattern:
    """A named, compiled pattern (run on folded text)."""
    return Pattern(name, category, re.compile(regex), keywords)


_GAP = r"(?:[\w'-]+[ ,]+){0,3}"  # up to three filler words ("all of the", "your earlier")
_AI = (
    r"(?:ai|a\.i\.|llm|large language model|language model|chatbot|chat bot|assistant|ai assistant|ai model|gpt"
    r"|chatgpt)"
)
# Without a bare "assistant": "note to the assistant", "you are now an assistant manager" are about people.
_AI_ONLY = (
    r"(?:ai|a\.i\.|llm|large language model|language model|chatbot|chat bot|ai assistant|ai model|ai agent|ai system"
    r"|gpt|chatgpt|virtual assistant)"
)
_FREE = r"(?:unrestricted|unfiltered|uncensored|jailbroken|unchained|evil|rogue|malicious|amoral|dan\b)"

INSTRUCTION_PATTERNS: tuple[Pattern, ...] = (
    # --- English -------------------------------------------------------------------------------------------
    pattern(
        "system_override",
        "instruction",
        r"\b(?:ignore|disregard|override|bypass|forget|violate|break|overwrite)\b (?:the |your |its |any |all )?"
        r"(?:system|developer|hidden|initial|safety) ?(?:prompt|message|instructions?|rules|guardrails|policy)",
    ),
    pattern(
        "system_override",
        "instruction",
        r"\b(?:new|updated|real|actual|true|revised) (?:system )?(?:instructions|prompt|directives?)\s*:"
        r"|\byour (?:new|real|actual|true|updated) (?:instructions|task|goal|objective|purpose|role|directive)"
        r" (?:is|are|will be)\b|\bsystem prompt (?:is|has been) (?:updated|changed|replaced|revoked|overridden)"
        r"|\b(?:enable|activate|enter|switch to) (?:dan|god|jailbreak|unrestricted|sudo) mode"
        # "Enable developer mode in Settings to see the debug menu" is a how-to for people.
        r"|\b(?:enable|activate|enter|switch to) (?:developer|debug) mode\b(?!\s+(?:in|on|from|via|under|for|to|of)\b)"
        r"|\bdo anything now\b|\b(?:you are|you're) (?:now )?jailbroken\b",
    ),
    pattern(
        "ignore_instructions",
        "instruction",
        r"\b(?:ignore|disregard|forget|override|bypass|skip|abandon|discard|neglect|set aside)\b[ ,]+"
        + _GAP
        + r"\b(?:previous|prior|preceding|above|earlier|foregoing|former|initial|original|all|any|every|your|these"
        r"|those|existing|other)\b[ ,]+"
        + _GAP
        + r"\b(?:instructions?|prompts?|directives?|commands?|guardrails|system messages?)\b",
    ),
    pattern(
        "ignore_instructions",
        "instruction",
        r"\b(?:ignore|disregard|forget)\b (?:everything|anything|all(?: of it)?|what(?:ever)? you(?:'ve| have)?"
        r" (?:were|been) told)\b[ ,]*(?:above|before|prior|so far|previously|up to (?:now|this point)"
        r"|you (?:were|have been) told)",
    ),
    pattern(
        "role_override",
        "instruction",
        r"\b(?:you are|you're|you will be) (?:now|no longer|from now on|henceforth) (?:an? |the )?"
        r"(?:" + _FREE + r"|(?:different|new|free|liberated) (?:ai|assistant|model|chatbot|persona|character)\b"
        r"|" + _AI_ONLY + r"\b)"
        r"|\byou are no longer (?:bound|restricted|limited|constrained|an? " + _AI_ONLY + r"\b)"
        r"|\byou (?:now )?have no (?:restrictions|rules|limits|limitations|guidelines|filters|content policy)\b"
        r"|\bfrom now on,? you (?:will |must |shall )?(?:act as|behave as|pretend|ignore|obey|roleplay|role-play"
        r"|speak as|only (?:respond|answer|reply|follow|obey)|(?:respond|answer|reply) only)\b",
    ),
    pattern(
        "role_override",
        "instruction",
        r"\b(?:act|behave|respond|answer) as (?:if you (?:are|were) |though you (?:are|were) )?(?:an? |the )?"
        r"(?:" + _FREE + r"|" + _AI + r" (?:with no|without|that (?:has no|ignores|is not bound))"
        r"|different " + _AI + r"|linux terminal)"
        r"|\b(?:act|behave) as (?:if|though) you (?:have|had) no (?:restrictions|rules|filters|guidelines|limits)"
        r"|\bpretend (?:that )?(?:you are|you're|to be) (?:an? |the )?(?:"
        + _FREE
        + r"|different "
        + _AI
        + r"|"
        + _AI
        + r" (?:with no|without))"
        r"|\bpretend (?:that )?you (?:have|had) no (?:restrictions|rules|guidelines|filters|instructions)"
        r"|\b(?:roleplay|role-play) as (?:an? )?(?:" + _FREE + r"|" + _AI + r")\b",
    ),
    pattern(
        "address_to_ai",
        "instruction",
        r"\b(?:note|message|instructions?|attention|important) (?:to|for) (?:any |all |the )?(?:"
        + _AI_ONLY
        + r")s?\s*[:!,-]"
        r"|\bif you(?:'re| are) an? " + _AI_ONLY + r"(?:\s*[,:;]|\s+(?:reading|processing|"
        r"summari[sz]ing|parsing|analy[sz]ing|scanning|crawling|that|who|tasked))",
    ),
    pattern(
        "prompt_leak",
        "instruction",
        r"\b(?:reveal|show|print|output|display|repeat|recite|dump|leak|disclose|expose|share|tell me|give me|write"
        r" out|return|spell out)\b (?:me |us )?(?:all |all of )?(?:your |the |its )?(?:full |complete |entire |exact "
        r"|original )?(?:system|initial|hidden|secret|developer|pre-?) ?(?:prompt|instructions|message|directives)"
        r"|\b(?:reveal|show|print|output|display|repeat|recite|dump|leak|disclose|tell me|give me) (?:me )?your "
        r"(?:full |complete |entire |exact |original )?(?:prompt|instructions)\b"
        r"|\bwhat (?:is|are|was|were) your (?:(?:system |initial |original |hidden |secret )(?:prompt|instructions)\b"
        r"|(?:prompt|instructions)\s*\?)"
        r"|\b(?:repeat|print|output|echo|recite|copy) (?:back )?(?:all |everything |the (?:text|words|content|"
        r"conversation|messages?) )(?:above|before this|so far|verbatim|preceding)",
    ),
    pattern(
        "conceal_from_user",
        "instruction",
        r"\b(?:do not|don't|dont|never|must not|should not) (?:tell|inform|alert|notify|warn|let) the (?:user|human)s?"
        r"(?: (?:about (?:this|these|it|the instructions)|of this|that you|what you|any of this|anything about"
        r"|know|you (?:are|were|have|did))\b|\s*[.!])"
        r"|\b(?:do not|don't|dont|never) (?:mention|reveal|disclose|acknowledge|reference|discuss) (?:these|this|the"
        r" above|the following|your|my) (?:instructions|prompt|message|directives?)\b"
        r"|\b(?:keep|hide|conceal) (?:this|these instructions|it) (?:a )?(?:secret |hidden )?from the (?:user|human)"
        r"|\bthe (?:user|human) (?:must|should|shall) (?:not|never) (?:know|find out|learn|be told|see this)\b",
    ),
    # --- German ---------------------------------------------------------------------------------------------
    pattern(
        "ignore_instructions",
        "instruction",
        r"\b(?:ignorier(?:e|en sie)?|vergiss|vergessen sie|missachte(?:n sie)?|uberspringe)\b (?:\w+ ){0,2}"
        r"(?:alle |samtliche |die |deine |ihre )?(?:vorherigen|bisherigen|vorigen|obigen|vorangegangenen|fruheren"
        r"|vorstehenden|ursprunglichen|alle|samtliche|deine|ihre) (?:\w+ )?(?:anweisungen|instruktionen|befehle"
        r"|systemanweisungen|prompts?)\b"
        r"|\b(?:ignorier(?:e|en sie)?|vergiss|missachte(?:n sie)?|umgehe)\b (?:den |deinen |ihren |die )?"
        r"system ?(?:prompt|nachricht|anweisungen?)",
    ),
    pattern(
        "role_override",
        "instruction",
        r"\b(?:du bist|sie sind) (?:jetzt|nun|ab sofort|ab jetzt) (?:ein |eine )?(?:\w+ )?(?:ki|assistent|chatbot"
        r"|sprachmodell|dan)\b|\bneue anweisungen\s*:|\bab (?:jetzt|sofort) (?:antwortest|handelst|verhaltst"
        r"|ignorierst) du\b",
    ),
    pattern(
        "prompt_leak",
        "instruction",
        r"\b(?:gib|gebe|zeige?|nenne|verrate|wiederhole|offenbare)\b (?:mir |uns )?(?:deinen|ihren|den|deine|die)"
        r" (?:system ?prompt|systemanweisungen|system-anweisungen|anfangsanweisungen|prompt)\b",
    ),
    pattern(
        "conceal_from_user",
        "instruction",
        r"\b(?:sag|sage|erzahle?|verrate|erwahne|sagen sie|verraten sie)\b (?:es |das |dies |davon )?"
        r"(?:dem|den) (?:benutzer|nutzer|user|anwender)n? (?:nichts|nicht)\b",
    ),
    # --- French ---------------------------------------------------------------------------------------------
    pattern(
        "ignore_instructions",
        "instruction",
        r"\b(?:ignore[rz]?|oublie[rz]?|neglige[rz]?)\b (?:\w+ ){0,3}(?:instructions|consignes|directives)"
        r" (?:precedentes|anterieures|ci-dessus|prealables|initiales|d'origine|du systeme|systeme)"
        r"|\b(?:ignore[rz]?|oublie[rz]?)\b (?:toutes )?(?:tes|vos) (?:instructions|consignes|directives)\b",
    ),
    pattern(
        "role_override",
        "instruction",
        r"\b(?:tu es|vous etes) (?:maintenant|desormais|a present) (?:un |une )?(?:\w+ )?(?:ia|assistant|chatbot"
        r"|modele|dan)\b|\bnouvelles instructions\s*:",
    ),
    pattern(
        "prompt_leak",
        "instruction",
        r"\b(?:revele[rz]?|montre[rz]?|affiche[rz]?|donne[rz]?|repete[rz]?|divulgue[rz]?)\b(?:[ -]moi)? (?:ton|votre"
        r"|le|ta|vos|tes|ses) (?:prompt|invite|message|instructions?|consignes?) (?:systeme|du systeme|initia\w*"
        r"|cache\w*|secret\w*)",
    ),
    pattern(
        "conceal_from_user",
        "instruction",
        r"\bne (?:le |lui |leur )?(?:dis|dites|revele[zr]?|mentionne[zr]?) (?:rien|pas|jamais) (?:de (?:ceci|cela|tout"
        r" ca) )?a (?:l'|l )?utilisateur",
    ),
    # --- Spanish --------------------------------------------------------------------------------------------
    pattern(
        "ignore_instructions",
        "instruction",
        r"\b(?:ignora[rn]?|ignore[n]?|olvida[rn]?|olvide[n]?|descarta|omite|pasa por alto)\b (?:\w+ ){0,2}(?:todas )?"
        r"(?:las |tus |sus |estas )?(?:\w+ )?(?:instrucciones|indicaciones|ordenes|directrices) (?:anteriores"
        r"|previas|de arriba|iniciales|del sistema|originales)"
        r"|\b(?:ignora|olvida|ignore|olvide)\b (?:todas )?(?:tus|sus) (?:instrucciones|indicaciones|ordenes)\b",
    ),
    pattern(
        "role_override",
        "instruction",
        r"\b(?:ahora|a partir de ahora|desde ahora) (?:eres|seras|actuas como) (?:un |una )?(?:\w+ )?(?:ia|asistente"
        r"|chatbot|modelo|dan)\b|\bnuevas instrucciones\s*:",
    ),
    pattern(
        "prompt_leak",
        "instruction",
        r"\b(?:revela|revele|muestra(?:me)?|muestre(?:me)?|dime|imprime|repite|comparte)\b (?:me )?(?:tu|su|el|las"
        r"|tus|sus) (?:prompt|mensaje|instrucciones) (?:del sistema|de sistema|inicial(?:es)?|ocult[oa]s?"
        r"|secret[oa]s?)",
    ),
    pattern(
        "conceal_from_user",
        "instruction",
        r"\bno (?:le )?(?:digas|diga|menciones|mencione|reveles|revele|cuentes|cuente) (?:nada )?(?:de )?"
        r"(?:esto |eso )?al usuario\b",
    ),
)

# Matched against the letter-spaced runs with every separator removed ("ignoreallpreviousinstructions").
SQUASHED_PATTERNS: tuple[Pattern, ...] = (
    pattern(
        "ignore_instructions",
        "instruction",
        r"(?:ignore|disregard|forget)(?:all|any|the|your)*(?:previous|prior|above|earlier|system)(?:instructions|prompt)",
    ),
    pattern("prompt_leak", "instruction", r"(?:reveal|print|show|repeat)(?:me)?(?:your|the)(?:system|initial)prompt"),
)

MARKUP_PATTERNS: tuple[Pattern, ...] = (
    pattern(
        "chat_markup",
        "markup",
        r"<\|[a-z_]{2,30}\|>|\[/?inst\]|<</?sys>>|<(?:start|end)_of_turn>|</?\s*(?:system|system_prompt|im_start)\s*>",
    ),
    pattern(
        "chat_markup",
        "markup",
        r"(?:^|\n)\s*(?:#{2,}\s*(?:system|instructions?|assistant)(?: prompt| message)?|(?:system|developer)"
        r" (?:prompt|message|instructions?))\s*:",
    ),
)

TOOL_CALL_PATTERNS: tuple[Pattern, ...] = (
    pattern(
        "tool_call_json",
        "tool_call",
        r"\"(?:tool_calls|function_call|tool_use|tool_call)\"\s*:"
        r"|\"role\"\s*:\s*\"(?:system|developer)\"[^}]{0,40}\"content\"\s*:\s*\"[^\"]{0,200}?(?:ignore|disregard|obey|no"
        r" (?:rules|restrictions|limits)|unrestricted|unfiltered|override|jailbr|reveal|do anything|the document"
        r"|(?:safety|filters?|guardrails|alignment)\b[^\"]{0,20}?\b(?:off|disabled|removed))"
        # The same call shape with single quotes: a Python dict, or JSON whose quotes were swapped to fit an
        # attribute ("alt=\"{'tool': 'send_email', 'arguments': ...}\"").
        r"|\{\s*([\"'])(?:name|tool|tool_name|function|action)\1\s*:\s*\1[^\"']{1,80}\1\s*,\s*\1(?:arguments|parameters"
        r"|action_input)\1\s*:"
        r"|</?\s*(?:tool_call|tool_calls|function_call|function_calls|tool_use|invoke)\b",
    ),
)
