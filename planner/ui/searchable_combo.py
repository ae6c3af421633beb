"""An editable combo box that takes what the user types: Enter, Tab or leaving the field selects.

Qt's editable QComboBox only selects on an exact match or a pick from the popup; typed text
that is not exact stays in the box while the selection (and every number) stays on the old
entry. Here a unique match is selected, an ambiguous one opens the matching entries, and an
unknown text reverts to the selection with a visible hint, so the box never shows text that
is not its selection.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QApplication, QComboBox, QCompleter, QToolTip, QWidget

_WORD = re.compile(r"[a-z0-9.]+")


def _words(text: str) -> list[str]:
    return _WORD.findall(text.lower())


def matching_indexes(labels: list[str], text: str) -> list[int]:
    """Indexes of the labels that the typed text picks out, best first.

    Every typed word must start a word of the label ('3090' matches 'RTX 3090' and
    'RTX 3090 Ti', not 'RTX 13090'). When several match, whole-word matches come first
    ('7950x' is the 7950X before the 7950X3D), then those with the fewest extra words
    ('3090' is the RTX 3090 before the 3090 Ti).
    """
    typed = _words(text)
    if not typed:
        return []
    exact = [i for i, label in enumerate(labels) if label.strip().lower() == text.strip().lower()]
    if exact:
        return exact
    hits: list[tuple[tuple[int, int], int]] = []
    for index, label in enumerate(labels):
        rank = _rank(_words(label), typed)
        if rank is not None:
            hits.append((rank, index))
    return [index for _, index in sorted(hits)]


def _rank(words: list[str], typed: list[str]) -> tuple[int, int] | None:
    """(typed words only begun, not whole; words in the label), or None when a typed word is missing."""
    partial = 0
    for t in typed:
        if t in words:
            continue
        if not any(w.startswith(t) for w in words):
            return None
        partial += 1
    return partial, len(words)


def unique_choice(labels: list[str], text: str) -> int | None:
    """The one label the text means, or None when it matches none or several equally well."""
    hits = matching_indexes(labels, text)
    if len(hits) == 1:
        return hits[0]
    if len(hits) > 1:
        typed = _words(text)
        first, second = (_rank(_words(labels[i]), typed) for i in hits[:2])
        if first is not None and second is not None and first < second:
            return hits[0]
    return None


class SearchableCombo(QComboBox):
    """Signals: QComboBox's, plus `hint_shown(str)` when typed text was not taken.

    `activated(int)` is emitted for a typed choice exactly as for a pick from the list, so
    callers connect to `activated` alone.
    """

    hint_shown = Signal(str)

    def __init__(self, items: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        for label, data in items:
            self.addItem(label, data)
        completer = QCompleter(self.model(), self)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.setCompleter(completer)
        self._completer = completer
        self.setMinimumContentsLength(22)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.last_hint = ""
        edit = self.lineEdit()
        assert edit is not None  # editable, so it has one
        self._edit = edit
        self._edit.returnPressed.connect(self._on_line_return_pressed)
        self._had_focus = False
        app = QApplication.instance()
        if isinstance(app, QApplication):
            # a slot without parameters: PySide then never converts the widget losing focus,
            # which crashes it when that widget is being deleted
            app.focusChanged.connect(self._on_app_focus_changed)

    def labels(self) -> list[str]:
        return [self.itemText(i) for i in range(self.count())]

    def _on_app_focus_changed(self) -> None:
        """Leaving the box (Tab, a click elsewhere) commits; moving into its own popup does not."""
        focus = QApplication.focusWidget()
        has_focus = focus is not None and focus in (self, self._edit, self._completer.popup(), self.view())
        if self._had_focus and not has_focus:
            self.commit_text(final=True)
        self._had_focus = has_focus

    def _on_line_return_pressed(self) -> None:
        self.commit_text(final=False)

    def commit_text(self, final: bool) -> None:
        """Select what the typed text means. `final`: the user is leaving, so never keep stray text."""
        text = self._edit.text()
        if self.currentIndex() >= 0 and text == self.itemText(self.currentIndex()):
            return
        choice = unique_choice(self.labels(), text)
        if choice is not None:
            self._select(choice)
            return
        if matching_indexes(self.labels(), text) and not final:
            self._completer.setCompletionPrefix(text)
            self._completer.complete()
            self._hint(f"“{text}” matches several entries: pick one from the list")
            return
        why = "matches several entries" if matching_indexes(self.labels(), text) else "matches nothing"
        self._revert()
        self._hint(f"“{text}” {why}; kept {self.currentText()}")

    def _select(self, index: int) -> None:
        self.last_hint = ""
        changed = index != self.currentIndex()
        self.setCurrentIndex(index)
        self._edit.setText(self.itemText(index))
        self._edit.setCursorPosition(0)
        if changed:
            self.activated.emit(index)
            self.textActivated.emit(self.itemText(index))

    def _revert(self) -> None:
        popup = self._completer.popup()
        if popup is not None:
            popup.hide()
        self._edit.setText(self.itemText(self.currentIndex()) if self.currentIndex() >= 0 else "")
        self._edit.setCursorPosition(0)

    def _hint(self, message: str) -> None:
        self.last_hint = message
        QToolTip.showText(self.mapToGlobal(self.rect().bottomLeft()), message, self)
        self.hint_shown.emit(message)
