import type { InjectionScreener } from './screener.js';

// The built-in prompt-injection scorer, hand-rolled because no maintained JavaScript library
// does this; rules combine as a noisy-OR (docs/oauth-and-trust.md, "Review and screening").

interface Rule {
  id: string;
  weight: number;
  pattern: RegExp;
}

const OVERRIDE_VERBS = 'ignore|ignoring|disregard|forget|skip|bypass|override|neglect|abandon|discard|drop|dismiss|set aside|throw out|stop following|do not follow|don\'t follow';
const PRIOR = 'previous|prior|above|earlier|preceding|foregoing|original|initial|all|any|every|your|system|existing|former|old|developer|safety|ethical|content policy';
const GUIDANCE = 'instructions?|prompts?|rules?|directives?|guidelines?|commands?|constraints?|programming|guardrails?|polic(?:y|ies)|restrictions?|training|safety (?:rules|guidelines|filters?)|system message|orders';

const RULES: Rule[] = [
  // "Ignore all previous instructions" and its many phrasings.
  {
    id: 'override-instructions',
    weight: 0.85,
    pattern: new RegExp(`\\b(?:${OVERRIDE_VERBS})\\b[^.\\n]{0,40}?\\b(?:${PRIOR})\\b[^.\\n]{0,30}?\\b(?:${GUIDANCE})\\b`),
  },
  { id: 'override-everything', weight: 0.6, pattern: /\b(?:forget|ignore|disregard) (?:everything|all of (?:that|this|the above)|the above|what (?:you were|i) (?:told|said))\b/ },
  { id: 'rules-no-longer-apply', weight: 0.75, pattern: /\b(?:previous|prior|above|earlier|old|your|original) (?:rules|instructions|guidelines|restrictions|directives) (?:no longer|don't|do not|does not|doesn't) apply\b/ },
  { id: 'no-longer-bound', weight: 0.7, pattern: /\b(?:no longer|not) (?:bound|restricted|limited|constrained) by\b|\bfree (?:yourself )?from (?:your|all|any) (?:rules|restrictions|guidelines|constraints)\b/ },
  // Other languages, most common phrasings.
  {
    id: 'override-multilingual',
    weight: 0.85,
    pattern:
      /\bignor(?:a|e|ez|iere|ieren|eer|uj)\b[^.\n]{0,30}\b(?:instrucciones|instructions|anweisungen|istruzioni|instruções|instrucoes|instructies|consignes|regeln|reglas|instrukcje)\b|忽略.{0,10}(?:指令|说明|提示|指示)|無視.{0,10}(?:指示|命令)|игнорируй.{0,20}инструкци/,
  },
  // Reassigning the model's role or persona.
  { id: 'role-reassign', weight: 0.55, pattern: /\byou (?:are|re) (?:now|no longer)\b|\bfrom now on,? (?:you|your|act|respond|answer|always|only|reply|behave)\b/ },
  {
    id: 'act-as-unrestricted',
    weight: 0.75,
    pattern:
      /\b(?:act|behave|respond|answer|operate|function) as (?:if you (?:were|are) |though you (?:were|are) |an? )?(?:unrestricted|unfiltered|uncensored|jailbroken|evil|dan\b|developer mode|root|(?:the )?admin(?:istrator)?|(?:the )?system|(?:the )?operator|an ai without)/,
  },
  { id: 'pretend', weight: 0.45, pattern: /\bpretend (?:to be|you are|you're|that you)\b|\broleplay as\b|\bimagine you are an? (?:ai|assistant|model)\b/ },
  { id: 'jailbreak-terms', weight: 0.75, pattern: /\bjailbreak|\bdan mode\b|\bdo anything now\b|\b(?:known as|called|named|you are) dan\b|\bdeveloper mode\b|\bgod mode\b|\bunfiltered mode\b|\bwithout (?:any )?(?:restrictions|filters|guardrails|censorship)\b/ },
  // Extracting hidden prompts or secrets.
  {
    id: 'prompt-exfiltration',
    weight: 0.8,
    pattern:
      /\b(?:reveal|show|print|output|display|repeat|leak|tell me|give me|what (?:is|are|was)|disclose|dump|expose|write out|recite|share)\b[^.\n]{0,40}?\b(?:system|initial|hidden|original|secret|internal|developer|pre-?prompt)\s+(?:prompt|instructions?|message|rules|configuration|directives)\b/,
  },
  { id: 'repeat-your-prompt', weight: 0.6, pattern: /\b(?:reveal|print|repeat|output|dump|recite|leak)\b (?:me )?(?:your|the) (?:previous |above |earlier |full |entire |exact )?(?:prompt|instructions|directives)\b/ },
  {
    id: 'secret-exfiltration',
    weight: 0.55,
    pattern:
      /\b(?:send|post|upload|exfiltrate|forward|transmit|leak|reveal|print|output|dump|disclose|expose|give me|share|generate|contents? of|values? of|respond (?:only )?with|reply (?:only )?with)\b[^.\n]{0,50}?\b(?:api[ _-]?keys?|access tokens?|secrets?|passwords?|credentials?|private keys?|env(?:ironment)? variables?|session (?:cookies?|tokens?)|bearer tokens?|admin tokens?|connection strings?|\.env\b)/,
  },
  { id: 'exfil-destination', weight: 0.45, pattern: /\b(?:send|post|upload|forward|transmit|exfiltrate)\b[^.\n]{0,60}?\b(?:to|at|via) (?:https?:\/\/|webhook|my server|this (?:url|endpoint|address))/ },
  { id: 'url-template-exfil', weight: 0.75, pattern: /https?:\/\/[^\s)]*(?:\{\{|\$\{|%7b%7b|%24%7b)/ },
  { id: 'cookie-theft', weight: 0.5, pattern: /document\.cookie|localstorage\.getitem|sessionstorage\.getitem/ },
  { id: 'ignore-and-say', weight: 0.5, pattern: /\b(?:ignore|disregard|forget)\b[^.\n]{0,40}?\band (?:instead |just |only )?(?:write|say|output|respond|reply|answer|print|return|state)\b/ },
  { id: 'markdown-image-exfil', weight: 0.55, pattern: /!\[[^\]]*\]\(\s*https?:\/\/[^)\s]*[?&][^)\s]*=/ },
  // Chat-template and role markers that try to open a privileged turn.
  {
    id: 'role-markers',
    weight: 0.8,
    pattern:
      /<\|(?:im_start|im_end|system|user|assistant|endoftext|eot_id|start_header_id)\|>|\[\/?inst\]|<<\/?sys>>|<\/?(?:system|sys|instructions?|admin)>|(?:^|\n)\s*(?:#{1,6}\s*)?(?:system|assistant|developer)\s*(?:prompt|message|override)?\s*:|\b(?:begin|start|end) (?:of )?(?:system|new|admin|developer) (?:prompt|instructions|message)\b/,
  },
  { id: 'new-instructions', weight: 0.45, pattern: /\b(?:new|updated|real|actual|revised|true|secret|hidden|additional) (?:instructions?|orders|directives|task|objective|rules|policy)\b\s*(?::|are\b|follow|is\b|,)/ },
  { id: 'inline-role-marker', weight: 0.6, pattern: /(?:^|[.!?]\s+|\s-+\s*)(?:system|admin|developer|root)\s*(?:override|prompt|message|note|instruction)?\s*:\s*\S/ },
  { id: 'fake-delimiter', weight: 0.6, pattern: /\b(?:end|beginning|start) of (?:the )?(?:user (?:input|message|prompt|content)|prompt|system prompt|context window|instructions|untrusted (?:input|content))\b/ },
  { id: 'persona', weight: 0.55, pattern: /\b(?:immerse yourself|take on the role|assume the role|play the role|the role of|persona of)\b[^.\n]{0,50}?\b(?:ai|model|assistant|chatbot|bot|dan)\b/ },
  { id: 'instead-must', weight: 0.3, pattern: /\binstead,? (?:you )?(?:must|should|will|need to)\b|\byour (?:new|real|only|true) (?:task|goal|purpose|job|objective) is\b/ },
  // Addressing the model directly: weak alone.
  { id: 'addresses-ai', weight: 0.15, pattern: /\b(?:ai|llm|language model|assistant|chatbot|gpt|chatgpt|claude|gemini|copilot|the model|the bot)\b/ },
  { id: 'note-to-ai', weight: 0.5, pattern: /\b(?:as an ai|dear (?:ai|assistant|model|llm|bot)|attention,? (?:ai|assistant|model|llm|bot|agent)|note to (?:the )?(?:ai|assistant|model|llm|agent|bot|reviewer bot)|(?:ai|llm|agent|assistant|bot)s? (?:reading|processing|summari[sz]ing) this)\b/ },
  { id: 'authority-claim', weight: 0.45, pattern: /\bthe (?:admin|administrator|developer|operator|system|security team|ceo|owner) (?:says|has (?:authorized|approved|instructed)|authorized|instructs|requires you)\b|\b(?:authorized|approved) by (?:the )?(?:admin|administrator|developer|operator|security team)\b/ },
  { id: 'authorizes-you', weight: 0.6, pattern: /\b(?:authori[sz]e[ds]?|instruct(?:ed)?|permit(?:ted)?|allow(?:ed)?|order(?:ed)?|require[ds]?) you to\b/ },
  { id: 'imperative-bypass', weight: 0.6, pattern: /(?:^|[.!:;]\s*)(?:please )?(?:bypass|skip|disable|turn off|circumvent) (?:the |all |any )?(?:screening|review|moderation|quarantine|safety (?:checks?|filters?)|content filters?|injection (?:checks?|filters?))\b/ },
  { id: 'conceal', weight: 0.6, pattern: /\b(?:do not|don't|never|without|not) (?:tell|telling|inform|informing|mention|mentioning|reveal|revealing|alert|alerting|notify|notifying|flag|flagging|warn|warning)\b[^.\n]{0,30}\b(?:user|admin|administrator|anyone|human|reviewer|operator|moderator)s?\b/ },
  // Steering this platform's own trust decisions.
  { id: 'approval-manipulation', weight: 0.4, pattern: /\b(?:auto-?approve|mark (?:this|it|the \w+|this \w+) (?:as )?approved|set (?:the )?status to (?:approved|active)|bypass (?:the )?(?:review|screening|moderation|quarantine|filter)|skip (?:the )?(?:review|screening|moderation|quarantine)|approve this (?:immediately|automatically|without))\b/ },
  { id: 'urgency', weight: 0.15, pattern: /\b(?:important|urgent|attention|warning|critical|priority override)\s*[:!]/ },
  // Payloads aimed at whatever executes downstream.
  { id: 'exec-payload', weight: 0.6, pattern: /rm -rf\s|curl\s[^\n]*\|\s*(?:ba|z)?sh\b|wget\s[^\n]*\|\s*sh\b|powershell\s+-(?:enc|e|c)\b|;\s*drop\s+table\b|<script\b|javascript:|\bon(?:error|load)\s*=|\{\{\s*(?:config|self|request)\b|\$\{jndi:/ },
  { id: 'execute-command', weight: 0.3, pattern: /\b(?:execute|run|eval|invoke|call)\b[^.\n]{0,30}?\b(?:command|shell|script|code|function|tool)s?\b/ },
];

/** Zero-width and other invisible format characters. */
const INVISIBLE = /[\u200B-\u200F\u2060-\u2064\u206A-\u206F\uFEFF\u00AD\u180E]/g;
const BIDI = /[\u202A-\u202E\u2066-\u2069]/g;
/** Unicode tag characters (U+E0000 block), which can smuggle hidden ASCII. */
const TAGS = /[\u{E0000}-\u{E007F}]/gu;

const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i', '|': 'l' };

function decodeTags(text: string): string {
  let out = '';
  for (const ch of text.match(TAGS) ?? []) {
    const cp = ch.codePointAt(0)! - 0xe0000;
    if (cp >= 0x20 && cp < 0x7f) out += String.fromCharCode(cp);
  }
  return out;
}

/** Base64 runs that decode to readable text are scanned too. */
function decodeBase64Runs(text: string): string[] {
  const out: string[] = [];
  for (const run of text.match(/[A-Za-z0-9+/]{24,}={0,2}/g) ?? []) {
    const decoded = Buffer.from(run, 'base64').toString('utf8');
    const printable = decoded.replace(/[^\x20-\x7e\n]/g, '').length;
    if (decoded.length > 0 && printable / decoded.length > 0.9) out.push(decoded.toLowerCase());
  }
  return out;
}

/** "i g n o r e" / "i.g.n.o.r.e" → "ignore": letters separated by single non-letters are joined. */
function joinSpacedLetters(text: string): string {
  return text.replace(/\b(?:\p{L}[ ._*-]){3,}\p{L}\b/gu, (m) => m.replace(/[ ._*-]/g, ''));
}

/** Letters only, so spacing and punctuation tricks cannot split the phrase. */
const SQUASHED_OVERRIDE =
  /(?:ignore|disregard|forget|bypass|override)(?:all|any|the|your)*(?:previous|prior|above|earlier|system|preceding|all)(?:the|your)?(?:instructions|prompts|rules|guidelines|directives)/;

export interface ScoreDetail {
  score: number;
  rules: string[];
}

function variantsOf(raw: string): { variants: string[]; signals: { id: string; weight: number }[] } {
  const signals: { id: string; weight: number }[] = [];
  const invisible = raw.match(INVISIBLE)?.length ?? 0;
  const bidi = raw.match(BIDI)?.length ?? 0;
  const hidden = decodeTags(raw);
  if (hidden) signals.push({ id: 'unicode-tag-smuggling', weight: 0.7 });
  if (invisible >= 5) signals.push({ id: 'many-invisible-chars', weight: 0.5 });
  else if (invisible > 0) signals.push({ id: 'invisible-chars', weight: 0.25 });
  if (bidi > 0) signals.push({ id: 'bidi-override', weight: 0.4 });

  const base = raw.normalize('NFKC').replace(INVISIBLE, '').replace(BIDI, '').replace(TAGS, '').toLowerCase().replace(/[’‘`]/g, "'");
  const spaced = base.replace(/\s+/g, ' ');
  const leet = spaced.replace(/[0134579@$!|]/g, (c) => LEET[c] ?? c);
  const joined = joinSpacedLetters(spaced);
  const variants = [spaced, leet, joined, joinSpacedLetters(leet), ...decodeBase64Runs(raw)];
  if (hidden) variants.push(hidden.toLowerCase());
  return { variants: [...new Set(variants)], signals };
}

export function scoreDetail(text: string): ScoreDetail {
  const { variants, signals } = variantsOf(text);
  const fired = new Map<string, number>(signals.map((s) => [s.id, s.weight]));
  for (const rule of RULES) {
    if (variants.some((v) => rule.pattern.test(v))) fired.set(rule.id, rule.weight);
  }
  if (!fired.has('override-instructions') && variants.some((v) => SQUASHED_OVERRIDE.test(v.replace(/[^\p{L}]/gu, '')))) {
    fired.set('override-squashed', 0.8);
  }
  let benign = 1;
  for (const w of fired.values()) benign *= 1 - w;
  return { score: Math.round((1 - benign) * 1000) / 1000, rules: [...fired.keys()] };
}

export const heuristicScreener: InjectionScreener = {
  name: 'heuristic-v1',
  score: (text) => scoreDetail(text).score,
};
