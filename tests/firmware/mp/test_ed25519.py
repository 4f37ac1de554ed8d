"""Ed25519 verification and SHA-512 under MicroPython, against RFC 8032 section 7.1 and FIPS 180-4 examples.

Signatures made by the platform's signer (ijlucht/signing.py, `cryptography`) are checked in
tests/firmware/test_update_signature.py, with a heap limit like the ESP32's.
"""

import binascii

import mptest
from kit import ed25519, sha512

u = binascii.unhexlify

# RFC 8032, 7.1: TEST 1, TEST 2, TEST 3 (public key, message, signature)
RFC8032 = (
    (
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a",
        "",
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b",
    ),
    (
        "3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c",
        "72",
        "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00",
    ),
    (
        "fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025",
        "af82",
        "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a",
    ),
)


def test_sha512_of_the_fips_examples():
    assert binascii.hexlify(sha512.digest(b"abc")) == (
        b"ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
        b"2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
    )
    assert binascii.hexlify(sha512.digest(b"")) == (
        b"cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce"
        b"47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
    )


def test_rfc8032_signatures_verify():
    for public, message, signature in RFC8032:
        assert ed25519.verify(u(public), u(message), u(signature)), public


def test_any_changed_bit_fails():
    public, message, signature = (u(x) for x in RFC8032[2])
    assert not ed25519.verify(public, message + b"\x00", signature)
    assert not ed25519.verify(public, b"\xaf\x83", signature)
    sig = bytearray(signature)
    sig[0] ^= 1  # R
    assert not ed25519.verify(public, message, bytes(sig))
    sig = bytearray(signature)
    sig[40] ^= 1  # s
    assert not ed25519.verify(public, message, bytes(sig))
    other = u(RFC8032[0][0])
    assert not ed25519.verify(other, message, signature)


def test_malformed_keys_and_signatures_are_refused_not_raised():
    public, message, signature = (u(x) for x in RFC8032[1])
    assert not ed25519.verify(public[:31], message, signature)
    assert not ed25519.verify(public, message, signature[:63])
    # s + L verifies mathematically; RFC 8032 requires s < L (no second signature for the same message)
    s = int.from_bytes(signature[32:], "little") + ed25519.L
    assert not ed25519.verify(public, message, signature[:32] + s.to_bytes(32, "little"))
    # y = 2 has no x on the curve: not a point
    assert not ed25519.verify(b"\x02" + bytes(31), message, signature)
    # y >= p is not a canonical encoding
    assert not ed25519.verify(b"\xff" * 31 + b"\x7f", message, signature)


mptest.run(globals())
