"""Captive DNS for set-up mode: every name resolves to the kit, so a phone that joins the kit's Wi-Fi opens the
set-up form by itself (its connectivity check lands on our web server, which answers any path with the form).

Message layout from RFC 1035 section 4.1: a 12-byte header (id, flags, four counts), then the question (labels,
type, class). The answer points back at the question's name (compression pointer 0xC00C).
"""

import struct

TYPE_A = 1
TYPE_ANY = 255
CLASS_IN = 1
TTL_S = 60
MAX_QUERY = 512  # classic DNS over UDP


def question_end(query):
    """Offset just after the first question (name, type, class); ValueError for a malformed one."""
    pos = 12
    while True:
        if pos >= len(query):
            raise ValueError("dns: name runs past the end")
        length = query[pos]
        if length == 0:
            break
        if length > 63:  # a compression pointer or a reserved label type has no place in a question
            raise ValueError("dns: bad label")
        pos += 1 + length
    pos += 1 + 4  # the root label, then type and class
    if pos > len(query):
        raise ValueError("dns: question cut short")
    return pos


def answer(query, ip):
    """The response to one query: the kit's address `ip` (4 bytes) for an A (or ANY) question of class IN,
    an empty NOERROR answer for other types. ValueError for anything that is not a plain standard query."""
    if len(query) < 12 or len(query) > MAX_QUERY:
        raise ValueError("dns: bad length")
    ident, flags, qdcount = struct.unpack_from("!HHH", query, 0)
    if flags & 0x8000 or (flags >> 11) & 0xF or qdcount < 1:
        raise ValueError("dns: not a standard query")
    end = question_end(query)
    qtype, qclass = struct.unpack_from("!HH", query, end - 4)
    wanted = qtype in (TYPE_A, TYPE_ANY) and qclass == CLASS_IN
    # QR=1 (answer), AA=1 (we are the authority here), RD copied from the query, RA=1; one question echoed.
    header = struct.pack("!HHHHHH", ident, 0x8480 | (flags & 0x0100), 1, 1 if wanted else 0, 0, 0)
    out = header + query[12:end]
    if wanted:
        out += struct.pack("!HHHLH", 0xC00C, TYPE_A, CLASS_IN, TTL_S, 4) + bytes(ip)
    return out


def open_socket(port=53):
    import socket

    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(socket.getaddrinfo("0.0.0.0", port)[0][-1])
    return sock


def serve_once(sock, ip):
    """Answer one waiting query; a malformed one is dropped (a resolver simply retries or gives up)."""
    try:
        query, sender = sock.recvfrom(MAX_QUERY)
        sock.sendto(answer(query, ip), sender)
        return True
    except (OSError, ValueError):
        return False
