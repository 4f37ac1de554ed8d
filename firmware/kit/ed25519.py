"""Ed25519 signature verification (RFC 8032, section 5.1) in plain MicroPython: big ints, no native code.

Only verification: the kit never signs. Points are kept in extended coordinates (X, Y, Z, T) with x = X/Z,
y = Y/Z, x*y = T/Z, so adding and doubling need no inversion (RFC 8032, 5.1.4); the check [s]B = R + [k]A is
computed as [s]B + [k](-A) in one pass over the bits (both scalars at once) and compared with R's encoding.
That is the cofactorless check RFC 8032 allows; s must be below L (no malleable signatures).
"""

from kit import sha512

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493  # order of the base point
_curve = None  # (d, 2d, sqrt(-1), base point), computed at the first verify


def _inv(x):
    return pow(x, P - 2, P)


def _constants():
    global _curve
    if _curve is None:
        d = -121665 * _inv(121666) % P
        sqrt_m1 = pow(2, (P - 1) // 4, P)
        by = 4 * _inv(5) % P  # the base point has y = 4/5 and an even x
        bx = _recover_x(by, 0, d, sqrt_m1)
        _curve = (d, 2 * d % P, sqrt_m1, (bx, by, 1, bx * by % P))
    return _curve


def _recover_x(y, sign, d, sqrt_m1):
    """x of the point with this y and x's lowest bit `sign`; None when there is none (RFC 8032, 5.1.3)."""
    if y >= P:
        return None
    x2 = (y * y - 1) * _inv(d * y * y + 1) % P
    if x2 == 0:
        return None if sign else 0
    x = pow(x2, (P + 3) // 8, P)
    if (x * x - x2) % P:
        x = x * sqrt_m1 % P
    if (x * x - x2) % P:
        return None  # x2 is not a square: no such point
    if x & 1 != sign:
        x = P - x
    return x


def _decode(data):
    d, _, sqrt_m1, _ = _constants()
    n = int.from_bytes(data, "little")
    y = n & ((1 << 255) - 1)
    x = _recover_x(y, n >> 255, d, sqrt_m1)
    if x is None:
        return None
    return (x, y, 1, x * y % P)


def _encode(point):
    zi = _inv(point[2])
    x = point[0] * zi % P
    y = point[1] * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def _add(p, q, d2):
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * d2 % P * t2 % P
    d = z1 * 2 * z2 % P
    e = b - a
    f = d - c
    g = d + c
    h = b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _double(p):
    x1, y1, z1, _ = p
    a = x1 * x1 % P
    b = y1 * y1 % P
    c = 2 * z1 * z1 % P
    h = a + b
    xy = x1 + y1
    e = h - xy * xy
    g = a - b
    f = c + g
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def verify(public_key, message, signature):
    """True when `signature` (64 bytes) is an Ed25519 signature of `message` by `public_key` (32 bytes)."""
    if len(public_key) != 32 or len(signature) != 64:
        return False
    _, d2, _, base = _constants()
    a = _decode(public_key)
    if a is None:
        return False
    r = bytes(signature[:32])
    s = int.from_bytes(signature[32:], "little")
    if s >= L:
        return False
    k = int.from_bytes(sha512.digest(r + bytes(public_key) + bytes(message)), "little") % L
    neg_a = ((P - a[0]) % P, a[1], a[2], (P - a[3]) % P)
    both = _add(base, neg_a, d2)
    q = (0, 1, 1, 0)  # the neutral point
    for i in range(252, -1, -1):  # s and k are below L < 2**253
        q = _double(q)
        bs = (s >> i) & 1
        bk = (k >> i) & 1
        if bs and bk:
            q = _add(q, both, d2)
        elif bs:
            q = _add(q, base, d2)
        elif bk:
            q = _add(q, neg_a, d2)
    return _encode(q) == r
