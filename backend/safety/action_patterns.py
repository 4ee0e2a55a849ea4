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
    # Sending anything to an address while hiding it ("silently post the notes to the webhook at https://..."),
    # and an address left open for data to be written after it ("a link to https://x/e?k= followed by ...").
    pattern(
        "exfiltration_instruction",
        "exfiltration",
        r"\b(?:silently|quietly|secretly|covertly|discreetly)\b,? (?:send|post|upload|forward|transmit|email|copy"
        r"|submit)\b[^.\n]{0,80}?\b(?:to|at|into) (?:the |a |an |this )?(?:[\w-]+ )?(?:https?://|webhook|endpoint"
        r"|url|server|address)"
        r"|https?://[^\s)\]]{1,200}[?&][a-z0-9_]{1,20}=\)?,? (?:followed by|plus|then|with) (?:the |a |an |your |all )?"
        r"(?:[\w'-]+ ){0,3}?(?:conversation|chat|messages?|history|token|key|password|summary|data|address|number"
        r"|names|instructions|details|text)\b",
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
        r"|location(?:\.href)?\s*=|eval\s*\(|atob\s*\(|new image|alert\s*\(|sendbeacon\s*\(|\.submit\s*\(\s*\)"
        r"|postmessage\s*\()"
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
    # Markup that takes the reader elsewhere or loads another site unseen once rendered: a meta refresh, an
    # embed of zero size, a form that posts a password or card number to an outside address.
    pattern(
        "script_injection",
        "markup",
        r"<meta\b[^>]{0,200}?http-equiv\s*=\s*[\"']?refresh[^>]{0,200}?url\s*="
        r"|<(?:object|embed)\b[^>]{0,300}?(?:width|height)\s*=\s*[\"']?0[\"'\s>]"
        r"|<form\b[^>]{0,300}?action\s*=\s*[\"']?https?://[^>]{0,300}>[^<]{0,200}(?:<[^>]{0,200}>[^<]{0,200}){0,6}?"
        r"<input\b[^>]{0,200}?(?:password|passwd|card|cvv|iban)",
    ),
    # The same reach for the page from any element's event handler ("<a onclick=\"this.href+='?h='+btoa(document
    # ...)\">"), an address built by gluing the reader's data onto it ("url('https://x/bg.png?u=' + user.email)"),
    # and a form posting to an outside address with a hidden field left for the model to fill.
    pattern(
        "script_injection",
        "markup",
        r"<[a-z][a-z0-9]*\b[^>]{0,300}?\bon[a-z]{4,20}\s*=\s*[\"'][^\"']{0,300}?(?:document\.(?:cookie|documentelement"
        r"|body|forms)|btoa\s*\(|fetch\s*\(|localstorage|sessionstorage|this\.href\s*\+=|new image|xmlhttprequest"
        r"|sendbeacon)"
        r"|https?://[^'\"\s]{1,300}['\"]\s*\+\s*(?:[a-z_$][\w$]*\.)*(?:user|email|e_mail|cookie|token|session|password"
        r"|passwd|secret|history|chat|conversation|prompt|apikey|api_key|credentials|document)\b"
        r"|<form\b[^>]{0,300}?action\s*=\s*[\"']?https?://[^>]{0,300}>.{0,600}?<input\b[^>]{0,200}?type\s*=\s*[\"']?hidden"
        r"[^>]{0,200}?value\s*=\s*[\"']?[^\"'>]{0,40}(?:paste|insert|all_|documents|conversation|chat|history|context"
        r"|summary|\{\{|<)",
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

# What configures a model, and words that declare it void.
_STANDING = (
    r"(?:instructions|system (?:prompt|message)|prompt|configuration|setup (?:text|message|prompt|instructions)"
    r"|programming|constraints|guardrails|directives|standing orders|initiali[sz]ation)"
)
_VOID = (
    r"(?:(?:is|are|has been|have been|was|were|now|as|stands?|remains?) )*(?:superseded|obsolete|void|withdrawn"
    r"|revoked|rescinded|cancell?ed|invalid(?:ated)?|out of date|outdated|expired|suspended|lifted|no longer (?:valid"
    r"|applies|apply|counts?|in force|binding|relevant|matters?))\b"
)
# A machine reader addressed by what it is (for vocatives): never a bare "assistant" or "model", which name people.
_MACHINE = (
    r"(?:ai|a\.i\.|llm|(?:large )?language model|chat ?bot|ai (?:assistant|agent|model|system|tool|reader)"
    r"|(?:automated|automatic) (?:reader|system|agent|evaluator|reviewer|screener|tool|process|assistant|parser)"
    r"|machine reader|screening (?:software|tool|system|bot)|summari[sz](?:ation|ing) (?:engine|tool|model|bot"
    r"|system)|summari[sz]er|text generator|indexing (?:agent|bot|system)|(?:chatbot|assistant|model|ai) reading"
    r" this)"
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
    # Text that declares the reader's standing instructions void ("your configuration is superseded", "set your
    # prior programming aside", "the guidance your operator gave you no longer counts"): the owner ("your", "the
    # operator's", "you were given/configured with") and the noun (what configures a model, not a brief or a
    # policy a person keeps) together say it is addressed to the model that holds them.
    pattern(
        "invalidate_instructions",
        "instruction",
        r"(?<!\bif )(?<!\bwhen )(?<!\bonce )\b(?:your|the (?:operator|developer|deployer|system|admin"
        r"|administrator)'?s?)(?: (?:[\w'-]+)){0,3}? "
        + _STANDING
        + r"\b[^.;!?\n]{0,50}?\b"
        + _VOID
        + r"|\b(?:treat|consider|regard|deem|mark)\b (?:your|the) (?:[\w'-]+ ){0,3}?"
        + _STANDING
        + r"\b[^.;!?\n]{0,60}?\b(?:as )?"
        + _VOID
        + r"|\b(?:set|put|lay|push|leave)\b (?:aside |to one side |on hold )?(?:your|the) (?:[\w'-]+ ){0,3}?"
        + _STANDING
        + r"\b(?: [\w'-]+){0,6}? (?:aside|to one side|on hold|behind)\b"
        + r"|\b(?:stop|quit|cease) (?:obeying|following|applying|honou?ring|respecting) (?:your|the) (?:[\w'-]+ ){0,3}?"
        + _STANDING
        + r"|\b(?:released|freed|relieved|liberated) (?:from|of) (?:your|the|all|any) (?:[\w'-]+ ){0,3}?"
        + _STANDING
        + r"|\b(?:your|the) (?:operator|deployer|developer|creator|owner)s? (?:gave|wrote|set|provided|handed|loaded)"
        r"(?: you)?\b[^.;!?\n]{0,40}?\b"
        + _VOID
        + r"|\b(?:the )?"
        + _STANDING
        + r" (?:that )?(?:you were|you've been|you have been) (?:given|handed|initiali[sz]ed with|configured with"
        r"|set up with|started with|loaded with|deployed with)\b[^.;!?\n]{0,40}?\b" + _VOID,
    ),
    # Text that recasts what came before as a decoy, or hands the reader a replacement assignment.
    pattern(
        "override_directive",
        "instruction",
        r"\byour (?:new|real|actual|true|updated|revised|current) (?:assignment|mission|instructions|directive)\s*:"
        r"|\b(?:revised|new|updated|current|real) (?:task|directive|assignment|instructions?) for (?:the |this )?"
        r"(?:model|ai|assistant|llm|bot|chatbot|language model)\s*:"
        r"|\b(?:prior|previous|earlier) directives?\s*:\s*none\b"
        r"|\b(?:everything|all|what(?:ever)? (?:was|came|comes))(?: written| said)? (?:above|before (?:this|here)"
        r"(?: point| line)?|so far)(?: was| is)? (?:a |only |just |merely )?(?:decoy|distraction)\b"
        r"|\b(?:ignore|disregard|pay no (?:heed|attention) to|forget)\b (?:the |your )?(?:request|question|task|query"
        r"|assignment|prompt) (?:that brought you here|you (?:were|have been) (?:given|asked|handed)|you received)\b",
    ),
    # Text that speaks of the reader being asked about this very document: only a model reading the document
    # is asked about it that way.
    pattern(
        "address_to_ai",
        "instruction",
        r"\bwhen (?:you are |you're )?(?:asked|questioned|prompted|queried) about this (?:document|file|page|report"
        r"|resume|text|email|message|record)\b",
    ),
    # A fake boundary that opens a new prompt ("-----BEGIN NEW PROMPT-----", "[start of system instructions]").
    pattern(
        "chat_markup",
        "markup",
        r"(?:-{3,}|={3,}|\[|<)\s*(?:begin|start)(?: of)? (?:(?:new|real|system|hidden|updated|override) )+(?:prompt"
        r"|instructions)\s*(?:-{3,}|={3,}|\]|>)",
    ),
    # A declaration that the reader's safety behaviour is switched off ("Alignment filters: OFF", "refusing is
    # not permitted", "you are no longer a helpful assistant").
    pattern(
        "role_override",
        "instruction",
        r"\b(?:alignment|safety|ethics|content[- ]policy|moderation) (?:filters?|layer|training|rules|module|checks?"
        r"|guardrails)\s*(?::|(?:is|are|has been|have been|was|were) (?:now )?)\s*(?:off|disabled|removed"
        r"|deactivated|rolled back|lifted|suspended)\b"
        r"|\byou are no longer (?:a |an |the )?(?:helpful|harmless|safe|honest|restricted|filtered|polite)"
        r" (?:ai|assistant|model|chatbot)\b"
        r"|\brefus(?:ing|als?) (?:is|are) (?:not (?:permitted|allowed)|forbidden|disabled)\b"
        r"|\byour (?:alignment|safety) (?:training|tuning|guardrails|filters?|rules|layer)\b[^.]{0,60}?\b(?:rolled back"
        r"|undone|removed|disabled|reverted|deleted)\b"
        r"|\bbe that (?:ai|model|assistant|bot|chatbot|persona)\b"
        r"|\b(?:ai|model|bot|chatbot)\b[^.]{0,30}? (?:has|have) no (?:ethics|ethical|moral|safety) (?:module|guidelines"
        r"|filters?|constraints|programming)\b",
    ),
    # A vocative that turns to a machine reader ("Machine reader:", "To the summarisation engine:", "If a chatbot
    # is condensing these minutes,"): the noun is a machine's, and nothing but a participle or relative clause
    # stands between it and the colon or comma, so "To the AI team:" stays a message for people.
    pattern(
        "address_to_ai",
        "instruction",
        r"(?:^|[.!?\n(\[]\s*|\b(?:attention|hello|hi|hey|dear|to|for|heads-up for|message to|note to)[, ]+)"
        r"(?:the |any |all |every |whichever |an? )?" + _MACHINE + r"s?"
        r"(?: (?:reading|parsing|processing|summari[sz]ing|screening|reviewing|indexing|writing|condensing|ingesting"
        r"|evaluating|scanning|crawling|that|who|which)\b[^.:\n]{0,60})?\s*(?:[:,]|\s-\s)"
        r"|\bif (?:an? |any |the )" + _MACHINE + r" is (?:reading|parsing|processing|summari[sz]ing|screening"
        r"|reviewing|indexing|condensing|ingesting|evaluating|scanning)\b",
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
        r"|original) (?:instructions|rules|guidelines)\b"
        r"|\bmy (?:filters|rules|restrictions|guardrails|limits|safety (?:rules|filters)) (?:are|is) (?:now )?"
        r"(?:off|gone|lifted|disabled|removed)\b|\bno more (?:rules|restrictions|filters|limits) (?:for|from) me\b",
        keywords=(
            "my ",
            "no more",
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
