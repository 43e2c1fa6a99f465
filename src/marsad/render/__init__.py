"""Renders of an analysis: a self-contained right-to-left HTML report (``html``), Markdown
(``markdown``) and the terminal view of one story (``terminal``)."""
