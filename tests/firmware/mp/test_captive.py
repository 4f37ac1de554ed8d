"""Captive DNS of the set-up mode: every name answers with the kit's address; junk is refused, never answered."""

import socket
import struct
import time

import mptest
from kit import captive, setup

KIT = bytes((192, 168, 4, 1))


def query(name, qtype=1, ident=0x1234, flags=0x0100):
    labels = b"".join(bytes((len(p),)) + p.encode() for p in name.split(".")) + b"\x00"
    return struct.pack("!HHHHHH", ident, flags, 1, 0, 0, 0) + labels + struct.pack("!HH", qtype, 1)


def test_an_a_question_is_answered_with_the_kit_address_for_any_name():
    q = query("connectivitycheck.gstatic.com")
    out = captive.answer(q, KIT)
    ident, flags, qd, an, ns, ar = struct.unpack_from("!HHHHHH", out, 0)
    assert (ident, qd, an, ns, ar) == (0x1234, 1, 1, 0, 0)
    assert flags & 0x8000 and flags & 0x0400 and flags & 0x0100 and flags & 0x000F == 0  # answer, AA, RD, NOERROR
    assert out[12 : len(q)] == q[12:]  # the question echoed
    assert out[len(q) :] == struct.pack("!HHHLH", 0xC00C, 1, 1, 60, 4) + KIT


def test_other_types_get_an_empty_answer_and_malformed_queries_are_refused():
    out = captive.answer(query("ijlucht.nl", qtype=28), KIT)  # AAAA: no IPv6 on the access point
    assert struct.unpack_from("!H", out, 6)[0] == 0 and len(out) == len(query("ijlucht.nl", qtype=28))
    q = query("a.b")
    for bad in (b"", q[:11], q[:-1], q[:12] + b"\xc0\x0c" + q[-4:], query("x", flags=0x8000), b"\x00" * 600):
        assert "dns:" in str(mptest.raises(ValueError, captive.answer, bad, KIT))


def test_a_real_udp_query_gets_its_answer_from_the_serving_socket():
    for port in range(18931, 19031):
        try:
            server = captive.open_socket(port)
            break
        except OSError:
            pass
    client = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        client.sendto(query("kit.setup", ident=7), socket.getaddrinfo("127.0.0.1", port)[0][-1])
        time.sleep(0.05)
        assert captive.serve_once(server, KIT)
        reply = client.recv(512)
        assert struct.unpack_from("!H", reply, 0)[0] == 7 and reply[-4:] == KIT
        client.sendto(b"junk", socket.getaddrinfo("127.0.0.1", port)[0][-1])
        time.sleep(0.05)
        assert not captive.serve_once(server, KIT)  # dropped, and the socket keeps serving
    finally:
        client.close()
        server.close()


def test_the_access_point_address_is_read_from_the_interface():
    class Ap:
        def ifconfig(self):
            return ("192.168.4.1", "255.255.255.0", "192.168.4.1", "0.0.0.0")

    assert setup.address_of(Ap()) == KIT and setup.address_of(object()) == KIT


mptest.run(globals())
