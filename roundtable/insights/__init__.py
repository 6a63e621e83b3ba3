"""Insights: Making Data Count charts of flow and of the leadership cycle, for each team and the
whole system. It only reads the other apps; nothing imports it. `spc` is its pure core."""
