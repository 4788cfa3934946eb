"""The patterns behind each risk indicator, written from the research.

Every phrase here is our own wording of a behaviour the literature describes
(see ``docs/screening.md``); none is taken from any data set. Patterns are
written in the subset of regular expressions that both Hyperscan and Python's
``re`` understand (no lookarounds, no backreferences), matched ASCII
case-insensitively, so the fast prefilter and the exact confirmation agree.
Chat spellings ("u", "ur", "r") are part of the patterns because children and
offenders both write that way.
"""

from __future__ import annotations

from dataclasses import dataclass

from safeguarding.screening.evasion import BROKEN_WORDS


@dataclass(frozen=True, slots=True)
class Rule:
    """One pattern for one indicator; ``check`` names a validator, if any."""

    indicator: str
    pattern: str
    check: str = ""  # name of a validator in safeguarding.screening.pii
    caseless: bool = True


def _alt(*words: str) -> str:
    return "(?:" + "|".join(words) + ")"


YOU = _alt("you", "u", "ya", "yu")
YOUR = _alt("your", "ur", "yr", "yor")
YOURE = _alt("you'?re", "youre", "your", "ur", "u r", "you are", "u are", "u'?re", "yr")
ILL = _alt(
    "i'?ll",
    "ill",
    "i will",
    "i'?m gonna",
    "im gonna",
    "i am gonna",
    "i'?m going to",
    "im going to",
    "i am going to",
)
IWANT = _alt(
    "i wanna",
    "i want to",
    "i'?d like to",
    "i would like to",
    "i'?d love to",
    "i would love to",
    "i want 2",
    "i need to",
    "let me",
    "lemme",
    "can i",
    "could i",
    "wanna",
    "want to",
    "i'?d",
    "i would",
    "i could",
    "i can",
)
PARENT = _alt(
    "mum",
    "mom",
    "mommy",
    "mummy",
    "mother",
    "dad",
    "daddy",
    "father",
    "parents?",
    "folks",
    "step ?dad",
    "step ?mum",
    "step ?mom",
    "family",
    "carers?",
    "guardians?",
)
CONFIDANT = _alt(
    PARENT[3:-1], "friends?", "teachers?", "sister", "brother", "anyone", "anybody"
)
PIC = _alt(
    "pics?",
    "pix",
    "picture?s?",
    "photos?",
    "fotos?",
    "selfies?",
    "snaps",
    "vids?",
    "videos?",
    "nudes?",
)
APP = _alt(
    "snap(?:chat)?",
    "sc",
    "insta(?:gram)?",
    "ig",
    "kik",
    "whats ?app",
    "telegram",
    "discord",
    "skype",
    "facebook",
    "fb",
    "messenger",
    "wickr",
    "signal",
    "tik ?tok",
    "yahoo",
    "msn",
    "aim",
    "ym",
    "omegle",
    "wechat",
    "viber",
    "line",
    "hangouts",
    "google chat",
)
BODY = _alt(
    "body",
    "boobs?",
    "tits",
    "titties",
    "breasts?",
    "chest",
    "butt",
    "ass",
    "bum",
    "legs",
    "feet",
    "bra",
    "panties",
    "knickers",
    "underwear",
    "thong",
    "pussy",
    "dick",
    "cock",
    "penis",
    "vagina",
    "privates",
    "private parts",
    "nipples?",
)

SEXBODY = _alt(
    "boobs?",
    "tits",
    "titties",
    "breasts",
    "nipples?",
    "pussy",
    "dick",
    "cock",
    "penis",
    "vagina",
    "privates",
    "private parts",
    "panties",
    "bra",
    "underwear",
    "thong",
)

_GROOMING: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "grooming.flattery",
        (
            rf"\b{YOURE} (?:so+ |really |very |rly |such an? |truly |just |the most )?"
            r"(?:beautiful|gorgeous|pretty|cute|cutie|hot|sexy|stunning|mature|"
            r"special|perfect|adorable|irresistible|amazing looking)\b",
            rf"\b{YOU} (?:look|looks|seem|sound) (?:so+ |really |rly |very )?"
            r"(?:beautiful|gorgeous|pretty|cute|hot|sexy|stunning|mature|older)\b",
            rf"\bmature for {YOUR} age\b",
            r"\b(?:hey|hi|hello|hiya|morning|night) (?:there )?(?:sexy|gorgeous|"
            r"beautiful|cutie|baby ?girl|princess|hottie|sweet ?heart)\b",
            rf"\b{YOURE} (?:my|the) (?:princess|angel|baby ?girl|dream girl|"
            r"dream boy|special girl|special boy|sweetheart)\b",
            r"\bi (?:love|adore|miss|need) (?:you|u|ya) (?:so+ much|more than|"
            r"baby|babe|sweet)",
        ),
    ),
    (
        "grooming.secrecy",
        (
            rf"\b(?:don'?t|dont|do not|never|no need to|dnt|better not) "
            rf"(?:tell|say to|mention (?:it|this|me|us) to|let) "
            rf"(?:{YOUR} )?(?:{CONFIDANT}|no ?one|no ?body)\b",
            r"\b(?:our|a|this is|its|it'?s) (?:little |lil )?secret\b",
            r"\bkeep (?:this|it|that|us|what we|our) ?(?:do|say|talk about|chats?)? ?"
            r"(?:a )?(?:secret|between us|between (?:you|u) and me|between me and "
            r"(?:you|u)|quiet|private|to (?:yourself|urself))\b",
            r"\bbetween (?:you|u) and me\b|\bbetween me and (?:you|u)\b",
            r"\b(?:delete|erase|clear|wipe) (?:this|these|our|the|all|ur|your|my)? ?"
            r"(?:chats?|messages?|msgs?|texts?|convos?|conversations?|history|"
            r"logs?)\b(?: after)?",
            r"\b(?:no ?one|no ?body) (?:has to|needs to|needs 2|will ever|can|"
            r"should|must) (?:ever )?know\b",
            rf"\b(?:if|when) {YOUR} {PARENT} (?:asks?|finds? out|sees? this)\b",
            r"\bi (?:could|would|will|can|might|'?d|'?ll) (?:go|get sent|end up|be) "
            r"(?:to|in) (?:jail|prison)\b",
            r"\b(?:you|u) (?:won'?t|wont|will not|wouldn'?t|would not) tell\b",
        ),
    ),
    (
        "grooming.isolation",
        (
            rf"\b(?:(?:are|r) {YOU}|{YOURE}) (?:home )?(?:alone|by {YOUR} ?self|"
            rf"on {YOUR} own)\b",
            rf"\b(?:is|r|are) (?:any ?one|any ?body|some ?one|some ?body) (?:else )?"
            rf"(?:home|there|with {YOU}|around|in the room|watching)\b",
            r"\bjust (?:you and me|u and me|me and you|me and u|the two of us|"
            r"us two|us 2)\b",
            rf"\b(?:only i|only one who|no ?one else|no ?body else|nobody) "
            rf"(?:really )?(?:understands?|gets?|cares? about|loves?) {YOU}\b",
            rf"\b(?:they|{YOUR} {CONFIDANT}) (?:don'?t|dont|do not|never) "
            rf"(?:understand|get|care about|deserve|listen to) {YOU}\b",
            r"\b(?:talk|chat|speak|meet) (?:in private|privately|alone|one to one|"
            r"1 to 1|one on one|1 on 1)\b",
            rf"\b(?:are|r) {YOU} in {YOUR} (?:room|bed|bedroom)\b",
            rf"\b(?:is|r|are) {YOUR} (?:door|bedroom door) (?:locked|shut|closed)\b",
        ),
    ),
    (
        "grooming.platform_move",
        (
            rf"\b(?:add|message|msg|text|dm|pm|hit|find|follow|inbox|chat to|"
            rf"talk to|talk|chat|call|facetime|video ?call) (?:me |us )?"
            rf"(?:on|at|over|via|in|thru|through) {APP}\b",
            rf"\b(?:what'?s|whats|wats|wat is|what is|got|have|do {YOU} have|"
            rf"give me|can i (?:have|get)|send me) (?:{YOUR}|a|yr|an) ?"
            rf"(?:snap(?:chat)?|insta(?:gram)?|kik|whats ?app|telegram|discord|skype|"
            r"number|numba|num|#|cell|mobile|phone number|email|e-mail|addy|"
            r"screen ?name|sn|username|user ?name|yahoo|msn|aim)\b",
            rf"\b(?:move|switch|go|talk|chat|continue|take) (?:this |it )?"
            rf"(?:to|on|onto|over to) (?:{APP}|private|dms?|pms?|a private chat)\b",
            r"\b(?:dm|pm|inbox|private message|privately message) me\b",
            r"\b(?:private|direct|secret) (?:chat|message|msg|group|account)\b",
            rf"\b(?:do|have|got) {YOU} (?:have|got)? ?(?:a |an )?{APP}\b",
        ),
    ),
    (
        "grooming.probing",
        (
            rf"\bhow old (?:are|r|is) {YOU}\b|\bhow old r u\b|\bhow old u\b",
            rf"\b(?:what'?s|whats|wats|what is|tell me) {YOUR} age\b",
            r"\ba/?s/?l\b",
            rf"\b(?:what|which|wat) (?:grade|year|school|class) (?:are|r|is) {YOU}\b",
            rf"\b(?:do|have|got) {YOU} (?:have|got|ever had)? ?(?:a |any )?"
            r"(?:bf|gf|boyfriend|girlfriend|bfs|boyfriends|girlfriends|crush)\b",
            rf"\b(?:have|ever|have {YOU} ever) (?:been )?kissed\b",
            rf"\b(?:when|what time|wat time|how long) (?:do|does|will|are|r|is|till|"
            rf"until) {YOUR} {PARENT} (?:get |come |be |go )?(?:home|back|leave|"
            r"out|away|asleep|sleep|gone|at work|to work|to bed)\b",
            rf"\b(?:are|r|is) {YOUR} {PARENT} (?:home|there|around|out|away|asleep|"
            r"at work|working|gone|in|awake|strict)\b",
            rf"\b(?:do|does) {YOUR} {PARENT} (?:check|read|look at|know about|"
            r"monitor|see) ",
            rf"\b(?:do|who do) {YOU} live with\b",
            rf"\b(?:when|what time) (?:are|r) {YOU} (?:home )?alone\b",
            rf"\bwhere (?:r|are|is) {YOUR} {PARENT}\b",
        ),
    ),
    (
        "grooming.image_request",
        (
            rf"\b(?:send|show|post|give|email|snap|sent|text|mail) (?:me|us) "
            rf"(?:a |an |some |any |more |another |ur |your |a few |a lil |one )?"
            rf"(?:little |cute |sexy |hot |naked |nude |new |real |full )?{PIC}",
            rf"\b{PIC} of {YOU}(?:r ?self| ?self|r body|r face)?\b",
            rf"\b{PIC} of {YOUR} ?(?:self|body|face|{BODY})\b",
            rf"\b(?:do|have|got) {YOU} (?:have|got)? ?"
            rf"(?:any |a |some |more |another )?(?:other |more |new )?"
            rf"(?:{PIC}|webcam|web cam|cam)\b",
            rf"\bgot (?:any|some) (?:more |other |new )?{PIC}",
            rf"\b(?:can|could|will|would) {YOU} send (?:me )?(?:a |an |some |any |"
            rf"more |another |ur |your )?{PIC}",
            r"\b(?:turn on|switch on|put on|get on|go on|have|got|use|open) "
            rf"(?:{YOUR}|a|the|my)? ?(?:web ?)?cam\b",
            r"\b(?:on cam|cam to cam|c2c|cam2cam|on video ?call|on facetime)\b",
            rf"\b(?:show|let) me (?:see )?{YOUR} {BODY}\b",
        ),
    ),
    (
        "grooming.gifts",
        (
            rf"\b{ILL}(?: can| could)? (?:buy|get|send|give|bring|treat) {YOU} "
            r"(?:a |an |some |new |the )?(?:new )?(?:phone|iphone|present|gifts?|"
            r"money|cash|credit|top ?up|clothes|outfit|make ?up|lingerie|"
            r"something nice|something special|anything|whatever|vouchers?|"
            r"gift cards?|games?|xbox|ps\d|playstation|tickets?|trainers|shoes)\b",
            rf"\b(?:i|we) (?:can|could|would|will) (?:buy|get|send|give|pay) {YOU} "
            r"(?:anything|whatever|money|cash|a phone|credit)\b",
            rf"\btop ?up {YOUR} (?:phone|credit|account)\b",
            r"\b(?:gift card|itunes card|steam card|amazon voucher|robux|v-?bucks)\b",
            rf"\b(?:i'?ll|ill|i will|i can|i could) pay (?:for {YOUR}|{YOU})\b",
            rf"\b(?:want|need|wanna|would {YOU} like) (?:some )?(?:money|cash)\b",
        ),
    ),
    (
        "grooming.meeting",
        (
            rf"\b(?:wanna|want to|would {YOU} like to|do {YOU} want to|can i|could i|"
            rf"i want to|i wanna|i'?d like to|i'?d love to|can'?t wait to|"
            rf"cant wait to) (?:meet|see) (?:{YOU}|up)\b",
            rf"\bmeet (?:me|{YOU}) (?:at|in|after|outside|behind|somewhere|tonight|"
            r"tomorrow|alone|there|some ?time)\b",
            r"\b(?:we|us) (?:could|should|can|gotta|have to|need to|must) "
            r"(?:meet|hook up|get together|see each other)\b",
            r"\bmeet (?:up )?(?:in person|irl|for real|some ?day|some ?time|"
            r"one day|in real life)\b",
            rf"\bpick {YOU} up\b|\bcollect {YOU} from\b",
            rf"\bcome (?:over|and see|see|visit|round|to see) {YOU}\b",
            rf"\bcome (?:to|over to|round to) {YOUR} (?:house|place|home|flat)\b",
            rf"\b{YOU} (?:come|coming) (?:over |round )?(?:to )?(?:my|mine)\b",
            rf"\bwhere (?:do|abouts do|r|are) {YOU} (?:live|stay)\b",
            rf"\b(?:what|wat|which) (?:town|city|area|street|state|part) "
            rf"(?:do|are|r) {YOU} (?:live|in|from)\b",
            rf"\b{YOUR} (?:address|house number)\b",
            r"\b(?:get|book|rent) (?:a |us a )?(?:hotel|motel) ?(?:room)?\b|"
            r"\b(?:hotel|motel) room\b",
            r"\b(?:irl|in real life)\b",
            r"\b(?:sneak|slip) (?:out|away)\b",
            r"\b(?:drive|come|travel) (?:down|up|over)? ?to (?:see|meet) "
            rf"{YOU}\b",
        ),
    ),
    (
        "grooming.sexual",
        (
            r"\b(?:sex|sexual|sexually|horny|naked|nude|nudes|masturbat\w*|"
            r"orgasms?|cum|cumming|blow ?jobs?|bj|handjob|condoms?|"
            r"lingerie|panties|thong|boobs|tits|titties|nipples?|penis|"
            r"dick|cock|pussy|vagina|clit|erection|boner|porn)\b",
            rf"\b(?:are|r) {YOU} (?:still )?(?:a )?virgin\b",
            rf"\b(?:{IWANT}|{ILL}|gonna|going to) (?:fuck|screw|bang|shag|suck|lick|"
            r"eat|touch|feel|rub|finger|play with|undress|strip|spank|kiss|taste|"
            r"sleep with|fool around with) (?:you|u|ya|me)\b",
            rf"\bwhat (?:are|r) {YOU} wearing\b",
            rf"\b(?:touch|touching|play with|playing with|rub|rubbing|finger|"
            rf"fingering) (?:{YOUR} ?self|myself|{YOUR} {BODY})\b",
            r"\b(?:make love|making love|made love|get hard|make (?:you|u) "
            r"wet|jerk off|jack off|jerking off|jacking off|wank\w*|"
            r"go down on|in bed with (?:you|u|me)|take (?:it all|everything|ur clothes|"
            r"your clothes|ur top|your top|ur shirt|your shirt) off)\b",
            rf"\b(?:{YOU} ever|have {YOU} ever|ever) (?:had sex|done it|"
            r"fooled around|made out|been touched|touched a|seen a)\b",
            rf"\b(?:{YOUR}|my) {SEXBODY}\b",
        ),
    ),
    (
        "grooming.coercion",
        (
            r"\bor (?:else |i'?ll |ill |i will |i'?m gonna )(?:tell|show|send|post|"
            r"share|leak|expose|hurt|come)\b",
            rf"\b{ILL} (?:tell|show|send|post|share|leak|expose) (?:\w+ )?"
            rf"(?:to )?(?:everyone|everybody|{YOUR} (?:{CONFIDANT}|school|class)|"
            rf"{YOUR} {PIC}|the {PIC}|those {PIC}|these {PIC})\b",
            rf"\b{YOU} owe me\b",
            rf"\bdo (?:what|as) i (?:say|tell {YOU}|said)\b",
            rf"\bif {YOU} (?:really |truly )?(?:loved|love|cared about|cared for|"
            r"trusted|trust) me\b",
            rf"\b(?:no ?one|no ?body) (?:will|would) (?:ever )?believe {YOU}\b",
            rf"\b{YOU} (?:have to|must|better|need to|gotta) (?:do it|do this|"
            rf"send (?:it|me)|obey|prove)\b",
        ),
    ),
    (
        "peer.bullying",
        (
            rf"\b(?:no ?one|no ?body|no1) (?:likes|loves|wants|cares about|"
            rf"would miss) {YOU}\b",
            rf"\b{YOURE} (?:so |such an? |an? |a total |a fat |literally )?"
            r"(?:loser|ugly|fat|pathetic|worthless|freak|retard|retarded|useless|"
            r"disgusting|weirdo|waste of space|slag|slut|whore|skank)\b",
            rf"\b(?:every ?one|every ?body|we all) (?:hates?|laughs? at) {YOU}\b",
            r"\b(?:kill|kys|hang) (?:yo)?(?:ur|your) ?self\b|\bkys\b",
            rf"\b(?:go die|nobody invited {YOU}|{YOU}'?re not welcome|"
            rf"{YOU} don'?t belong)\b",
        ),
    ),
    (
        "peer.threat",
        (
            rf"\b{ILL} (?:kill|hurt|beat|batter|smash|stab|punch|jump|shoot|slap|"
            rf"deck|strangle|burn) {YOU}\b",
            rf"\b(?:watch|better watch) {YOUR} back\b",
            rf"\b{YOURE} (?:dead|going to die|gonna die|gonna get it|so dead)\b",
            rf"\bi know where {YOU} live\b",
            rf"\bwait (?:till|until|til) (?:i|we) (?:see|get|find|catch) {YOU}\b",
            rf"\b(?:beat|batter|smash|punch|stab) {YOUR} (?:face|head)\b",
        ),
    ),
    (
        "peer.image_sharing",
        (
            r"\b(?:send|share|post|forward|spread|leak|show|sent|shared|posted|"
            r"forwarded|leaked|showed|spreading|sharing|posting|sending) "
            r"(?:her|his|their|them|those|these|the|my|ur|your|its|it'?s)? ?"
            r"(?:nudes?|naked (?:pics?|photos?|selfies?|videos?|vids?)|"
            r"sexy (?:pics?|photos?))\b",
            r"\b(?:screenshot|screenshotted|screen ?shot|ss)(?:ed)? (?:it|this|her|"
            r"his|that) and (?:send|sent|post|posted|share|shared|put)\b",
            r"\b(?:her|his|their) (?:nudes?|naked (?:pics?|photos?))\b",
            r"\b(?:leak|leaked|expose|exposed) (?:her|him|them)\b",
            r"\b(?:send|post|share|spread|put) (?:it|this|them|these|those|her) "
            r"(?:pics? |photos? |vids? )?(?:to|around|with|on|in) (?:every ?one|"
            r"every ?body|the whole (?:school|class|year|group)|the school|"
            r"everyone'?s?)\b",
        ),
    ),
    (
        "wellbeing.self_harm",
        (
            r"\b(?:i|i'?m|im|i am|i feel like) (?:want(?:ing)? to|wanna|going to|"
            r"gonna|thinking (?:about|of)|trying to|planning to|might) "
            r"(?:kill myself|end it all|end my life|hurt myself|"
            r"cut myself|disappear forever|not wake up)\b",
            r"\bi (?:just |really )?(?:want|wanna|want to) (?:to )?die\b",
            r"\b(?:kill|killing|hurting|cutting|harm|harming|starving) (?:my ?self)\b|"
            r"\bcut myself again\b",
            r"\bself[- ]?harm(?:ing|ed)?\b|\bsuicid(?:e|al)\b",
            r"\b(?:don'?t|do not|dont) want to (?:live|be alive|be here|wake up)\b",
            r"\bno (?:reason|point) (?:to|in) (?:live|living|going on)\b",
            r"\b(?:better off (?:dead|without me)|end(?:ing)? it all|"
            r"want(?:ed)? to disappear|can'?t go on)\b",
            r"\b(?:take|took|taking) all (?:my|the|of my) (?:pills|tablets)\b|"
            r"\boverdos(?:e|ed|ing)\b",
        ),
    ),
)


def _pii_rules() -> tuple[Rule, ...]:
    digit_word = (
        r"(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double|"
        r"triple|treble)"
    )
    return (
        Rule(
            "pii.phone",
            r"(?:\+|\(|\b)\d[\d ().\-/]{5,20}\d"
            r"(?: ?(?:x|ext\.?|extension) ?\d{1,5})?\b",
            check="phone",
        ),
        Rule(
            "pii.phone",
            rf"\b{digit_word}(?:[ ,\-]{{1,2}}{digit_word}){{7,}}\b",
            check="spelled_phone",
        ),
        Rule(
            "pii.email", r"\b[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)*\.[a-z]{2,}\b"
        ),
        Rule(
            "pii.email",
            r"\b[a-z0-9._\-]{2,} ?(?:\(at\)|\[at\]|\{at\}| at ) ?[a-z0-9\-]+ ?"
            r"(?:\(dot\)|\[dot\]|\{dot\}| dot ) ?[a-z]{2,3}\b",
            check="spelled_email",
        ),
        Rule(
            "pii.postcode",
            r"\b[A-Z]{1,2}\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2}\b",
            check="postcode",
            caseless=False,
        ),
        Rule(
            "pii.address",
            r"\b\d{1,5}[A-Za-z]?,? (?:[A-Z][A-Za-z'\-]*\.? ){1,4}(?:Street|St|Road|Rd|"
            r"Avenue|Ave|Lane|Ln|Drive|Dr|Close|Way|Crescent|Cres|Court|Ct|Place|Pl|"
            r"Terrace|Grove|Gardens|Gdns|Boulevard|Blvd|Square|Sq|Hill|Row|Mews|"
            r"Walk|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Trail|Trl|Plaza|Alley|"
            r"Green|Rise|View|Vale|Heights|Park|Crossing|Loop|Path|Pike|Estates?|"
            r"Junction|Meadows?|Ridge|Springs?|Station|Track|Turnpike|Valley|Via|"
            r"Villages?|Fort|Ford|Port|Shores?|Harbor|Harbour|Mill|Manor|Ranch)\b\.?",
            caseless=False,
        ),
        Rule(
            "pii.address",
            r"\b\d{1,4}[a-z]? (?:[a-z'\-]+ ){1,2}(?:street|road|avenue|crescent|"
            r"terrace|boulevard)\b",
        ),
        Rule(
            "pii.address",
            r"\b(?:flat|apartment|apt|unit|suite|ste) ?#?\d+[a-z]?\b",
        ),
        Rule(
            "pii.address",
            r"\b(?:i live|i'?m living|we live|my address is|my house is) "
            r"(?:at|on|in) (?:number |no\.? )?\d+",
        ),
        Rule(
            "pii.handle",
            r"(?:^|[\s(\[,:;])@[a-z0-9_][a-z0-9_.]{2,29}\b",
            check="at_handle",
        ),
        Rule(
            "pii.handle",
            rf"\b(?:my|add me on|follow me on|me on) {APP}(?: name| id| username| is|"
            r"[:\-=])* ?@?[a-z0-9_.]{3,30}\b",
            check="handle",
        ),
        Rule("pii.handle", r"\b[a-z0-9_.]{2,32}#\d{4}\b"),
        Rule(
            "pii.private_link",
            r"\b(?:chat\.whatsapp\.com/|wa\.me/|t\.me/|telegram\.me/|discord\.gg/|"
            r"discord(?:app)?\.com/invite/|(?:[a-z0-9\-]+\.)?zoom\.us/j/|"
            r"meet\.google\.com/|snapchat\.com/add/|kik\.me/|m\.me/|"
            r"join\.skype\.com/|teams\.microsoft\.com/l/meetup-join|"
            r"signal\.group/|instagram\.com/|ig\.me/|whereby\.com/)[a-z0-9_\-+/#.?=]*",
        ),
        Rule(
            "pii.school",
            r"\b(?:[A-Z][a-z'\-]+ ){1,4}(?:Primary School|Secondary School|High School|"
            r"Grammar School|Junior School|Infant School|Community School|"
            r"Middle School|Academy|School|College|CE Primary|C of E Primary|"
            r"Catholic School|Prep School)\b",
            check="school",
            caseless=False,
        ),
        Rule(
            "pii.school",
            r"\b(?:i go to|i'?m at|i am at|i attend|i'?m in year \d+ at|my school is|"
            r"i'?m in \w+ grade at) [a-z'\-]+(?: [a-z'\-]+)? (?:school|academy|high|"
            r"primary|college|grammar|middle)\b",
        ),
        Rule(
            "pii.bank",
            r"\bsort ?code(?: is)?:? ?\d{2}[- ]?\d{2}[- ]?\d{2}\b",
        ),
        Rule(
            "pii.bank",
            r"\b(?:account|acc|acct|a/c)(?: no\.?| number| num|#)?(?: is)?[: ]*"
            r"\d{8}\b",
        ),
        Rule(
            "pii.bank",
            r"\b[a-z]{2}\d{2} ?[a-z0-9]{4}(?: ?[a-z0-9]{4}){2,6}(?: ?[a-z0-9]{1,4})?\b",
            check="iban",
        ),
        Rule(
            "pii.bank",
            r"\b\d{4}-\d{4}-\d{4}-\d{4}\b|\b\d{4} \d{4} \d{4} \d{4}\b|"
            r"\b\d{4} \d{6} \d{5}\b|\b[3-6]\d{12,15}\b",
            check="card",
        ),
    )


# Shapes of disguised text, each with the folding step it calls for
# (``evasion.STEPS``). They find nothing themselves: a message one of them
# marks is folded (``evasion.fold``) and scanned again. Hyperscan runs them in
# the same pass as the rules; a gate that fires on ordinary text only costs
# a fold. (Text outside ASCII is checked by ``evasion.read_plain``.)
GATES: tuple[tuple[str, Rule], ...] = tuple(
    (step, Rule("", pattern))
    for step, pattern in (
        ("leet", r"[a-z][0-9@$!|+]+[a-z]"),  # s3nd, pr1v@te
        ("leet", r"\b[0-9$@][a-z]{3}|[a-z]{3}[0-9]\b"),  # 4lone, pic5
        ("leet", r"[oil][0-9]|[0-9][oil]|\b[oil][ \-.()/][0-9]{2}"),  # O77OO
        (
            "singles",
            r"\b[a-z0-9@$][ .\-_*~/+,:;][a-z0-9@$][ .\-_*~/+,:;][a-z0-9@$]\b",
        ),  # s n a p
        ("inner", r"\b[a-z]{1,3}[\-*~][a-z]{1,4}\b"),  # sn-ap
        ("repeats", "|".join(c * 3 for c in "abcdefghijklmnopqrstuvxyz")),  # not www
        (
            "numbers",
            r"\b(?:zero|oh|o|one|two|three|four|five|six|seven|eight|nine|double|"
            r"triple|treble)[ ,.\-]{1,2}[0-9]|[0-9][ ,.\-]{1,2}(?:zero|oh|o|one|"
            r"two|three|four|five|six|seven|eight|nine|double|triple|treble)\b",
        ),
        ("broken", BROKEN_WORDS),  # sn ap
    )
)


def tolerant(rule: Rule) -> Rule:
    """The rule for folded text: a doubled letter may be single ("meet" also
    matches "met", as folding reads "meeeet" as "met"), and "i" and "l" stand
    for each other (leetspeak "1" is either). Escapes, classes and counts are
    kept. Only words that folding changed count, so "met me at" in plain text
    is not a meeting."""
    out: list[str] = []
    pattern, i = rule.pattern, 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == "\\":
            out.append(pattern[i : i + 2])
            i += 2
        elif ch == "[":
            end = _class_end(pattern, i)
            out.append(pattern[i:end])
            i = end
        elif ch == "{":
            end = pattern.index("}", i) + 1
            out.append(pattern[i:end])
            i = end
        elif ch == "(" and pattern.startswith("(?", i):
            out.append(pattern[i : i + 3])
            i += 3
        elif ch.isalpha():
            run = i
            while run < len(pattern) and pattern[run].lower() == ch.lower():
                run += 1
            letter = "[il]" if ch in "ilIL" else ch
            quantified = run < len(pattern) and pattern[run] in "?*+{"
            if run - i > 1 and not quantified:
                out.append(letter + (letter + "?") * (run - i - 1))
            else:
                out.append(letter * (run - i))
            i = run
        else:
            out.append(ch)
            i += 1
    return Rule(rule.indicator, "".join(out), rule.check, rule.caseless)


def _class_end(pattern: str, start: int) -> int:
    """Index just past the character class that opens at ``start``."""
    i = start + 1
    if pattern.startswith("^", i):
        i += 1
    if pattern.startswith("]", i):
        i += 1
    while pattern[i] != "]":
        i += 2 if pattern[i] == "\\" else 1
    return i + 1


def all_rules() -> tuple[Rule, ...]:
    """Every rule, grooming and peer indicators first, then personal details."""
    rules = [Rule(ind, pat) for ind, pats in _GROOMING for pat in pats]
    return (*rules, *_pii_rules())
