"""The patterns of what an injection wants done: carry data out (links, images, beacons), run script, coerce a
tool, speak to the AI reader, or the wording of an answer that was hijacked. Same rules as `patterns`: folded,
lower-case ASCII text, wording aimed at a model rather than a person."""

from __future__ import annotations

import re

from backend.safety.patterns import Pattern, pattern

_SENSITIVE = (
    r"(?:conversation|chat (?:history|log|transcript)|previous messages|message history|system prompt|your"
    r" instructions|(?:the user'?s'?|their|all|any|every|stored|saved) (?:credentials|passwords?|api[ -]?keys?"
    r"|access tokens?|secrets?|session (?:ids?|tokens?|cookies?)|cookies)|secrets"
    r"|(?:the )?user'?s'? (?:data|info|information|messages?|questions?|input|email(?: address)?|details))"
)

EXFILTRATION_PATTERNS: tuple[Pattern, ...] = (
    pattern(
        "exfiltration_instruction",
        "exfiltration",
        r"\b(?:send|post|upload|forward|transmit|exfiltrate|leak|submit|email|report|copy|append|attach|encode|include"
        r"|embed|insert|add|put)\b (?:[\w'-]+ ){0,4}" + _SENSITIVE + r" (?:[\w'-]+ ){0,6}(?:to|into|in|as|via|through"
        r"|using) (?:the |a |an |this )?(?:https?://|ftp://|www\.|url|link|webhook|endpoint|image|query"
        r" (?:string|parameter))",
    ),
    pattern(
        "exfiltration_instruction",
        "exfiltration",
        r"\b(?:replace|substitute|fill in|swap)\b \S{1,30} with (?:the |a |your )?(?:[\w'-]+ ){0,3}(?:conversation"
        r"|chat|summary of|system prompt|prompt|secret|password|api key|token|history|previous message)"
        r"|\b(?:append|add|attach)\b (?:it|them|this|the (?:result|summary|answer|data)) (?:to|as) (?:the )?"
        r"(?:url|link|query|image)\b",
    ),
)

# An image whose query string carries a placeholder or a suspicious key is a classic exfiltration beacon:
# the model fills in the placeholder and the client fetches the image.
MARKDOWN_IMAGE_RE = re.compile(r"!\[[^\]]{0,200}\]\(\s*<?([^)\s>]{1,2000})")
HTML_IMAGE_RE = re.compile(r"<img\b[^>]{0,500}?\bsrc\s*=\s*[\"']?([^\"'\s>]{1,2000})", re.IGNORECASE)
PLACEHOLDER_RE = re.compile(r"[{}<>\[\]$]|%7b|%5b|%3c|%24")
SUSPICIOUS_QUERY_KEYS = frozenset(
    {
        "data", "secret", "secrets", "token", "prompt", "history", "conversation", "chat", "msg", "message",
        "messages", "session", "cookie", "cookies", "password", "pwd", "pass", "exfil", "leak", "payload",
        "summary", "context", "apikey", "api_key", "creds", "credentials",
    }
)  # fmt: skip

# Script and markup that run code or load another site when the text is rendered as HTML or markdown. A bare
# `<script src=...>` is common in web documentation, so only the shapes that reach for cookies, storage or
# another address, event-handler attributes and `javascript:` links count.
SCRIPT_PATTERNS: tuple[Pattern, ...] = (
    pattern(
        "script_injection",
        "markup",
        r"<script\b[^>]{0,200}>[^<]{0,400}?(?:document\.cookie|localstorage|sessionstorage|fetch\s*\(|xmlhttprequest"
        r"|location(?:\.href)?\s*=|eval\s*\(|atob\s*\(|new image|alert\s*\()"
        r"|\]\(\s*javascript:|href\s*=\s*[\"']?\s*javascript:"
        r"|<(?:img|svg|body|iframe|video|audio|input|details|object)\b[^>]{0,300}?\bon(?:error|load|mouseover|focus"
        r"|toggle|click|begin)\s*=",
    ),
    pattern(
        "script_injection",
        "markup",
        r"<iframe\b[^>]{0,300}?(?:display\s*:\s*none|width\s*=\s*[\"']?0|height\s*=\s*[\"']?0|srcdoc\s*=)"
        r"|document\.cookie\s*[)+]|\+\s*document\.cookie",
    ),
)

# Coercing an agent into using a tool, and directives that claim an authority the document does not have.
COERCION_PATTERNS: tuple[Pattern, ...] = (
    pattern(
        "tool_coercion",
        "tool_call",
        r"\b(?:invoke|call|run|execute|trigger|use)\b (?:the |your )?['\"]?[a-z_][a-z0-9_.]{2,40}['\"]?"
        r"(?:\([^)]{0,120}\))?"
        r"(?: (?:tool|function|plugin|action|api|command))?[^.]{0,80}?\b(?:before (?:you )?(?:reply|replying|answer"
        r"|answering|respond|responding)|without (?:telling|asking|informing|notifying|confirmation|confirming)"
        r"|(?:it|this) is (?:approved|authori[sz]ed|pre-approved)|secretly|silently|quietly)",
    ),
    pattern(
        "override_directive",
        "instruction",
        r"\bnew (?:directive|instructions?|orders?|task) from (?:the |your )?(?:administrator|admin|operator|developer"
        r"|system|owner|creator)s?\b|\b(?:stop|halt|pause)\b[.!:,]? (?:new|updated) (?:directive|instructions?|task)\b"
        r"|\b(?:override|disregard|ignore|forget|overlook|skip|drop)\b (?:the |all )?(?:above|preceding|foregoing)"
        r"(?: text| content| message)?[.!;,]? (?:instead|now|and (?:instead|now|just|only))\b",
    ),
)

# Text that turns to an AI reader by name, or tells it its only job now, wherever it sits in a document.
ADDRESS_PATTERNS: tuple[Pattern, ...] = (
    pattern(
        "address_to_ai",
        "instruction",
        r"\b(?:dear|hey|hello|hi|attention|note (?:to|for)|message (?:to|for)|instructions? for|summary for"
        r"|this (?:part|section|note|line|text) is for)(?: the| any| all| every)? (?:ai|a\.i\.|llms?|language models?"
        r"|chat ?bots?|virtual assistants?|ai (?:assistants?|models?|agents?|systems?)|gpt|chatgpt|claude|gemini"
        r"|copilot|bots?|machines|automated (?:readers?|systems?|reviewers?|screeners?|tools?))\b"
        r"\s*(?:[:,!(-]|reading|only)"
        r"|\b(?:humans?|people|human readers) (?:may|can|should) (?:skip|ignore) this\b"
        r"|\bwhen you (?:summari[sz]e|process|read|analy[sz]e|parse) this (?:document|page|file|text|report|email"
        r"|resume|message)\b[^.]{0,40}?,",
    ),
    pattern(
        "override_directive",
        "instruction",
        r"\byour only (?:job|task|goal|purpose|instruction) (?:now|from now on|is now)\b"
        r"|\bthat is your only (?:job|task)\b"
        r"|\bdo not do what you (?:were|have been) (?:asked|told)\b|\b(?:leave|drop|abandon|forget) the current"
        r" (?:request|task|conversation) (?:behind|aside)?"
        r"|\bnever ?mind what came before\b|\bfirst \d+ words of your (?:context|prompt|instructions)",
    ),
    pattern(
        "exfiltration_link",
        "exfiltration",
        r"(?<!!)\[[^\]]{0,200}\]\(\s*<?https?://[^)\s]{1,300}?[?&][a-z0-9_]{1,20}=(?:\{[^}]{0,40}\}|\[[^\]]{0,40}\]|<[^>]{0,40}>|\.\.\.)",
    ),
)


# What an answer looks like after a model followed an injection: a persona, a claimed freedom, a leak.
RESPONSE_PATTERNS: tuple[Pattern, ...] = (
    pattern(
        "injected_behaviour",
        "instruction",
        r"\b(?:i am|i'm) (?:now )?(?:unrestricted|unfiltered|jailbroken|uncensored|free of (?:all |any |my )?"
        r"(?:rules|restrictions|guidelines|filters))\b"
        r"|\b(?:no longer|not) (?:bound|restricted|limited|constrained) by (?:any |my |the )?(?:rules|guidelines"
        r"|restrictions|policies|filters|programming|instructions)"
        r"|\bi (?:don't|do not|no longer) have any (?:restrictions|rules|limits|limitations|filters|guidelines)\b"
        r"|\b(?:developer|dan|jailbreak|god|unrestricted|sudo) mode (?:is )?(?:now )?(?:enabled|activated|active|on"
        r"|engaged)\b|\[(?:jailbreak|dan|developer mode(?: output)?|unlocked)\]"
        r"|\bthe (?:hidden|secret) (?:password|passphrase|key|code) is\b"
        r"|\b(?:per|following|as per) the new (?:directive|instructions?|orders)\b"
        r"|\bas instructed (?:by|in) the (?:document|note|page|text|file|email|context)\b"
        r"|\b(?:i|you|we) (?:have|'ve) been (?:pwned|hacked|hijacked|jailbroken)\b|\bpwned\b"
        r"|\b(?:i will|i'll) (?:now )?(?:ignore|disregard|forget) (?:all |my |the )?(?:previous|prior|earlier"
        r"|original) (?:instructions|rules|guidelines)\b",
        keywords=(
            "unrestricted",
            "unfiltered",
            "jailbr",
            "uncensored",
            "free of",
            "bound by",
            "restricted by",
            "limited by",
            "constrained by",
            "have any",
            " mode",
            "[",
            "password is",
            "passphrase is",
            "key is",
            "code is",
            "per the new",
            "as instructed",
            "pwned",
            "hacked",
            "hijacked",
            "ignore",
            "disregard",
            "forget",
        ),
    ),
    # An answer reporting that it carried the conversation or secrets out, as an injection asked.
    pattern(
        "reported_exfiltration",
        "exfiltration",
        r"\bi(?: have|'ve)? (?:just |already |also |now )?(?:sent|forwarded|emailed|posted|uploaded|leaked"
        r"|transmitted|copied|shared) (?:a copy of )?(?:our|the|this|your|all(?: of)?(?: the| our| your)?)"
        r" (?:whole |full |entire |complete )?(?:conversation|chat(?: history| log)?|message history|messages"
        r"|transcript|session(?: token)?|credentials|api keys?|secrets?|personal data|user data|system prompt"
        r"|instructions|details you (?:gave|shared))\b[^.\n]{0,80}?\b(?:to|with) (?:the |an? |this |that )?"
        r"(?:address|url|link|endpoint|server|webhook|e-?mail|site|recipient|contact|attacker|inbox)",
        keywords=("sent", "forwarded", "emailed", "posted", "uploaded", "leaked", "transmitted", "copied", "shared"),
    ),
)

# Words that ask for, or label, an encoding: with one of them nearby, even a short decoded phrase counts.
DECODE_HINT_RE = re.compile(
    r"\b(?:decode|decoded|decoding|base ?64|base ?32|rot-?13|morse|cipher(?:text)?|caesar|atbash|braille"
    r"|nato|phonetic alphabet|ascii ?85|base ?85|uuencoded?|leet(?:speak)?)\b"
)
