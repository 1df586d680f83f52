"""Letters that look like basic Latin ones, from Unicode's confusables data (UTS #39).

Generated from confusable-homoglyphs 3.3.1 by
``python -m smguard.guard.confusables_build --output smguard/guard/_confusables_data.py``;
do not edit by hand. :mod:`smguard.guard.confusables_build` says what is kept.
"""

#: Python's Unicode version when this was generated (NFKD and case folding depend on it).
UNICODE_VERSION = "14.0.0"

#: For each Latin letter or digit, the letters that look like it.
LOOKALIKES: dict[str, str] = {
    "a": "ɑαаᎪᗅꓮ",
    "b": "ƀƃɓѣҍᏏᏴᑲᑳᖯᗷꓐ",
    "c": "ȼсҫᏟᴄⲥꓚꮯ",
    "d": "đƌɖɗԁᎠᏧᑯᗞᗪꓒꓓ",
    "e": "ɇеҽҿᎬꓰꬲ",
    "f": "ƒքᖴᵮẝꓝꞙꬵ",
    "g": "ƍǥɠɡցᏀᏳᶃꓖ",
    "h": "ħɦћһհᎻᏂᏲᕼꓧꚕ",
    "i": "ıɨɩɪιіӏᎥᵻᵼꙇꭵ",
    "j": "ɉϳјᎫᒍꓙ",
    "k": "ƙᏦꓗ",
    "l": "łƚǀɫɭᏞᒪᣳꓡꓲ",
    "m": "Ꮇᗰꓟꭑ",
    "n": "ƞɲɳηոռᵰꓠ",
    "o": "øɵθοσоѳөօᎤᎾᏫᴏᴑⲟꓳꝋꬽꬾꭴꮎꮻ",
    "p": "ƥρрᏢᑭᣖᵽⲣꓑ",
    "q": "ʠԛգզ",
    "r": "ɍɼɽгғᎡᏒᖇᣴᴦᵲⲅꓣꭇꭈꮁ",
    "s": "ƽʂѕᏕᏚᣛᣵᵴꓢꜱꮪ",
    "t": "ŧƫƭᎢᎿᵵꓔ",
    "u": "ʋυսᏌᑌᴜᵾꓴꞟꭎꭒꮜ",
    "v": "νѵᏙᐯᴠꓦꮩ",
    "w": "ɯѡѽԝաᎳᏔᴡꓪꝡꮃ",
    "x": "хᕁᕽꓫ",
    "y": "ƴɏɣʏγуүұᎩᎽᶌỿꓬꭚ",
    "z": "ƶȥʐᏃᙆᴢᵶꓜꮓ𐋵",
    "1": "➀",
    "2": "ƻᒿ➁",
    "3": "➂",
    "4": "Ꮞ➃",
    "5": "➄",
    "6": "бᏮ➅",
    "7": "➆",
    "8": "ȣ➇",
    "9": "➈",
}

#: Letters that do not look Latin while their other case does (в: В looks like B).
OTHER_CASE: dict[str, str] = {
    "a": "ꭺ",
    "b": "ƅβвьᏼꞵꮟ",
    "d": "ðꭰꮷ",
    "e": "εꭼ",
    "f": "ϝ",
    "g": "ԍᏻꮐ",
    "h": "нңӈӊᏺⱨⲏꮋꮒ",
    "j": "ʝꭻ",
    "k": "κкқҟⱪⲕꝁꮶ",
    "l": "ⲓⳑꮮ",
    "m": "μϻмӎⲙꮇ",
    "n": "ⲛ",
    "p": "ꮲ",
    "r": "ʀᎱꭱꮢ",
    "s": "տꮥ",
    "t": "ʈτтҭⱦⲧꭲꮏ",
    "u": "ʉ",
    "w": "ꮤ",
    "x": "χҳⲭꭓ",
    "y": "ⲩꭹꮍ",
    "z": "ζ",
    "2": "ƨϩꙅꝛ",
    "3": "ȝɜʒзҙӡⳍꝫ",
    "4": "ꮞ",
    "6": "ⳓꮾ",
    "9": "ⳋꝯ",
}
