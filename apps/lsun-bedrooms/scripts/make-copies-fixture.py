#!/usr/bin/python3
"""Writes test/fixtures/bedroom_copies_lmdb: the LSUN-format fixture of @dcgan/data
(packages/data/test/fixtures/lmdb/bedroom_train_lmdb: 6 bedroom-like pictures and 1 undecodable entry) plus two
near-duplicates, as LSUN holds them: a JPEG re-encode (quality 90) of one picture and a byte-identical copy of
another, under new LSUN-style keys (40-hex SHA-1 ids, so LMDB's key order puts them among the others).

Written with py-lmdb and Pillow (the reference writer and encoder), never with our own code; expected.json names
the copies and what each copies. Needs Debian's python3-lmdb python3-pil:
  apt-get install -y python3-lmdb python3-pil
  /usr/bin/python3 apps/lsun-bedrooms/scripts/make-copies-fixture.py
"""
import hashlib
import io
import json
import shutil
from pathlib import Path

import lmdb
from PIL import Image

APP = Path(__file__).resolve().parent.parent
SOURCE = APP.parent.parent / 'packages' / 'data' / 'test' / 'fixtures' / 'lmdb' / 'bedroom_train_lmdb'
TARGET = APP / 'test' / 'fixtures' / 'bedroom_copies_lmdb'

with lmdb.open(str(SOURCE), readonly=True, lock=False) as environment, environment.begin() as transaction:
    entries = list(transaction.cursor())

decodable = []
for key, value in entries:
    try:
        Image.open(io.BytesIO(value)).load()
        decodable.append((key, value))
    except Exception:
        pass
# Two pictures that both come before their copies in key order, so the originals are the ones kept.
reencoded_of, copied_of = decodable[0], decodable[3]
buffer = io.BytesIO()
Image.open(io.BytesIO(reencoded_of[1])).convert('RGB').save(buffer, format='JPEG', quality=90)
copies = [
    (hashlib.sha1(b'bedroom-copy-reencoded').hexdigest().encode(), buffer.getvalue(), reencoded_of[0], 'JPEG re-encode, quality 90'),
    (hashlib.sha1(b'bedroom-copy-exact').hexdigest().encode(), copied_of[1], copied_of[0], 'byte-identical copy'),
]

shutil.rmtree(TARGET, ignore_errors=True)
with lmdb.open(str(TARGET), map_size=1 << 22) as environment, environment.begin(write=True) as transaction:
    for key, value in entries:
        transaction.put(key, value)
    for key, value, _original, _kind in copies:
        transaction.put(key, value)
(TARGET / 'lock.mdb').unlink(missing_ok=True)

keys = sorted([key for key, _value in entries] + [key for key, *_rest in copies])
expected = {
    'items': len(keys),
    'decodable': len(decodable) + len(copies),
    'copies': [
        {'key': key.decode(), 'index': keys.index(key), 'copyOf': original.decode(), 'copyOfIndex': keys.index(original), 'kind': kind}
        for key, _value, original, kind in copies
    ],
}
(APP / 'test' / 'fixtures' / 'bedroom_copies_lmdb.json').write_text(json.dumps(expected, indent=2) + '\n')
print(json.dumps(expected, indent=2))
