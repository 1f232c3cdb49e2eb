"""Synthetic Nordic names, cost centers, job titles and sites for the seed (no real people)."""

MALE_GIVEN = [
    "Ole", "Lars", "Per", "Jan Erik", "Øystein", "Ørjan", "Bjørn", "Håkon", "Kåre", "Sindre", "Magnus",
    "Anders", "Erik", "Mikael", "Björn", "Göran", "Måns", "Åke", "Pär", "Per-Olof", "Søren", "Jørgen",
    "Rasmus", "Mads", "Frederik", "Kasper", "Jesper", "Ulrik", "Torbjørn", "Eivind", "Aleksander", "Kristoffer",
    "Jonas", "Emil", "Oskar", "Ivar", "Sigurd", "Vebjørn", "Ægir", "Joakim", "Mathias", "Henrik", "Tor Arne",
]
FEMALE_GIVEN = [
    "Ingrid", "Kari", "Marit", "Solveig", "Åse", "Åshild", "Sølvi", "Bjørg", "Anne-Lise", "Ragnhild", "Hanne",
    "Eva", "Karin", "Maria", "Linnéa", "Märta", "Åsa", "Ylva", "Britt-Marie", "Sofie", "Mette", "Signe",
    "Line", "Camilla", "Kirsten", "Dorthe", "Maja", "Frida", "Ida", "Nora", "Thea", "Siv", "Tuva", "Liv",
    "Jorunn", "Gunnhild", "Astrid", "Elisabeth", "Marie Louise", "Wenche", "Grethe", "Lærke",
]
FAMILY = [
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
    "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen",
    "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen",
    "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen",
    "Bakken", "Kristoffersen", "Mathisen", "Lie", "Rasmussen", "Amundsen", "Lunde", "Kristensen", "Bakke",
    "Østby", "Ødegård", "Åberg", "Aasen", "Sæther", "Bækkelund", "Kjærgaard", "Søndergaard", "Østergaard",
    "Lindqvist", "Söderström", "Hägglund", "Åström", "Öberg", "Bäckström", "Lindström", "Sjöberg",
    "Engström", "Nyström", "Holmström", "Ståhl", "Wikström", "Løvås", "Grønli", "Nærø", "Fjærli",
    "Thorvaldsdóttir", "Mäkinen", "Virtanen", "Korhonen", "Nieminen", "Hämäläinen",
]
LONG_FAMILY = [
    "Christoffersen-Bjørnstad", "Wilhelmsen-Haugerud", "Aaslund-Torgersen", "Bergström-Lindqvist",
    "Østergaard-Kristiansen", "Vestergaard-Rasmussen", "Haraldsdóttir-Sigurðardóttir",
]

# (number, name, kind) — kind chooses sites and job titles for the workers in it.
ORGANIZATIONS = [
    ("1100", "Produksjon Linje 1", "plant"),
    ("1200", "Produksjon Linje 2", "plant"),
    ("1300", "Sveiseavdeling", "plant"),
    ("1400", "Maskinering CNC", "plant"),
    ("2100", "Lager & Logistikk", "plant"),
    ("3100", "Kvalitet & HMS", "plant"),
    ("4100", "Økonomi", "office"),
    ("4200", "HR & Lønn", "office"),
    ("4300", "IT", "office"),
    ("5100", "Innkjøp", "office"),
    ("6100", "Salg Norden", "office"),
    ("7100", "Vedlikehold", "plant"),
    ("9000", "Ledelse", "office"),
]
# How Visma knows each organization as a department: (departmentId, description), None = missing.
VISMA_DEPARTMENTS = {
    "1100": ("PROD1", "Produksjon linje 1"),  # differently cased
    "1200": ("PROD2", "Produksjon Linje 2"),
    "1300": ("SVEIS", "Sveiseavdeling"),
    "1400": ("CNC", "Maskinering  CNC"),  # double space
    "2100": ("LAGER", "LAGER & LOGISTIKK"),
    "3100": ("KVALITET", "Kvalitet & HMS "),  # trailing space
    "4100": ("OKONOMI", "Økonomi"),
    "4200": ("HR", "HR & Lønn"),
    "4300": ("IT", "IT"),
    "5100": None,  # missing in Visma
    "6100": ("SALG", "Salg Norden"),
    "7100": None,  # missing in Visma
    "9000": ("LEDELSE", "Ledelse"),
}
VISMA_ONLY_DEPARTMENTS = [("ADMIN", "Administrasjon")]
# Cost-center values (SUBACCOUNT segment 1): value = org number; description variants, None = missing.
VISMA_COST_CENTER_DESCRIPTIONS = {
    "1100": "Produksjon Linje 1", "1200": "Produksjon linje 2", "1300": "Sveiseavdeling",
    "1400": "Maskinering CNC", "2100": "Lager & Logistikk", "3100": "Kvalitet &  HMS", "4100": "Økonomi",
    "4200": "HR & Lønn", "4300": "IT", "5100": "Innkjøp", "6100": "Salg Norden", "7100": None,
    "9000": "Ledelse",
}
VISMA_ONLY_COST_CENTERS = [("0000", "Felles")]

# (code, title, weight, kind, Visma description or None when missing in Visma)
JOB_TITLES = [
    ("OPR", "Operatør", 30, "plant", "Operatør"),
    ("SVE", "Sveiser", 12, "plant", "Sveiser"),
    ("CNC", "CNC-operatør", 12, "plant", "CNC-Operatør"),
    ("MOP", "Maskinoperatør", 14, "plant", "Maskinoperatør"),
    ("LAG", "Lagermedarbetare", 10, "plant", "Lagermedarbetare"),
    ("TRF", "Truckfører", 6, "plant", "Truckfører"),
    ("MON", "Montør", 10, "plant", "Montør"),
    ("SKL", "Skiftleder", 4, "plant", "skiftleder"),
    ("PRL", "Produksjonsleder", 2, "plant", "Produksjonsleder"),
    ("KVI", "Kvalitetsingeniør", 3, "plant", "Kvalitetsingeniør"),
    ("HMS", "HMS-koordinator", 2, "plant", "HMS-koordinator"),
    ("VHT", "Vedlikeholdstekniker", 4, "plant", "Vedlikeholdstekniker"),
    ("ELE", "Elektriker", 3, "plant", "Elektriker"),
    ("AUT", "Automatiker", 2, "plant", None),
    ("PRO", "Produktionstekniker", 3, "plant", "Produktionstekniker"),
    ("OKS", "Økonomisjef", 1, "office", "Økonomisjef"),
    ("REG", "Regnskapsmedarbeider", 4, "office", "Regnskapsmedarbeider"),
    ("EKA", "Ekonomiassistent", 3, "office", "Ekonomiassistent"),
    ("LON", "Lønnsansvarlig", 1, "office", "Lønnsansvarlig"),
    ("HRR", "HR-rådgiver", 3, "office", "HR-rådgiver"),
    ("ITK", "IT-konsulent", 4, "office", None),
    ("INK", "Innkjøper", 3, "office", "Innkjøper"),
    ("SEL", "Selger", 6, "office", "Selger"),
    ("KAM", "Key Account Manager", 2, "office", "Key account manager"),
    ("DAL", "Daglig leder", 1, "office", "Daglig leder"),
]

# (name, street, city, postal code, country, subdivision, kind, Visma branch number)
LOCATIONS = [
    ("Oslo HQ", "Drammensveien 130", "Oslo", "0277", "NO", "03", "office", "1"),
    ("Plant Gjøvik", "Hunnsvegen 12", "Gjøvik", "2821", "NO", "34", "plant", "2"),
    ("Plant Västerås", "Kopparbergsvägen 8", "Västerås", "722 13", "SE", "U", "plant", "3"),
    ("Plant Århus", "Søren Frichs Vej 40", "Aarhus", "8230", "DK", "82", "plant", "4"),
]

COMPANY_NAME = "Nordvik Industri AS"
EMAIL_DOMAIN = "nordvik-industri.no"

_FOLD = str.maketrans({
    "ø": "o", "Ø": "o", "æ": "ae", "Æ": "ae", "å": "a", "Å": "a", "ä": "a", "Ä": "a", "ö": "o", "Ö": "o",
    "é": "e", "É": "e", "ü": "u", "Ü": "u", "ð": "d", "Ð": "d", "ó": "o", "á": "a", "í": "i", " ": "",
})


def ascii_fold(text: str) -> str:
    """The local part of a company e-mail address: lower case, Nordic letters spelled out."""
    return text.translate(_FOLD).lower()
