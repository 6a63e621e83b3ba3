"""Word lists for fictional people, places and services. Synthetic data only.

Names are drawn at random (from a seeded `random.Random`) as first name + surname pairs, so no
generated person is meant to be anyone real. Place names are built from an invented stem and a
common English ending ("Brackwen" + "ley"), optionally with a qualifier ("Vale", "North").
"""

from __future__ import annotations

import random
from collections.abc import Iterable

FIRST_NAMES: tuple[str, ...] = (
    "Aaliyah", "Abdul", "Ada", "Adaeze", "Aidan", "Aisha", "Alana", "Alfie", "Amani", "Amelia",
    "Amir", "Anika", "Anton", "Arjun", "Asha", "Ayo", "Beatrice", "Bilal", "Bronwen", "Caleb",
    "Callum", "Carys", "Chen", "Chidi", "Ciara", "Connor", "Daisy", "Dalia", "Darius", "Declan",
    "Deepa", "Eilidh", "Elif", "Ellis", "Emeka", "Esme", "Ewan", "Fatima", "Felix", "Femi",
    "Fiona", "Freya", "Gareth", "Gemma", "Hamza", "Hannah", "Harriet", "Hiro", "Idris", "Imogen",
    "Ines", "Isaac", "Ishaan", "Jade", "Jamal", "Joel", "Kai", "Kamala", "Karim", "Keira",
    "Kofi", "Lakshmi", "Lena", "Leon", "Lila", "Lucas", "Maeve", "Malik", "Mariam", "Mateo",
    "Maya", "Mei", "Milo", "Nadia", "Naveen", "Niamh", "Nico", "Nkechi", "Noah", "Olu",
    "Omar", "Orla", "Oscar", "Petra", "Rafael", "Rania", "Reuben", "Rhys", "Rosa", "Rowan",
    "Ruth", "Saanvi", "Safiya", "Sean", "Selin", "Simone", "Sofia", "Stefan", "Suki", "Tariq",
    "Tegan", "Theo", "Uma", "Vikram", "Wren", "Yara", "Yusuf", "Zainab", "Zara", "Zoltan",
)  # fmt: skip

SURNAMES: tuple[str, ...] = (
    "Abbott", "Achebe", "Ahmed", "Akhtar", "Aldridge", "Ansah", "Bailey", "Banerjee", "Barker",
    "Bello", "Bishop", "Brennan", "Brooks", "Campbell", "Chandra", "Chaudhry", "Clarke",
    "Coleman", "Cooper", "Costa", "Dacosta", "Dale", "Desai", "Doherty", "Duffy", "Eze",
    "Farah", "Fenwick", "Fischer", "Fletcher", "Forde", "Gallagher", "Ghosh", "Gordon", "Grant",
    "Gupta", "Hale", "Hamid", "Harper", "Hayes", "Hussain", "Iqbal", "Jensen", "Joshi", "Kaur",
    "Kennedy", "Khan", "Kowalski", "Lam", "Lawson", "Lin", "Lloyd", "Lowe", "Macleod", "Malik",
    "Marsh", "Mehta", "Mills", "Morgan", "Murphy", "Nair", "Nash", "Nguyen", "Novak", "Nwosu",
    "Obi", "O'Brien", "Okoro", "Osei", "Owusu", "Palmer", "Parry", "Perera", "Pike", "Quinn",
    "Rahman", "Rao", "Reid", "Rossi", "Sahota", "Santos", "Sato", "Sharma", "Silva", "Singh",
    "Sutton", "Tan", "Thorne", "Todd", "Turner", "Varga", "Vaughan", "Walsh", "Webb", "Wilde",
    "Yadav", "Yilmaz", "Young", "Zaman", "Zielinski",
)  # fmt: skip

# People close to someone, as they would name them ("my sister", "their best friend").
CLOSE_TO_THEM: tuple[str, ...] = (
    "sister",
    "brother",
    "mum",
    "dad",
    "partner",
    "daughter",
    "son",
    "aunt",
    "best friend",
)

PLACE_STEMS: tuple[str, ...] = (
    "Ashen", "Barrow", "Bramble", "Brackwen", "Callow", "Cress", "Dunmar", "Elder", "Fennick",
    "Gorse", "Hather", "Hazel", "Hollow", "Kestrel", "Linnet", "Marl", "Merrow", "Nether",
    "Oaken", "Penmar", "Quarry", "Redwick", "Rush", "Saxel", "Stow", "Tanner", "Thistle",
    "Wend", "Willow", "Wyre",
)  # fmt: skip
PLACE_ENDINGS: tuple[str, ...] = (
    "ford", "ley", "ham", "bury", "field", "worth", "ton", "stead", "combe", "den", "mere",
    "brook",
)  # fmt: skip
PLACE_QUALIFIERS: tuple[str, ...] = ("", " Vale", " North", " South", " Forest", " Green", " Heath")


def full_name(rng: random.Random) -> str:
    """A first name and a surname, drawn in that order."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(SURNAMES)}"


class NamePicker:
    """Distinct fictional full names from a seeded generator, never one already `taken`."""

    def __init__(self, rng: random.Random, taken: Iterable[str]) -> None:
        self._rng = rng
        self._taken = set(taken)

    def pick(self) -> str:
        while True:
            name = full_name(self._rng)
            if name not in self._taken:
                self._taken.add(name)
                return name


def place_names(rng: random.Random, count: int) -> list[str]:
    """`count` distinct fictional place names, in a order fixed by `rng`."""
    # "Marl" + "ley" would read "Marlley": skip endings that start with the stem's last letter.
    bases = [
        stem + ending for stem in PLACE_STEMS for ending in PLACE_ENDINGS if stem[-1] != ending[0]
    ]
    rng.shuffle(bases)
    names: list[str] = []
    # Plain names first, then the same names with a qualifier, then numbered if ever needed.
    for qualifier in PLACE_QUALIFIERS:
        for base in bases:
            if len(names) == count:
                return names
            names.append(base + qualifier)
    round_number = 2
    while len(names) < count:
        names.extend(f"{base} {round_number}" for base in bases[: count - len(names)])
        round_number += 1
    return names
