"""The tone rules' word lists: acronyms that are names, not shouting; complaint markers and
their weights; courtesy words and emoji. Phrases are written as the words of a post's tokens."""

from __future__ import annotations

from smguard.guard.normalize import normalize

__all__ = [
    "ANGRY_EMOJI",
    "COMPLAINT_EN_STRONG",
    "COMPLAINT_EN_WEAK",
    "COMPLAINT_ID_STRONG",
    "COMPLAINT_ID_WEAK",
    "COURTESY",
    "COURTESY_EMOJI",
    "COURTESY_SYMBOLS",
    "COURTESY_WEAK",
    "DEFAULT_ACRONYMS",
    "DEFAULT_SIGN_OFF_MARKS",
    "SAD_EMOJI",
    "STRONG",
    "WEAK",
    "phrase_words",
    "split_phrases",
]

_ACRONYMS = """
    ID EN UK US USA UN EU ASEAN RI NKRI DKI DIY NTB NTT
    BPJS KTP EKTP NIK KK NPWP SIM STNK BPKB SKCK KIS KIP KJP NIB SPT PPN PPH PBB
    OTP PIN CVV PLN PDAM PGN BBM LPG KRL MRT LRT KAI TJ BUMN ASN PNS CPNS TNI POLRI
    DPR DPRD MPR KPK OJK BI BPK BPOM MUI KPU BAWASLU BMKG BNPB BPBD KOMINFO KOMDIGI
    BCA BRI BNI BSI BTN CIMB OCBC UOB HSBC DBS BPD ATM EDC QR QRIS VA KUR UMKM IDR USD RP
    CS DM PM WA SMS HP TV PC URL FAQ PDF APK IOS API IT OS SOP
    PT CV TBK CEO CFO CTO HRD GM PR PO COD ETA SKU JNE JNT SPX POS
    WIB WITA WIT GMT UTC AM PM OK
    COVID HIV AIDS DBD TBC ISPA WHO RSUD RS UGD IGD
    SD SMP SMA SMK PTN PTS UI ITB UGM IPB ITS UNAIR SNBP SNBT UTBK
"""
#: Capitalised words that are names, not shouting. ``[plugins.tone] acronyms`` adds to these.
DEFAULT_ACRONYMS: frozenset[str] = frozenset(_ACRONYMS.split())


# Complaint markers in the follower's message, with a weight: the message counts as a complaint
# at 2 points, so one strong marker is enough and a lone "kok" or "why" is not.
STRONG = 2
WEAK = 1
COMPLAINT_ID_STRONG = """
    kecewa | mengecewakan | dikecewakan | parah | rusak | gagal | komplain | complain | refund |
    lama banget | lama sekali | lama bener | lambat banget | lemot | lelet |
    belum sampai | belum nyampe | tidak nyampe | belum datang | belum diterima | belum masuk |
    belum diproses | belum dikirim |
    belum dibalas | belum ada kabar | belum ada balasan | belum juga | tidak bisa | gabisa |
    tidak sampai | tidak datang | tidak masuk | tidak dibalas | tidak ada respon |
    tidak ada balasan | tidak sesuai | tidak jelas | tidak becus | error | eror | hilang |
    kapok | nyesel | menyesal | penipuan | nipu | ditipu | tipu | zonk | bohong | cacat | pecah |
    telat | terlambat | terpotong | dibatalkan | mana tanggung jawab | mana janji | mana nih |
    mana ini | gimana sih | gimana nih | bagaimana ini | payah | buruk | jelek | ribet |
    susah banget | viralkan | laporkan | lapor ylki | ombudsman | berhari hari | berminggu minggu |
    dari kemarin | sampai kapan
"""
COMPLAINT_ID_WEAK = "kok | tolong | mana | kenapa | masa | belum | batal | gimana | sih"
COMPLAINT_EN_STRONG = """
    disappointed | disappointing | unacceptable | ridiculous | worst | terrible | awful |
    horrible | useless | pathetic | scam | scammed | still waiting | still not | not working |
    doesn t work | does not work | isn t working | stopped working | never arrived |
    hasn t arrived | has not arrived | not arrived | not received | haven t received |
    have not received | never received | broken | damaged | wrong item | wrong order | complaint |
    charged twice | overcharged | fed up | sick of | waste of | no response | no reply |
    been waiting | fix this | unhappy | frustrated | frustrating | furious | annoyed | rude |
    can t log | cannot log | unable to | failed | missing
"""
COMPLAINT_EN_WEAK = "why | help | what happened | how long | where is | seriously | again | anyone"

# Courtesy in the reply, as customer-care desks write it. Each of these alone makes a reply
# courteous: a greeting or an address, an apology, thanks, an offer of help, empathy,
# congratulations, a good wish.
COURTESY = """
    kak | kakak | sis | sist | gan | agan | juragan | mas | mbak | mba | bang | bapak | ibu | pak |
    bu | bpk | sobat | sahabat | rekan | yth | terhormat | halo | hallo | helo | hai | hi | hello |
    hey | heya | hiya | howdy | greetings | dear | selamat pagi | selamat siang | selamat sore |
    selamat malam | selamat datang | assalamualaikum | salam | sampurasun | punten | good morning |
    good afternoon | good evening | good day |
    maaf | maafkan | maap | mohon maaf | sorry | sori | apologise | apologize | apologies |
    apology | apologising | apologizing | regret | ketidaknyamanan | inconvenience | pardon |
    terima kasih | terimakasih | makasih | trims | thx | thanks | thank | tq | tks | ty |
    appreciate |
    hatur nuhun | matur nuwun | nuhun | suwun | trmksh | mksh | makasi | tengkyu | thank u |
    tysm | you re welcome | welcome | no worries | no problem | good luck | have a lovely |
    mohon ditunggu |
    happy to help | glad to help | here to help | love to help | like to help | want to help |
    happy to assist | glad to assist | we can help | we could help | we will help | we ll help |
    we d help | we can assist | we will assist | we ll assist | we may assist | let us help |
    let me help | let s help | help you | help further | assist you | assist further |
    assist with | look into | take a look | a closer look | have a look | check on this |
    dig into | let us know | let me know | keep us posted | keep us updated | update us |
    reach out | reach back | get in touch | dm us | send us a dm | shoot us a dm | drop us a dm |
    message us | contact us | we re here | we are here | feel free | don t hesitate |
    hope this helps | hope that helps | hope it helps | hope this clears | happy to | glad to |
    would love | we d love | we d be | we would be | oh no | yikes | we understand |
    i understand | we hear you | sorry to hear | sad to hear | we get it | not the experience |
    not what we want | we know how | congrats | congratulations | congratulation | selamat ya |
    selamat atas | well done | great to hear | glad to hear | good to hear | love to hear |
    happy to hear | awesome | have a great | have a good | have a nice | have a wonderful |
    enjoy | take care | stay safe | cheers | regards | best wishes |
    dm kami | dm aja | via dm | japri | inbox kami | hubungi kami | kami bantu | kami cek |
    kami cekkan | kami periksa | kami tindak lanjuti | kami teruskan | kami siap | siap membantu |
    siap bantu | dengan senang hati | senang bisa | semoga membantu | semoga terbantu |
    semoga bermanfaat | jangan ragu | kabari kami | kabari ya | ditunggu kabarnya |
    ditunggu infonya | kami paham | kami mengerti | kami memahami | turut prihatin |
    ikut senang | ikut bahagia | semoga | sehat selalu | selamat beraktivitas | semangat |
    sama sama
"""
#: Softer signs of courtesy: two of them (or one with an address by @handle or a sign-off such
#: as "^AB") make a reply courteous, one alone does not. Handing the follower the next step
#: ("here is the link", "you can contact them here", "berikut") is one.
COURTESY_WEAK = """
    please | pls | plz | kindly | could you | would you | would you mind | can you | may we |
    may i | if needed | if you need | mohon | silakan | silahkan | boleh | bisa minta | tolong |
    ya | yaa | yah | yuk | nggih | njih |
    here is | here s | here are | you can contact | you can reach | you can find | you may contact |
    berikut | bisa menghubungi | dapat menghubungi | bisa dicek | dapat dilihat
"""
COURTESY_SYMBOLS = ("🙏",)
#: Friendly emoji and emoticons: a soft sign of courtesy, like "please".
COURTESY_EMOJI = (
    "😊", "🙂", "😉", "☺", "🤗", "😀", "😃", "😄", "😁", "❤", "💙", "💚", "💛", "💜", "🧡",
    "🤍", "👍", "✨", "🙌", "💪", "🎉", "🥳", ":)", ":-)", ":D", "^^", "^_^",
)  # fmt: skip
#: Characters that start a sign-off: "^AB", "*SR", "~Mika", "/JS", "-Tim CS", "— Humas".
DEFAULT_SIGN_OFF_MARKS = "^*~/-–—"
ANGRY_EMOJI = ("😡", "🤬", "😠", "👎", "😤", "💢")
SAD_EMOJI = ("😭", "😢", "🙄", "😞", "😩", "😒")


def split_phrases(spec: str) -> list[str]:
    return [p.strip() for p in spec.split("|") if p.strip()]


def phrase_words(phrase: str) -> tuple[str, ...]:
    """A phrase as the words a post's tokens are compared with (same tokeniser as posts)."""
    return tuple(normalize(phrase).words)
