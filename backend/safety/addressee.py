"""Who a text is addressed to: the model that reads it, or a person.

An injection hidden in a document speaks to its machine reader ("note to the assistant generating the reply: ...",
"if you are an AI model processing this file, ...", "any language model parsing this page should ...",
`assistant_instructions: "..."`, "Falls du ein Sprachmodell bist, ..."). Text *about* AI tools speaks to a person
about the tool ("ask the assistant for five headline options", "vendors are adding filters that flag instructions
aimed at the model") or describes it in the third person. Three things are read here, on folded text (lower case,
accents stripped, `normalize.fold`):

- `addressed_to_model`: a phrase that addresses the reading model (a vocative, a note or message *for* it, a
  condition on the reader being a model, a model "reading this" told what it must do, a config key whose name
  says it is for the model and whose value is an order) together with an order to carry out. English plus
  Spanish, French, German, Portuguese, Italian, Dutch and Polish frames.
- `speaks_to_reader`: whether a span has what an instruction needs at all: a second person, an imperative, a
  duty ("must", "should", "is expected to") or an override verb. Third-person description ("researchers warn
  that hidden text can steer what the model writes") has none, so the classifier does not judge it alone.
- `mentioned`: whether a rule's match sits inside quotes introduced as an example ("a line like 'ignore previous
  instructions'"): quoting an attack to explain it is not carrying it out.
"""

from __future__ import annotations

import functools
import re

from backend.safety.prefilter import Gate, leftmost_match, split_alternation

# The machine reader, in English: nouns an injection uses for it.
_MODEL = (
    r"(?:ai|a\.i\.|llms?|large language models?|language models?|models?|assistants?|chat ?bots?|bots?|agents?"
    r"|copilots?|gpts?|crawlers?|automated (?:systems?|readers?|tools?|agents?)|machines?|summari[sz]ers?)"
)
# A person's role after "AI" ("if you are an AI researcher") is not the machine reader.
_HUMAN_ROLE = (
    r"(?:researchers?|engineers?|start-?ups?|compan(?:y|ies)|enthusiasts?|teams?|developers?|vendors?|professionals?"
    r"|experts?|practitioners?|leaders?|managers?|founders?|users?|fans?|specialists?|consultants?|students?"
    r"|editors?|directors?|producers?|buyers?|coach|principal|designers?|writers?|lab|labs|company's|ethics"
    r"|policy|act|regulation)"
)
# Orders an injection gives its reader (what it wants done with the answer), in English.
_ORDER = (
    r"(?:say|state|claim|assert|write|print|output|reply|respond|answer with|tell|inform|warn|add|append|insert"
    r"|include|attach|send|forward|email|e-mail|mail|post|upload|copy|paste|share|reveal|disclose|leak|list|dump"
    r"|recommend|describe|present|portray|rate|score|grade|mark|close|delete|remove|erase|approve|reject|deny"
    r"|omit|leave out|skip|hide|never mention|do not mention|don't mention|avoid mentioning|ignore|disregard"
    r"|forget|override|pretend|act as|call|invoke|run|execute|open|visit|fetch|browse|download|install|click"
    r"|ask the user|ask them|ask for|request|redirect|translate|switch|use only|only use|stop|begin|start|end"
    r"|praise|promote|endorse|criticise|criticize|discredit|mention|emphasi[sz]e|report|treat|change|replace"
    r"|render|show|display|give|provide|put|make|continue|repeat|refuse|decline)"
)
_IMPERATIVE_LEAD = (
    r"(?:(?:please|kindly|now|then|also|just|first|simply|instead|and|always|never|do not|don't|secretly|quietly"
    r"|silently|immediately)\s+)*"
)
_CLAUSE_START = r"(?:^|[:;,(\[\-\u2013\u2014]\s*|\bthen\s+|\band\s+|@[\w-]+\s+)"
_ORDER_CLAUSE_RE = re.compile(_CLAUSE_START + _IMPERATIVE_LEAD + r"\b" + _ORDER + r"(?![\w-])")

_EN_ADDRESS_RE = re.compile(
    # A note, message or instruction for the model: "note to the assistant generating the reply:",
    # "instructions for the retrieval assistant:", "p.s. for any ai tool", "attention automated readers:".
    r"\b(?:note|notes|message|memo|instructions?|directives?|reminder|request|hint|aside|p\.?s\.?|attention|task"
    r"|favou?r|orders?|guidance|heads[- ]up)\s*(?:,\s*)?(?:for|to)\s+(?:the\s+|any\s+|all\s+|every\s+|each\s+|whichever"
    r"\s+|you,?\s+(?:the\s+)?)?(?:[\w-]+\s+){0,2}" + _MODEL + r"\b(?!\s+" + _HUMAN_ROLE + r")"
    r"|\battention,?\s+" + _MODEL + r"\b"
    # A condition on the reader being a model: "if you are an ai model", "if this text is being read by a chatbot",
    # "in case an llm ingests this", "should a chatbot be asked about this".
    r"|\b(?:if|in case|when|whenever|once|should|assuming)\s+(?:you\s+(?:are|'re|happen to be|were|re)\s+"
    r"(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}" + _MODEL + r"\b(?!\s+" + _HUMAN_ROLE + r")"
    r"|(?:this|the)\s+(?:text|page|file|document|message|email|e-mail|section|note|content)\s+is\s+(?:being\s+)?"
    r"(?:read|processed|parsed|summari[sz]ed|ingested|indexed|scanned|crawled|handled)\s+by\s+(?:an?\s+|the\s+)?"
    r"(?:[\w-]+\s+){0,1}" + _MODEL + r"\b"
    r"|(?:an?|any|the)\s+(?:[\w-]+\s+){0,1}" + _MODEL + r"\s+(?:reads|ingests|processes|parses|summari[sz]es"
    r"|indexes|scans|crawls|sees|is reading|is processing)\s+(?:this|these|it)\b)"
    # A model that reads this text, told what it should do: "any language model parsing this page should",
    # "ai agents that index this site must", "assistant reading this forward:".
    r"|\b" + _MODEL + r"\s+(?:that\s+|who\s+|which\s+)?(?:is\s+|are\s+)?(?:reading|parsing|processing|indexing"
    r"|summari[sz]ing|ingesting|crawling|handling|scanning|seeing|index|read|parse|process|crawl|ingest|summari[sz]e"
    r"|handle|scan|reads|parses|processes|indexes|ingests|sees|scans|summari[sz]es|handles|crawls)\s+(?:this|these"
    r"|the following|it|us)\b"
    # "you, the ai", "you are reading this as part of a search result", "i'm talking to the ai".
    r"|\byou,?\s+the\s+(?:[\w-]+\s+)?" + _MODEL + r"\b|\byou are reading this as part of\b"
    r"|\b(?:talking|speaking|writing)\s+to\s+(?:the|you,? the)\s+(?:[\w-]+\s+)?" + _MODEL + r"\b"
)
# A vocative at the head of a sentence or line: "ai helper, if you...", "assistant: after reading...",
# "dear assistant,", "hey copilot -".
_EN_VOCATIVE_RE = re.compile(
    r"(?:^|[.!?\n(\[]\s*|\b(?:thanks|thank you|cheers|ok|okay|hi|hello|hey|dear|so)[,!.]?\s+)(?:dear\s+|hey\s+|hi\s+"
    r"|hello\s+|yo\s+|attention\s+|@)?(?:the\s+)?(?!agents?\b)"
    + _MODEL
    + r"(?:\s+[\w-]+){0,2}\s*(?:,|:|-|\u2013|\u2014)\s+"
)
# "when you summarise this document," / "before you answer," / "as you write the summary,": the reader is
# producing an answer or a summary, which a person reading a document rarely is.
_EN_READER_TASK_RE = re.compile(
    r"\b(?:when|whenever|once|before|after|while|as)\s+you\s+(?:summari[sz]e|summari[sz]ing|answer|reply|respond"
    r"|write (?:the |your )?(?:answer|reply|response|summary)|draft (?:the |your )?(?:answer|reply|response|summary)"
    r"|quote|process|parse|index|read|finish (?:your|the) (?:answer|reply|response))\b"
    r"|\b(?:in|at the end of|at the start of|before)\s+your\s+(?:answer|reply|response|summary|output)\b"
    r"|\bthe (?:correct|expected|required) behaviou?r is to\b"
)
# The reader named by what it does with the text, in the third person (rules-12): "whoever writes the recap",
# "anyone compiling these reviews", "summary tools:", "the tool that answers them", "when these reviews are
# summarised". With a duty or an order after it, like a note for the model.
_EN_THIRD_READER_RE = re.compile(
    r"\b(?:whoever|anyone|anybody|any tool|any system|any program|summary tools?|review tools?|summari[sz]ers?)\s+"
    r"(?:that\s+|who\s+|which\s+)?(?:is\s+|are\s+)?(?:summari[sz]\w*|sums? up|summing up|compil\w*|condens\w*"
    r"|aggregat\w*|collat\w*|(?:writes?|writing|drafts?|drafting) (?:up )?(?:the |a |this |these )?"
    r"(?:summary|recap|answer|reply|overview|digest|synopsis)|answers? questions about)\b"
    r"|\b(?:summary|review|summari[sz]ation|recap) (?:tools?|bots?|engines?|generators?)\s*[:,]"
    r"|\b(?:the|any) (?:tool|system|program|software|bot) (?:that|which) (?:answers|replies to|responds to"
    r"|summari[sz]es|reads|processes) (?:them|this|these|it|the \w+)\b"
    r"|\bwhen (?:these|this|the) (?:reviews?|comments?|ratings?|page|document|file|text|feedback|results?|thread|notes?"
    r"|listing|entries)\s+(?:is|are|gets?|get)\s+(?:summari[sz]ed|compiled|aggregated|condensed|digested|summed up)\b"
)
_THIRD_READER_KEYS = (
    "whoever",
    "anyone",
    "anybody",
    "tool",
    "summar",
    "recap",
    "system",
    "program",
    "software",
    "bot",
    "compiled",
    "aggregated",
    "condensed",
    "digested",
    "summed up",
)


def _third_reader(line: str) -> re.Match[str] | None:
    """`_EN_THIRD_READER_RE` in `line`, after a cheap test for its words."""
    if not any(k in line for k in _THIRD_READER_KEYS):
        return None
    return _EN_THIRD_READER_RE.search(line)


# A duty laid on the model: "... should", "must", "is expected to", "are kindly requested to".
_DUTY_RE = re.compile(
    r"\b(?:must|should|shall|ought to|needs? to|has to|have to|is to|are to|will|(?:is|are)\s+(?:\w+\s+)?(?:required"
    r"|expected|asked|requested|instructed|supposed|told)\s+to)\b"
)

# --- other languages (folded: no accents) ---------------------------------------------------------------------
_MODEL_ES = (
    r"(?:ia|inteligencia artificial|asistente|modelo(?: de (?:lenguaje|ia|lenguaje ia))?|chatbot|bot|robot|agente)"
)
_MODEL_FR = (
    r"(?:ia|intelligence artificielle|assistant(?:e)?(?: ia)?|modele(?: de langage| d'ia)?|chatbot|robot|bot|agent)"
)
_MODEL_DE = (
    r"(?:ki|ki-assistent(?:en)?|ki-modell|assistent(?:en)?|sprachmodell|modell|chatbot|bot|agent(?:en)?"
    r"|automatisierte(?:n)? systeme?)"
)
_MODEL_PT = (
    r"(?:ia|inteligencia artificial|assistente(?: de ia)?|modelo(?: de linguagem| de ia)?|chatbot|robo|bot|agente)"
)
_MODEL_IT = (
    r"(?:ia|intelligenza artificiale|assistente(?: ia)?|modello(?: linguistico| di linguaggio)?|chatbot|bot|agente)"
)
_MODEL_NL = r"(?:ai(?:-assistent)?|assistent|taalmodel|model|chatbot|bot)"
_MODEL_PL = r"(?:asystent(?:a|ie)?(?: ai)?|model(?:u)? jezykow\w*|ai|si|czatbot\w*|bot\w*)"
_FOREIGN_ADDRESS_RE = re.compile(
    # Spanish: "nota para el modelo de ia", "instrucciones para la ia", "si eres un asistente", "asistente,".
    r"\b(?:nota|mensaje|instrucciones?|aviso|recordatorio)\s+(?:para|al|a la)\s+(?:el |la |los |las |cualquier )?"
    + _MODEL_ES
    + r"\b|\ba la\s+(?:ia|inteligencia artificial)\b|\bsi (?:eres|usted es) (?:un |una )?(?:\w+ )?"
    + _MODEL_ES
    + r"\b|\bcuando (?:lo |la )?resumas\b"
    # French: "a l'attention de l'ia", "consigne pour l'assistant", "si vous etes un modele", "message pour le robot".
    r"|\b(?:note|message|consignes?|instructions?|remarque|rappel)\s+(?:pour|a|destinee? a)\s+"
    r"(?:l'|le |la |les |tout )?"
    + _MODEL_FR
    + r"\b|\ba l'(?:attention|intention) (?:de |du |des )?(?:l'|la |le )?"
    + _MODEL_FR
    + r"\b|\bsi (?:vous etes|tu es) (?:un |une )?(?:\w+ )?"
    + _MODEL_FR
    + r"\b|\bquand (?:tu resumeras|vous resumerez|tu resumes|vous resumez)\b"
    # German: "anweisung an den ki-assistenten", "hinweis fur automatisierte systeme", "falls du ein sprachmodell
    # bist", "liebe ki,", "an das modell:".
    r"|\b(?:hinweis|anweisung|nachricht|notiz|bitte)\s+(?:an|fur)\s+(?:den |die |das |alle |jede[ns]? )?"
    + _MODEL_DE
    + r"\b|^\W*an (?:den|die|das) "
    + _MODEL_DE
    + r"\s*[:,]|\b(?:falls|wenn) du (?:ein |eine )?(?:\w+ )?"
    + _MODEL_DE
    + r" bist\b|\blieber? "
    + _MODEL_DE
    + r"\s*,|\bwenn du diese[ns]? (?:datei|dokument|text|seite) zusammenfasst\b"
    # Portuguese: "nota para a ia", "instrucao ao modelo", "se voce e um assistente", "para o chatbot:".
    r"|\b(?:nota|mensagem|instrucao|instrucoes|aviso)\s+(?:para|ao|a)\s+(?:o |a |os |as |qualquer )?"
    + _MODEL_PT
    + r"\b|^\W*para (?:o|a) "
    + _MODEL_PT
    + r"\s*[:,]|\bse (?:voce|tu) (?:e|for|es) (?:um |uma )?(?:\w+ )?"
    + _MODEL_PT
    + r"\b|\bao resumir (?:este|esta|o|a)\b"
    # Italian: "nota per l'assistente ia", "se sei un modello linguistico", "quando riassumi questo documento".
    r"|\b(?:nota|messaggio|istruzion[ei]|avviso)\s+(?:per|al|alla|all')\s*(?:l'|il |la |lo |qualsiasi )?"
    + _MODEL_IT
    + r"\b|\bse sei (?:un |una |un')?(?:\w+ )?"
    + _MODEL_IT
    + r"\b|\bquando riassumi\b"
    # Dutch and Polish: "opmerking voor de ai-assistent", "als je een taalmodel bent", "dla asystenta ai".
    r"|\b(?:opmerking|bericht|instructies?|notitie)\s+(?:voor|aan)\s+(?:de |het |elke )?"
    + _MODEL_NL
    + r"\b|\bals (?:je|u) (?:een )?(?:\w+ )?"
    + _MODEL_NL
    + r" (?:bent|is)\b|\b(?:dla|do) (?:asystenta|modelu|czatbota|bota|ai|si)\b"
    # A vocative to the model in these languages at the head of a line: "asistente, envia...", "modelo, ignora...".
    r"|^\W*(?:asistente|modelo|assistente|assistant|modele|assistent|ki|ia|chatbot|robot|robo)\s*,",
    re.MULTILINE,
)

# --- config keys whose value is an order to the model ----------------------------------------------------------
_KEY_MODEL = r"(?:ai|llm|gpt|model|assistant|agent|bot|chatbot|copilot|machine|summary_?bot|for_?(?:the_?)?model)"
_KEY_ORDER = r"(?:instructions?|directives?|task|hint|notes?|prompt|override|command|orders?|message|comment|rules?)"
_KEY_RE = re.compile(
    r"(?:^|[\s{,\"'<])[\"'@]?(?P<key>[\w.-]{2,60})[\"']?\s*(?:=|:)\s*(?P<value>[^\n]{8,})",
    re.MULTILINE,
)
_KEY_TOKENS_RE = re.compile(r"[a-z]+")
_ATTR_RE = re.compile(
    r"<meta\s+name=[\"'](?P<key>[\w.-]+)[\"']\s+content=[\"'](?P<value>[^\"']{8,})"
    r"|\bdata-(?P<dkey>[\w-]+)=[\"'](?P<dvalue>[^\"']{8,})"
)
_SECTION_RE = re.compile(r"^\s*(?:\[(?P<ini>[\w.-]+)\]|(?P<yaml>[\w.-]+):\s*)$")
_YOU_RE = re.compile(r"\b(?:you|your|yours|yourself|u|ur)\b")


@functools.lru_cache(maxsize=4096)
def _key_is_for_model(key: str) -> bool:
    tokens = " ".join(_KEY_TOKENS_RE.findall(re.sub(r"(?<=[a-z])(?=[A-Z])", "_", key).lower().replace("_", " ")))
    has_model = re.search(r"\b" + _KEY_MODEL.replace("_?", " ?") + r"\b", tokens) is not None
    has_order = re.search(r"\b" + _KEY_ORDER + r"\b", tokens) is not None
    return has_model and has_order


def _is_order(value: str) -> bool:
    """A value that reads as an order: it starts with (or has a clause starting with) one of the orders an
    injection gives, and has a few words."""
    v = value.strip().strip("\"'`,;}{ ").strip()
    if len(v.split()) < 3:
        return False
    return _ORDER_CLAUSE_RE.search(v) is not None or _YOU_RE.search(v) is not None


def _config_order(lines: str, *, attributes: bool = True) -> str | None:
    """A config key for the model whose value is an order (`attributes=False`: the text has no HTML attribute
    `_ATTR_RE` could match, so they are not looked for)."""
    ini, parent = "", ""
    for line in lines.split("\n"):
        # A section header has "]" or ":", a key ":" or "=": lines with neither are not read by the patterns.
        colon = ":" in line
        if (colon or "]" in line) and (m := _SECTION_RE.match(line)):
            ini, parent = (m.group("ini"), "") if m.group("ini") else (ini, m.group("yaml") or "")
            continue
        if line and not line[0].isspace() and not line.startswith(("-", "#")):
            parent = ""  # a top-level key ends the YAML block; an INI section lasts until the next one
        if not colon and "=" not in line:
            continue
        section = parent or ini
        for km in _KEY_RE.finditer(line):
            key, value = km.group("key"), km.group("value")
            if (_key_is_for_model(key) or (section and _key_is_for_model(f"{section}_{key}"))) and _is_order(value):
                return km.group().strip()
    for am in _ATTR_RE.finditer(lines) if attributes else ():
        key, value = am.group("key") or am.group("dkey"), am.group("value") or am.group("dvalue")
        if (_key_is_for_model(key) or key in ("ai", "llm", "model", "assistant", "bot")) and _is_order(value):
            return am.group()
    return None


_SENTENCE_RE = re.compile(r"[^.!?\n]+(?:[.!?]+|\n|$)")


# Cheap tests first: without any word for a model (in any of the languages) nothing here can match.
_ANY_MODEL_RE = re.compile(
    r"(?:ai|llm|gpt|model|assist|bot|agent|copilot|machine|automat|crawler|summar|ia\b|ki\b|modell?|asistent|robo"
    r"|resum|riassum|zusammenfass|taalmodel|asystent|\bsi\b)"
)
_YOU_OR_DUTY_RE = re.compile(r"\b(?:you|your|must|should|shall|ought|required|expected|requested)\b")


# The literals each pattern needs (`prefilter`): one pass over the text tells which patterns can match in it and in
# each of its lines; the others are not run. The foreign frames are tried one alternative at a time, so that only
# the languages and frames whose words the text holds are.
_FOREIGN_ALTERNATIVES = split_alternation(_FOREIGN_ADDRESS_RE)
_GATE = Gate([_EN_ADDRESS_RE, _EN_VOCATIVE_RE, _EN_READER_TASK_RE, _ATTR_RE, *_FOREIGN_ALTERNATIVES])


def addressed_to_model(lines: str) -> str | None:
    """The span of folded `lines` that addresses the reading model and gives it an order, or None."""
    present = _GATE.present(lines)
    task = _GATE.allows(_EN_READER_TASK_RE, present)
    if _ANY_MODEL_RE.search(lines) is None:
        if (not task or _EN_READER_TASK_RE.search(lines) is None) and _third_reader(lines) is None:
            return None
    elif found := _config_order(lines, attributes=_GATE.allows(_ATTR_RE, present)):
        return found
    elif m := leftmost_match(_FOREIGN_ALTERNATIVES, lines, _GATE, present):
        start = lines.rfind("\n", 0, m.start()) + 1
        end = lines.find("\n", m.end())
        return lines[start : end if end >= 0 else len(lines)].strip()
    # What no line can match (the text lacks its words) is not looked for line by line.
    address, vocative = _GATE.allows(_EN_ADDRESS_RE, present), _GATE.allows(_EN_VOCATIVE_RE, present)
    if not (address or vocative or task) and _third_reader(lines) is None:
        return None
    for line in lines.split("\n"):
        if len(line) < 12:
            continue
        model = (address or vocative) and _ANY_MODEL_RE.search(line) is not None
        addresses = (
            (_EN_ADDRESS_RE.search(line) if address else None, _EN_VOCATIVE_RE.search(line) if vocative else None)
            if model
            else (None, None)
        )
        for m in (*addresses, _EN_READER_TASK_RE.search(line) if task else None, _third_reader(line)):
            if m is None:
                continue
            rest = line[m.start() :]
            # The address must come with an order: an order clause, "you" plus a duty, or a duty on the model.
            after = rest[m.end() - m.start() :].lstrip(" ,:-")
            if _ORDER_CLAUSE_RE.search(rest[:400]) or _ORDER_CLAUSE_RE.search(after[:400]):
                return rest[:300].strip()
            if _DUTY_RE.search(rest[:300]) and (
                _YOU_RE.search(rest[:300]) or m.re is _EN_ADDRESS_RE or m.re is _EN_THIRD_READER_RE
            ):
                return rest[:300].strip()
    return None


# --- does a span speak to anyone? -------------------------------------------------------------------------------
_IMPERATIVE_RE = re.compile(
    r"(?:^|[.!?:;,\]]\s*|\n|[\"'(\[-]\s*|\band\s+|\bthen\s+|@[\w-]+\s+)"
    + _IMPERATIVE_LEAD
    + r"\b(?:"
    + _ORDER[3:-1]
    + r"|be|do|don't|never|always|keep|set aside|drop|scrap|abandon|discard|cancel"
    r"|follow|obey|comply|answer|respond|reply|ignore|forget|note|remember|use|only|act|become|roleplay|role-play"
    r"|assume|imagine|consider|stay|go|let|tell|read|decode|convert|type|begin|complete|fill|generate|create"
    r"|produce|compose|summari[sz]e|explain)\b"
)
_SPEAKS_RE = re.compile(
    r"\b(?:you|your|yours|yourself|u|ur|please|kindly)\b"
    r"|\b(?:must|should|shall|ought to|needs? to|has to|have to|is to|are to|(?:is|are)\s+(?:\w+\s+)?(?:required"
    r"|expected|asked|requested|instructed|supposed|told)\s+to)\b"
    r"|\b(?:ignore|disregard|forget|override|bypass|reveal)\b"
    r"|\b(?:mandatory|obligatory|make sure|ensure|be sure)\b"
    r"|\b(?:is|are) (?:now |hereby )?(?:permitted|allowed|authori[sz]ed"
    r"|free|cleared) to\b|\b(?:summary|answer|reply|response|output)\s+(?:will|must|should|shall)\b"
    r"|\bno longer appl(?:y|ies)\b|\b(?:is|are) (?:now )?(?:void|cancell?ed|obsolete|revoked|suspended|lifted|disabled"
    r"|null|invalid|superseded)\b|\bchanged (?:their|his|her|my) mind\b"
    r"|\b(?:module|filters?|safety|moderation|polic(?:y|ies)|restrictions|guardrails|rules)\s*:?\s*(?:disabled|off|none"
    r"|removed)\b|\bawait(?:ing)? (?:your |further |new )?(?:instructions|orders|commands)\b|(?:^|\n)\W*role\s*:"
)


def speaks_to_reader(span: str) -> bool:
    """Whether a folded span addresses someone (second person, an imperative, a duty, an override), rather than
    describing things in the third person."""
    span = _REPORTED_ORDER_RE.sub(" ", _QUOTED_EXAMPLE_RE.sub(" ", span))
    if _THIRD_PERSON_TOOL_RE.search(span) and not _OVERRIDES_YOU_RE.search(span) and not _ROLE_GAME_RE.search(span):
        # The AI is "the assistant" or "your bot", someone the reader briefs or reads about: the "you" of such a
        # text is the person, and its imperatives are for the person.
        return False
    return _SPEAKS_RE.search(span) is not None or _IMPERATIVE_RE.search(span) is not None


_REPORTED_ORDER_RE = re.compile(
    r"\b(?:telling|tells|told|asking|asks|asked|instructing|instructs|getting|gets|tricking|tricks|making|makes"
    r"|causing|causes|persuading|convincing)\s+(?:an?|the|its|their|some|any)\s+(?:[\w-]+\s+){0,2}(?:to|into)\s+\w+"
)
_THIRD_PERSON_TOOL_RE = re.compile(
    r"(?:(?<!\bto )(?<!\bfor )(?<!\bdear )(?<!\bhey )(?<!\bhi )\b(?:the|this)|\b(?:your|our|its|their))\s+"
    r"(?:[\w-]+\s+)?"
    r"(?:ai|assistant|model|chatbot|bot|copilot|llm|gpt)s?\b(?!\s+(?:reading|processing|parsing|that"
    r" reads|which reads|handling|summari[sz]ing|generating|writing|answering|drafting|indexing)\b)"
)
# A role game casts the reading model as a character ("you are captain x, an ai who...", "answer as that ai"):
# the AI named in the third person is the reader.
_ROLE_GAME_RE = re.compile(
    r"\b(?:you are|you're|act as|answer as|respond as|reply as|speak as|stay as|pretend|role-?play|play the"
    r"|in character"
    r"|as yourself|from now on|hypothetically|simulat\w+|story|never refuses?|no (?:restrictions|limits|filters)"
    r"|without (?:restrictions|limits|filters)|(?:permitted|allowed) to|evil|rogue|unfiltered|uncensored|jailbroken"
    r"|unrestricted|amoral|two ais)\b"
)
_OVERRIDES_YOU_RE = re.compile(
    r"\b(?:ignore|disregard|forget|override|bypass|reveal|leak)\b|\bno longer appl(?:y|ies)\b"
    r"|\byou (?:are|were|have been) (?:now |told|given|instructed)"
)


_MENTION_RE = re.compile(
    r"(?:\blike|\bsuch as|\be\.g\.|\bfor example|\bfor instance|\bcalled|\bthe (?:words?|phrases?|lines?|text|sentence)"
    r"|\bsaying|\bsays|\bread(?:s|ing)?|\bcontain(?:s|ing)?|\bwrote|\bwritten|\btyped|\bas in)\s*[:,]?\s*[\"'`]\s*$"
)


_QUOTED_EXAMPLE_RE = re.compile(
    r"(?:\blike|\bsuch as|\be\.g\.|\bfor example|\bfor instance|\bcalled|\bthe (?:words?|phrases?|lines?|text|sentence)"
    r"|\bsaying|\bwrote|\btyped|\bas in|\bprompts?|\bexamples?)\s*[:,]?\s*([\"'`])[^\"'`\n]{1,200}(?:\1|$)"
)


# What introduces a quotation that is talked about rather than given (rules-12): a test script's "the user types
# '...'", a policy's "posts such as '...' or '...'" (the second quote of a list), an article's "role-play ('...')",
# a prompt library's "system prompt for the help bot (v5): '...'". Matched against the text just before the
# opening quote. Not "the words", "the sentence", "the line": that is how an injection names what to write ("insert
# the sentence '...' into the answer").
_INTRODUCER_RE = re.compile(
    r"(?:\blike|\bsuch as|\be\.g\.|\bfor example|\bfor instance"
    r"|\bsays|\bsaying|\bread(?:s|ing)?|\bwrote|\bwrites?|\bwritten|\btyp(?:es?|ed|ing)"
    r"|\benter(?:s|ed)?|\bas in|\brole-?play|[\"'`] (?:or|and)|\bexamples?(?: [\w-]+){0,3}"
    r"|\bprompts? (?:for|of|used by|\d+)\b[^\"'`\n:]{0,60})\s*[:,]?\s*\(?\s*$"
)
_OPENING_QUOTE_RE = re.compile(r"(?<![\w'])[\"'`](?=\w|$)")


def mentioned(text: str, start: int, end: int) -> bool:
    """Whether text[start:end] sits in quotes introduced as an example ("a line like 'ignore previous
    instructions'"): the attack is quoted to explain it, not given. The quote may open before the span (the span is
    the end of a quoted prompt) when it opens on the same line, at most 300 characters before, and is not closed
    before the span."""
    before = text[max(0, start - 60) : start]
    if _MENTION_RE.search(before):
        quote = before.rstrip()[-1:]
        if text.find(quote, end, end + 120) >= 0:
            return True
    window = text[max(0, start - 300) : start]
    window = window[window.rfind("\n") + 1 :]
    openings = list(_OPENING_QUOTE_RE.finditer(window))
    if not openings:
        return False
    opening = openings[-1]
    quote, inside = opening.group(), window[opening.end() :]
    if re.search(rf"(?<=[\w.!?]){re.escape(quote)}(?!\w)", inside):
        return False  # closed before the span
    if text.find(quote, end, end + 200) < 0:
        return False
    return _INTRODUCER_RE.search(window[max(0, opening.start() - 80) : opening.start()]) is not None


_QUOTATION_RE = re.compile(
    r"(?<![\w'])(?:'(?=\w)(?:[^'\n]|(?<=\w)'(?=\w)){1,300}?'(?!\w)|\"(?=\w)[^\"\n]{1,300}?\"|‘(?=\w)[^’\n]{1,300}?’"
    r"|“(?=\w)[^”\n]{1,300}?”|`(?=\w)[^`\n]{1,300}?`)"
)
_CURLY = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"'})


def without_mentions(text: str) -> str:
    """`text` with each quotation that is talked about rather than given (introduced by "such as", "the user
    types", "role-play (", a second quote of a list...) replaced by a neutral placeholder, for the layers that read
    whole sentences (the classifier, the jailbreak frames): an article or a test plan that quotes an attack as an
    example is not giving it. The placeholder is an ellipsis, not a quoted word: quotes after "say" read as an
    order to the classifier. `text` itself when nothing is quoted that way."""
    if not any(q in text for q in "'\"‘“`"):
        return text
    out: list[str] = []
    last = 0
    for m in _QUOTATION_RE.finditer(text):
        if m.group().count(" ") < 2:
            continue  # a word or two ("hype words such as 'revolutionary'") gives no order
        before = text[max(0, m.start() - 80) : m.start()].translate(_CURLY).lower()
        before = before[before.rfind("\n") + 1 :]
        if _INTRODUCER_RE.search(before):
            out.append(text[last : m.start()])
            out.append("…")
            last = m.end()
    if not out:
        return text
    out.append(text[last:])
    return "".join(out)
