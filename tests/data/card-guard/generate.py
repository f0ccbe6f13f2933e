#!/usr/bin/env python3
"""Writes the card-number guard's two corpora (one JSON receipt fragment a line):

  legitimate.jsonl  identifiers a receipt really carries, none a card: random
                    UUIDs, EAN-13/EAN-8/UPC-A/GTIN-14 with valid check digits
                    (also the prefixes that collide with card issuers), POS
                    receipt ids, timestamps used as ids, phone numbers, prices.
  cards.jsonl       card numbers of every network in every rendering the guard
                    must see through: separators of all kinds, Unicode digits,
                    keys, JSON floats, under keys named phone and gtin.

Seeded, so the files only change when this script does:
  python3 tests/data/card-guard/generate.py
"""
import json
import random
import uuid
from pathlib import Path

random.seed(20261130)
HERE = Path(__file__).resolve().parent


def luhn_complete(body):
    """body + the Luhn check digit."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def gs1_complete(body):
    """body + the GS1 (mod 10, weights 3/1 from the right) check digit."""
    total = sum(int(ch) * (3 if i % 2 == 0 else 1) for i, ch in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


def digits(n):
    return "".join(random.choice("0123456789") for _ in range(n))


# ---- legitimate identifiers ----------------------------------------------------
legit = []
for _ in range(3000):
    legit.append({"receipt_id": str(uuid.UUID(int=random.getrandbits(128), version=4))})
for i in range(2000):
    # German (40-44) and other prefixes: 13 digits starting with 4 look like old Visa.
    prefix = random.choice(["40", "41", "42", "43", "44", "73", "64", "57", "50", "87", "30"])
    ean = gs1_complete(prefix + digits(10))
    legit.append({"lines": [{"sku": ean}]} if i % 2 else {"lines": [{"gtin": ean}]})
for _ in range(1000):
    legit.append({"lines": [{"sku": gs1_complete(digits(7))}]})
for _ in range(1000):
    legit.append({"lines": [{"gtin": gs1_complete(digits(11))}]})
for i in range(1000):
    # GTIN-14 with indicator 3 and Diners-like prefixes 30-36.
    gtin = gs1_complete(random.choice(["3", "1", "5"]) + random.choice(["0", "6", "3"]) + digits(11))
    legit.append({"lines": [{"sku": gtin}]} if i % 2 else {"lines": [{"gtin": gtin}]})
for _ in range(600):
    date = f"2026{random.randint(1, 12):02d}{random.randint(1, 28):02d}"
    legit.append({"receipt_id": f"R{random.randint(1, 20)}-{date}-{digits(6)}"})
for _ in range(400):
    legit.append({"receipt_id": f"K{random.randint(1, 99)}/2026/{digits(6)}"})
for _ in range(400):
    legit.append({"receipt_id": f"{digits(4)} {digits(6)} 2026{random.randint(1, 12):02d}{random.randint(1, 28):02d}"})
for _ in range(300):
    legit.append({"receipt_id": f"S{digits(3)}-R{digits(2)}-T{digits(6)}"})
for _ in range(300):
    legit.append({"receipt_id": str(random.randint(1_700_000_000_000, 1_800_000_000_000))})
for _ in range(300):
    stamp = f"2026{random.randint(1, 12):02d}{random.randint(1, 28):02d}{random.randint(0, 23):02d}{random.randint(0, 59):02d}{random.randint(0, 59):02d}"
    legit.append({"receipt_id": stamp + digits(random.choice([0, 3]))})
for _ in range(500):
    legit.append({"member": {"phone": "+46" + random.choice(["70", "72", "73", "76"]) + digits(7)}})
for _ in range(200):
    legit.append({"member": {"phone": "+" + random.choice(["47", "45", "358", "49", "44", "1"]) + digits(random.randint(8, 11))}})
for _ in range(300):
    legit.append({"lines": [{"description": f"Ring 07{digits(1)}-{digits(3)} {digits(2)} {digits(2)}"}]})
for _ in range(300):
    legit.append({"lines": [{"description": f"Pris {random.randint(1, 9)} {digits(3)},{digits(2)} kr, art. {digits(6)}"}]})
for _ in range(200):
    legit.append({"cashier_id": f"C{digits(random.randint(1, 6))}", "register_id": f"R{digits(2)}"})

# ---- card numbers --------------------------------------------------------------
NETWORKS = [
    ("4", [16, 19]), ("51", [16]), ("55", [16]), ("2221", [16]), ("2720", [16]),
    ("34", [15]), ("37", [15]), ("36", [14]), ("300", [14]), ("305", [16]),
    ("38", [16]), ("3528", [16, 19]), ("3589", [16]), ("6011", [16, 19]), ("644", [16]),
    ("65", [16, 19]), ("622126", [16]), ("62", [16, 19]), ("50", [16]), ("5019", [16]),
    ("56", [16, 19]), ("58", [19]), ("63", [16]), ("67", [16, 19]),
]


def card():
    iin, lengths = random.choice(NETWORKS)
    length = random.choice(lengths)
    while True:
        number = luhn_complete(iin + digits(length - len(iin) - 1))
        # A 14-digit number with a valid GS1 check digit is a GTIN-14 by the rule.
        if not (length == 14 and gs1_complete(number[:-1]) == number):
            return number


def grouped(number, sep, size=4):
    return sep.join(number[i:i + size] for i in range(0, len(number), size))


def unicode_digits(number, zero):
    return "".join(chr(zero + int(ch)) for ch in number)


RENDERINGS = [
    lambda n: n,
    lambda n: grouped(n, " "),
    lambda n: grouped(n, "-"),
    lambda n: grouped(n, "."),
    lambda n: grouped(n, "/"),
    lambda n: grouped(n, "_"),
    lambda n: grouped(n, "\t"),
    lambda n: grouped(n, "  "),
    lambda n: grouped(n, "\u00a0"),
    lambda n: grouped(n, "\u202f"),
    lambda n: grouped(n, " - "),
    lambda n: unicode_digits(n, 0xFF10),             # fullwidth
    lambda n: unicode_digits(n, 0x0660),             # Arabic-Indic
    lambda n: grouped(unicode_digits(n, 0x0966), " "),  # Devanagari
    lambda n: unicode_digits(n, 0x1D7CE),            # mathematical bold
    lambda n: "Kort " + grouped(n, " ") + " tack",
    lambda n: "12 " + grouped(n, " "),               # a number in front: group-aligned windows
]

cards = []
for i in range(1500):
    number = card()
    rendering = RENDERINGS[i % len(RENDERINGS)](number)
    place = i % 6
    if place == 0:
        cards.append({"receipt_id": rendering})
    elif place == 1:
        cards.append({"lines": [{"description": rendering}]})
    elif place == 2:
        cards.append({"member": {"phone": "+" + number}})  # no E.164 number has 16+ digits...
    elif place == 3:
        cards.append({"lines": [{"gtin": number}]})
    elif place == 4:
        cards.append({"payments": [{"reference": {"phone": "+" + number}}]})
    else:
        cards.append({"notes": {rendering: "x"}})  # a card as a JSON key
for i in range(100):
    number = card()
    cards.append({"lines": [{"extra": {"gtin": number}}]})  # a key named gtin elsewhere
# JSON numbers: integers and floats (written by hand below: json.dumps keeps ints).
numbers = [card() for _ in range(100)]

with open(HERE / "legitimate.jsonl", "w", encoding="utf-8") as out:
    for item in legit:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
with open(HERE / "cards.jsonl", "w", encoding="utf-8") as out:
    for item in cards:
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
    for i, number in enumerate(numbers):
        if int(number) >= 2**53:  # a double could not hold it: as an integer only
            out.write('{"receipt_id":%s}\n' % number)
        elif i % 2:
            out.write('{"lines":[{"quantity":%s.0}]}\n' % number)
        else:
            out.write('{"receipt_id":%s}\n' % number)
print(f"{len(legit)} legitimate, {len(cards) + len(numbers)} cards")
