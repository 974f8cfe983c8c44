"""Why a run blew up, fixed in one click: after a divergence the message banner offers
buttons that apply the fix as one undoable edit.

- "Use learning rate X": X is RunOutcome.suggested_learning_rate (ten times lower than the
  rate that diverged); one set_spec_field command, so Undo puts the old rate back.
- The advisor's fix, when one of its rules explains the divergence (DIVERGENCE_RULES): an
  unscaled target of mean 500 gives squared errors, and gradients, a million times too big,
  so a lower learning rate only hides it; scaling the target removes the cause.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QPushButton

from app import commands
from engine.project import advice

# Advisor rules whose problem makes gradients explode, so they explain a divergence.
DIVERGENCE_RULES = ("unscaled_target",)


def explaining_advice(project) -> list[advice.Advice]:
    """The advisor's hints that explain a divergence of `project`, with fixes."""
    return [a for a in advice.check(project) if a.rule in DIVERGENCE_RULES and a.fixes]


class DivergenceFixes(QObject):
    """Adds the fix buttons to the panel's banner when a run finished diverged."""

    def __init__(self, panel):
        super().__init__(panel)
        self.panel = panel
        self.window = panel.window
        self.buttons: list[QPushButton] = []
        panel.controller.runFinished.connect(self._on_run_finished)

    def _on_run_finished(self, result) -> None:
        self.buttons = []
        # The banner shows the run's message only when the run was recorded as diverged.
        if getattr(result, "outcome", "") != "diverged" or self.panel.banner.kind != "error":
            return
        if not hasattr(self.window, "push"):
            return
        for a in explaining_advice(self.window.project):
            for fix in a.fixes:
                self._add(
                    fix.label,
                    fix.detail or a.message,
                    "divergenceAdviceFix",
                    lambda f=fix: self.window.push(
                        commands.ProjectCommand(self.window, f.label, f.apply, structural=True)
                    ),
                )
        rate = result.suggested_learning_rate
        if rate is not None and rate > 0:
            self._add(
                f"Use learning rate {rate:.3g}",
                "Set the learning rate ten times lower than the one that diverged (undoable)",
                "useSuggestedLearningRate",
                lambda r=float(f"{rate:.3g}"): self.window.push(
                    commands.set_spec_field(
                        self.window, "compile", "learning_rate", r, "learning rate"
                    )
                ),
            )

    def _add(self, text: str, tip: str, name: str, slot) -> None:
        button = QPushButton(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.clicked.connect(lambda _=False: slot())
        self.panel.banner.add_button(button)
        self.buttons.append(button)


def attach_divergence_fixes(panel) -> DivergenceFixes:
    return DivergenceFixes(panel)
