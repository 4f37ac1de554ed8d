import mptest
from kit.backlog import Backlog


def test_backlog_keeps_order_and_peek_does_not_remove():
    b = Backlog(10)
    for i in range(5):
        b.append(i)
    assert b.peek(3) == [0, 1, 2] and len(b) == 5
    assert b.peek(99) == [0, 1, 2, 3, 4]


def test_drop_removes_the_oldest():
    b = Backlog(10)
    for i in range(5):
        b.append(i)
    b.drop(2)
    assert b.peek(10) == [2, 3, 4] and len(b) == 3


def test_full_backlog_drops_the_oldest_and_counts_it():
    b = Backlog(3)
    for i in range(7):
        b.append(i)
    assert len(b) == 3 and b.peek(3) == [4, 5, 6] and b.dropped == 4


def test_backlog_needs_room_for_one():
    mptest.raises(ValueError, Backlog, 0)


mptest.run(globals())
