"""我的待办's per-village table on screen: the lines with rows, at most ten (those with the most rows), in their usual
order, the rest named under the table; the Excel file keeps every line."""

from types import SimpleNamespace

from shoudi.assistance.views import SCREEN_COLUMNS, _screen_columns


def test_the_screen_shows_the_busiest_lines_in_their_order_and_names_the_rest():
    lines = [SimpleNamespace(key=f"l{n}", label=f"事项{n}") for n in range(14)]
    # line n has n rows in one village and one more in another (l0: none at all)
    villages = [{f"l{n}": n for n in range(14)}, {f"l{n}": 1 for n in range(1, 14)}]
    shown = _screen_columns(lines, villages)
    assert SCREEN_COLUMNS == 10
    assert [c.key for c in shown["columns"]] == [f"l{n}" for n in range(4, 14)]
    assert [c.label for c in shown["more_columns"]] == ["事项1", "事项2", "事项3"]  # l0 has no rows: not named


def test_few_lines_are_all_shown():
    lines = [SimpleNamespace(key=f"l{n}", label=f"事项{n}") for n in range(3)]
    shown = _screen_columns(lines, [{"l0": 2, "l2": 1}])
    assert [c.key for c in shown["columns"]] == ["l0", "l2"] and shown["more_columns"] == []
